"""The pages about progress: why the upcoming sessions are what they are (`/plan/why`), the pain
limits that decision is made by, the 3-metre backward walk test (`/steadiness`, with a timer in
the browser), and what a log's red flags mean.

They say what `retrorun plan why` and `retrorun steadiness` say, from the same documents
(`services.schemas.decision_json`); the decision itself is the progression engine's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from retrorun.core.log import RED_FLAG_NAMES, red_flag_name
from retrorun.core.progression import (
    STEADY_RATING,
    STEADY_SESSIONS,
    WALK_TEST_CUTOFF_S,
    WALK_TEST_EVERY,
    RedFlag,
    Verdict,
    WalkTest,
)
from retrorun.core.units import parse_date
from retrorun.errors import NotReady, RetrorunError
from retrorun.services import adaptation, progression, schemas
from retrorun.services.clock import today
from retrorun.web import auth, views
from retrorun.web.auth import SignedIn, page_user
from retrorun.web.render import page

router = APIRouter(include_in_schema=False)
User = Annotated[SignedIn, Depends(page_user)]

# The decisions kept after each session, as many as the page lists (the CLI's `plan why
# --history` and the API give more).
KEPT_SHOWN = 10

# Each verdict in a sentence a runner acts on.
VERDICT_WORDS = {
    "progress": "Your next sessions may build up as planned.",
    "hold": "Keep your next sessions as they are: no build-up for now.",
    "step back": "Your next sessions step back to easier ones.",
    "pause": "Your plan is paused: see your clinician (your physio or doctor) before you "
    "train again.",
}


def _see(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


# --- red flags after a log ------------------------------------------------------------------


def after_log(flags: Collection[RedFlag]) -> str:
    """Where a saved log goes: the history, which says what its red flags mean, if any."""
    if not flags:
        return "/history?logged=1"
    return "/history?logged=1&red_flags=" + ",".join(sorted(red_flag_name(f) for f in flags))


def red_flag_notice(user: SignedIn, names: str) -> dict[str, Any] | None:
    """What a log just saved reported, and whether the plan is paused now. The decision is read,
    not assumed: a flag logged for a day before the latest session may not pause it."""
    given = set(names.split(","))
    flags = [flag for name, flag in RED_FLAG_NAMES.items() if name in given]
    if not flags:
        return None
    try:
        verdict = progression.why(user.scope, user.athlete, today()).decision.verdict
    except NotReady:  # no plan yet: nothing to pause, the clinician still comes first
        verdict = None
    return {"flags": [flag.value for flag in flags], "paused": verdict is Verdict.PAUSE}


# --- why the plan is what it is -------------------------------------------------------------


def why_context(user: SignedIn) -> dict[str, Any]:
    """Today's decision as words, the decisions kept before it, and the pain limits."""
    scope, athlete = user.scope, user.athlete
    base: dict[str, Any] = {
        "title": "Why your plan is what it is",
        "limits": progression.pain_limits(scope, athlete),
        "decision": None,
    }
    try:
        found = progression.why(scope, athlete, today())
    except NotReady:  # no profile or plan yet: the page says what comes first
        return base
    data = schemas.decision_json(found)
    return {
        **base,
        "decision": data,
        "verdict_words": VERDICT_WORDS[data["verdict"]],
        "setting_why": setting_why(data),
        "day": day_words,
        "walk_test": _latest_walk_test(found.situation.walk_tests),
        "cutoff": WALK_TEST_CUTOFF_S,
        "kept": [d.document for d in progression.decisions(scope, athlete, KEPT_SHOWN)],
    }


def setting_why(data: Mapping[str, Any]) -> str:
    """The engine's reason for where backward steps may happen; when nothing moved it, what
    would (`core.progression.setting_limit`)."""
    reason = str(data["setting_reason"])
    if reason != f"{data['setting_limit']} for now":
        return reason
    return (
        f"nothing has moved it yet: {STEADY_SESSIONS} steady sessions in a row (no stumble or "
        f"fall, {STEADY_RATING} or 5 for how sure on your feet) open one place more, and a "
        "stumble or a fall closes one"
    )


def day_words(iso_day: str) -> str:
    """A day of a decision document as the pages write days: "Mon 7 Dec"."""
    return date.fromisoformat(iso_day).strftime("%a %-d %b")


def _latest_walk_test(tests: Collection[WalkTest]) -> dict[str, Any] | None:
    latest = max(tests, key=lambda t: t.date, default=None)
    if latest is None:
        return None
    return {"test": latest, "next_due": latest.date + WALK_TEST_EVERY}


@router.get("/plan/why")
def why_page(request: Request, user: User) -> Response:
    return page(request, "why.html", **why_context(user))


@router.post("/plan/resume")
def plan_resume(
    request: Request,
    user: User,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Resume a plan paused after a red flag, with why (what the clinician said): it starts
    again one step lower."""
    auth.check_csrf(user, csrf_token)
    try:
        adaptation.resume(user.scope, user.athlete, reason, today())
    except RetrorunError as error:
        return page(request, "why.html", 400, problem=str(error), **why_context(user))
    return _see("/plan/why?resumed=1")


@router.post("/plan/limits")
def limits_save(
    request: Request,
    user: User,
    pain_ceiling: Annotated[str, Form()] = "",
    usual_pain: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The athlete's pain ceiling during sessions and their usual morning pain."""
    auth.check_csrf(user, csrf_token)
    try:
        progression.set_pain_limits(
            user.scope, user.athlete, *views.pain_limits(pain_ceiling, usual_pain)
        )
    except RetrorunError as error:
        return page(request, "why.html", 400, problem=str(error), **why_context(user))
    return _see("/plan/why?limits=1#limits-h")


# --- the 3-metre backward walk test ---------------------------------------------------------


def steadiness_context(user: SignedIn, values: Mapping[str, str]) -> dict[str, Any]:
    """The earlier tests, newest first, each against the cut-off; the form as typed."""
    tests = progression.walk_tests(user.scope, user.athlete, today())
    return {
        "title": "3-metre backward walk test",
        "tests": list(reversed(tests)),
        "cutoff": WALK_TEST_CUTOFF_S,
        "today": today().isoformat(),
        "form": {"date": today().isoformat(), **values},
    }


@router.get("/steadiness")
def steadiness_page(request: Request, user: User) -> Response:
    return page(request, "steadiness.html", **steadiness_context(user, {}))


@router.post("/steadiness")
def steadiness_save(
    request: Request,
    user: User,
    seconds: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    timed: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A walk timed by the page's timer (`timed=yes`) or entered by hand."""
    auth.check_csrf(user, csrf_token)
    now_day = today()
    try:
        value = views.number(seconds, "seconds")
        day = parse_date(date) if date.strip() else now_day
        progression.add_walk_test(
            user.scope, user.athlete, day, value, now_day, timed=timed == "yes"
        )
    except RetrorunError as error:
        typed = {"seconds": seconds, "date": date}
        return page(
            request, "steadiness.html", 400, problem=str(error), **steadiness_context(user, typed)
        )
    return _see("/steadiness?saved=1")
