"""Which laps of a recorded activity were backward, and what that makes the whole activity.

Pure: no I/O, no database. A lap's direction comes from the person (one direction for the
whole activity) or, for a run recorded from a retrorun watch workout, from the workout step the
lap ran; otherwise it is unknown (None). The activity as a whole is backward or forward when
every lap agrees, "mixed" when they differ, and unknown when nothing is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

from retrorun.core.workout import Direction

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

MIXED: Final = "mixed"
# An activity's direction: one way throughout, both ways (some laps each), or unknown (None).
OverallDirection = Direction | Literal["mixed"] | None
# Where lap directions came from: given by the person, or read from the watch workout's steps.
DirectionSource = Literal["user", "workout"]


class TimedLap(Protocol):
    """What this module needs of a lap (`formats.activity.Lap` is one)."""

    @property
    def start_s(self) -> float: ...

    @property
    def duration_s(self) -> float: ...

    @property
    def workout_step_index(self) -> int | None: ...


def lap_directions(
    laps: Sequence[TimedLap], direction: Direction | None, steps: Sequence[Direction | None]
) -> tuple[list[Direction | None], DirectionSource | None]:
    """Each lap's direction, and where the directions came from ("user", "workout" or None).

    A direction given for the activity covers every lap. Otherwise laps recorded from a watch
    workout take their step's direction, but only when every lap's step index is one of the
    planned workout's steps: a lap pointing past the end means another workout was run.
    """
    if direction is not None:
        return [direction] * len(laps), "user"
    found: list[Direction | None] = []
    for lap in laps:
        index = lap.workout_step_index
        if index is None or not 0 <= index < len(steps):
            return [None] * len(laps), None
        found.append(steps[index])
    return found, ("workout" if found else None)


def overall_direction(
    lap_dirs: Sequence[Direction | None], direction: Direction | None
) -> OverallDirection:
    """backward / forward when every known lap agrees (and none is unknown), mixed, or None."""
    if direction is not None or not lap_dirs:
        return direction
    known = {d for d in lap_dirs if d is not None}
    if not known:
        return None
    if len(known) == 1 and None not in lap_dirs:
        return known.pop()
    return MIXED


def backward_mask(
    time_s: FloatArray,
    laps: Sequence[TimedLap],
    lap_dirs: Sequence[Direction | None],
    overall: OverallDirection,
) -> BoolArray:
    """Which samples (at `time_s`) were backward: by lap, or all when the activity was one way."""
    if overall in (Direction.BACKWARD, Direction.FORWARD):  # the whole activity, or every lap
        return np.full(time_s.size, overall == Direction.BACKWARD)
    if not laps:
        return np.zeros(time_s.size, dtype=np.bool_)
    order = sorted(range(len(laps)), key=lambda i: laps[i].start_s)  # stable: ties keep file order
    starts = np.array([laps[i].start_s for i in order])
    # A sample before the first lap's start counts with the first lap.
    lap_of_sample = np.maximum(np.searchsorted(starts, time_s, side="right") - 1, 0)
    lap_backward = np.array([lap_dirs[i] == Direction.BACKWARD for i in order])
    return lap_backward[lap_of_sample]


def backward_seconds(
    duration_s: float,
    laps: Sequence[TimedLap],
    lap_dirs: Sequence[Direction | None],
    overall: OverallDirection,
) -> float:
    """The whole timer time when the activity was backward, else the backward laps' time."""
    if overall == Direction.BACKWARD:
        return duration_s
    return float(
        sum(
            lap.duration_s for lap, d in zip(laps, lap_dirs, strict=True) if d == Direction.BACKWARD
        )
    )


def stored_direction(overall: OverallDirection) -> str | None:
    """The text kept in the database and shown in JSON: backward, forward, mixed or None."""
    if isinstance(overall, Direction):
        return overall.value
    return overall


def direction_from_stored(text: str | None) -> OverallDirection:
    """The stored text back as a direction: the enum, "mixed", or None (unknown)."""
    if text is None:
        return None
    if text == MIXED:
        return MIXED
    return Direction(text)
