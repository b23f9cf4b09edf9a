"""Who the plan is for: body, running background, goal, time and what equipment is at hand."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retrorun.core import limits
from retrorun.errors import InvalidInput


class Experience(StrEnum):
    """Running background; it decides how long the walking-only phase lasts."""

    NON_RUNNER = "non-runner"
    OCCASIONAL = "occasional-runner"
    REGULAR = "regular-runner"


class Goal(StrEnum):
    """Why the person runs backward; rehab goals get the eight-week program."""

    KNEE_REHAB = "knee-rehab"
    HEEL_REHAB = "heel-rehab"
    FITNESS = "fitness"
    MUSCLE_BALANCE = "muscle-balance"
    VARIETY = "variety"

    @property
    def is_rehab(self) -> bool:
        return self in (Goal.KNEE_REHAB, Goal.HEEL_REHAB)


class Units(StrEnum):
    METRIC = "metric"
    IMPERIAL = "imperial"


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Training days spread through the week so that no two hard days touch where the count allows.
# Our own reasoning: a rest day between sessions for newcomers to a new movement.
DEFAULT_WEEKDAYS: dict[int, tuple[int, ...]] = {
    1: (2,),
    2: (1, 4),
    3: (0, 2, 4),
    4: (0, 2, 4, 6),
    5: (0, 1, 3, 4, 6),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}

# Warm-up (5 min) + cool-down (5 min) + at least 5 minutes of work (our own reasoning).
MIN_SESSION_MINUTES = 15
MAX_SESSION_MINUTES = 180


@dataclass(frozen=True)
class Profile:
    """The person, as the plan generator needs them. Units are in the field names."""

    mass_kg: float
    age_years: int
    experience: Experience
    goal: Goal
    weekdays: tuple[int, ...]
    minutes_per_session: int
    has_treadmill: bool
    has_track: bool
    has_partner: bool
    sex: str | None = None
    units: Units = Units.METRIC

    def __post_init__(self) -> None:
        validate_profile(self)

    @property
    def days_per_week(self) -> int:
        return len(self.weekdays)


def validate_profile(profile: Profile) -> None:
    """Refuse values no real person has, so a plan is never built on nonsense."""
    if not limits.MIN_MASS_KG <= profile.mass_kg <= limits.MAX_MASS_KG:
        raise InvalidInput(
            f"body mass {profile.mass_kg:g} kg is outside "
            f"{limits.MIN_MASS_KG:g}–{limits.MAX_MASS_KG:g} kg"
        )
    if not limits.MIN_PLAN_AGE_YEARS <= profile.age_years <= limits.MAX_AGE_YEARS:
        raise InvalidInput(
            f"age {profile.age_years} is outside "
            f"{limits.MIN_PLAN_AGE_YEARS}–{limits.MAX_AGE_YEARS} years"
        )
    if not profile.weekdays:
        raise InvalidInput("choose at least one training day a week")
    if len(set(profile.weekdays)) != len(profile.weekdays):
        raise InvalidInput("a training day is listed twice")
    if any(not 0 <= day <= 6 for day in profile.weekdays):
        raise InvalidInput("training days must be weekdays mon–sun")
    if not MIN_SESSION_MINUTES <= profile.minutes_per_session <= MAX_SESSION_MINUTES:
        raise InvalidInput(
            f"minutes per session must be {MIN_SESSION_MINUTES}–{MAX_SESSION_MINUTES} "
            f"(got {profile.minutes_per_session}); the warm-up and cool-down alone take 10"
        )
    if profile.sex not in (None, "female", "male"):
        raise InvalidInput("sex must be 'female' or 'male' (or left out)")


def weekdays_for(days_per_week: int) -> tuple[int, ...]:
    """The default training days for a number of days a week."""
    if days_per_week not in DEFAULT_WEEKDAYS:
        raise InvalidInput(f"days per week must be 1–7 (got {days_per_week})")
    return DEFAULT_WEEKDAYS[days_per_week]


def parse_weekdays(text: str) -> tuple[int, ...]:
    """Turn 'mon,wed,fri' into (0, 2, 4), refusing unknown names."""
    days: list[int] = []
    for name in text.lower().replace(" ", "").split(","):
        if name[:3] not in WEEKDAY_NAMES or not name:
            raise InvalidInput(f"unknown weekday {name!r}; use mon,tue,wed,thu,fri,sat,sun")
        days.append(WEEKDAY_NAMES.index(name[:3]))
    return tuple(sorted(set(days)))
