"""`retrorun seed practice`: a tiny practice on SQLite and PostgreSQL, read back through the
services as if its people had used retrorun for real."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.cli.clirunner import assert_one_line_error, run

from retrorun import importing
from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.serialize import timeline_from_stored, workout_from_dict
from retrorun.core.timeline import build_timeline
from retrorun.formats.activity import STREAM_NAMES
from retrorun.formats.dispatch import parse_bytes
from retrorun.formats.fit_activity import activity_fit, recorded_activity
from retrorun.services import activities, caseload, logs, plans, progression
from retrorun.services.activities import refresh_energy
from retrorun.services.app import App
from retrorun.services.demo import session_recording
from retrorun.services.seed import SEED_PASSWORD
from retrorun.store import repository
from retrorun.store.activities import aware, lap_rows
from retrorun.store.models import (
    ActivityRow,
    CoachLinkRow,
    DecisionRow,
    LogRow,
    PlannedSessionRow,
    PlanRow,
    UserRow,
)
from retrorun.store.streams import decode_streams

TODAY = date(2026, 12, 3)
TINY = ("--coaches", "2", "--athletes", "10", "--weeks", "4", "--streams-share", "0.5")


@pytest.fixture
def seeded(database: str) -> str:
    """A tiny practice on each database: 2 coaches, 10 athletes, 4 weeks, half with files."""
    assert run(database, "init", today=TODAY.isoformat()).code == 0
    result = run(database, "seed", "practice", *TINY, today=TODAY.isoformat())
    assert result.code == 0, result.err
    assert "Seeded in" in result.out and "coach-01@practice.example" in result.out
    assert SEED_PASSWORD in result.out
    return database


def test_a_database_with_users_is_refused(seeded: str) -> None:
    again = run(seeded, "seed", "practice", *TINY, today=TODAY.isoformat())
    assert_one_line_error(again, "already has 12 users")


def test_the_practice_reads_back_through_the_services(seeded: str) -> None:
    app = App(seeded)
    try:
        with app.transaction() as db:
            users = db.scalar(select(func.count()).select_from(UserRow))
            athlete_users = list(db.scalars(select(UserRow.id).where(UserRow.role == "athlete")))
        assert users == 12 and len(athlete_users) == 10
        for user_id in athlete_users:
            _reads_back(app, user_id)
        coach = app.scope(app.actor_by_email("coach-01@practice.example"))
        clients = caseload.caseload(coach, TODAY)
        assert clients.total == 5  # the busiest coach: half the athletes of a small practice
        caseload.client(coach, clients.rows[0].client.athlete_id, TODAY)
    finally:
        app.close()


def _reads_back(app: App, user_id: int) -> None:
    """Plan, history, decisions and imports as the athlete's pages read them; no energy
    estimate is stale (the services would work nothing out again)."""
    actor = app.actor(user_id)
    scope, athlete = app.scope(actor), actor.athlete_id
    assert athlete is not None
    week = plans.plan_week(scope, athlete, None, TODAY)
    assert week.week.sessions or week.records
    history = logs.recent_history(scope, athlete, TODAY)
    progression.decisions(scope, athlete)
    progression.why(scope, athlete, TODAY)
    for imported in history.imported:
        found = activities.activity(scope, athlete, imported.id)
        assert found.laps and found.samples > 0
    with scope.access(athlete) as db:
        assert refresh_energy(db, athlete, repository.load_profile(db, athlete)) == 0


def test_the_practice_has_what_a_practice_has(seeded: str) -> None:
    app = App(seeded)
    try:
        with app.transaction() as db:
            logged = db.scalar(select(func.count()).select_from(LogRow))
            linked = db.scalar(select(func.count()).where(LogRow.activity_id.is_not(None)))
            decided = db.scalar(select(func.count()).select_from(DecisionRow))
            links = db.scalar(select(func.count()).where(CoachLinkRow.status == "active"))
            active = db.scalar(select(func.count()).where(PlanRow.active))
            timelines = db.scalar(
                select(func.count()).where(PlannedSessionRow.timeline.is_not(None))
            )
            sessions = db.scalar(select(func.count()).select_from(PlannedSessionRow))
            blob = db.scalars(select(ActivityRow.streams).limit(1)).one()
        assert len(decode_streams(blob)) > 600  # a session's seconds, one sample each
        assert logged and linked and decided
        assert links and links >= 10 and active == 10
        assert timelines == sessions
    finally:
        app.close()


def test_a_seeded_activity_is_what_the_importer_stores_for_its_watch_file(seeded: str) -> None:
    """Import the watch file of a seeded session (FIT bytes, the real parser and importer) in a
    transaction never committed: it is stored exactly as the seed stored it."""
    app = App(seeded)
    try:
        with Session(app.engine) as db:  # closed without a commit: rolled back
            row = _an_activity_of_the_active_plan(db)
            athlete = row.athlete_id
            session = db.get_one(PlannedSessionRow, row.planned_session_id)
            profile = repository.load_profile(db, athlete)
            assert profile is not None
            workout = workout_from_dict(session.workout)
            imperial = profile.units.value == "imperial"
            timeline = timeline_from_stored(session.timeline, workout, imperial)
            laps, beats = session_recording(session.date, workout, timeline)
            start = aware(row.start)
            data = activity_fit(
                start, laps, beats.__getitem__, sport=row.sport or "", sub_sport=row.sub_sport or ""
            )
            fresh = importing.store_activity(
                db,
                athlete,
                parse_bytes("watch.fit", data),
                content_sha256="0" * 64,
                source_path="watch.fit",
                direction=None,
                profile=profile,
            )
            again = db.get_one(ActivityRow, fresh.id)
            for column in ("duration_s", "distance_m", "direction", "direction_source", "samples"):
                assert getattr(again, column) == getattr(row, column), column
            for column in ("backward_s", "kcal", "energy_model", "energy_inputs", "lap_count"):
                assert getattr(again, column) == getattr(row, column), column
            assert again.planned_session_id == row.planned_session_id
            assert again.streams == row.streams
            assert [
                (lap.start_s, lap.duration_s, lap.distance_m, lap.direction)
                for lap in lap_rows(db, again.id)
            ] == [
                (lap.start_s, lap.duration_s, lap.distance_m, lap.direction)
                for lap in lap_rows(db, row.id)
            ]
    finally:
        app.close()


def _an_activity_of_the_active_plan(db: Session) -> ActivityRow:
    query = (
        select(ActivityRow)
        .join(PlannedSessionRow, PlannedSessionRow.id == ActivityRow.planned_session_id)
        .join(PlanRow, PlanRow.id == PlannedSessionRow.plan_id)
        .where(PlanRow.active)
        .order_by(ActivityRow.id)
        .limit(1)
    )
    found = db.scalars(query).first()
    assert found is not None, "the tiny practice has no imported activity in an active plan"
    return found


def test_recorded_activity_is_what_the_fit_importer_reads() -> None:
    """The seed makes activities without writing FIT files: the same values as writing the file
    and reading it back, for treadmill, track and path sessions of a real plan."""
    profile = Profile(
        68, 41, Experience.OCCASIONAL, Goal.FITNESS, weekdays_for(4), 40, True, True, True
    )
    screening = Screening(TODAY - timedelta(days=9), dict.fromkeys(QUESTION_IDS, False))
    plan = make_plan(profile, screening, TODAY - timedelta(days=3), 12)
    for session in plan.sessions[::5]:
        timeline = build_timeline(session.workout)
        laps, beats = session_recording(session.date, session.workout, timeline)
        start = datetime.combine(session.date, time(6, 41, 7), UTC)
        for sport, sub_sport in (("walking", "treadmill"), ("running", "track")):
            written = activity_fit(start, laps, beats.__getitem__, sport=sport, sub_sport=sub_sport)
            read = parse_bytes("x.fit", written)
            made = recorded_activity(
                start, laps, beats.__getitem__, sport=sport, sub_sport=sub_sport
            )
            for name in STREAM_NAMES:
                assert np.array_equal(
                    getattr(read.streams, name), getattr(made.streams, name), equal_nan=True
                ), name
            for field in ("sport", "sub_sport", "start", "duration_s", "distance_m", "laps"):
                assert getattr(read, field) == getattr(made, field), field
            assert made.notes == read.notes and made.device_kcal == read.device_kcal
