"""The demo database: a knee-rehab runner three weeks in, and their physio, seeded once.

Seeded once per database kind (SQLite file, PostgreSQL) for the read-only checks; the checks
that seed again use their own databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from garmin_fit_sdk import Decoder, Stream
from sqlalchemy import func, inspect, select, table

from retrorun.api import prepare
from retrorun.core.log import LogEntry
from retrorun.errors import Forbidden, NotFound, NotReady
from retrorun.formats.fit import decode_fit
from retrorun.services import accounts, activities, athletes, demo, logs, plans
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Scope, Settings
from tests.conftest import new_postgres_database
from tests.services.conftest import a_log

TODAY = date(2026, 12, 10)  # a Thursday: the plan started on Monday 2026-11-16


@dataclass
class Seeded:
    app: App
    demo: demo.Demo

    @property
    def runner(self) -> Scope:
        return self.app.scope(self.app.actor(self.demo.athlete_user_id))

    @property
    def coach(self) -> Scope:
        return self.app.scope(self.app.actor(self.demo.coach_user_id))


def fresh_app(url: str) -> App:
    app = App(url, Settings(password_profile="cheapest"))
    prepare(app)
    return app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    if request.param == "sqlite":
        app = fresh_app(str(tmp_path_factory.mktemp("demo") / "demo.db"))
        yield Seeded(app, demo.seed_demo(app, TODAY))
        app.close()
        return
    with new_postgres_database() as url:
        app = fresh_app(url)
        yield Seeded(app, demo.seed_demo(app, TODAY))
        app.close()


def row_counts(app: App) -> dict[str, int]:
    """Rows in every table the database has (whatever migrations added since)."""
    names = inspect(app.engine).get_table_names()
    with app.engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names
        }


def test_the_runner_is_a_knee_rehab_client_screened_all_no(seeded: Seeded) -> None:
    me, athlete = seeded.runner, seeded.demo.athlete_id
    profile = athletes.profile(me, athlete)
    assert (profile.age_years, profile.mass_kg, profile.goal.value) == (41, 68, "knee-rehab")
    assert (profile.days_per_week, profile.minutes_per_session) == (3, 30)
    assert profile.has_treadmill and profile.has_track and profile.has_partner
    screening = athletes.screening(me, athlete)
    assert screening is not None and not any(screening.answers.values())
    assert seeded.demo.seeded


def test_an_eight_week_plan_started_about_three_weeks_ago(seeded: Seeded) -> None:
    plan = plans.plan(seeded.runner, seeded.demo.athlete_id)
    assert len(plan.weeks) == 8
    assert plan.start == demo.plan_start(TODAY) == date(2026, 11, 16)
    assert timedelta(days=21) <= TODAY - plan.start < timedelta(days=28)
    days = [session.date for session in plan.sessions]
    assert min(days) < TODAY < max(days)


def test_most_past_sessions_are_logged_with_pain_drifting_down(seeded: Seeded) -> None:
    me, athlete = seeded.runner, seeded.demo.athlete_id
    sessions = {s.date: s for s in plans.planned_sessions(me, athlete)}
    past = [day for day in sessions if day < TODAY]
    history = logs.history(me, athlete)
    entries = [logged.entry for logged in history]
    assert len(past) - 1 <= len(entries) < len(past) + 1 and len(entries) >= 8
    assert all(logged.matched_plan for logged in history)
    for entry in entries:
        planned_minutes = sessions[entry.date].workout.duration_s / 60
        assert abs(entry.minutes - planned_minutes) <= 3
        assert 1 <= entry.pain_during <= 3 and 0 <= entry.pain_after <= 3
        assert 3 <= entry.rpe <= 5
        assert entry.direction.value == "backward"
    assert [e.pain_next_morning is None for e in entries] == [False] * (len(entries) - 1) + [True]
    first, last = entries[: len(entries) // 2], entries[len(entries) // 2 :]
    assert _mean_pain(first) > _mean_pain(last)
    assert sum(e.with_partner for e in entries) > len(entries) / 2
    assert 1 <= sum(bool(e.notes) for e in entries) < len(entries)


def _mean_pain(entries: list[LogEntry]) -> float:
    return sum(e.pain_during for e in entries) / len(entries)


def test_watch_files_are_imported_and_linked_to_the_logs_of_their_day(seeded: Seeded) -> None:
    me, athlete = seeded.runner, seeded.demo.athlete_id
    imported = activities.activities(me, athlete)
    assert len(imported) == demo.WATCH_FILES
    by_activity = {h.activity_id: h.entry for h in logs.history(me, athlete) if h.activity_id}
    for activity in imported:
        entry = by_activity[activity.id]  # one completed session: the log names the file
        assert entry.date == activity.start_date < TODAY
        assert activity.planned_session_id is not None
        assert activity.direction in ("mixed", "backward") and activity.backward_s > 0
        assert activity.distance_m is not None
        assert abs(activity.distance_m / 1000 - (entry.distance_km or 0)) < 0.02
        assert activity.avg_heart_rate_bpm is not None and 95 <= activity.avg_heart_rate_bpm <= 125
        assert activity.kcal is not None and activity.kcal > 0


def test_the_watch_file_of_a_day_is_the_one_imported(seeded: Seeded) -> None:
    """The same bytes again are a duplicate, so the file tests below test what was imported."""
    me, athlete = seeded.runner, seeded.demo.athlete_id
    first = activities.activities(me, athlete)[0]
    data = demo.watch_file(me, athlete, first.start_date)
    (result,) = activities.import_upload(me, athlete, "again.fit", data)
    assert (result.status, result.activity_id) == ("duplicate", first.id)


def test_the_watch_file_decodes_with_ours_and_with_garmins_sdk(seeded: Seeded) -> None:
    me, athlete = seeded.runner, seeded.demo.athlete_id
    day = activities.activities(me, athlete)[0].start_date
    session, _ = plans.session(me, athlete, day)
    data = demo.watch_file(me, athlete, day)

    ours = decode_fit(data)
    assert (ours.file_type, ours.sport, ours.sub_sport) == ("activity", "walking", "treadmill")
    assert ours.start is not None and ours.start.date() == day
    assert ours.duration_s == session.workout.duration_s
    assert all(lap.wkt_step_index is not None for lap in ours.laps)
    speeds, beats = ours.records.speed_m_s, ours.records.heart_rate_bpm
    assert 0.5 <= float(np.nanmin(speeds)) < float(np.nanmax(speeds)) <= 1.3
    assert 85 <= float(np.nanmin(beats)) < float(np.nanmax(beats)) <= 130

    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    assert len(messages["record_mesgs"]) == len(ours.records)
    assert len(messages["lap_mesgs"]) == len(ours.laps)
    assert messages["session_mesgs"][0]["total_distance"] == pytest.approx(ours.distance_m)


def test_the_physio_reads_the_plan_and_a_stranger_cannot(seeded: Seeded) -> None:
    app, athlete = seeded.app, seeded.demo.athlete_id
    (link,) = accounts.links(seeded.coach)
    assert (link.status, link.athlete_id) == ("active", athlete)
    assert len(plans.plan(seeded.coach, athlete).weeks) == 8
    assert logs.history(seeded.coach, athlete)
    with pytest.raises(Forbidden):  # a coach reads and plans; only the runner logs
        logs.log(seeded.coach, athlete, a_log(TODAY - timedelta(days=1)), TODAY)
    owner = Actor(None, Role.ADMIN, None)
    stranger = accounts.add_user(app, owner, "stranger@demo.example", "not the demo", Role.COACH)
    with pytest.raises(NotFound):
        plans.plan(app.scope(app.actor(stranger.id)), athlete)


def test_both_demo_people_sign_in_with_the_demo_password(seeded: Seeded) -> None:
    people = {demo.DEMO_ATHLETE_EMAIL: Role.ATHLETE, demo.DEMO_COACH_EMAIL: Role.COACH}
    for email, role in people.items():
        actor = accounts.sign_in(seeded.app, email, demo.DEMO_PASSWORD)
        assert (actor.email, actor.role) == (email, role)


def test_one_upcoming_session_is_skipped_with_a_reason(seeded: Seeded) -> None:
    sessions = plans.planned_sessions(seeded.runner, seeded.demo.athlete_id)
    (skipped,) = [s for s in sessions if s.status == "skipped"]
    assert skipped.date > TODAY and skipped.reason == demo.SKIP_REASON
    upcoming = [s for s in sessions if s.date > TODAY and s.status == "planned"]
    assert upcoming and upcoming[0].date < skipped.date  # the next session is still there


def test_seeding_again_writes_nothing(tmp_path: Path) -> None:
    app = fresh_app(str(tmp_path / "demo.db"))
    first = demo.seed_demo(app, TODAY)
    me = app.scope(app.actor(first.athlete_user_id))
    before = row_counts(app), logs.history(me, first.athlete_id)
    again = demo.seed_demo(app, TODAY + timedelta(days=7))  # serve --demo restarted a week later
    assert (row_counts(app), logs.history(me, first.athlete_id)) == before
    assert before[0]["session_logs"] >= 8 and before[0]["activities"] == demo.WATCH_FILES
    assert again == demo.Demo(**{**vars(first), "seeded": False})
    app.close()


def test_the_same_today_gives_the_same_demo(tmp_path: Path) -> None:
    seen = []
    for name in ("a.db", "b.db"):
        app = fresh_app(str(tmp_path / name))
        made = demo.seed_demo(app, TODAY)
        me = app.scope(app.actor(made.athlete_user_id))
        entries = [h.entry for h in logs.history(me, made.athlete_id)]
        files = [
            (a.start, a.duration_s, a.distance_m, a.avg_heart_rate_bpm, a.direction)
            for a in activities.activities(me, made.athlete_id)
        ]
        seen.append((entries, files, plans.plan(me, made.athlete_id).start))
        app.close()
    assert seen[0] == seen[1]


def test_a_half_seeded_demo_is_refused_with_advice(tmp_path: Path) -> None:
    app = fresh_app(str(tmp_path / "demo.db"))
    accounts.sign_up(app, demo.DEMO_ATHLETE_EMAIL, demo.DEMO_PASSWORD)  # killed right after
    with pytest.raises(NotReady, match="delete it"):
        demo.seed_demo(app, TODAY)
    app.close()
