"""The log checks: pain the next morning only once that morning has come; one log a day; red
flags by name, and an injury in a fall only with a fall counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from retrorun.core.log import (
    RED_FLAG_NAMES,
    AlreadyLogged,
    LogEntry,
    check_first_of_day,
    red_flag_name,
    red_flags_named,
    validate_log,
)
from retrorun.core.progression import RedFlag
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

DAY = date(2026, 12, 2)
WALK = LogEntry(DAY, 25, Direction.BACKWARD, Mode.WALK, Setting.TRACK, 4, 2, 1, distance_km=1.8)


def test_pain_next_morning_of_today_is_refused() -> None:
    with pytest.raises(InvalidInput, match="can be given from 2026-12-03 on"):
        validate_log(replace(WALK, pain_next_morning=1), DAY)
    validate_log(WALK, DAY)  # the same log without it is fine today
    validate_log(replace(WALK, pain_next_morning=1), date(2026, 12, 3))


def test_a_second_log_of_the_day_is_refused_with_what_was_logged() -> None:
    check_first_of_day(WALK, [])
    with pytest.raises(AlreadyLogged) as already:
        check_first_of_day(WALK, [WALK])
    assert already.value.what == "25 min backward walk"
    assert str(already.value) == (
        "you already logged 25 min backward walk on 2026-12-02; "
        "give --force to log another session that day"
    )


# --- red flags ----------------------------------------------------------------------------------


def test_red_flags_are_read_by_their_short_names_and_an_unknown_one_is_refused() -> None:
    assert red_flags_named(["sharp-pain", "Swelling ", "sharp-pain"]) == {
        RedFlag.SHARP_PAIN,
        RedFlag.SWELLING,
    }
    assert red_flags_named([]) == frozenset()
    with pytest.raises(InvalidInput) as refused:
        red_flags_named(["swelling", "knee hurts"])
    assert str(refused.value) == (
        "red flag 'knee hurts' is not one of sharp-pain, rising-pain, swelling, fall-injury"
    )


def test_every_red_flag_has_one_short_name_and_back() -> None:
    assert set(RED_FLAG_NAMES.values()) == set(RedFlag)
    assert len(RED_FLAG_NAMES) == len(RedFlag)
    for name, flag in RED_FLAG_NAMES.items():
        assert red_flag_name(flag) == name


def test_a_log_with_red_flags_is_valid_and_one_with_an_unknown_flag_is_not() -> None:
    every = frozenset(RedFlag)
    validate_log(replace(WALK, falls=1, red_flags=every), DAY)
    odd = replace(WALK, red_flags=frozenset({"swelling"}))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="red flag 'swelling' is not one of"):
        validate_log(odd, DAY)


@pytest.mark.parametrize("falls", [None, 0])
def test_an_injury_in_a_fall_needs_the_fall_counted(falls: int | None) -> None:
    hurt = replace(WALK, falls=falls, red_flags=frozenset({RedFlag.INJURED_IN_FALL}))
    with pytest.raises(InvalidInput, match="an injury in a fall needs the fall counted"):
        validate_log(hurt, DAY)
    validate_log(replace(hurt, falls=1), DAY)
    validate_log(replace(WALK, falls=falls, red_flags=frozenset({RedFlag.SWELLING})), DAY)
