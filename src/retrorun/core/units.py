"""Unit conversions, in one place, so the CLI, the web app and the core cannot drift apart.

Everything inside retrorun is SI with the unit in the name (`speed_m_s`, `distance_m`,
`duration_s`); these turn it into what a person reads or types (km/h, mph, min/km, miles) and
back. Only the standard library: importing this must stay cheap.
"""

from __future__ import annotations

import math
from datetime import date

from retrorun.errors import InvalidInput

M_PER_KM = 1000.0  # definition of the kilometre
KM_PER_MILE = 1.609344  # the international mile (1959 agreement): exactly 1 609.344 m
M_PER_MILE = KM_PER_MILE * M_PER_KM
S_PER_MIN = 60.0  # definition
S_PER_HOUR = 3600.0  # definition
MIN_PER_HOUR = 60.0  # definition
KMH_PER_M_S = S_PER_HOUR / M_PER_KM  # 3.6
MPH_PER_M_S = S_PER_HOUR / M_PER_MILE  # ≈ 2.237
KJ_PER_KCAL = 4.184  # definition of the thermochemical calorie (Keytel 2005 reports kJ/min)


def kmh_from_m_s(speed_m_s: float) -> float:
    return speed_m_s * KMH_PER_M_S


def m_s_from_kmh(speed_kmh: float) -> float:
    return speed_kmh / KMH_PER_M_S


def mph_from_m_s(speed_m_s: float) -> float:
    return speed_m_s * MPH_PER_M_S


def m_s_from_mph(speed_mph: float) -> float:
    return speed_mph / MPH_PER_M_S


def m_s_from_m_min(speed_m_min: float) -> float:
    return speed_m_min / S_PER_MIN


def m_min_from_m_s(speed_m_s: float) -> float:
    return speed_m_s * S_PER_MIN


def miles_from_km(distance_km: float) -> float:
    return distance_km / KM_PER_MILE


def km_from_miles(distance_mi: float) -> float:
    return distance_mi * KM_PER_MILE


def average_speed_m_s(distance_km: float, minutes: float) -> float:
    """Average speed of `distance_km` covered in `minutes` (minutes must be more than 0)."""
    return distance_km * M_PER_KM / (minutes * S_PER_MIN)


def m_s_from_pace(min_per_km: float) -> float:
    """A pace in minutes per km as a speed; the pace must be more than 0."""
    return M_PER_KM / (min_per_km * S_PER_MIN)


def pace_from_m_s(speed_m_s: float) -> float:
    """A speed as minutes per km; the speed must be more than 0."""
    return M_PER_KM / (speed_m_s * S_PER_MIN)


def format_pace(min_per_km: float) -> str:
    """6.5 → '6:30 min/km'. Rounded to the whole second first, so 5.999 is '6:00', not '5:60'."""
    seconds = round(min_per_km * S_PER_MIN)
    return f"{seconds // 60}:{seconds % 60:02d} min/km"


def format_duration(seconds: float) -> str:
    """210 → '3:30', 1470 → '24:30', 3725 → '1:02:05': the one way a person reads a duration.

    Every screen, table, step text and calendar uses this, so one session never shows as
    "24 min", "24.5" and "24:30" at once. Rounded to the whole second first (59.6 s is
    '1:00', not '0:60'); from an hour on, hours come first, as on a watch.
    """
    total = round(seconds)
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), int(S_PER_HOUR))
    minutes, secs = divmod(rest, int(S_PER_MIN))
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def parse_pace(text: str, what: str = "pace") -> float:
    """Minutes per km from '6.5' or '6:30'; `what` names the value in the error (an option)."""
    if ":" not in text:
        return parse_number(text, what)
    minutes_text, _, seconds_text = text.partition(":")
    minutes = parse_number(minutes_text, what)
    seconds = parse_number(seconds_text, what)
    if not 0 <= seconds < S_PER_MIN:
        raise InvalidInput(f"{what} seconds must be 0–59, got {text!r}")
    return minutes + seconds / S_PER_MIN


def parse_number(text: str, what: str) -> float:
    """A finite number typed by a person; `what` names it in the error (an option)."""
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number, got {text!r}")
    return value


def parse_date(text: str, what: str = "date") -> date:
    """A calendar date typed as YYYY-MM-DD; `what` names it in the error."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date; use YYYY-MM-DD") from None
