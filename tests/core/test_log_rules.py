"""What a log may hold: each scale's ends are accepted, one step past them is refused.

Pain is on 0–10 (the pain-monitoring model, Thomeé 1997; Silbernagel et al. 2007), effort on
Borg's CR10 (0–10), steadiness on our five-point self-rating; a refusal says what to correct.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from retrorun.core.log import AlreadyLogged, LogEntry, check_first_of_day, describe, validate_log
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

TODAY = date(2026, 12, 20)
WALK = LogEntry(
    date(2026, 12, 2), 25, Direction.BACKWARD, Mode.WALK, Setting.TRACK, 4, 2, 1, distance_km=1.8
)


def accepted(**changes: Any) -> None:
    validate_log(replace(WALK, **changes), TODAY)


def refused(match: str, **changes: Any) -> None:
    with pytest.raises(InvalidInput, match=match):
        validate_log(replace(WALK, **changes), TODAY)


def test_a_session_today_is_fine_and_one_tomorrow_is_refused() -> None:
    accepted(date=TODAY)
    refused("date 2026-12-21 is in the future", date=date(2026, 12, 21))


def test_dates_go_back_to_1970_and_no_further() -> None:
    """Earlier than 1970 is a clock or a typo, not a training diary."""
    accepted(date=date(1970, 1, 1))
    refused("date 1969-12-31 is too long ago", date=date(1969, 12, 31))


def test_a_session_lasts_at_most_one_day() -> None:
    accepted(minutes=24 * 60, distance_km=None)
    refused("at most 1440", minutes=24 * 60 + 0.5, distance_km=None)


def test_a_distance_of_zero_or_under_a_kilometre_is_a_distance() -> None:
    """A treadmill session can be logged with 0 km; a short walk is a fraction of a km."""
    accepted(distance_km=0.0)
    accepted(distance_km=0.5)
    refused("distance cannot be negative", distance_km=-0.1)


@pytest.mark.parametrize("distance_km", [float("nan"), float("inf")])
def test_a_distance_that_is_not_a_number_is_refused(distance_km: float) -> None:
    refused("distance must be a number of km", distance_km=distance_km)


@pytest.mark.parametrize("name", ["rpe", "pain_during", "pain_after", "pain_next_morning"])
def test_effort_and_pain_are_from_0_to_10(name: str) -> None:
    accepted(**{name: 0})
    accepted(**{name: 10})
    words = name.replace("_", " ")
    refused(f"{words} must be 0–10 \\(got 11\\)", **{name: 11})
    refused(f"{words} must be 0–10 \\(got -1\\)", **{name: -1})


@pytest.mark.parametrize("name", ["stumbles", "falls"])
def test_stumbles_and_falls_are_counts_up_to_1000(name: str) -> None:
    accepted(**{name: 0})
    accepted(**{name: 1000})
    refused(f"{name} must be a count from 0 to 1000", **{name: 1001})
    refused(f"{name} must be a count from 0 to 1000", **{name: -1})


def test_steadiness_is_from_1_very_unsure_to_5_completely_sure() -> None:
    accepted(steadiness=1)
    accepted(steadiness=5)
    refused("steadiness \\(how sure on your feet\\) must be 1–5 \\(got 0\\)", steadiness=0)
    refused("must be 1–5 \\(got 6\\)", steadiness=6)


def test_notes_are_text_up_to_10000_characters() -> None:
    accepted(notes="Knee fine, ça va. 👍")
    accepted(notes="x" * 10_000)
    refused("notes are limited to 10,000 characters", notes="x" * 10_001)


@pytest.mark.parametrize("notes", ["bad byte \udcff here", "a NUL \0 here"])
def test_notes_a_database_cannot_keep_are_refused(notes: str) -> None:
    """A byte that is not UTF-8 reaches Python as a lone surrogate; PostgreSQL refuses NUL."""
    refused("notes must be text", notes=notes)


def test_an_impossible_pace_is_refused_with_the_speed_and_pace_it_would_take() -> None:
    """Backward walking tops out at 3 m/s (10.8 km/h; treadmill studies stop at 1.91 m/s,
    Clarkson 1997): 3 km in 10 min is a typo."""
    refused(
        "^3 km in 10 min is 18.0 km/h \\(3:20 min/km\\); nobody can backward walk faster than "
        "11 km/h. Check the distance and the minutes$",
        distance_km=3.0,
        minutes=10,
    )


def test_a_speed_past_a_million_km_h_is_written_in_three_figures() -> None:
    """A slip of the keyboard must give a message a person can read, not a 20-digit number."""
    refused("is 999999.9 km/h", distance_km=16666.665, minutes=1)
    refused("is 1e\\+06 km/h", distance_km=16666.67, minutes=1)


def test_a_logged_speed_needs_a_distance() -> None:
    assert replace(WALK, minutes=30).speed_m_s == 1.0  # 1.8 km in 30 min
    assert replace(WALK, distance_km=None).speed_m_s is None


def test_a_second_log_names_every_earlier_log_of_the_day() -> None:
    run = replace(WALK, minutes=12.5, direction=Direction.FORWARD, mode=Mode.RUN)
    assert describe(run) == "12.5 min forward run"
    with pytest.raises(AlreadyLogged) as already:
        check_first_of_day(WALK, [WALK, run])
    assert already.value.day == WALK.date
    assert already.value.what == "25 min backward walk and 12.5 min forward run"
