"""Playing a session as it happens: which cues are due, which step is on, what is left.

A live player (the terminal timer, later the web timer) feeds in the seconds that passed and
renders what this returns. It holds no clock of its own, so tests drive it without sleeping, and
it plays the session's one timeline: it never makes up a cue.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from retrorun.core.timeline import Cue, Timeline
from retrorun.core.workout import Direction, Mode, Setting, Step, Workout


@dataclass
class Player:
    """A session being played: its position, what was really done, and the cues reached."""

    workout: Workout
    timeline: Timeline
    position_s: float = 0.0  # where in the session we are
    done_s: float = 0.0  # session seconds actually played: skipped parts do not count
    paused: bool = False
    played: list[Cue] = field(default_factory=list)  # cues reached, in order
    done_by_step: list[float] = field(default_factory=list)  # seconds played in each step
    _next_cue: int = 0

    def __post_init__(self) -> None:
        if not self.done_by_step:
            self.done_by_step = [0.0] * len(self.workout.steps)

    @property
    def duration_s(self) -> int:
        return self.timeline.duration_s

    @property
    def finished(self) -> bool:
        return self.position_s >= self.duration_s and self._next_cue >= len(self.timeline.cues)

    def advance(self, seconds: float) -> list[Cue]:
        """Move on by `seconds` of session time (nothing while paused); the cues reached."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        if self.paused:
            return []
        target = min(self.position_s + seconds, self.duration_s)
        self.done_s += target - self.position_s
        self._credit_steps(self.position_s, target)
        self.position_s = target
        return self._reach()

    def _credit_steps(self, start_s: float, end_s: float) -> None:
        """Add the played stretch to the steps it covers, so a log can say what was done."""
        starts = self.timeline.step_starts_s
        ends = (*starts[1:], self.duration_s)
        for index, (step_start, step_end) in enumerate(zip(starts, ends, strict=True)):
            overlap = min(end_s, step_end) - max(start_s, step_start)
            if overlap > 0:
                self.done_by_step[index] += overlap

    def toggle_pause(self) -> None:
        self.paused = not self.paused

    def skip(self) -> list[Cue]:
        """Jump to the next step (or the end); cues in between are passed over, not said."""
        starts = self.timeline.step_starts_s
        later = [start for start in starts if start > self.position_s]
        self.position_s = float(later[0] if later else self.duration_s)
        while self._due() and self.timeline.cues[self._next_cue].t_s < self.position_s:
            self._next_cue += 1
        return self._reach()

    def _due(self) -> bool:
        return self._next_cue < len(self.timeline.cues)

    def _reach(self) -> list[Cue]:
        reached = []
        while self._due() and self.timeline.cues[self._next_cue].t_s <= self.position_s:
            reached.append(self.timeline.cues[self._next_cue])
            self._next_cue += 1
        self.played.extend(reached)
        return reached

    @property
    def next_cue(self) -> Cue | None:
        return self.timeline.cues[self._next_cue] if self._due() else None

    @property
    def last_cue(self) -> Cue | None:
        return self.played[-1] if self.played else None

    @property
    def step_index(self) -> int:
        """The step being done (the last one once the session is over)."""
        index = bisect_right(self.timeline.step_starts_s, self.position_s) - 1
        return min(max(index, 0), len(self.workout.steps) - 1)

    @property
    def step(self) -> Step:
        return self.workout.steps[self.step_index]

    @property
    def next_step(self) -> Step | None:
        index = self.step_index + 1
        return self.workout.steps[index] if index < len(self.workout.steps) else None

    @property
    def step_left_s(self) -> float:
        start = self.timeline.step_starts_s[self.step_index]
        return max(start + (self.step.duration_s or 0) - self.position_s, 0.0)

    @property
    def session_left_s(self) -> float:
        return max(self.duration_s - self.position_s, 0.0)


# Logs keep minutes to a tenth (6 s); less than half of that would be logged as nothing, so
# a direction counts as done from 3 s on (our reasoning).
SMALLEST_DONE_S = 3.0

Activity = tuple[Direction, Mode, Setting]


@dataclass(frozen=True)
class ToLog:
    """What a log entry of a played session should say: the time really done, and how."""

    direction: Direction
    mode: Mode
    setting: Setting
    seconds: float


def done_by_activity(workout: Workout, done_by_step: list[float]) -> dict[Activity, float]:
    """Seconds actually played, by direction, mode and setting, in the order first met."""
    done: dict[Activity, float] = {}
    for step, seconds in zip(workout.steps, done_by_step, strict=True):
        if seconds > 0:
            key = (step.direction, step.mode, step.setting)
            done[key] = done.get(key, 0.0) + seconds
    return done


def what_to_log(done: dict[Activity, float]) -> ToLog | None:
    """The backward time done, when there is any: that is what the program counts. Else the
    forward time, said as forward; with the mode and setting of the largest part of it.

    A log entry has one direction and mode, so a session stopped in the forward warm-up must
    not be logged as backward walking (nor the warm-up minutes counted as backward).
    """
    for direction in (Direction.BACKWARD, Direction.FORWARD):
        mine = {key: s for key, s in done.items() if key[0] is direction}
        total = sum(mine.values())
        if total >= SMALLEST_DONE_S:
            _, mode, setting = max(mine, key=lambda key: mine[key])
            return ToLog(direction, mode, setting, total)
    return None
