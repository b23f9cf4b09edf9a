"""The JSON API under /api/v1: everything the pages do, for scripts and the offline player.

Authenticated by the browser session (with the X-CSRF-Token header on changes) or by a personal
API token (`Authorization: Bearer …`). The documents are the ones the CLI's `--json` prints,
built by the same functions in `services.schemas`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from retrorun.core.log import red_flags_named
from retrorun.core.profile import Units
from retrorun.core.units import parse_date
from retrorun.errors import InvalidInput
from retrorun.services import activities, athletes, logs, plans, progression, schemas
from retrorun.services.clock import today
from retrorun.web import views
from retrorun.web.auth import SignedIn, api_user

router = APIRouter(prefix="/api/v1", tags=["retrorun"])
User = Annotated[SignedIn, Depends(api_user)]
Document = dict[str, Any]


def _units(user: SignedIn) -> Units:
    found = athletes.profile_or_none(user.scope, user.athlete)
    return found.units if found is not None else Units.METRIC


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LogIn(Strict):
    """A session as logged: the fields of `retrorun log`, and the device's id for it."""

    date: str
    minutes: float
    direction: str
    mode: str
    setting: str
    rpe: int
    pain_during: int
    pain_after: int
    distance_km: float | None = None
    pain_next_morning: int | None = None
    with_partner: bool = False
    notes: str = Field(default="", max_length=10_000)
    stumbles: int | None = None
    falls: int | None = None
    steadiness: int | None = None
    # sharp-pain, rising-pain, swelling, fall-injury: any pauses the plan
    red_flags: list[str] = Field(default_factory=list, max_length=4)
    client_ref: str | None = Field(default=None, max_length=64)


class NextMorning(Strict):
    pain_next_morning: int
    red_flags: list[str] = Field(default_factory=list, max_length=4)  # swelling overnight, …


class WalkTestIn(Strict):
    """A 3-metre backward walk: its seconds, the day (today when left out), and whether a
    retrorun timer took it."""

    seconds: float
    date: str | None = None
    timed: bool = False


class PainLimitsIn(Strict):
    """Either or both; what is left out stays as it is."""

    pain_ceiling: int | None = None
    usual_pain: int | None = None


class ScreeningIn(Strict):
    answers: dict[str, bool]
    cleared_by_doctor: bool = False


class PlanIn(Strict):
    start: str
    weeks: int | None = None
    cleared_by_doctor: bool = False


@router.get("/me")
def me(user: User) -> Document:
    actor = user.actor
    return {
        "id": actor.user_id,
        "email": actor.email,
        "role": actor.role.value,
        "athlete_id": actor.athlete_id,
    }


@router.get("/profile")
def profile(user: User) -> JSONResponse:
    return _json(schemas.profile_json(athletes.profile(user.scope, user.athlete)))


@router.get("/screening/questions")
def questions(user: User) -> list[Document]:
    return schemas.questions_json()


@router.post("/screening", status_code=201)
def screen(user: User, body: ScreeningIn) -> Document:
    result = athletes.screen(
        user.scope, user.athlete, body.answers, today(), body.cleared_by_doctor
    )
    return schemas.screening_json(result)


@router.post("/plan", status_code=201)
def new_plan(user: User, body: PlanIn) -> Document:
    plan = plans.new_plan(
        user.scope, user.athlete, parse_date(body.start), body.weeks, body.cleared_by_doctor
    )
    return schemas.plan_json(plan, _units(user))


@router.get("/plan")
def plan(user: User, week: int | None = None) -> JSONResponse:
    """The plan as `retrorun plan show --json`; with `week`, every week's totals but only that
    week's sessions."""
    if week is not None:
        return _json(
            schemas.plan_json(plans.plan_with_week(user.scope, user.athlete, week), _units(user))
        )
    return _json(schemas.plan_json(plans.plan(user.scope, user.athlete), _units(user)))


@router.get("/plan/why")
def plan_why(user: User, date: str | None = None) -> JSONResponse:
    """The progression engine's decision as `retrorun plan why --json` (today, or `date`)."""
    day = parse_date(date, "date") if date else today()
    return _json(schemas.decision_json(progression.why(user.scope, user.athlete, day)))


@router.get("/plan/decisions")
def plan_decisions(user: User, limit: int = 20) -> JSONResponse:
    """The decisions kept after each session, newest first, as `retrorun plan why --history
    --json` (at most `limit`, 1–100)."""
    if not 1 <= limit <= 100:
        raise InvalidInput(f"limit must be 1–100 (got {limit})")
    found = progression.decisions(user.scope, user.athlete, limit)
    return _json(schemas.decisions_json(found))


@router.get("/plan/limits")
def pain_limits(user: User) -> JSONResponse:
    """The pain limits the decisions are made by, as `retrorun plan limits --json`."""
    return _json(schemas.pain_limits_json(progression.pain_limits(user.scope, user.athlete)))


@router.post("/plan/limits")
def set_pain_limits(user: User, body: PainLimitsIn) -> JSONResponse:
    limits = progression.set_pain_limits(
        user.scope, user.athlete, body.pain_ceiling, body.usual_pain
    )
    return _json(schemas.pain_limits_json(limits))


@router.get("/walk-tests")
def walk_tests(user: User) -> JSONResponse:
    """Every 3-metre backward walk, oldest first, as `retrorun steadiness list --json`."""
    found = progression.walk_tests(user.scope, user.athlete, today())
    return _json(schemas.walk_tests_json(found))


@router.post("/walk-tests", status_code=201)
def add_walk_test(user: User, body: WalkTestIn) -> JSONResponse:
    now_day = today()
    day = parse_date(body.date) if body.date else now_day
    test = progression.add_walk_test(
        user.scope, user.athlete, day, body.seconds, now_day, timed=body.timed
    )
    return _json(schemas.walk_test_json(test), 201)


@router.get("/sessions")
def sessions(user: User, week: int | None = None) -> JSONResponse:
    """Every planned session as `retrorun session list --json`; with `week`, that week's."""
    found = plans.planned_sessions(user.scope, user.athlete, week)
    return _json(schemas.planned_sessions_json(found))


@router.get("/sessions/{day}")
def session(user: User, day: str) -> JSONResponse:
    found, timeline = plans.session(user.scope, user.athlete, parse_date(day))
    cost = plans.session_cost(user.scope, user.athlete, found)
    return _json(schemas.session_json(found, timeline, cost, _units(user)))


@router.post("/logs", status_code=201)
def log(user: User, body: LogIn) -> Document:
    """Log a session. Sent again with the same `client_ref` (a log written offline and sent
    when the connection came back), it answers the stored log and stores nothing new."""
    fields = body.model_dump(exclude={"red_flags"})
    values = {k: "" if v is None else str(v) for k, v in fields.items()}
    values["with_partner"] = "yes" if body.with_partner else ""
    entry = views.log_entry(values, body.red_flags)
    logged = logs.log(user.scope, user.athlete, entry, today(), client_ref=body.client_ref)
    return schemas.log_written_json(
        logged.id, logged.matched_plan, red_flags=logged.entry.red_flags
    )


@router.post("/logs/{day}/next-morning")
def next_morning(user: User, day: str, body: NextMorning) -> Document:
    flags = red_flags_named(body.red_flags)
    logged = logs.complete_log(
        user.scope, user.athlete, parse_date(day), body.pain_next_morning, today(), flags
    )
    return schemas.log_written_json(
        logged.id, logged.matched_plan, updated=True, red_flags=logged.entry.red_flags
    )


@router.get("/history")
def history(user: User, since: str | None = None, until: str | None = None) -> JSONResponse:
    """Everything logged or imported, oldest first, as `retrorun history --json`; with `since`
    and/or `until` (YYYY-MM-DD), only those days, read with a bounded query."""
    if since is None and until is None:
        logged = logs.history(user.scope, user.athlete)
        imported = activities.activities(user.scope, user.athlete)
    else:
        first = parse_date(since, "since") if since else date(1970, 1, 1)
        last = parse_date(until, "until") if until else today()
        found = logs.history_between(user.scope, user.athlete, first, last)
        logged = found.logged
        imported = [a for a in found.imported if first <= a.start_date <= last]
    return _json(schemas.history_json(logged, imported, _units(user)))


@router.post("/imports", status_code=201)
def import_files(
    user: User,
    files: Annotated[list[UploadFile], File()],
    direction: Annotated[str, Form()] = "",
) -> list[Document]:
    """Watch files and export archives, each imported, a duplicate, or rejected with why."""
    return schemas.import_json(views.import_uploads(user, files, direction or None))


@router.get("/activities")
def activity_list(user: User) -> JSONResponse:
    found = activities.activities(user.scope, user.athlete)
    return _json(schemas.activities_document(found, _units(user)))


@router.get("/activities/{activity_id}")
def activity(user: User, activity_id: int) -> JSONResponse:
    found = activities.activity(user.scope, user.athlete, activity_id)
    return _json(schemas.activity_document(found, _units(user), laps=True))


def _json(document: Any, status: int = 200) -> JSONResponse:
    """The document as built (and checked) by `services.schemas`, sent as it is: FastAPI would
    otherwise validate and serialise it a second time."""
    return JSONResponse(document, status_code=status)
