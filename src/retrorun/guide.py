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
    _next_cue: int = 0

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
        self.position_s = target
        return self._reach()

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


def main_activity(workout: Workout) -> tuple[Direction, Mode, Setting]:
    """What a log entry should say the session was: backward if it had any backward steps,
    then the mode and setting with the most seconds in that direction."""
    direction = Direction.BACKWARD if workout.has_backward else Direction.FORWARD
    seconds: dict[tuple[Mode, Setting], int] = {}
    for step in workout.steps:
        if step.direction is direction:
            key = (step.mode, step.setting)
            seconds[key] = seconds.get(key, 0) + (step.duration_s or 0)
    mode, setting = max(seconds, key=lambda key: seconds[key])
    return direction, mode, setting
