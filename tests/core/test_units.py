"""Unit conversions: one module, exact definitions, and the old import paths still work."""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core import serialize, units, workout
from retrorun.errors import InvalidInput


def test_the_definitions() -> None:
    assert units.M_PER_MILE == 1609.344  # international mile
    assert units.KMH_PER_M_S == 3.6
    assert units.MPH_PER_M_S == 3600 / 1609.344
    assert units.mph_from_m_s(1609.344 / 3600) == pytest.approx(1.0)
    assert units.kmh_from_m_s(10.0) == 36.0


@pytest.mark.parametrize("speed_m_s", [0.25, 0.9, 1.63, 2.8, 12.5])
def test_conversions_round_trip(speed_m_s: float) -> None:
    assert units.m_s_from_kmh(units.kmh_from_m_s(speed_m_s)) == pytest.approx(speed_m_s)
    assert units.m_s_from_mph(units.mph_from_m_s(speed_m_s)) == pytest.approx(speed_m_s)
    assert units.m_s_from_m_min(units.m_min_from_m_s(speed_m_s)) == pytest.approx(speed_m_s)
    assert units.m_s_from_pace(units.pace_from_m_s(speed_m_s)) == pytest.approx(speed_m_s)
    assert units.km_from_miles(units.miles_from_km(speed_m_s)) == pytest.approx(speed_m_s)


def test_average_speed() -> None:
    assert units.average_speed_m_s(1.8, 30) == 1.0


@pytest.mark.parametrize(
    ("min_per_km", "text"), [(6.5, "6:30 min/km"), (5.9999, "6:00 min/km"), (4.0, "4:00 min/km")]
)
def test_pace_is_written_to_the_whole_second(min_per_km: float, text: str) -> None:
    assert units.format_pace(min_per_km) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (59.6, "1:00"),
        (210, "3:30"),
        (1470, "24:30"),
        (3600, "1:00:00"),
        (3725, "1:02:05"),
    ],
)
def test_a_duration_reads_as_minutes_and_seconds(seconds: float, text: str) -> None:
    assert units.format_duration(seconds) == text


def test_pace_is_read_as_decimal_minutes_or_minutes_and_seconds() -> None:
    assert units.parse_pace("6.5") == 6.5
    assert units.parse_pace("6:30") == 6.5
    with pytest.raises(InvalidInput, match="--pace seconds must be 0–59"):
        units.parse_pace("6:75", "--pace")
    with pytest.raises(InvalidInput, match="pace must be a number, got 'abc'"):
        units.parse_pace("abc")
    with pytest.raises(InvalidInput, match="must be a finite number"):
        units.parse_pace("inf")


def test_the_old_import_paths_still_work() -> None:
    assert serialize.KM_PER_MILE is units.KM_PER_MILE
    assert workout.MPH_PER_M_S is units.MPH_PER_M_S


def test_a_negative_duration_keeps_its_sign_and_zero_has_none() -> None:
    """A time over or under plan reads as a difference; under half a second is no time."""
    assert units.format_duration(-90) == "-1:30"
    assert units.format_duration(-3725) == "-1:02:05"
    assert units.format_duration(-0.4) == "0:00"
    assert units.format_duration(0.6) == "0:01"


@pytest.mark.parametrize(("text", "min_per_km"), [("6:00", 6.0), ("6:59", 6 + 59 / 60)])
def test_pace_seconds_run_from_0_to_59(text: str, min_per_km: float) -> None:
    assert units.parse_pace(text) == pytest.approx(min_per_km)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6:60", "--pace seconds must be 0–59, got '6:60'"),
        ("x:30", "--pace must be a number, got 'x'"),
        ("6:y", "--pace must be a number, got 'y'"),
        ("1:02:30", "--pace must be a number, got '02:30'"),  # hours are not a pace
    ],
)
def test_a_pace_that_cannot_be_read_names_the_option_and_the_part(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        units.parse_pace(text, "--pace")


def test_a_date_is_typed_as_year_month_day() -> None:
    assert units.parse_date(" 2026-12-01 ") == date(2026, 12, 1)
    with pytest.raises(InvalidInput, match=r"^date '1/12/2026' is not a date; use YYYY-MM-DD$"):
        units.parse_date("1/12/2026")
    with pytest.raises(InvalidInput, match=r"^--start '2026-13-01' is not a date"):
        units.parse_date("2026-13-01", "--start")


def test_pace_and_speed_and_energy_by_definition() -> None:
    """6:00 min/km is 1000 m in 360 s; a thermochemical calorie is 4.184 J (Keytel 2005 gives
    kJ/min)."""
    assert units.m_s_from_pace(6.0) == pytest.approx(1000 / 360)
    assert units.pace_from_m_s(1000 / 360) == pytest.approx(6.0)
    assert units.m_min_from_m_s(1.0) == 60.0
    assert units.miles_from_km(units.KM_PER_MILE) == 1.0
    assert units.KJ_PER_KCAL == 4.184
