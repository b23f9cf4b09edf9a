"""A workout is a list of steps; the timeline, watch file and calendar all derive from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retrorun.core.units import M_PER_KM, format_duration, kmh_from_m_s, mph_from_m_s
from retrorun.core.units import MPH_PER_M_S as MPH_PER_M_S  # kept importable from here
from retrorun.errors import InvalidInput


class Direction(StrEnum):
    """Which way a person faces while moving. Stored and shown as its value."""

    BACKWARD = "backward"
    FORWARD = "forward"


def as_direction(value: Direction | str) -> Direction:
    """A direction from its enum or its text ("backward", "forward"), refusing anything else.

    Front doors and stored rows hand over text; everything below them works with the enum.
    """
    if value in (Direction.BACKWARD, Direction.FORWARD):
        return Direction(value)
    raise InvalidInput(f"direction must be backward or forward, got {value!r}")


class Mode(StrEnum):
    WALK = "walk"
    RUN = "run"


class Setting(StrEnum):
    """Where a step happens. There is deliberately no 'road': the article rules out busy streets."""

    TREADMILL = "treadmill-with-handrails"
    TRACK = "track"
    PATH = "path"
    USUAL_ROUTE = "usual-route"  # forward-only run days: wherever the runner usually runs


SAFE_SETTINGS = frozenset({Setting.TREADMILL, Setting.TRACK})

SETTING_WORDS: dict[Setting, str] = {
    Setting.TREADMILL: "a slow treadmill, hands near the handrails",
    Setting.TRACK: "a level track, staying between the lines",
    Setting.PATH: "a flat, smooth, quiet path: no traffic, no roots, branches or shrubs",
    Setting.USUAL_ROUTE: "your usual running route",
}

# Where a backward step may happen at all: never a road, never the usual (maybe busy) route.
BACKWARD_SETTINGS = frozenset({Setting.TREADMILL, Setting.TRACK, Setting.PATH})


class StepKind(StrEnum):
    WARM_UP = "warm-up"
    MAIN = "main"
    RECOVERY = "recovery"
    COOL_DOWN = "cool-down"


# The article's three form rules, said during backward steps.
FORM_CUES: tuple[str, ...] = (
    "Stand tall: don't lean back.",
    "Only a little knee bend.",
    "Land toes first, not on your heels.",
)

# The article's partner set-up: the backward runner in front, the forward partner behind.
SPOTTING_SETUP = (
    "Partner set-up: you move backward in front; your partner moves forward behind you, "
    "facing you, and calls out obstacles."
)


@dataclass(frozen=True)
class Step:
    """One block of a workout: so long (or so far), this way, at this effort, here."""

    kind: StepKind
    direction: Direction
    mode: Mode
    setting: Setting
    duration_s: int | None
    rpe: int  # target effort on the 0–10 scale (Borg CR10)
    distance_m: float | None = None
    speed_m_s: float | None = None  # set where known (treadmill), None elsewhere
    # A heart-rate range to run in (a converted plan's: backward, effort and heart rate are the
    # targets, not pace); None where only effort is asked.
    heart_rate_bpm: tuple[int, int] | None = None

    @property
    def is_backward(self) -> bool:
        return self.direction is Direction.BACKWARD

    def describe(self, imperial: bool = False) -> str:
        """The step in a runner's words, e.g. 'backward walk, 3:30, RPE 3, 2.2 km/h'.

        Time is m:ss (`format_duration`), as on every other screen that shows this session.
        """
        if self.duration_s is None:
            amount = f"{(self.distance_m or 0) / M_PER_KM:g} km"
        else:
            amount = format_duration(self.duration_s)
        name = f"{self.direction.value} {self.mode.value}"
        if self.kind in (StepKind.WARM_UP, StepKind.COOL_DOWN):
            name = f"{self.kind.value}: {name}"
        speed = ""
        if self.speed_m_s and imperial:
            speed = f", {mph_from_m_s(self.speed_m_s):.1f} mph"
        elif self.speed_m_s:
            speed = f", {kmh_from_m_s(self.speed_m_s):.1f} km/h"
        heart = ""
        if self.heart_rate_bpm is not None:
            heart = f", heart rate {self.heart_rate_bpm[0]}–{self.heart_rate_bpm[1]} bpm"
        return f"{name}, {amount}, RPE {self.rpe}{speed}{heart}"


@dataclass(frozen=True)
class Workout:
    """A session's content. Steps are timed; distance-only steps are not produced by the planner."""

    title: str
    steps: tuple[Step, ...]
    form_cues: tuple[str, ...] = FORM_CUES
    spotting: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def duration_s(self) -> int:
        return sum(step.duration_s or 0 for step in self.steps)

    @property
    def backward_s(self) -> int:
        return sum(step.duration_s or 0 for step in self.steps if step.is_backward)

    @property
    def has_backward(self) -> bool:
        return any(step.is_backward for step in self.steps)


@dataclass(frozen=True)
class Session:
    """A workout on a date, within a week of a plan."""

    date: date
    week: int
    workout: Workout
