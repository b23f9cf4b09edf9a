"""A person changes the plan: another week's session in one upcoming session, or the whole plan
at another stage, on a real database (SQLite and PostgreSQL).

A knee-rehab client is in week 3 of an eight-week plan; their physio, linked, makes the
changes. What is checked: the chosen week's session lands, capped to where backward steps may
happen; the earlier version is kept; the client reads the reason with the physio's name; the
stage sets the plan's limit, from which the engine goes on; the engine then leaves the edited
sessions alone; and every refusal stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from retrorun.api import prepare
from retrorun.core.adaptation import capped
from retrorun.core.log import LogEntry
from retrorun.core.progression import SettingLimit
from retrorun.core.workout import Direction, Mode, Setting, Workout
from retrorun.errors import InvalidInput, NotFound
from retrorun.services import accounts, adaptation, athletes, logs, plans, progression
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Scope, Settings
from retrorun.services.plans import PlannedSession
from tests.conftest import new_postgres_database
from tests.services.conftest import NO, RUNNER

START = date(2026, 12, 7)  # a Monday: sessions Monday, Wednesday and Friday
WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)
TODAY = START + 2 * WEEK + DAY  # the Tuesday of week 3
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
PHYSIO = "physio@clinic.example"


@dataclass
class Practice:
    app: App
    athlete: int
    client: Scope  # the athlete themselves
    physio: Scope  # their linked coach
    stranger: Scope  # a coach they never linked


def _practice(url: str) -> Practice:
    app = App(url, Settings(password_profile="cheapest"))
    prepare(app)
    admin = Actor(None, Role.ADMIN, None)
    made = {
        email: accounts.add_user(app, admin, email, "correct horse battery", role)
        for email, role in (
            ("ana@example.org", Role.ATHLETE),
            (PHYSIO, Role.COACH),
            ("stranger@clinic.example", Role.COACH),
        )
    }
    client, physio, stranger = (app.scope(app.actor(user.id)) for user in made.values())
    athlete = client.own_athlete
    athletes.set_profile(client, athlete, RUNNER)
    athletes.screen(client, athlete, NO, START - WEEK)
    plans.new_plan(client, athlete, START)
    accounts.accept(client, accounts.invite(physio, NOW).code, NOW)
    return Practice(app, athlete, client, physio, stranger)


@pytest.fixture(params=["sqlite", "postgresql"])
def practice(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Practice]:
    if request.param == "sqlite":
        made = _practice(str(tmp_path / "retrorun.db"))
        yield made
        made.app.close()
        return
    with new_postgres_database() as url:
        made = _practice(url)
        yield made
        made.app.close()


def _sessions(p: Practice) -> dict[date, PlannedSession]:
    return {s.date: s for s in plans.planned_sessions(p.client, p.athlete)}


def _first(p: Practice, week: int) -> list[Workout]:
    """Week `week`'s workouts as the plan made them, in date order."""
    records = [s for s in plans.planned_sessions(p.client, p.athlete) if s.week == week]
    return [plans.session_versions(p.client, p.athlete, s.id)[0].session.workout for s in records]


def _stored(p: Practice) -> dict[str, Any]:
    """Every session's state and the plan's limit: what a refusal must leave as it was."""
    with p.app.engine.connect() as connection:
        sessions = connection.execute(
            text(
                "SELECT id, date, status, version, step, origin, reason FROM planned_sessions "
                "ORDER BY id"
            )
        ).all()
        plan = connection.execute(text("SELECT setting_limit, paused_on FROM plans")).all()
        versions = connection.execute(text("SELECT count(*) FROM planned_session_versions"))
        return {"sessions": sessions, "plan": plan, "versions": versions.scalar_one()}


def _backward_places(workout: Workout) -> set[Setting]:
    return {step.setting for step in workout.steps if step.is_backward}


def _log(p: Practice, day: date, pain_during: int = 2) -> None:
    entry = LogEntry(
        date=day,
        minutes=10,
        direction=Direction.BACKWARD,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=3,
        pain_during=pain_during,
        pain_after=1,
        pain_next_morning=0,
    )
    logs.log(p.client, p.athlete, entry, day + DAY)


# --- one session --------------------------------------------------------------------------


def test_a_coach_puts_week_ones_session_in_an_upcoming_one_on_the_treadmill(
    practice: Practice,
) -> None:
    wednesday = _sessions(practice)[TODAY + DAY]  # the second session of week 3
    change = adaptation.replace_with_step(
        practice.physio,
        practice.athlete,
        wednesday.id,
        1,
        SettingLimit.TREADMILL,
        "the knee is sore after the weekend",
        TODAY,
    )
    assert (change.session_id, change.date, change.step) == (wednesday.id, wednesday.date, 1)
    assert change.change.startswith(
        f"step back, week 1's session: {PHYSIO}: the knee is sore after the weekend"
    )
    now = _sessions(practice)[wednesday.date]
    week_one = _first(practice, 1)
    assert now.workout == capped(week_one[1], SettingLimit.TREADMILL)  # its place in its week
    assert _backward_places(now.workout) == {Setting.TREADMILL}
    assert (now.origin, now.version, now.status) == ("edited", 2, "planned")
    assert now.reason == change.change
    versions = plans.session_versions(practice.client, practice.athlete, wednesday.id)
    assert [v.session.workout for v in versions] == [wednesday.workout, now.workout]
    # Nothing else moved.
    others = {d: s for d, s in _sessions(practice).items() if d != wednesday.date}
    assert {s.version for s in others.values()} == {1}


def test_the_engine_leaves_a_replaced_session_alone(practice: Practice) -> None:
    friday = _sessions(practice)[TODAY + 3 * DAY]
    adaptation.replace_with_step(
        practice.physio, practice.athlete, friday.id, 2, None, "an easier Friday", TODAY
    )
    kept = _sessions(practice)[friday.date]
    _log(practice, TODAY + DAY, pain_during=7)  # Wednesday's flare: the engine steps back
    assert progression.decisions(practice.client, practice.athlete)[0].document["verdict"] == (
        "step back"
    )
    after = _sessions(practice)
    assert after[friday.date] == kept
    assert after[TODAY + WEEK - DAY].origin == "adjusted"  # next Monday: the engine's


def test_a_skipped_session_replaced_is_planned_again(practice: Practice) -> None:
    friday = _sessions(practice)[TODAY + 3 * DAY]
    plans.skip_session(practice.client, practice.athlete, friday.id, "away", TODAY)
    change = adaptation.replace_with_step(
        practice.client, practice.athlete, friday.id, 3, SettingLimit.PATH, "back early", TODAY
    )
    now = _sessions(practice)[friday.date]
    assert now.status == "planned" and now.version == 3
    # The athlete's own change: their reason, without a name; the same step, so no verdict.
    assert change.change == "week 3's session: back early"


def test_a_replacement_is_refused_with_why_and_stores_nothing(practice: Practice) -> None:
    p = practice
    sessions = _sessions(p)
    upcoming = sessions[TODAY + DAY].id
    adaptation.replace_with_step(p.physio, p.athlete, upcoming, 1, SettingLimit.TRACK, "x", TODAY)
    before = _stored(p)
    refusals: list[tuple[Any, type[Exception], str]] = [
        ((upcoming, 0, SettingLimit.TRACK, "why"), InvalidInput, "weeks 1–8"),
        ((upcoming, 9, SettingLimit.TRACK, "why"), InvalidInput, r"weeks 1–8 .*\(got 9\)"),
        ((upcoming, 2, SettingLimit.TRACK, "  "), InvalidInput, "a reason has 1"),
        ((upcoming, 2, SettingLimit.TRACK, "x" * 2001), InvalidInput, "a reason has 1"),
        ((sessions[TODAY - DAY].id, 1, None, "why"), InvalidInput, "only sessions after today"),
        ((upcoming, 1, SettingLimit.TRACK, "again"), InvalidInput, "holds week 1's session"),
        ((99999, 1, None, "why"), NotFound, "no planned session with id 99999"),
    ]
    for (session, step, limit, reason), error, words in refusals:
        with pytest.raises(error, match=words):
            adaptation.replace_with_step(p.physio, p.athlete, session, step, limit, reason, TODAY)
        assert _stored(p) == before, words
    for someone in (p.stranger,):
        with pytest.raises(NotFound, match="no athlete"):
            adaptation.replace_with_step(someone, p.athlete, upcoming, 2, None, "why", TODAY)
    with p.app.engine.begin() as connection:
        connection.execute(
            text("UPDATE plans SET paused_on = :d, paused_reason = 'swelling'"), {"d": TODAY}
        )
    paused = _stored(p)
    with pytest.raises(InvalidInput, match="resume it first"):
        adaptation.replace_with_step(p.physio, p.athlete, upcoming, 2, None, "why", TODAY)
    with pytest.raises(InvalidInput, match="resume it first"):
        adaptation.set_stage(p.physio, p.athlete, 2, SettingLimit.TRACK, "why", TODAY)
    assert _stored(p) == paused


# --- the stage ----------------------------------------------------------------------------


def test_a_coach_sets_the_stage_and_the_engine_goes_on_from_there(practice: Practice) -> None:
    p = practice
    before = _sessions(p)
    friday = before[TODAY + 3 * DAY]
    plans.skip_session(p.client, p.athlete, friday.id, "away", TODAY)
    changes = adaptation.set_stage(
        p.physio, p.athlete, 2, SettingLimit.TREADMILL, "a flare: week 2 for now", TODAY
    )
    reached = [TODAY + DAY, TODAY + WEEK - DAY, TODAY + WEEK + DAY, TODAY + WEEK + 3 * DAY]
    assert [c.date for c in changes] == reached  # Friday skipped, stays skipped
    week_two = _first(p, 2)
    now = _sessions(p)
    for day, index in zip(reached, (1, 0, 1, 2), strict=True):
        assert now[day].workout == capped(week_two[index], SettingLimit.TREADMILL), day
        assert now[day].origin == "edited" and now[day].version == 2
        reason = now[day].reason or ""
        assert reason.startswith(f"step back, week 2's session: {PHYSIO}: a flare: week 2"), day
    assert now[friday.date].status == "skipped"
    assert now[TODAY + 2 * WEEK - DAY] == before[TODAY + 2 * WEEK - DAY]  # week 5: not yet
    # The engine reads the plan's limit, and leaves the coach's sessions alone.
    situation = progression.why(p.client, p.athlete, TODAY).situation
    assert situation.setting_limit is SettingLimit.TREADMILL
    _log(p, TODAY - DAY)  # Monday, logged on Tuesday
    _log(p, TODAY + DAY)
    assert {d: now[d] for d in reached} == {d: s for d, s in _sessions(p).items() if d in reached}


def test_a_higher_stage_is_progress_and_the_same_stage_is_refused(practice: Practice) -> None:
    p = practice
    changes = adaptation.set_stage(p.client, p.athlete, 4, SettingLimit.TRACK, "going well", TODAY)
    assert changes[0].change.startswith("progress, week 4's session: going well")
    # Week 4's sessions hold week 4's session already, with no path on it to cap.
    assert [c.date for c in changes] == [TODAY + DAY, TODAY + 3 * DAY]
    before = _stored(p)
    with pytest.raises(InvalidInput, match=r"hold week 4's session .* the treadmill or track"):
        adaptation.set_stage(p.client, p.athlete, 4, SettingLimit.TRACK, "again", TODAY)
    for step in (0, 9):
        with pytest.raises(InvalidInput, match="weeks 1–8"):
            adaptation.set_stage(p.physio, p.athlete, step, SettingLimit.TRACK, "why", TODAY)
    with pytest.raises(NotFound, match="no athlete"):
        adaptation.set_stage(p.stranger, p.athlete, 2, SettingLimit.TRACK, "why", TODAY)
    assert _stored(p) == before
    # Only the limit changes: the sessions hold week 4's already; the plan's limit is new.
    assert adaptation.set_stage(p.client, p.athlete, 4, SettingLimit.PATH, "paths", TODAY) == []
    situation = progression.why(p.client, p.athlete, TODAY).situation
    assert situation.setting_limit is SettingLimit.PATH


def test_setting_names(practice: Practice) -> None:
    assert adaptation.limit_named(" Track ") is SettingLimit.TRACK
    with pytest.raises(InvalidInput, match="treadmill, track or path"):
        adaptation.limit_named("beach")


def test_the_client_reads_what_the_coach_changed(practice: Practice) -> None:
    p = practice
    adaptation.set_stage(p.physio, p.athlete, 2, SettingLimit.TRACK, "easier", TODAY)
    session = _sessions(p)[TODAY + DAY]
    adaptation.replace_with_step(p.physio, p.athlete, session.id, 1, None, "shorter", TODAY)
    from retrorun.services import caseload

    words = [entry.words for entry in caseload.audit_log(p.client, p.athlete)]
    assert "changed the stage of your plan" in words
    assert "replaced a session with another week's" in words
