"""The coach's pages in-process: the caseload, a client's page and every form on it, invitations,
the report for a client, and what the client then reads (their plan, notes, audit log).

Refusals are checked to store nothing (`database_rows` before and after); a client of another
coach, or no client at all, answers 404 on every address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from retrorun.core.log import LogEntry
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import accounts, logs, plans, progression
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Scope
from tests.web.helpers import PASSWORD, Person, database_rows, form_token, ready_user, signed_in

TODAY = date(2026, 12, 10)  # a Thursday
START = date(2026, 11, 23)  # a Monday: the plan's third week, so there is a step to go back
NOW = datetime.now(UTC)


@dataclass
class Practice:
    app: App
    physio: Person
    ana: int  # a client who just logged a pain flare
    ben: int  # a client with nothing new
    cai: int  # another coach's client


def _coach(app: App, email: str) -> int:
    return accounts.add_user(app, app.local_owner(), email, PASSWORD, Role.COACH).id


def _link(app: App, coach: int, athlete_email: str) -> None:
    code = accounts.invite(app.scope(app.actor(coach)), NOW).code
    accounts.accept(app.scope(app.actor_by_email(athlete_email)), code, NOW)


def flare(day: date) -> LogEntry:
    return LogEntry(
        date=day,
        minutes=20,
        direction=Direction.BACKWARD,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=6,
        pain_during=7,
        pain_after=6,
    )


@pytest.fixture
def practice(web_app: App, monkeypatch: pytest.MonkeyPatch) -> Practice:
    monkeypatch.setenv("RETRORUN_TODAY", TODAY.isoformat())
    ana = ready_user(web_app, "ana@example.org", START)
    ben = ready_user(web_app, "ben@example.org", TODAY)
    cai = ready_user(web_app, "cai@example.org", START)
    physio, other = _coach(web_app, "physio@clinic.example"), _coach(web_app, "o@clinic.example")
    _link(web_app, physio, "ana@example.org")
    _link(web_app, physio, "ben@example.org")
    _link(web_app, other, "cai@example.org")
    scope = web_app.scope(web_app.actor_by_email("ana@example.org"))
    logs.log(scope, ana, flare(TODAY - timedelta(days=1)), TODAY)
    return Practice(web_app, signed_in(web_app, "physio@clinic.example"), ana, ben, cai)


def _stored(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row but the audit log's: a refused form shows the client's page again,
    and that reading is recorded, as every read of a coach is."""
    rows = database_rows(app)
    del rows["audit_log"]
    return rows


def _own(app: App, athlete: int) -> Scope:
    """The athlete's own scope, to look at their plan without being recorded as a coach."""
    return app.scope(next(a for a in _athletes(app) if a.athlete_id == athlete))


def _athletes(app: App) -> list[Actor]:
    return [app.actor_by_email(f"{name}@example.org") for name in ("ana", "ben", "cai")]


def _upcoming(app: App, athlete: int) -> list[int]:
    found = plans.planned_sessions(_own(app, athlete), athlete)
    return [s.id for s in found if s.date > TODAY and s.status == "planned"]


# --- the caseload ---------------------------------------------------------------------------


def test_a_coach_lands_on_their_caseload_who_needs_them_first(practice: Practice) -> None:
    browser = practice.physio.client
    assert browser.get("/", follow_redirects=False).headers["location"] == "/caseload"
    assert browser.get("/today", follow_redirects=False).headers["location"] == "/caseload"
    shown = browser.get("/caseload")
    assert shown.status_code == 200
    html = shown.text
    assert html.index("ana@example.org") < html.index("ben@example.org")
    assert "cai@example.org" not in html
    assert "Pain during was 7/10" in html or "pain" in html.lower()
    assert 'class="sparkline"' in html and '<nav aria-label="Main">' in html
    assert 'href="/caseload"' in html and 'href="/plan"' not in html
    assert 'href="/clients/' + str(practice.ana) + '"' in html


def test_the_caseload_searches_filters_and_pages(practice: Practice) -> None:
    browser = practice.physio.client
    searched = browser.get("/caseload", params={"search": "BEN"}).text
    assert "ben@example.org" in searched and "ana@example.org" not in searched
    nobody = browser.get("/caseload", params={"search": "zed"}).text
    assert "No client matches" in nobody
    attention = browser.get("/caseload", params={"attention": "1"}).text
    assert "ana@example.org" in attention
    past_the_end = browser.get("/caseload", params={"page": "0"})
    assert past_the_end.status_code == 400 and "numbered from 1" in past_the_end.text


def test_an_athlete_has_no_caseload(practice: Practice) -> None:
    ana = signed_in(practice.app, "ana@example.org")
    assert ana.client.get("/caseload").status_code == 403
    assert ana.client.get("/", follow_redirects=False).headers["location"] == "/today"


# --- a client's page and its forms ----------------------------------------------------------


def test_a_clients_page_shows_plan_history_decisions_and_forms(practice: Practice) -> None:
    shown = practice.physio.client.get(f"/clients/{practice.ana}")
    assert shown.status_code == 200, shown.text
    html = shown.text
    for words in (
        "What needs you",
        "This week",
        "Step the plan back",
        "Pain limits",
        "Decisions",
        "pain during was 7/10",
        f"/report.pdf?athlete={practice.ana}",
        "End the link",
        "Move, skip or replace this session",
        "Change the stage",
    ):
        assert words in html, words
    assert html.count("<svg") >= 2  # the history charts


def test_strangers_get_404_on_every_client_address(practice: Practice) -> None:
    app = practice.app
    ben = signed_in(app, "ben@example.org")
    session = _upcoming(app, practice.cai)[0]
    before = database_rows(app)
    for who, athlete in ((practice.physio, practice.cai), (ben, practice.ana)):
        for path in ("", "/step-back", "/stage", "/resume", "/limits", "/notes"):
            if not path:
                assert who.client.get(f"/clients/{athlete}").status_code == 404
                continue
            fields = {
                "reason": "x",
                "text": "x",
                "pain_ceiling": "4",
                "usual_pain": "1",
                "week": "1",
                "setting": "track",
            }
            assert who.post(f"/clients/{athlete}{path}", fields).status_code == 404, path
        for action in ("move", "skip", "replace"):
            fields = {
                "reason": "x",
                "to": (TODAY + timedelta(days=20)).isoformat(),
                "week": "1",
                "setting": "track",
            }
            answer = who.post(f"/clients/{athlete}/sessions/{session}/{action}", fields)
            assert answer.status_code == 404
        report = who.client.get("/report.html", params={"athlete": athlete})
        assert report.status_code == 404
    assert practice.physio.client.get("/clients/99999999").status_code == 404
    assert database_rows(app) == before


def test_a_step_back_with_a_reason_reaches_the_clients_plan(practice: Practice) -> None:
    app, physio, ana = practice.app, practice.physio, practice.ana
    before = _stored(app)
    refused = physio.post(f"/clients/{ana}/step-back", {"reason": "  "})
    assert refused.status_code == 400 and "a reason has 1" in refused.text
    assert _stored(app) == before
    done = physio.post(f"/clients/{ana}/step-back", {"reason": "flare: easier for two weeks"})
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"/clients/{ana}?done=step-back")
    client_sees = signed_in(app, "ana@example.org").client.get("/plan").text
    assert "physio@clinic.example: flare: easier for two weeks" in client_sees


def test_move_and_skip_an_upcoming_session_with_a_reason(practice: Practice) -> None:
    app, physio, ana = practice.app, practice.physio, practice.ana
    first, second = _upcoming(app, ana)[:2]
    before = _stored(app)
    for fields in ({"to": "tomorrow", "reason": "travel"}, {"to": "2026-12-25", "reason": ""}):
        answer = physio.post(f"/clients/{ana}/sessions/{first}/move", fields)
        assert answer.status_code == 400, fields
    assert (
        "is not a date"
        in physio.post(
            f"/clients/{ana}/sessions/{first}/move", {"to": "soon", "reason": "travel"}
        ).text
    )
    assert physio.post(f"/clients/{ana}/sessions/{first}/skip", {}).status_code == 400
    assert _stored(app) == before
    moved = physio.post(
        f"/clients/{ana}/sessions/{first}/move", {"to": "2026-12-26", "reason": "travel day"}
    )
    assert moved.status_code == 303, moved.text
    skipped = physio.post(f"/clients/{ana}/sessions/{second}/skip", {"reason": "sore knee"})
    assert skipped.status_code == 303, skipped.text
    records = {r.id: r for r in plans.planned_sessions(_own(app, ana), ana)}
    assert records[first].date == date(2026, 12, 26) and records[first].reason == "travel day"
    assert records[second].status == "skipped" and records[second].reason == "sore knee"


def test_replace_an_upcoming_session_with_another_weeks(practice: Practice) -> None:
    app, physio, ana = practice.app, practice.physio, practice.ana
    session = _upcoming(app, ana)[0]
    path = f"/clients/{ana}/sessions/{session}/replace"
    page = physio.client.get(f"/clients/{ana}").text
    assert f'action="{path}"' in page and "Week 8's session" in page
    # Where the plan allows backward steps now, as the flare's decision set it.
    assert '<option value="track" selected>The treadmill or track</option>' in page
    before = _stored(app)
    for fields, problem in (
        ({"week": "soon", "setting": "track", "reason": "why"}, "the week must be a whole"),
        ({"week": "1", "setting": "beach", "reason": "why"}, "treadmill, track or path"),
        ({"week": "9", "setting": "track", "reason": "why"}, "the plan has weeks 1–8"),
        ({"week": "1", "setting": "track", "reason": " "}, "a reason has 1"),
    ):
        refused = physio.post(path, fields)
        assert refused.status_code == 400, fields
        assert problem in refused.text, fields
    assert _stored(app) == before
    done = physio.post(path, {"week": "1", "setting": "treadmill", "reason": "short and safe"})
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"/clients/{ana}?done=replaced")
    assert "Session replaced" in physio.client.get(done.headers["location"]).text
    record = next(r for r in plans.planned_sessions(_own(app, ana), ana) if r.id == session)
    assert record.origin == "edited" and record.version == 3  # the engine's flare made 2
    assert record.reason is not None and "physio@clinic.example: short and safe" in record.reason
    backward = {step.setting for step in record.workout.steps if step.is_backward}
    assert backward == {Setting.TREADMILL}
    client_sees = signed_in(app, "ana@example.org").client.get("/plan").text
    assert "physio@clinic.example: short and safe" in client_sees
    # The form now proposes the week whose session it holds: week 1, not its own week.
    again = physio.client.get(f"/clients/{ana}").text
    select = again.split(f'id="f-replace-week-{session}"', 1)[1].split("</select>", 1)[0]
    assert '<option value="1" selected>' in select and select.count(" selected") == 1


def test_change_the_stage_from_the_clients_page(practice: Practice) -> None:
    app, physio, ana = practice.app, practice.physio, practice.ana
    path = f"/clients/{ana}/stage"
    assert f'action="{path}"' in physio.client.get(f"/clients/{ana}").text
    before = _stored(app)
    for fields in (
        {"week": "", "setting": "track", "reason": "why"},
        {"week": "2", "setting": "", "reason": "why"},
        {"week": "0", "setting": "track", "reason": "why"},
    ):
        assert physio.post(path, fields).status_code == 400, fields
    assert _stored(app) == before
    done = physio.post(path, {"week": "1", "setting": "treadmill", "reason": "flare: week 1 again"})
    assert done.status_code == 303, done.text
    shown = physio.client.get(done.headers["location"]).text
    assert "Stage changed" in shown
    assert '<option value="treadmill" selected>The treadmill</option>' in shown
    again = physio.post(path, {"week": "1", "setting": "treadmill", "reason": "again"})
    assert again.status_code == 400 and "already" in again.text
    records = [r for r in plans.planned_sessions(_own(app, ana), ana) if r.date > TODAY]
    changed = [r for r in records if r.origin == "edited"]
    assert changed and all("flare: week 1 again" in (r.reason or "") for r in changed)
    client_sees = signed_in(app, "ana@example.org").client.get("/plan").text
    assert "physio@clinic.example: flare: week 1 again" in client_sees


def test_pain_limits_and_resume_from_the_clients_page(practice: Practice) -> None:
    app, physio, ana = practice.app, practice.physio, practice.ana
    before = _stored(app)
    for fields in ({"pain_ceiling": "lots", "usual_pain": "1"}, {"pain_ceiling": "11"}):
        assert physio.post(f"/clients/{ana}/limits", fields).status_code == 400
    assert physio.post(f"/clients/{ana}/resume", {"reason": "seen"}).status_code == 400
    assert _stored(app) == before
    saved = physio.post(f"/clients/{ana}/limits", {"pain_ceiling": "4", "usual_pain": "2"})
    assert saved.status_code == 303
    assert "Pain limits saved" in physio.client.get(saved.headers["location"]).text
    # A field left empty stays as it is, as on the athlete's own form.
    assert physio.post(f"/clients/{ana}/limits", {"usual_pain": "1"}).status_code == 303
    limits = progression.pain_limits(_own(app, ana), ana)
    assert (limits.pain_ceiling, limits.usual_pain) == (4, 1)
    with app.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE plans SET paused_on = :d, paused_reason = 'swelling' WHERE athlete_id = :a"
            ),
            {"d": TODAY, "a": ana},
        )
    paused = physio.client.get(f"/clients/{ana}").text
    assert "Resume the plan" in paused and "Step the plan back" not in paused
    assert physio.post(f"/clients/{ana}/resume", {"reason": "GP says fine"}).status_code == 303
    assert "Resume the plan" not in physio.client.get(f"/clients/{ana}").text


def test_shared_notes_reach_the_client_and_private_ones_do_not(practice: Practice) -> None:
    app, physio, ana = practice.app, practice.physio, practice.ana
    before = _stored(app)
    refused = physio.post(f"/clients/{ana}/notes", {"text": " "})
    assert refused.status_code == 400 and "a note has 1" in refused.text
    assert _stored(app) == before
    assert physio.post(f"/clients/{ana}/notes", {"text": "Ice after runs"}).status_code == 303
    kept = {"text": "Check the left knee", "private": "yes"}
    assert physio.post(f"/clients/{ana}/notes", kept).status_code == 303
    coach_sees = physio.client.get(f"/clients/{ana}").text
    assert "Ice after runs" in coach_sees and "Check the left knee" in coach_sees
    client_sees = signed_in(app, "ana@example.org").client.get("/plan").text
    assert "Ice after runs" in client_sees and "Check the left knee" not in client_sees


def test_a_coach_downloads_a_clients_report(practice: Practice) -> None:
    answer = practice.physio.client.get("/report.pdf", params={"athlete": practice.ana})
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert practice.physio.client.get("/report.pdf").status_code == 400


# --- invitations, ending a link, the audit log ----------------------------------------------


def test_invite_accept_and_end_through_the_pages(practice: Practice) -> None:
    app, physio = practice.app, practice.physio
    made = physio.post("/account/invitations")
    assert made.status_code == 200
    code = made.text.split('<span class="token">', 1)[1].split("<", 1)[0]
    assert f"/invite/{code}" in made.text
    cai = signed_in(app, "cai@example.org")
    offer = cai.client.get(f"/invite/{code}")
    assert offer.status_code == 200 and f'value="{code}"' in offer.text
    token = form_token(offer.text, "/account/coaches")
    accepted = cai.client.post(
        "/account/coaches", data={"code": code, "csrf_token": token}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert "cai@example.org" in physio.client.get("/caseload").text
    link = next(item for item in accounts.links(physio.scope) if item.athlete_id == practice.cai)
    ended = physio.post(f"/account/coaches/{link.id}/end")
    assert ended.status_code == 303 and ended.headers["location"] == "/caseload"
    assert physio.client.get(f"/clients/{practice.cai}").status_code == 404


def test_the_client_reads_who_read_or_changed_their_data(practice: Practice) -> None:
    physio, ana = practice.physio, practice.ana
    physio.client.get(f"/clients/{ana}")
    physio.post(f"/clients/{ana}/step-back", {"reason": "flare"})
    client = signed_in(practice.app, "ana@example.org").client
    account = client.get("/account").text
    assert "physio@clinic.example can see your data" in account and "/account/audit" in account
    audit = client.get("/account/audit").text
    assert "stepped your plan back" in audit and "read your client page" in audit
    assert physio.client.get("/account/audit").status_code == 404
