"""The coach's caseload in the JSON API: the caseload, a client's page, notes, and the audit log.

Authenticated as the rest of /api/v1 (`web.api`): the browser session, with the X-CSRF-Token
header on changes, or a personal API token. The documents are `coach caseload --json`, `coach
show --json`, `coach notes --json` and `audit --json`, built by `services.schemas`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from retrorun.errors import InvalidInput
from retrorun.services import caseload, schemas
from retrorun.services.clock import today
from retrorun.web.auth import SignedIn, api_user

router = APIRouter(prefix="/api/v1", tags=["retrorun"])
User = Annotated[SignedIn, Depends(api_user)]


class NoteIn(BaseModel):
    """A note on a client: shared with the client unless private."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=caseload.MAX_NOTE_CHARS * 2)  # the service trims, then checks
    private: bool = False


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


@router.get("/audit")
def audit_log(user: User, limit: int = 100) -> JSONResponse:
    """Every read and change the athlete's coaches made of their data, newest first."""
    if user.actor.athlete_id is None:
        raise InvalidInput("the audit log is an athlete's: what their coaches read and changed")
    entries = caseload.audit_log(user.scope, user.actor.athlete_id, limit)
    return JSONResponse(schemas.audit_json(entries))
