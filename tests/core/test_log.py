"""The log checks: pain the next morning only once that morning has come; one log a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from retrorun.core.log import AlreadyLogged, LogEntry, check_first_of_day, validate_log
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
