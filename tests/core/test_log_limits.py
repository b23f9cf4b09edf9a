"""Logged values at the edges: a session too short to be one, a speed too large to print."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from retrorun.core import limits
from retrorun.core.log import LogEntry, validate_log
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

TODAY = date(2026, 12, 20)
ENTRY = LogEntry(
    date=date(2026, 12, 2),
    minutes=25,
    direction=Direction.BACKWARD,
    mode=Mode.WALK,
    setting=Setting.TREADMILL,
    rpe=4,
    pain_during=2,
    pain_after=1,
)


@pytest.mark.parametrize("minutes", [1e-300, 5e-324, 0.01])
def test_a_session_shorter_than_the_shortest_plausible_is_refused(minutes: float) -> None:
    with pytest.raises(InvalidInput, match="minutes must be more than 0"):
        validate_log(replace(ENTRY, minutes=minutes), TODAY)


def test_the_shortest_plausible_session_is_accepted() -> None:
    validate_log(replace(ENTRY, minutes=limits.SHORTEST_SESSION_MINUTES), TODAY)


@pytest.mark.parametrize("distance_km", [1e300, 1.7e308])
def test_an_impossible_speed_is_refused_in_a_few_words(distance_km: float) -> None:
    with pytest.raises(InvalidInput, match="nobody can backward walk faster") as refused:
        validate_log(replace(ENTRY, minutes=1, distance_km=distance_km), TODAY)
    assert len(str(refused.value)) < 200, str(refused.value)
