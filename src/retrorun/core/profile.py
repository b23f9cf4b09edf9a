"""Who the plan is for: body, running background, goal, time and what equipment is at hand."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import Enum, StrEnum

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
# A day may also be written as more of its name ("tues", "Thursday"), never as anything else.
WEEKDAY_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

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
        raise InvalidInput("sex must be 'female' or 'male' ('none' removes it)")


def weekdays_for(days_per_week: int) -> tuple[int, ...]:
    """The default training days for a number of days a week."""
    if days_per_week not in DEFAULT_WEEKDAYS:
        raise InvalidInput(f"days per week must be 1–7 (got {days_per_week})")
    return DEFAULT_WEEKDAYS[days_per_week]


def parse_weekdays(text: str) -> tuple[int, ...]:
    """Turn 'mon,wed,fri' into (0, 2, 4), refusing unknown names and a day named twice.

    A day named twice is most likely a typo for another day, so it is refused, not merged; a
    name that only starts like a day ('mon;wed', 'monkey') is refused, not read as that day.
    """
    days: list[int] = []
    for name in text.lower().replace(" ", "").split(","):
        day = _weekday(name)
        if day is None:
            raise InvalidInput(f"unknown weekday {name!r}; use mon,tue,wed,thu,fri,sat,sun")
        if day in days:
            raise InvalidInput(
                f"{WEEKDAY_NAMES[day]} is named twice in {text!r}; name each training day once"
            )
        days.append(day)
    return tuple(sorted(days))


def _weekday(name: str) -> int | None:
    """The day whose name starts with `name`, at least its first three letters ('tue', 'tues',
    'tuesday'); None for anything else."""
    for day, full_name in enumerate(WEEKDAY_FULL_NAMES):
        if len(name) >= 3 and full_name.startswith(name):
            return day
    return None


def weekday_words(weekdays: tuple[int, ...]) -> str:
    """(0, 2, 4) as 'mon, wed, fri'."""
    return ", ".join(WEEKDAY_NAMES[day] for day in weekdays)


# --- Changing a stored profile ------------------------------------------------------------

# A first profile needs these; every later change may give any subset of the fields.
FIRST_PROFILE_NEEDS = {
    "mass_kg": "--mass-kg",
    "age_years": "--age",
    "experience": "--experience",
    "goal": "--goal",
}
DEFAULT_DAYS_PER_WEEK = 3
DEFAULT_MINUTES_PER_SESSION = 30
NO_SEX = "none"  # given as the sex, it removes a stored one

# The fields `core.plan.make_plan` reads: a change of one of them makes the plan out of date.
# Mass, age and sex only feed the energy estimate, and units only how numbers are shown
# (`tests/core/test_profile.py` checks that changing those leaves the plan as it was).
PLAN_FIELDS = frozenset(
    {
        "experience",
        "goal",
        "weekdays",
        "minutes_per_session",
        "has_treadmill",
        "has_track",
        "has_partner",
    }
)

# How a change reads: the field's word, and the unit written after its value.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "mass_kg": ("mass", " kg"),
    "age_years": ("age", ""),
    "experience": ("experience", ""),
    "goal": ("goal", ""),
    "weekdays": ("days", ""),
    "minutes_per_session": ("minutes", ""),
    "has_treadmill": ("treadmill", ""),
    "has_track": ("track", ""),
    "has_partner": ("partner", ""),
    "sex": ("sex", ""),
    "units": ("units", ""),
}


@dataclass(frozen=True)
class ProfileChange:
    """What a person gave to set their profile; None leaves the stored value as it is.

    Setting one thing must never reset another, so nothing here has a default of its own: the
    defaults (3 days, 30 minutes, no equipment) apply only to a first profile. `days_per_week`
    and `weekdays` may both be given only when they agree, so neither is silently ignored.
    """

    mass_kg: float | None = None
    age_years: int | None = None
    experience: Experience | None = None
    goal: Goal | None = None
    days_per_week: int | None = None
    weekdays: tuple[int, ...] | None = None
    minutes_per_session: int | None = None
    has_treadmill: bool | None = None
    has_track: bool | None = None
    has_partner: bool | None = None
    sex: str | None = None  # female, male, or NO_SEX to remove it
    units: Units | None = None

    def __post_init__(self) -> None:
        if self.days_per_week is not None:
            weekdays_for(self.days_per_week)  # refuses a count outside 1–7
        if (
            self.days_per_week is not None
            and self.weekdays is not None
            and len(self.weekdays) != self.days_per_week
        ):
            raise InvalidInput(
                f"--days {self.days_per_week} disagrees with --weekdays "
                f"{','.join(WEEKDAY_NAMES[d] for d in self.weekdays)} ({len(self.weekdays)} "
                "days); give one of them, or both agreeing"
            )


@dataclass(frozen=True)
class FieldChange:
    """One profile field that changed, in the person's words: "mass 68 → 70 kg"."""

    field: str  # the Profile attribute
    before: object
    after: object

    @property
    def shapes_plan(self) -> bool:
        return self.field in PLAN_FIELDS

    @property
    def was(self) -> str:
        """The value before, e.g. "partner yes" (what an earlier plan was made for)."""
        word, unit = FIELD_WORDS[self.field]
        return f"{word} {_value_words(self.before)}{unit}"

    def __str__(self) -> str:
        word, unit = FIELD_WORDS[self.field]
        return f"{word} {_value_words(self.before)} → {_value_words(self.after)}{unit}"


def merge_profile(stored: Profile | None, change: ProfileChange) -> Profile:
    """The stored profile with only the given fields changed, or a first profile.

    A first profile needs mass, age, experience and goal; the rest take their defaults.
    """
    base = stored if stored is not None else _first_profile(change)
    given = {
        item.name: getattr(change, item.name)
        for item in fields(Profile)
        if getattr(change, item.name) is not None
    }
    given["weekdays"] = _weekdays(base.weekdays, change)
    if change.sex == NO_SEX:
        given["sex"] = None
    return replace(base, **given)


def profile_changes(before: Profile | None, after: Profile) -> tuple[FieldChange, ...]:
    """Every field whose value differs, in the profile's order; none for a first profile."""
    if before is None:
        return ()
    return tuple(
        FieldChange(item.name, getattr(before, item.name), getattr(after, item.name))
        for item in fields(Profile)
        if getattr(before, item.name) != getattr(after, item.name)
    )


def _first_profile(change: ProfileChange) -> Profile:
    missing = [
        option for name, option in FIRST_PROFILE_NEEDS.items() if getattr(change, name) is None
    ]
    if missing:
        raise InvalidInput(
            "a first profile needs --mass-kg, --age, --experience and --goal; missing "
            + ", ".join(missing)
        )
    assert change.mass_kg is not None
    assert change.age_years is not None
    assert change.experience is not None
    assert change.goal is not None
    return Profile(
        mass_kg=change.mass_kg,
        age_years=change.age_years,
        experience=change.experience,
        goal=change.goal,
        weekdays=weekdays_for(DEFAULT_DAYS_PER_WEEK),
        minutes_per_session=DEFAULT_MINUTES_PER_SESSION,
        has_treadmill=False,
        has_track=False,
        has_partner=False,
    )


def _weekdays(stored: tuple[int, ...], change: ProfileChange) -> tuple[int, ...]:
    """The named days; else the default days for a new count; else the days stored.

    A count equal to the stored one keeps the stored days: the person chose them.
    """
    if change.weekdays is not None:
        return change.weekdays
    if change.days_per_week is not None and change.days_per_week != len(stored):
        return weekdays_for(change.days_per_week)
    return stored


def _value_words(value: object) -> str:
    """A profile value as a person reads it: mon, wed, fri; yes; 68; not given."""
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return weekday_words(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
