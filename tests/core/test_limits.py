"""One table of physical limits: every module refuses (or cleans away) at the same numbers."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from retrorun.core import activity_energy, energy, limits
from retrorun.core.energy import estimate_energy
from retrorun.core.log import LogEntry, validate_log
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

TODAY = date(2026, 12, 10)


def _log(direction: Direction, mode: Mode, speed_m_s: float) -> LogEntry:
    minutes = 10.0
    distance_km = speed_m_s * minutes * 60 / 1000
    return LogEntry(TODAY, minutes, direction, mode, Setting.TRACK, 5, 0, 0, distance_km)


def _profile(**changes: Any) -> Profile:
    values: dict[str, Any] = {
        "mass_kg": 70.0,
        "age_years": 40,
        "experience": Experience.REGULAR,
        "goal": Goal.FITNESS,
        "weekdays": weekdays_for(3),
        "minutes_per_session": 30,
        "has_treadmill": True,
        "has_track": True,
        "has_partner": False,
    }
    return Profile(**(values | changes))


def test_the_energy_model_and_the_importer_read_the_table() -> None:
    for name in (
        "MAX_FORWARD_SPEED_M_S",
        "MAX_BACKWARD_SPEED_M_S",
        "MAX_ABS_GRADE",
        "MIN_MASS_KG",
        "MAX_MASS_KG",
        "MIN_HEART_RATE_BPM",
        "MAX_HEART_RATE_BPM",
        "MAX_AGE_YEARS",
    ):
        assert getattr(energy, name) == getattr(limits, name), name
    assert activity_energy.MAX_BACKWARD_SPEED_M_S == limits.MAX_BACKWARD_SPEED_M_S


@pytest.mark.parametrize(
    ("direction", "mode", "limit"),
    [
        (Direction.BACKWARD, Mode.RUN, limits.MAX_BACKWARD_SPEED_M_S),
        (Direction.FORWARD, Mode.RUN, limits.MAX_FORWARD_SPEED_M_S),
        (Direction.BACKWARD, Mode.WALK, limits.MAX_BACKWARD_WALK_SPEED_M_S),
        (Direction.FORWARD, Mode.WALK, limits.MAX_FORWARD_WALK_SPEED_M_S),
    ],
)
def test_a_log_is_refused_just_above_the_limit(
    direction: Direction, mode: Mode, limit: float
) -> None:
    validate_log(_log(direction, mode, limit * 0.99), TODAY)
    with pytest.raises(InvalidInput, match=f"nobody can {direction} {mode} faster than"):
        validate_log(_log(direction, mode, limit * 1.01), TODAY)


@pytest.mark.parametrize("direction", ["backward", "forward"])
def test_the_log_and_the_energy_model_agree_on_the_fastest_run(direction: str) -> None:
    limit = (
        limits.MAX_BACKWARD_SPEED_M_S if direction == "backward" else limits.MAX_FORWARD_SPEED_M_S
    )
    estimate_energy(direction, limit, 70.0)
    validate_log(_log(Direction(direction), Mode.RUN, limit), TODAY)
    with pytest.raises(InvalidInput, match="faster than anyone"):
        estimate_energy(direction, limit + 0.01, 70.0)


def test_the_backward_limit_does_not_refuse_the_backward_record() -> None:
    record_average_m_s = 100 / 13.0  # the backward 100 m record, ≈ 13 s [M]
    validate_log(_log(Direction.BACKWARD, Mode.RUN, record_average_m_s), TODAY)
    estimate_energy("backward", record_average_m_s, 70.0)


def test_the_profile_reads_the_table() -> None:
    _profile(mass_kg=limits.MIN_MASS_KG)
    _profile(mass_kg=limits.MAX_MASS_KG, age_years=limits.MAX_AGE_YEARS)
    _profile(age_years=limits.MIN_PLAN_AGE_YEARS)
    with pytest.raises(InvalidInput, match=r"body mass 19\.9 kg is outside 20–350 kg"):
        _profile(mass_kg=19.9)
    with pytest.raises(InvalidInput, match="age 121 is outside 10–120 years"):
        _profile(age_years=121)
    with pytest.raises(InvalidInput, match="age 9 is outside"):
        _profile(age_years=9)


def test_the_longest_session() -> None:
    too_long = LogEntry(
        TODAY,
        limits.LONGEST_SESSION_MINUTES + 1,
        Direction.FORWARD,
        Mode.WALK,
        Setting.TRACK,
        3,
        0,
        0,
    )
    with pytest.raises(InvalidInput, match="at most 1440"):
        validate_log(too_long, TODAY)


def test_the_small_core_modules_stay_cheap_to_import() -> None:
    code = (
        "import sys\n"
        "import retrorun.core.limits, retrorun.core.units, retrorun.core.log\n"
        "import retrorun.core.profile, retrorun.core.workout\n"
        "heavy = [m for m in ('numpy', 'lxml', 'sqlalchemy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_limits_of_a_recorded_activity_hold_the_longest_real_ones() -> None:
    """A week covers the longest single-stage races (Tor des Géants, 150 h); one sample a second
    is the densest a watch records; 100 m/s is above the speed-skiing record (254.958 km/h);
    10,000 laps hold a 100-mile race auto-lapped every 100 m (about 1,600)."""
    assert limits.LONGEST_ACTIVITY_S == 7 * 24 * 3600 > 150 * 3600
    assert limits.MAX_SAMPLES == limits.LONGEST_ACTIVITY_S
    assert limits.MAX_RECORDED_SPEED_M_S * 3.6 == 360 > 254.958
    assert limits.MAX_LAPS == 10_000 > 160_934 / 100
    assert limits.MAX_SESSIONS == 100
    assert limits.MAX_DEVICE_KCAL == 10 * 10_000  # ten days of the hardest Tour stages


def test_recorded_times_run_from_1970_to_the_last_second_a_fit_file_can_hold() -> None:
    """FIT timestamps are unsigned 32-bit seconds from 1989-12-31T00:00:00Z."""
    earliest = datetime.fromtimestamp(limits.EARLIEST_RECORDED_UNIX_S, UTC)
    latest = datetime.fromtimestamp(limits.LATEST_RECORDED_UNIX_S, UTC)
    assert earliest == datetime(1970, 1, 1, tzinfo=UTC)
    assert latest == datetime(1989, 12, 31, tzinfo=UTC) + timedelta(seconds=2**32 - 1)
    assert latest == datetime(2126, 2, 6, 6, 28, 15, tzinfo=UTC)
