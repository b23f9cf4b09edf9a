"""Decisions change the plan: a knee-rehab runner's eight weeks on a real database.

After each logged session the engine decides, and the upcoming sessions of this week and the
next change with it: a flare steps back (week 1's sessions again), missing next-morning pain
holds (next week repeats this one), a fall puts the backward steps on the treadmill, and pain
above the ceiling twice in a row pauses the plan until it is resumed one step lower. A session a
person edited is never overwritten, and every change keeps the earlier version and its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from retrorun.api import Retrorun
from retrorun.core.log import LogEntry
from retrorun.core.profile import Goal
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput, NotReady
from retrorun.services.plans import PlannedSession
from tests.conftest import new_postgres_database
from tests.services.conftest import RUNNER

START = date(2026, 12, 7)  # a Monday: sessions Monday, Wednesday and Friday
WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def runner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Retrorun]:
    """A knee-rehab runner with an eight-week plan from START."""
    if request.param == "sqlite":
        api = Retrorun(str(tmp_path / "retrorun.db"))
        yield _planned(api)
        api.close()
        return
    with new_postgres_database() as url:
        api = Retrorun(url)
        yield _planned(api)
        api.close()


def _planned(api: Retrorun) -> Retrorun:
    api.set_profile(RUNNER)
    api.screen(dict.fromkeys(QUESTION_IDS, False), START - WEEK)
    api.new_plan(START)
    return api


def _log(api: Retrorun, day: date, today: date | None = None, **more: object) -> None:
    entry = LogEntry(
        date=day,
        minutes=10,
        direction=Direction.BACKWARD,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=3,
        pain_during=2,
        pain_after=1,
        pain_next_morning=0,
    )
    api.log(replace(entry, **more), today or day + DAY)  # type: ignore[arg-type]


def _sessions(api: Retrorun) -> dict[date, PlannedSession]:
    return {s.date: s for s in api.planned_sessions()}


def _first(api: Retrorun, week: int) -> list[PlannedSession]:
    """Week `week`'s sessions as the plan made them."""
    return [
        v.session
        for s in api.planned_sessions()
        if s.week == week
        for v in api.session_versions(s.id)[:1]
    ]


def test_steady_sessions_change_nothing(runner: Retrorun) -> None:
    before = _sessions(runner)
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    after = _sessions(runner)
    assert runner.decisions()[0].document["verdict"] == "progress"
    assert {d: s.workout for d, s in after.items()} == {d: s.workout for d, s in before.items()}
    assert {s.origin for s in after.values()} == {"generated"}


def test_a_flare_steps_the_rest_of_the_week_and_the_next_back_a_step(runner: Retrorun) -> None:
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    monday = START + WEEK
    _log(runner, monday, pain_during=7)
    decision = runner.decisions()[0]
    assert decision.document["verdict"] == "step back"
    week_one = [s.workout for s in _first(runner, 1)]
    now = _sessions(runner)
    for day in (monday + 2 * DAY, monday + 4 * DAY, monday + WEEK, monday + WEEK + 2 * DAY):
        session = now[day]
        assert session.workout in week_one, day
        assert session.origin == "adjusted" and session.decision_id == decision.id
        assert session.reason is not None
        assert session.reason.startswith("step back, week 1's session: pain during was 7/10")
        assert session.version == 2
    assert now[monday].version == 1  # the session done is as it was
    assert now[monday + 2 * WEEK].version == 1  # beyond this week and the next: not yet
    changes = decision.document["changes"]
    assert [c["date"] for c in changes] == [
        d.isoformat()
        for d in (
            monday + 2 * DAY,
            monday + 4 * DAY,
            monday + WEEK,
            monday + WEEK + 2 * DAY,
            monday + WEEK + 4 * DAY,
        )
    ]
    assert {c["step"] for c in changes} == {1}


def test_after_a_flare_the_lower_step_holds_while_the_week_s_pain_is_up(
    runner: Retrorun,
) -> None:
    """Wednesday goes well at step 1, but the mean pain of the last seven days (Friday's 2,
    Monday's 7, Wednesday's 2) is still a point up on the seven before: hold, so next week
    repeats step 1 rather than catching up to step 3."""
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    monday = START + WEEK
    _log(runner, monday, pain_during=7)
    _log(runner, monday + 2 * DAY)
    decision = runner.decisions()[0].document
    assert decision["verdict"] == "hold"
    assert decision["reasons"][0] == "pain during rose week on week (2.0 → 3.7)"
    now = _sessions(runner)
    week_one = [s.workout for s in _first(runner, 1)]
    assert now[monday + 4 * DAY].workout in week_one
    assert now[monday + WEEK].workout in week_one
    # Already at step 1 since the step back: the hold leaves it, and its reason, as they are.
    assert (
        now[monday + WEEK].reason == "step back, week 1's session: pain during was 7/10, above 5/10"
    )
    assert (monday + WEEK).isoformat() not in [c["date"] for c in decision["changes"]]


def test_next_morning_pain_not_given_holds_next_week_at_this_week(runner: Retrorun) -> None:
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    _log(runner, START + WEEK, today=START + WEEK + DAY, pain_next_morning=None)
    assert runner.decisions()[0].document["verdict"] == "hold"
    now = _sessions(runner)
    week_two = [s.workout for s in _first(runner, 2)]
    assert now[START + WEEK + 2 * DAY].workout in week_two  # this week as it was
    next_monday = now[START + 2 * WEEK]
    assert next_monday.workout in week_two and next_monday.origin == "adjusted"
    assert next_monday.reason is not None and next_monday.reason.startswith("hold, week 2's")


def test_a_fall_puts_backward_steps_on_the_treadmill_until_six_steady_sessions(
    runner: Retrorun,
) -> None:
    days = [START + WEEK * w + DAY * d for w in range(4) for d in (0, 2, 4)]
    for day in days[:9]:
        _log(runner, day, steadiness=5)
    week_four = START + 3 * WEEK
    assert {st.setting for st in _sessions(runner)[week_four].workout.steps if st.is_backward} == {
        Setting.TRACK
    }
    _log(runner, days[9], falls=1, setting=Setting.TRACK)  # Monday of week 4, on the track
    now = _sessions(runner)
    for day in (days[10], days[11], week_four + WEEK):
        backward = {st.setting for st in now[day].workout.steps if st.is_backward}
        assert backward == {Setting.TREADMILL}, day
        assert now[day].reason is not None and "on the treadmill for now" in now[day].reason
    for day in days[10:12]:
        _log(runner, day, steadiness=5)
    week_five = [START + 4 * WEEK + DAY * d for d in (0, 2, 4)]
    for day in week_five:
        _log(runner, day, steadiness=5)
    assert "steady sessions in a row" not in runner.decisions()[0].document["setting_reason"]
    _log(runner, START + 5 * WEEK, steadiness=5)  # the sixth steady session since the fall
    opened = runner.decisions()[0].document
    assert opened["setting_limit"] == "the treadmill or track"
    track = {st.setting for st in _sessions(runner)[START + 5 * WEEK + 4 * DAY].workout.steps}
    assert Setting.TRACK in track and Setting.TREADMILL not in track


def test_pain_above_the_ceiling_twice_pauses_until_resumed_one_step_lower(
    runner: Retrorun,
) -> None:
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    _log(runner, START + WEEK, pain_during=7)
    _log(runner, START + WEEK + 2 * DAY, pain_during=8)
    decision = runner.decisions()[0].document
    assert decision["verdict"] == "pause"
    paused = runner.pause_state()
    assert paused is not None and paused.since == START + WEEK + 3 * DAY
    assert "two sessions in a row" in paused.reason
    with pytest.raises(NotReady, match=r"paused since .* see your clinician"):
        runner.session(START + WEEK + 4 * DAY)
    assert runner.why(START + 2 * WEEK).decision.verdict.words == "pause"
    back = START + 2 * WEEK + 2 * DAY
    changes = runner.resume("seen by the physio: carry on", back)
    assert runner.pause_state() is None
    runner.session(back + 2 * DAY)
    assert changes and all("resumed after a pause: seen by the physio" in c.change for c in changes)
    week_one = [s.workout for s in _first(runner, 1)]
    assert _sessions(runner)[back + 2 * DAY].workout in week_one  # from step 2, one lower
    with pytest.raises(InvalidInput, match="not paused"):
        runner.resume("again", back)


def test_a_session_a_person_edited_is_never_overwritten(runner: Retrorun) -> None:
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    kept = _sessions(runner)[START + WEEK + 2 * DAY]
    runner.edit_session(kept.id, "the physio wants it short", START + WEEK, title="Short one")
    _log(runner, START + WEEK, pain_during=7)
    after = _sessions(runner)[kept.date]
    assert after.origin == "edited" and after.workout.title == "Short one"


def test_the_same_decision_twice_changes_nothing_more(runner: Retrorun) -> None:
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    _log(runner, START + WEEK, pain_during=7, pain_next_morning=None)
    versions = {d: s.version for d, s in _sessions(runner).items()}
    runner.complete_log(START + WEEK, 1, START + WEEK + DAY)  # decides again, the same day
    again = runner.decisions()[0].document
    assert again["verdict"] == "step back" and again["changes"] == []
    assert {d: s.version for d, s in _sessions(runner).items()} == versions


def test_the_step_each_session_holds_is_stored(runner: Retrorun) -> None:
    for day in (START, START + 2 * DAY, START + 4 * DAY):
        _log(runner, day)
    _log(runner, START + WEEK, pain_during=7)
    with runner.engine.connect() as connection:
        steps = dict(
            connection.execute(
                text("SELECT date, step FROM planned_sessions WHERE step IS NOT NULL")
            ).all()
        )
    assert set(steps.values()) == {1} and len(steps) == 5


def test_the_return_to_forward_pain_gate_holds_forward_running_back(runner: Retrorun) -> None:
    """A runner's half-marathon plan all backward for five weeks, then forward running back
    (a fitness goal: a rehab block is always eight weeks). Pain of 3 in the first return week
    (fine in the block, over the gate of 2) sends the rest of that week and the next back to
    the block's last week, all backward."""
    from retrorun.core.convert import ConvertMode
    from retrorun.formats.forward_plan import read_forward_plan
    from retrorun.services.conversion import ConversionRequest, convert

    runner.set_profile(replace(RUNNER, goal=Goal.FITNESS))
    forward = read_forward_plan(Path(__file__).parents[1] / "data/forward_plans/half-marathon.csv")
    request = ConversionRequest(ConvertMode.ALL, weeks=5)
    convert(runner.scope, runner.athlete_id, forward, request)
    sessions = [s for s in runner.planned_sessions() if s.status == "planned"]
    for done in [s for s in sessions if s.week <= 5]:
        _log(runner, done.date)
    assert runner.decisions()[0].document["verdict"] == "progress"
    week_six = [s for s in sessions if s.week == 6]
    first = week_six[0]
    assert any(not step.is_backward for step in week_six[-1].workout.steps)
    _log(runner, first.date, pain_during=3)
    decision = runner.decisions()[0].document
    assert decision["verdict"] == "step back"
    assert decision["inputs"]["returning_forward"] is True
    assert decision["reasons"] == [
        "pain during was 3/10 on the way back to forward running, above 2/10: one forward run fewer"
    ]
    week_five = {s.workout.title: s.workout for s in _first(runner, 5)}
    now = _sessions(runner)
    for later in week_six[1:]:
        workout = now[later.date].workout
        assert workout.title in week_five, later.date
        # As in week 5, with backward steps no further out than the track: no path yet.
        assert workout.backward_s == week_five[workout.title].backward_s
        assert {s.setting for s in workout.steps if s.is_backward} <= {Setting.TRACK}
