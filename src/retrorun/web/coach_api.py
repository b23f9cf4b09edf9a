"""The coach's caseload in the JSON API: the caseload, a client's page, notes, the changes a
coach makes to a client's plan, and the audit log.

Authenticated as the rest of /api/v1 (`web.api`): the browser session, with the X-CSRF-Token
header on changes, or a personal API token. The documents are `coach caseload --json`, `coach
show --json`, `coach notes --json` and `audit --json`, built by `services.schemas`; a change to
the plan answers the sessions it changed (`plan-changes`, as `plan stage --json`) or, for a
move or a skip, the session (`planned-session`, as `session move --json`). Where backward steps
may happen is given by name: "treadmill", "track" (the treadmill or a track) or "path" (a
quiet path too). Every change needs a reason, which the client reads on their plan.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from retrorun.core.units import parse_date
from retrorun.errors import InvalidInput
from retrorun.services import adaptation, caseload, plans, schemas
from retrorun.services.clock import today
from retrorun.services.plans import MAX_REASON_CHARS
from retrorun.web.auth import SignedIn, api_user

router = APIRouter(prefix="/api/v1", tags=["retrorun"])
User = Annotated[SignedIn, Depends(api_user)]
# Where backward steps may happen, by name (`adaptation.LIMIT_NAMES`).
Place = Literal["treadmill", "track", "path"]


class NoteIn(BaseModel):
    """A note on a client: shared with the client unless private."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=caseload.MAX_NOTE_CHARS * 2)  # the service trims, then checks
    private: bool = False


class ReasonIn(BaseModel):
    """Why: the client reads it on their plan."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=MAX_REASON_CHARS * 2)  # the service trims, then checks


class MoveIn(ReasonIn):
    to: str  # the new day, YYYY-MM-DD, not in the past


class StageIn(ReasonIn):
    """Every upcoming session of this plan week and the next takes week `week`'s session."""

    week: int  # the plan week whose session they take (the `step` of plan-changes)
    setting: Place


class ReplaceIn(ReasonIn):
    """The session takes week `week`'s session; `setting` left out: where the plan allows now."""

    week: int
    setting: Place | None = None


@router.get("/caseload")
def client_list(
    user: User,
    search: str | None = None,
    attention: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> JSONResponse:
    """A coach's clients, who needs them first and why (`coach caseload --json`)."""
    found = caseload.caseload(
        user.scope,
        today(),
        search=search,
        needs_attention_only=attention,
        page=page,
        per_page=per_page,
    )
    return JSONResponse(schemas.caseload_json(found))


@router.get("/clients/{athlete_id}")
def client(user: User, athlete_id: int) -> JSONResponse:
    """A client's page (`coach show --json`); the client may read their own."""
    return JSONResponse(schemas.client_json(caseload.client(user.scope, athlete_id, today())))


@router.get("/clients/{athlete_id}/notes")
def client_notes(user: User, athlete_id: int) -> JSONResponse:
    """The notes this reader may see, newest first."""
    return JSONResponse(schemas.notes_json(caseload.notes(user.scope, athlete_id)))


@router.post("/clients/{athlete_id}/notes", status_code=201)
def add_client_note(user: User, athlete_id: int, body: NoteIn) -> JSONResponse:
    """A coach's note on a client: shared, or private to the coach."""
    note = caseload.add_note(user.scope, athlete_id, body.text, body.private)
    return JSONResponse(schemas.note_json(note), status_code=201)


@router.post("/clients/{athlete_id}/step-back")
def step_back(user: User, athlete_id: int, body: ReasonIn) -> JSONResponse:
    """This week's and next week's upcoming sessions one step easier (`plan step-back`)."""
    changes = adaptation.step_back(user.scope, athlete_id, body.reason, today())
    return JSONResponse(schemas.plan_changes_json(changes))


@router.post("/clients/{athlete_id}/resume")
def resume(user: User, athlete_id: int, body: ReasonIn) -> JSONResponse:
    """A paused plan goes on, one step lower (`plan resume`)."""
    changes = adaptation.resume(user.scope, athlete_id, body.reason, today())
    return JSONResponse(schemas.plan_changes_json(changes))


@router.post("/clients/{athlete_id}/stage")
def set_stage(user: User, athlete_id: int, body: StageIn) -> JSONResponse:
    """The plan at another stage, and where backward steps may happen (`plan stage`)."""
    limit = adaptation.limit_named(body.setting)
    changes = adaptation.set_stage(user.scope, athlete_id, body.week, limit, body.reason, today())
    return JSONResponse(schemas.plan_changes_json(changes))


@router.post("/clients/{athlete_id}/sessions/{session_id}/move")
def move_session(user: User, athlete_id: int, session_id: int, body: MoveIn) -> JSONResponse:
    """An upcoming session moved to another free day (`session move`)."""
    to = parse_date(body.to, "to")
    moved = plans.move_session(user.scope, athlete_id, session_id, to, body.reason, today())
    return JSONResponse(schemas.planned_session_json(moved))


@router.post("/clients/{athlete_id}/sessions/{session_id}/skip")
def skip_session(user: User, athlete_id: int, session_id: int, body: ReasonIn) -> JSONResponse:
    """An upcoming session taken out of the plan, kept as skipped (`session skip`)."""
    skipped = plans.skip_session(user.scope, athlete_id, session_id, body.reason, today())
    return JSONResponse(schemas.planned_session_json(skipped))


@router.post("/clients/{athlete_id}/sessions/{session_id}/replace")
def replace_session(user: User, athlete_id: int, session_id: int, body: ReplaceIn) -> JSONResponse:
    """An upcoming session holding another week's session (`session replace`)."""
    limit = None if body.setting is None else adaptation.limit_named(body.setting)
    change = adaptation.replace_with_step(
        user.scope, athlete_id, session_id, body.week, limit, body.reason, today()
    )
    return JSONResponse(schemas.plan_changes_json([change]))


@router.get("/audit")
def audit_log(user: User, limit: int = 100) -> JSONResponse:
    """Every read and change the athlete's coaches made of their data, newest first."""
    if user.actor.athlete_id is None:
        raise InvalidInput("the audit log is an athlete's: what their coaches read and changed")
    entries = caseload.audit_log(user.scope, user.actor.athlete_id, limit)
    return JSONResponse(schemas.audit_json(entries))
