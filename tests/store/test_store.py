"""The store on a real SQLite file and a real PostgreSQL server: same code, same migrations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import inspect, text

from retrorun.api import Retrorun
from retrorun.core.log import LogEntry
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput, NotFound, NotReady
from retrorun.store.database import HEAD_REVISION, current_revision

TODAY = date(2026, 12, 20)
RUNNER = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)
NO = dict.fromkeys(QUESTION_IDS, False)
GOOD_LOG = LogEntry(
    date=date(2026, 12, 2),
    minutes=25,
    direction=Direction.BACKWARD,
    mode=Mode.WALK,
    setting=Setting.TREADMILL,
    rpe=4,
    pain_during=2,
    pain_after=1,
    distance_km=1.8,
    pain_next_morning=1,
    with_partner=True,
    notes="felt steady",
)


def _ready(database: str) -> Retrorun:
    api = Retrorun(database)
    api.set_profile(RUNNER)
    api.screen(NO, date(2026, 11, 25))
    return api


def _row_count(api: Retrorun, table: str) -> int:
    with api.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_migrations_create_every_table(database: str) -> None:
    api = Retrorun(database)
    tables = set(inspect(api.engine).get_table_names())
    assert {"athletes", "screenings", "plans", "planned_sessions", "session_logs"} <= tables
    assert "alembic_version" in tables
    again = Retrorun(database)  # opening again migrates nothing and makes no second record
    assert current_revision(again.engine) == HEAD_REVISION
    assert _row_count(again, "alembic_version") == 1
    assert again.athlete_id == api.athlete_id and _row_count(again, "athletes") == 1


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    api = Retrorun(sqlite_url)
    with api.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_profile_round_trips(database: str) -> None:
    api = Retrorun(database)
    with pytest.raises(NotReady, match="profile"):
        api.profile()
    api.set_profile(RUNNER)
    assert api.profile() == RUNNER
    changed = replace(RUNNER, mass_kg=70.5, has_partner=False)
    api.set_profile(changed)
    assert Retrorun(database).profile() == changed


def test_plan_is_stored_and_read_back_equal(database: str) -> None:
    api = _ready(database)
    plan = api.new_plan(date(2026, 12, 1))
    assert Retrorun(database).plan() == plan
    session, timeline = api.session(date(2026, 12, 2))
    assert session == plan.sessions[0]
    assert timeline.cues[-1].kind.value == "done"
    with pytest.raises(NotFound, match="next one is on 2026-12-04"):
        api.session(date(2026, 12, 3))


def test_a_yes_answer_blocks_the_plan_until_clearance_is_stated(database: str) -> None:
    api = Retrorun(database)
    api.set_profile(RUNNER)
    with pytest.raises(NotReady, match="screen"):
        api.new_plan(date(2026, 12, 1))
    api.screen({**NO, "chest_pain": True}, date(2026, 11, 25))
    with pytest.raises(NotReady, match="cleared-by-doctor"):
        api.new_plan(date(2026, 12, 1))
    assert _row_count(api, "plans") == 0
    plan = api.new_plan(date(2026, 12, 1), cleared=True)
    assert plan.cleared_by_doctor
    assert api.plan().cleared_by_doctor
    assert api.screening() is not None and api.screening().cleared_by_doctor  # type: ignore[union-attr]


def test_a_new_plan_replaces_the_old_and_keeps_every_log(database: str) -> None:
    api = _ready(database)
    api.new_plan(date(2026, 12, 1))
    api.log(GOOD_LOG, TODAY)
    api.new_plan(date(2026, 12, 8), weeks=None)
    assert api.plan().start == date(2026, 12, 8)
    history = api.history()
    assert [item.entry for item in history] == [GOOD_LOG]
    assert _row_count(api, "plans") == 2


def test_a_log_counts_toward_the_planned_session(database: str) -> None:
    api = _ready(database)
    api.new_plan(date(2026, 12, 1))
    api.log(GOOD_LOG, TODAY)
    api.log(replace(GOOD_LOG, date=date(2026, 12, 3)), TODAY)  # no session that day
    matched = [item.matched_plan for item in api.history()]
    assert matched == [True, False]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minutes": -5}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"pain_during": 11}, "pain during"),
        ({"pain_after": -1}, "pain after"),
        ({"pain_next_morning": 12}, "pain next morning"),
        ({"rpe": 15}, "rpe"),
        ({"date": date(2026, 12, 21)}, "future"),
        ({"distance_km": -1.0}, "negative"),
        ({"minutes": 2, "distance_km": 1.8}, "nobody can backward walk"),
        ({"mode": Mode.RUN, "minutes": 3, "distance_km": 1.8}, "nobody can backward run"),
    ],
)
def test_impossible_logs_are_refused_and_nothing_is_written(
    database: str, change: dict[str, object], message: str
) -> None:
    api = _ready(database)
    with pytest.raises(InvalidInput, match=message):
        api.log(replace(GOOD_LOG, **change), TODAY)  # type: ignore[arg-type]
    assert api.history() == []
    assert _row_count(api, "session_logs") == 0


def test_two_athletes_never_see_each_other(database: str) -> None:
    me = _ready(database)
    other = Retrorun(database, athlete="client-2")
    me.new_plan(date(2026, 12, 1))
    me.log(GOOD_LOG, TODAY)
    assert other.history() == []
    with pytest.raises(NotReady):
        other.plan()
    with pytest.raises(NotReady):
        other.profile()


def test_unreachable_database_is_one_clear_error(tmp_path: object) -> None:
    from retrorun.errors import RetrorunError

    with pytest.raises(RetrorunError, match="cannot open the database"):
        Retrorun("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_practice_logged_before_a_session_lowers_its_cost(database: str) -> None:
    api = _ready(database)
    plan = api.new_plan(date(2026, 12, 1))
    later, first = plan.sessions[-1], plan.sessions[0]
    assert first.date == GOOD_LOG.date  # the log below is on the first session's own day
    novice_later, novice_first = api.session_cost(later).kcal, api.session_cost(first).kcal
    api.log(GOOD_LOG, TODAY)  # a backward walk on 2026-12-02
    assert api.session_cost(later).kcal < novice_later
    assert api.session_cost(first).kcal == novice_first  # same day: not practice before it
    assert api.timeline(later) == api.session(later.date)[1]
