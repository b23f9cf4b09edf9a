"""The coach's pages: the caseload (who needs them first), a client's page with the changes a
coach makes to a plan, invitations, and the client's own audit log.

Each route reads a form or a query, calls the service layer, and renders a template; who may
see or change what is decided there (`services.access`), so a client a coach is not linked to
answers 404 exactly like one that does not exist. Every change to a plan carries a reason the
client reads on their plan page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from retrorun.core.progression import SettingLimit
from retrorun.core.units import parse_date
from retrorun.errors import InvalidInput
from retrorun.services import accounts, adaptation, caseload, plans, progression
from retrorun.services.access import Role
from retrorun.services.caseload import ClientPage
from retrorun.services.clock import today
from retrorun.web import auth, views
from retrorun.web.auth import SignedIn, now, page_user
from retrorun.web.render import page

router = APIRouter(include_in_schema=False)
User = Annotated[SignedIn, Depends(page_user)]
PER_PAGE = 50  # clients on a page of the caseload (our choice: a morning's scroll on a phone)
AUDIT_SHOWN = 200  # the latest entries the audit page lists (the API gives up to 1,000)


def _see(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def is_coach(user: SignedIn) -> bool:
    return user.actor.role is Role.COACH


# --- the caseload ---------------------------------------------------------------------------


@router.get("/caseload")
def caseload_page(
    request: Request,
    user: User,
    search: str = "",
    attention: str = "",
    page_number: Annotated[int, Query(alias="page")] = 1,
) -> Response:
    """The coach's clients, who needs them first; a search and a filter that keep the order."""
    found = caseload.caseload(
        user.scope,
        today(),
        search=search or None,
        needs_attention_only=attention == "1",
        page=page_number,
        per_page=PER_PAGE,
    )
    return page(
        request,
        "caseload.html",
        title="Caseload",
        caseload=found,
        rows=[views.caseload_row(row) for row in found.rows],
        search=search,
        attention=attention == "1",
    )


# --- one client -----------------------------------------------------------------------------


def client_context(user: SignedIn, athlete: int) -> dict[str, Any]:
    """The client's page, as the services give it, with its charts and the coach's link."""
    found = caseload.client(user.scope, athlete, today())
    link = next(
        (
            item
            for item in accounts.links(user.scope)
            if item.athlete_id == athlete and item.status == "active"
        ),
        None,
    )
    return {
        "title": found.name,
        "client": found,
        "link": link,
        "sessions": _plan_rows(found),
        "steps": _plan_steps(found),
        "places": [(name, limit.words) for name, limit in adaptation.LIMIT_NAMES.items()],
        "row": None if found.row is None else views.caseload_row(found.row),
        **views.client_charts(found),
    }


def _plan_steps(found: ClientPage) -> dict[str, Any] | None:
    """What the replace and stage forms offer: the plan's weeks, and where backward steps may
    happen now (the caseload row's stage; before any decision, where the plan itself puts
    them: no cap)."""
    if found.plan_week is None:
        return None
    stage = None if found.row is None else found.row.client.stage
    limit = (
        SettingLimit.PATH if stage is None or stage.setting_limit is None else stage.setting_limit
    )
    return {"count": found.plan_week.week_count, "limit": limit}


def _plan_rows(found: ClientPage) -> list[dict[str, Any]]:
    """This plan week's sessions with what the client sees: done, missed, skipped or planned.
    The days done come from the history the page already read (it holds this week)."""
    if found.plan_week is None:
        return []
    history = found.history
    done = {item.entry.date for item in history.logged}
    done |= {activity.start_date for activity in history.imported}
    return [
        {
            "record": record,
            "status": views.day_status(record.status, record.date, found.today, done),
            "upcoming": record.date > found.today and record.status == "planned",
        }
        for record in sorted(found.plan_week.records, key=lambda r: r.date)
    ]


def _client_page(
    request: Request, user: SignedIn, athlete: int, status: int = 200, **extra: Any
) -> Response:
    return page(request, "client.html", status, **extra, **client_context(user, athlete))


@router.get("/clients/{athlete_id}")
def client_page(request: Request, user: User, athlete_id: int) -> Response:
    return _client_page(request, user, athlete_id)


def _changed(athlete: int, what: str) -> RedirectResponse:
    return _see(f"/clients/{athlete}?done={what}#done")


def _act(
    request: Request, user: SignedIn, athlete: int, done: str, change: Callable[[], object]
) -> Response:
    """Make a coach's change to a client's plan, then show the client page again: saying what
    was done, or the reason it was refused (nothing was stored: the service checks first)."""
    try:
        change()
    except InvalidInput as error:
        return _client_page(request, user, athlete, 400, problem=str(error))
    return _changed(athlete, done)


@router.post("/clients/{athlete_id}/step-back")
def client_step_back(
    request: Request,
    user: User,
    athlete_id: int,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The coach steps the upcoming sessions back a step, with why (the client reads it)."""
    auth.check_csrf(user, csrf_token)
    return _act(
        request,
        user,
        athlete_id,
        "step-back",
        lambda: adaptation.step_back(user.scope, athlete_id, reason, today()),
    )


@router.post("/clients/{athlete_id}/sessions/{session_id}/move")
def client_move(
    request: Request,
    user: User,
    athlete_id: int,
    session_id: int,
    to: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    auth.check_csrf(user, csrf_token)
    return _act(
        request,
        user,
        athlete_id,
        "moved",
        lambda: plans.move_session(
            user.scope, athlete_id, session_id, parse_date(to), reason, today()
        ),
    )


@router.post("/clients/{athlete_id}/sessions/{session_id}/skip")
def client_skip(
    request: Request,
    user: User,
    athlete_id: int,
    session_id: int,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    auth.check_csrf(user, csrf_token)
    return _act(
        request,
        user,
        athlete_id,
        "skipped",
        lambda: plans.skip_session(user.scope, athlete_id, session_id, reason, today()),
    )


@router.post("/clients/{athlete_id}/sessions/{session_id}/replace")
def client_replace(
    request: Request,
    user: User,
    athlete_id: int,
    session_id: int,
    week: Annotated[str, Form()] = "",
    setting: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The coach puts another week's session in an upcoming one, with where its backward steps
    may happen (left out: where the plan allows now)."""
    auth.check_csrf(user, csrf_token)

    def replace() -> object:
        step = views.whole_number(week, "the week")
        limit = adaptation.limit_named(setting) if setting.strip() else None
        return adaptation.replace_with_step(
            user.scope, athlete_id, session_id, step, limit, reason, today()
        )

    return _act(request, user, athlete_id, "replaced", replace)


@router.post("/clients/{athlete_id}/stage")
def client_stage(
    request: Request,
    user: User,
    athlete_id: int,
    week: Annotated[str, Form()] = "",
    setting: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The coach puts this week's and next week's sessions at another week's, and sets where
    backward steps may happen from now on."""
    auth.check_csrf(user, csrf_token)

    def set_stage() -> object:
        step = views.whole_number(week, "the week")
        limit = adaptation.limit_named(setting)
        return adaptation.set_stage(user.scope, athlete_id, step, limit, reason, today())

    return _act(request, user, athlete_id, "stage", set_stage)


@router.post("/clients/{athlete_id}/resume")
def client_resume(
    request: Request,
    user: User,
    athlete_id: int,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The coach resumes a paused plan once the client has seen a clinician."""
    auth.check_csrf(user, csrf_token)
    return _act(
        request,
        user,
        athlete_id,
        "resumed",
        lambda: adaptation.resume(user.scope, athlete_id, reason, today()),
    )


@router.post("/clients/{athlete_id}/limits")
def client_limits(
    request: Request,
    user: User,
    athlete_id: int,
    pain_ceiling: Annotated[str, Form()] = "",
    usual_pain: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The client's pain ceiling during sessions and their usual morning pain."""
    auth.check_csrf(user, csrf_token)
    return _act(
        request,
        user,
        athlete_id,
        "limits",
        lambda: progression.set_pain_limits(
            user.scope, athlete_id, *views.pain_limits(pain_ceiling, usual_pain)
        ),
    )


@router.post("/clients/{athlete_id}/notes")
def client_note(
    request: Request,
    user: User,
    athlete_id: int,
    text: Annotated[str, Form()] = "",
    private: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A note on the client: shared with them, or private to this coach."""
    auth.check_csrf(user, csrf_token)
    try:
        caseload.add_note(user.scope, athlete_id, text, private == "yes")
    except InvalidInput as error:
        return _client_page(request, user, athlete_id, 400, problem=str(error), note_text=text)
    return _see(f"/clients/{athlete_id}#notes-h")


# --- invitations and the audit log ----------------------------------------------------------


@router.post("/account/invitations")
def invitation_new(
    request: Request, user: User, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """A coach's invitation code, shown once, with a link the client opens after signing in."""
    auth.check_csrf(user, csrf_token)
    made = accounts.invite(user.scope, now())
    link = str(request.base_url).rstrip("/") + f"/invite/{made.code}"
    return page(
        request,
        "account.html",
        title="Account",
        invitation=made,
        invitation_link=link,
        **views.account_context(user),
    )


@router.get("/invite/{code}")
def invitation_page(request: Request, user: User, code: str) -> Response:
    """Where an invitation link leads, after signing in: the athlete accepts it, or not."""
    return page(request, "invite.html", title="A coach's invitation", code=code)


@router.get("/account/audit")
def audit_page(request: Request, user: User) -> Response:
    """Every read and change the athlete's coaches made of their data, newest first."""
    entries = caseload.audit_log(user.scope, user.athlete, AUDIT_SHOWN)
    return page(request, "audit.html", title="Who read or changed your data", entries=entries)


def report_athlete(user: SignedIn, athlete: int | None) -> int:
    """Whose report: the signed-in athlete's own, or a client's for their coach (the service
    checks the link)."""
    if athlete is not None:
        return athlete
    if user.actor.athlete_id is None:
        raise InvalidInput("choose a client: /report.pdf?athlete=ID")
    return user.athlete


def home_for(user: SignedIn) -> str:
    """A coach's home is their caseload; an athlete's is today."""
    if user.actor.athlete_id is None and is_coach(user):
        return "/caseload"
    return "/today" if user.actor.athlete_id is not None else "/account"


def client_end_redirect(user: SignedIn) -> str:
    return "/caseload" if is_coach(user) else "/account"
