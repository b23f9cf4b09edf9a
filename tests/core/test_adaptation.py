"""Rules of what a decision does to the upcoming sessions: which step each week holds, and
where its backward steps may happen."""

from __future__ import annotations

import pytest

from retrorun.core.adaptation import Position, capped, in_order, step_for
from retrorun.core.plan import TREADMILL_BACKWARD_RUN_M_S, TREADMILL_BACKWARD_WALK_START_M_S
from retrorun.core.progression import SettingLimit, Verdict
from retrorun.core.workout import Direction, Mode, Setting, Step, StepKind, Workout

# Today is in plan week 3, whose sessions so far held step 3; the plan has 8 steps.
ON_TIME = Position(week=3, latest=(3, 3), last_step=8)


def test_the_position_is_the_latest_session_step_moved_on_by_the_weeks_since() -> None:
    assert ON_TIME.step == 3
    assert Position(week=4, latest=(3, 2), last_step=8).step == 3  # a week on from step 2
    assert Position(week=3, latest=(3, 2), last_step=8).step == 2
    assert Position(week=3, latest=(5, 5), last_step=8).step == 5  # never moved back by a date
    assert Position(week=2, latest=None, last_step=8).step == 2
    assert Position(week=0, latest=None, last_step=8).step == 1  # before the plan starts
    assert Position(week=12, latest=None, last_step=8).step == 8


@pytest.mark.parametrize(
    ("verdict", "this_week", "next_week", "week_after"),
    [
        (Verdict.PROGRESS, 3, 4, 5),
        (Verdict.HOLD, 3, 3, 4),  # next week repeats this one
        (Verdict.STEP_BACK, 2, 2, 3),  # the rest of this week one lower, and next week too
        (Verdict.PAUSE, 3, 4, 5),  # steps stay; the plan itself stops
    ],
)
def test_each_verdict_puts_these_steps_in_the_weeks_ahead(
    verdict: Verdict, this_week: int, next_week: int, week_after: int
) -> None:
    assert step_for(verdict, 3, 3, ON_TIME) == this_week
    assert step_for(verdict, 4, 4, ON_TIME) == next_week
    assert step_for(verdict, 5, 5, ON_TIME) == week_after


def test_this_week_keeps_what_an_earlier_decision_gave_it_unless_stepping_back() -> None:
    """A step back on Monday put step 2 in Wednesday; progress after Wednesday does not jump
    Friday back up to 3 (missed steps are never made up)."""
    behind = Position(week=3, latest=(3, 2), last_step=8)
    assert step_for(Verdict.PROGRESS, 3, 2, behind) == 2
    assert step_for(Verdict.HOLD, 3, 2, behind) == 2
    assert step_for(Verdict.PROGRESS, 4, 4, behind) == 3
    assert step_for(Verdict.STEP_BACK, 3, 2, behind) == 1


def test_steps_stay_inside_the_plan() -> None:
    first = Position(week=1, latest=(1, 1), last_step=8)
    assert step_for(Verdict.STEP_BACK, 1, 1, first) == 1
    assert step_for(Verdict.STEP_BACK, 2, 2, first) == 1
    last = Position(week=8, latest=(8, 8), last_step=8)
    assert step_for(Verdict.PROGRESS, 9, 9, last) == 8


def _step(setting: Setting, direction: Direction = Direction.BACKWARD) -> Step:
    mode = Mode.RUN if setting is Setting.PATH else Mode.WALK
    return Step(StepKind.MAIN, direction, mode, setting, duration_s=300, rpe=3)


WORKOUT = Workout(
    "Week 5",
    (
        _step(Setting.PATH, Direction.FORWARD),
        _step(Setting.TREADMILL),
        _step(Setting.TRACK),
        _step(Setting.PATH),
    ),
)


def test_a_cap_moves_only_backward_steps_further_out_than_allowed() -> None:
    steps = capped(WORKOUT, SettingLimit.TRACK).steps
    assert [s.setting for s in steps] == [
        Setting.PATH,  # forward steps go where they go
        Setting.TREADMILL,  # never moved to a more open place
        Setting.TRACK,
        Setting.TRACK,
    ]
    assert steps[3].speed_m_s is None  # only a belt has a speed


def test_a_treadmill_cap_gives_moved_steps_the_starting_belt_speed_of_their_gait() -> None:
    steps = capped(WORKOUT, SettingLimit.TREADMILL).steps
    assert [s.setting for s in steps[1:]] == [Setting.TREADMILL] * 3
    assert steps[2].speed_m_s == TREADMILL_BACKWARD_WALK_START_M_S
    assert steps[3].speed_m_s == TREADMILL_BACKWARD_RUN_M_S
    assert steps[0].setting is Setting.PATH


def test_paths_allowed_changes_nothing() -> None:
    assert capped(WORKOUT, SettingLimit.PATH) == WORKOUT
    # The person's usual route is as open as a path: it stays their usual route.
    usual = Workout("Week 9", (_step(Setting.USUAL_ROUTE),))
    assert capped(usual, SettingLimit.PATH) == usual


def test_a_step_session_goes_in_at_the_same_place_in_the_week() -> None:
    assert in_order(["mon", "wed", "fri"], 0) == "mon"
    assert in_order(["mon", "wed", "fri"], 2) == "fri"
    assert in_order(["mon", "wed"], 2) == "wed"  # more sessions than the step has
