"""What a progression decision does to the upcoming sessions of a plan.

A plan is a sequence of steps: the weeks as first made, each a little more than the one before.
A decision does not invent new sessions; it chooses which step each upcoming week holds.
Progress goes on to the next step, hold repeats the step of this week, step back goes one step
lower (the rest of this week too), and pause takes the upcoming sessions out until the person
or their coach resumes the plan. Missed steps are never made up: after a hold the plan stays one
step behind its calendar instead of jumping ahead to catch up (our reasoning, as for missed
sessions in `core.progression`).

Where the backward steps happen is capped by the decision's setting limit: a fall puts them on
the treadmill, and paths open only when the engine says so. A cap only ever moves a step to a
safer place, never to a more open one than the step as planned.

Pure: no clock, no database. The service layer reads the plan and stores the changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from retrorun.core.plan import moved_speed
from retrorun.core.progression import SETTING_LEVEL, SettingLimit, Verdict
from retrorun.core.workout import Setting, Workout

T = TypeVar("T")

# Where a capped backward step goes: the most open place the limit allows.
LIMIT_SETTING: dict[SettingLimit, Setting] = {
    SettingLimit.TREADMILL: Setting.TREADMILL,
    SettingLimit.TRACK: Setting.TRACK,
    SettingLimit.PATH: Setting.PATH,
}


@dataclass(frozen=True)
class Position:
    """Where the plan stands today: the plan week of today, and the step the latest session up
    to today held (with its week), or None before the first one."""

    week: int
    latest: tuple[int, int] | None  # (week, step) of the latest session dated up to today
    last_step: int  # the plan's last step: its number of weeks as first made

    @property
    def step(self) -> int:
        """The step this week stands at: the latest session's, moved on a step for each plan
        week since (the plan went on without a decision in between)."""
        if self.latest is None:
            return max(1, min(self.week, self.last_step))
        week, step = self.latest
        return step + max(0, self.week - week)


def step_for(verdict: Verdict, week: int, held: int, position: Position) -> int:
    """The step an upcoming session of plan week `week`, holding step `held` now, should hold.

    This week's sessions keep their step unless the decision steps back; later weeks go on from
    this week's step: one more each week after progress, the same step next week after a hold,
    one lower after a step back. A pause keeps steps as they are (the sessions are taken out).
    """
    ahead = week - position.week
    base = position.step
    if verdict is Verdict.PAUSE:
        step = held
    elif ahead <= 0:
        step = base - 1 if verdict is Verdict.STEP_BACK else held
    else:
        lag = {Verdict.PROGRESS: 0, Verdict.HOLD: 1, Verdict.STEP_BACK: 2}[verdict]
        step = base + ahead - lag
    return max(1, min(step, position.last_step))


def capped(workout: Workout, limit: SettingLimit) -> Workout:
    """The workout with every backward step no further out than `limit` allows.

    A step moved onto the treadmill gets the plan's starting belt speed for its gait, as a
    coach's edit does (`core.plan.with_backward_setting`).
    """
    place = LIMIT_SETTING[limit]
    steps = tuple(
        replace(step, setting=place, speed_m_s=moved_speed(step, place))
        if step.is_backward and SETTING_LEVEL[step.setting] > limit
        else step
        for step in workout.steps
    )
    return replace(workout, steps=steps)


def in_order(contents: Sequence[T], index: int) -> T:
    """The step's session at the same place in its week as the session it goes into (the first
    of the week takes the step's first, and so on); a week with more sessions than the step
    takes the step's last for the rest. Days stay where the person has them."""
    return contents[min(index, len(contents) - 1)]
