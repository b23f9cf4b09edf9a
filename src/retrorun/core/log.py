"""What a person did: one logged session, and the checks that keep impossible values out."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from retrorun.core import limits
from retrorun.core.progression import RedFlag
from retrorun.core.units import average_speed_m_s, format_pace, kmh_from_m_s, pace_from_m_s
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

# The fastest anyone moves, by direction and gait (`core.limits` gives the sources).
MAX_SPEED_M_S: dict[tuple[Direction, Mode], float] = {
    (Direction.FORWARD, Mode.RUN): limits.MAX_FORWARD_SPEED_M_S,
    (Direction.BACKWARD, Mode.RUN): limits.MAX_BACKWARD_SPEED_M_S,
    (Direction.FORWARD, Mode.WALK): limits.MAX_FORWARD_WALK_SPEED_M_S,
    (Direction.BACKWARD, Mode.WALK): limits.MAX_BACKWARD_WALK_SPEED_M_S,
}
MAX_MINUTES = limits.LONGEST_SESSION_MINUTES
MIN_MINUTES = limits.SHORTEST_SESSION_MINUTES
OLDEST_LOG = date(1970, 1, 1)

# The red flags a log records, by the short name the CLI (`--red-flag`), the JSON documents and
# the web form use; the store keeps the `RedFlag` value itself. Each pauses the plan and means
# seeing a clinician (the progression engine's `_red_flags` rule; SCIENCE.md section 5).
RED_FLAG_NAMES: dict[str, RedFlag] = {
    "sharp-pain": RedFlag.SHARP_PAIN,
    "rising-pain": RedFlag.RISING_PAIN,
    "swelling": RedFlag.SWELLING,
    "fall-injury": RedFlag.INJURED_IN_FALL,
}


@dataclass(frozen=True)
class LogEntry:
    """One session as the person reports it. Pain on 0–10; effort on Borg's CR10 (0–10)."""

    date: date
    minutes: float
    direction: Direction
    mode: Mode
    setting: Setting
    rpe: int
    pain_during: int
    pain_after: int
    distance_km: float | None = None
    pain_next_morning: int | None = None
    with_partner: bool = False
    notes: str = ""
    # Steadiness, as the person reports it: stumbles and falls in the session, and how sure on
    # their feet they felt (1 very unsure … 5 completely sure). None when not reported.
    stumbles: int | None = None
    falls: int | None = None
    steadiness: int | None = None
    # Sharp or rising pain, swelling, an injury in a fall: any of them pauses the plan.
    red_flags: frozenset[RedFlag] = frozenset()

    @property
    def speed_m_s(self) -> float | None:
        if self.distance_km is None or self.minutes <= 0:
            return None
        return average_speed_m_s(self.distance_km, self.minutes)


def validate_log(entry: LogEntry, today: date) -> None:
    """Refuse a log entry no one could have done, with the reason; `today` comes from the caller."""
    if entry.date > today:
        raise InvalidInput(f"date {entry.date.isoformat()} is in the future (today is {today})")
    if entry.date < OLDEST_LOG:
        raise InvalidInput(f"date {entry.date.isoformat()} is too long ago")
    if not MIN_MINUTES <= entry.minutes <= MAX_MINUTES:
        raise InvalidInput(
            f"minutes must be more than 0 (at least {MIN_MINUTES:g}, {MIN_MINUTES * 60:g} s) "
            f"and at most {MAX_MINUTES}"
        )
    if entry.distance_km is not None and not math.isfinite(entry.distance_km):
        raise InvalidInput(f"distance must be a number of km (got {entry.distance_km})")
    if entry.distance_km is not None and entry.distance_km < 0:
        raise InvalidInput("distance cannot be negative")
    if entry.pain_next_morning is not None:
        check_next_morning(entry.date, today)
    for name in ("rpe", "pain_during", "pain_after", "pain_next_morning"):
        value = getattr(entry, name)
        if value is not None and not 0 <= value <= 10:
            raise InvalidInput(f"{name.replace('_', ' ')} must be 0–10 (got {value})")
    _check_steadiness(entry)
    _check_red_flags(entry)
    _check_pace(entry)
    if len(entry.notes) > 10_000:
        raise InvalidInput("notes are limited to 10,000 characters")
    if not _is_text(entry.notes):
        raise InvalidInput("notes must be text: they hold a byte that is not UTF-8, or a NUL")


# Our bound: one stumble every few seconds of a four-hour session is already far past anything a
# person would report; the bound keeps a typo (or an attack) from reaching the store.
MAX_STUMBLES = 1000
STEADINESS_SCALE = (1, 5)  # 1 very unsure … 5 completely sure (our five-point self-rating)


def _check_steadiness(entry: LogEntry) -> None:
    for name in ("stumbles", "falls"):
        value = getattr(entry, name)
        if value is not None and not 0 <= value <= MAX_STUMBLES:
            raise InvalidInput(f"{name} must be a count from 0 to {MAX_STUMBLES} (got {value})")
    low, high = STEADINESS_SCALE
    if entry.steadiness is not None and not low <= entry.steadiness <= high:
        raise InvalidInput(
            f"steadiness (how sure on your feet) must be {low}–{high} (got {entry.steadiness})"
        )


def red_flags_named(names: Iterable[str]) -> frozenset[RedFlag]:
    """The red flags given by their short names (`sharp-pain`, …), each checked: a misspelt
    flag must never be dropped unseen, since it is what pauses the plan."""
    flags = set()
    for name in names:
        flag = RED_FLAG_NAMES.get(name.strip().lower())
        if flag is None:
            raise InvalidInput(f"red flag {name!r} is not one of {', '.join(RED_FLAG_NAMES)}")
        flags.add(flag)
    return frozenset(flags)


def red_flag_name(flag: RedFlag) -> str:
    """The short name of a red flag, as the CLI and the JSON documents write it."""
    return next(name for name, known in RED_FLAG_NAMES.items() if known is flag)


def _check_red_flags(entry: LogEntry) -> None:
    """Only known red flags; an injury in a fall needs the fall counted (falls 1 or more).

    We refuse the contradiction rather than guess: "hurt in a fall" with no fall given (or
    zero falls) is a slip of the form, and the fall count also sends the next sessions back to
    the treadmill, so it must be the person's own number."""
    for flag in entry.red_flags:
        if not isinstance(flag, RedFlag):
            raise InvalidInput(f"red flag {flag!r} is not one of {', '.join(RED_FLAG_NAMES)}")
    if RedFlag.INJURED_IN_FALL in entry.red_flags and not (entry.falls or 0) >= 1:
        raise InvalidInput(
            "an injury in a fall needs the fall counted: give falls 1 or more "
            f"(got {'none' if entry.falls is None else entry.falls})"
        )


def _is_text(text: str) -> bool:
    """Text a database stores as it is: encodable as UTF-8 (no lone surrogates, which is how
    Python passes on command-line bytes that are not UTF-8) and without NUL characters."""
    try:
        text.encode()  # str.encode's default codec is UTF-8
    except UnicodeEncodeError:
        return False
    return "\0" not in text


def check_next_morning(day: date, today: date) -> None:
    """Refuse the next morning's pain for `day` before that morning has come."""
    if day >= today:
        raise InvalidInput(
            f"pain the next morning of {day.isoformat()} can be given from "
            f"{(day + timedelta(days=1)).isoformat()} on"
        )


class AlreadyLogged(InvalidInput):
    """A new log for a day that has one already: most often the same session logged twice.

    Both would count for the plan and for practice, so a second log needs the person to say
    they mean it. `what` describes the earlier logs, for the question a front door asks.
    """

    def __init__(self, day: date, earlier: Sequence[LogEntry]) -> None:
        self.day = day
        self.what = " and ".join(describe(entry) for entry in earlier)
        super().__init__(
            f"you already logged {self.what} on {day.isoformat()}; "
            "give --force to log another session that day"
        )


def check_first_of_day(entry: LogEntry, same_day: Sequence[LogEntry]) -> None:
    """Refuse a log for a day already logged, unless the caller was told to log another."""
    if same_day:
        raise AlreadyLogged(entry.date, same_day)


def describe(entry: LogEntry) -> str:
    """A log in a few words: "25 min backward walk"."""
    return f"{entry.minutes:g} min {entry.direction.value} {entry.mode.value}"


def _check_pace(entry: LogEntry) -> None:
    speed = entry.speed_m_s
    if speed is None:
        return
    limit = MAX_SPEED_M_S[(entry.direction, entry.mode)]
    if speed > limit:
        raise InvalidInput(
            f"{entry.distance_km:g} km in {entry.minutes:g} min is {_speed_words(speed)} "
            f"({format_pace(pace_from_m_s(speed))}); "
            f"nobody can {entry.direction.value} {entry.mode.value} "
            f"faster than {kmh_from_m_s(limit):.0f} km/h. Check the distance and the minutes"
        )


def _speed_words(speed_m_s: float) -> str:
    """A speed in km/h a person can read: a typo of 1e300 km must not print 300 digits."""
    kmh = kmh_from_m_s(speed_m_s)
    return f"{kmh:.1f} km/h" if kmh < 1e6 else f"{kmh:.3g} km/h"
