"""The caseload in the JSON API: the same documents as the CLI, only a coach's own clients, notes
with the session's CSRF header, and the audit log for the client alone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from retrorun.core.log import LogEntry
from retrorun.core.progression import RedFlag
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import accounts, logs, plans, tokens
from retrorun.services.access import Role
from retrorun.services.app import App
from tests.cli.clirunner import TODAY, run
from tests.web.helpers import PASSWORD, client, database_rows, ready_user, signed_in

START = date(2026, 11, 16)  # a Monday, nine days before the CLI's fixed today (2026-11-25)


def _coach(app: App, email: str) -> tuple[int, str]:
    """A coach and a personal API token of theirs."""
    user = accounts.add_user(app, app.local_owner(), email, PASSWORD, Role.COACH)
    _, secret = tokens.new_api_token(app.scope(app.actor(user.id)), "script", datetime.now(UTC))
    return user.id, secret


def _link(app: App, coach_id: int, athlete_email: str) -> None:
    invitation = accounts.invite(app.scope(app.actor(coach_id)), datetime.now(UTC))
    accounts.accept(
        app.scope(app.actor_by_email(athlete_email)), invitation.code, datetime.now(UTC)
    )


def _call(app: App, secret: str, method: str, path: str, **kwargs: Any) -> Any:
    with client(app) as script:
        return script.request(method, path, headers={"Authorization": f"Bearer {secret}"}, **kwargs)


@pytest.fixture
def practice(web_app: App, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Ana (paused after a red flag) and Ben (nothing to look at), both coached by the physio;
    Cai coached by someone else."""
    monkeypatch.setenv("RETRORUN_TODAY", TODAY)
    ids = {
        name: ready_user(web_app, f"{name}@example.org", START) for name in ("ana", "ben", "cai")
    }
    physio, physio_token = _coach(web_app, "physio@clinic.example")
    other, _ = _coach(web_app, "other@clinic.example")
    for name in ("ana", "ben"):
        _link(web_app, physio, f"{name}@example.org")
    _link(web_app, other, "cai@example.org")
    ana = web_app.scope(web_app.actor_by_email("ana@example.org"))
    flare = LogEntry(
        date=date(2026, 11, 23),
        minutes=20,
        direction=Direction.BACKWARD,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=4,
        pain_during=3,
        pain_after=3,
        red_flags=frozenset({RedFlag.SWELLING}),
    )
    logs.log(ana, ids["ana"], flare, date.fromisoformat(TODAY))
    return {"app": web_app, "ids": ids, "physio": physio, "token": physio_token}


def _cli(app: App, *args: str) -> Any:
    done = run(app.url, *args)
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_the_caseload_is_the_coachs_own_clients_paused_first(practice: dict[str, Any]) -> None:
    app, ids = practice["app"], practice["ids"]
    answer = _call(app, practice["token"], "GET", "/api/v1/caseload")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [c["athlete_id"] for c in found["clients"]] == [ids["ana"], ids["ben"]]
    assert found["clients"][0]["reasons"][0]["kind"] == "paused"
    assert found == _cli(app, "--as", "physio@clinic.example", "coach", "caseload", "--json")
    searched = _call(app, practice["token"], "GET", "/api/v1/caseload?search=BEN&attention=false")
    assert [c["name"] for c in searched.json()["clients"]] == ["ben@example.org"]
    bad = _call(app, practice["token"], "GET", "/api/v1/caseload?per_page=0")
    assert bad.status_code == 400 and "1–200" in bad.json()["error"]
    athlete = signed_in(app, "ana@example.org")
    assert athlete.api("GET", "/api/v1/caseload").status_code == 403


def test_a_clients_page_for_their_coach_only(practice: dict[str, Any]) -> None:
    app, ids = practice["app"], practice["ids"]
    page = _call(app, practice["token"], "GET", f"/api/v1/clients/{ids['ana']}")
    assert page.status_code == 200, page.text
    data = page.json()
    assert data["name"] == "ana@example.org" and data["paused"]["reason"].startswith("swelling")
    assert data["caseload"]["reasons"][0]["kind"] == "paused"
    assert data["plan_week"]["week"] == 2 and data["report"]["weeks"] == 8
    assert "red-flag" in [r["kind"] for r in data["caseload"]["reasons"]]
    shown = _cli(app, "--as", "physio@clinic.example", "coach", "show", "ana@example.org", "--json")
    # Looked at once, the red flag is no longer new (the pause still comes first).
    kinds = [r["kind"] for r in shown["caseload"].pop("reasons")]
    assert kinds == ["paused", "next-morning-missing", "missed-sessions"]
    del data["caseload"]["reasons"]
    assert shown == data
    for missing in (ids["cai"], 99999999999999999999):
        answer = _call(app, practice["token"], "GET", f"/api/v1/clients/{missing}")
        assert answer.status_code == 404, missing


def test_notes_need_the_sessions_csrf_header_and_private_ones_stay_private(
    practice: dict[str, Any],
) -> None:
    app, ana = practice["app"], practice["ids"]["ana"]
    physio = signed_in(app, "physio@clinic.example")
    path = f"/api/v1/clients/{ana}/notes"
    forged = physio.client.post(path, json={"text": "no token"})
    assert forged.status_code == 403
    shared = physio.api("POST", path, json={"text": "see your GP about the swelling"})
    assert shared.status_code == 201, shared.text
    assert shared.json()["private"] is False
    private = physio.api("POST", path, json={"text": "check the left knee", "private": True})
    assert private.status_code == 201
    assert physio.api("POST", path, json={"text": "  "}).status_code == 400
    assert physio.api("POST", path, json={"text": "x", "extra": 1}).status_code == 422
    assert [n["text"] for n in physio.api("GET", path).json()] == [
        "check the left knee",
        "see your GP about the swelling",
    ]
    client_reads = signed_in(app, "ana@example.org").api("GET", path).json()
    assert [n["text"] for n in client_reads] == ["see your GP about the swelling"]
    athlete = signed_in(app, "ana@example.org")
    assert athlete.api("POST", path, json={"text": "hi"}).status_code == 403


def test_the_audit_log_is_the_clients_to_read(practice: dict[str, Any]) -> None:
    app, ana = practice["app"], practice["ids"]["ana"]
    assert _call(app, practice["token"], "GET", f"/api/v1/clients/{ana}").status_code == 200
    athlete = signed_in(app, "ana@example.org")
    entries = athlete.api("GET", "/api/v1/audit").json()
    assert entries[0]["who"] == "physio@clinic.example"
    assert (entries[0]["action"], entries[0]["what"]) == ("read", "caseload.client")
    assert entries == _cli(app, "--as", "ana@example.org", "audit", "--json")
    coach = _call(app, practice["token"], "GET", "/api/v1/audit")
    assert coach.status_code == 400 and "athlete's" in coach.json()["error"]


# --- a coach's changes to a client's plan -------------------------------------------------------


def _upcoming(app: App, email: str) -> list[int]:
    """The client's upcoming planned sessions, read as the client (not recorded as the coach's)."""
    scope = app.scope(app.actor_by_email(email))
    assert scope.actor.athlete_id is not None
    found = plans.planned_sessions(scope, scope.actor.athlete_id)
    return [s.id for s in found if s.date > date.fromisoformat(TODAY) and s.status == "planned"]


def test_a_coach_resumes_steps_back_and_sets_the_stage(practice: dict[str, Any]) -> None:
    app, ids, token = practice["app"], practice["ids"], practice["token"]
    ana, ben = ids["ana"], ids["ben"]
    resumed = _call(app, token, "POST", f"/api/v1/clients/{ana}/resume", json={"reason": "GP: ok"})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["changes"]
    again = _call(app, token, "POST", f"/api/v1/clients/{ana}/resume", json={"reason": "again"})
    assert again.status_code == 400 and "not paused" in again.json()["error"]
    back = _call(app, token, "POST", f"/api/v1/clients/{ben}/step-back", json={"reason": "flare"})
    assert back.status_code == 200, back.text
    changes = back.json()["changes"]
    assert changes and all("physio@clinic.example: flare" in c["change"] for c in changes)
    before = database_rows(app)
    for body, status in (
        ({"week": 3, "setting": "beach", "reason": "x"}, 422),  # names only: treadmill|track|path
        ({"week": 3, "setting": "track"}, 422),  # a reason is required
        ({"week": 3, "setting": "track", "reason": "x", "extra": 1}, 422),
        ({"week": 9, "setting": "track", "reason": "x"}, 400),
        ({"week": 3, "setting": "track", "reason": " "}, 400),
    ):
        answer = _call(app, token, "POST", f"/api/v1/clients/{ben}/stage", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert "error" in answer.json()
    assert database_rows(app) == before  # refused: nothing stored, not even the audit row
    stage = {"week": 3, "setting": "treadmill", "reason": "ready for week 3"}
    staged = _call(app, token, "POST", f"/api/v1/clients/{ben}/stage", json=stage)
    assert staged.status_code == 200, staged.text
    assert {c["step"] for c in staged.json()["changes"]} == {3}
    stored = database_rows(app)
    assert stored != before


def test_a_coach_moves_skips_and_replaces_a_session(practice: dict[str, Any]) -> None:
    app, ids, token = practice["app"], practice["ids"], practice["token"]
    ben = ids["ben"]
    first, second = _upcoming(app, "ben@example.org")[:2]
    sessions = f"/api/v1/clients/{ben}/sessions"
    moved = _call(
        app, token, "POST", f"{sessions}/{first}/move", json={"to": "2027-02-20", "reason": "trip"}
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["date"], moved.json()["reason"]) == ("2027-02-20", "trip")
    bad_day = {"to": "soon", "reason": "trip"}
    assert _call(app, token, "POST", f"{sessions}/{first}/move", json=bad_day).status_code == 400
    skipped = _call(app, token, "POST", f"{sessions}/{second}/skip", json={"reason": "sore"})
    assert skipped.status_code == 200 and skipped.json()["status"] == "skipped"
    body = {"week": 1, "reason": "back, but gently"}
    replaced = _call(app, token, "POST", f"{sessions}/{second}/replace", json=body)
    assert replaced.status_code == 200, replaced.text
    (change,) = replaced.json()["changes"]
    assert change["session_id"] == second and change["step"] == 1
    assert "physio@clinic.example: back, but gently" in change["change"]
    same = _call(app, token, "POST", f"{sessions}/{second}/replace", json=body)
    assert same.status_code == 400 and "already" in same.json()["error"]
    listed = signed_in(app, "ben@example.org").api("GET", "/api/v1/sessions").json()
    now = next(s for s in listed if s["id"] == second)
    assert now["status"] == "planned" and now["origin"] == "edited"


def test_plan_changes_only_for_the_clients_own_coach(practice: dict[str, Any]) -> None:
    app, ids, token = practice["app"], practice["ids"], practice["token"]
    cai = ids["cai"]
    session = _upcoming(app, "cai@example.org")[0]
    athlete, physio = signed_in(app, "ana@example.org"), signed_in(app, "physio@clinic.example")
    before = database_rows(app)
    for path, body in (
        (f"/api/v1/clients/{cai}/step-back", {"reason": "x"}),
        (f"/api/v1/clients/{cai}/resume", {"reason": "x"}),
        (f"/api/v1/clients/{cai}/stage", {"week": 1, "setting": "track", "reason": "x"}),
        (f"/api/v1/clients/{cai}/sessions/{session}/move", {"to": "2027-02-20", "reason": "x"}),
        (f"/api/v1/clients/{cai}/sessions/{session}/skip", {"reason": "x"}),
        (f"/api/v1/clients/{cai}/sessions/{session}/replace", {"week": 1, "reason": "x"}),
    ):
        answer = _call(app, token, "POST", path, json=body)
        assert answer.status_code == 404, (path, answer.text)
        assert athlete.api("POST", path, json=body).status_code == 404, path
    forged = physio.client.post(f"/api/v1/clients/{ids['ben']}/step-back", json={"reason": "x"})
    assert forged.status_code == 403
    assert database_rows(app) == before
