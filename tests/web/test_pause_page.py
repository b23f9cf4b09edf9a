"""A plan paused after a red flag, on the web: the today page says so and sends the runner to
their clinician, no session opens, and the plan page resumes it with what the clinician said."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retrorun.core.log import LogEntry
from retrorun.core.progression import RedFlag
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import adaptation, logs, plans
from retrorun.services.app import App
from retrorun.services.clock import today
from tests.web.helpers import check_html, database_rows, ready_person


@pytest.fixture
def paused(web_app: App, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A runner whose first session reported swelling, seen the day after."""
    first = today() - timedelta(days=8)
    someone = ready_person(web_app, "paused@example.org", first)
    assert someone.athlete is not None
    day = plans.planned_sessions(someone.scope, someone.athlete)[0].date
    entry = LogEntry(
        date=day,
        minutes=10,
        direction=Direction.BACKWARD,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=3,
        pain_during=3,
        pain_after=2,
        pain_next_morning=1,
        red_flags=frozenset({RedFlag.SWELLING}),
    )
    logs.log(someone.scope, someone.athlete, entry, day + timedelta(days=1))
    return someone


def test_the_today_page_says_the_plan_is_paused_and_why(paused) -> None:  # type: ignore[no-untyped-def]
    shown = paused.client.get("/today", follow_redirects=False)
    assert shown.status_code == 200
    check_html(shown.text)
    assert "Your plan is paused since" in shown.text
    assert "swelling reported: see your clinician first" in shown.text
    upcoming = [s for s in plans.planned_sessions(paused.scope, paused.athlete) if s.date > today()]
    refused = paused.client.get(f"/sessions/{upcoming[0].date.isoformat()}")
    assert refused.status_code in (404, 409) and "paused" in refused.text


def test_resuming_needs_a_reason_and_then_the_plan_goes_on(paused, web_app: App) -> None:  # type: ignore[no-untyped-def]
    why = paused.client.get("/plan/why")
    assert 'action="/plan/resume"' in why.text
    before = database_rows(web_app)
    refused = paused.post("/plan/resume", {"reason": "  "})
    assert refused.status_code == 400 and "a reason has 1–2000 characters" in refused.text
    assert database_rows(web_app) == before
    done = paused.post("/plan/resume", {"reason": "the physio says go on"})
    assert done.status_code == 303 and done.headers["location"] == "/plan/why?resumed=1"
    assert adaptation.pause_state(paused.scope, paused.athlete) is None
    assert 'action="/plan/resume"' not in paused.client.get("/plan/why").text
    again = paused.post("/plan/resume", {"reason": "again"})
    assert again.status_code == 400 and "the plan is not paused" in again.text
