"""The energy of a recorded activity: cleaning the samples, then the energy model over them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from retrorun.core import limits
from retrorun.core.activity_energy import (
    ENERGY_RULES_VERSION,
    MAX_SAMPLE_GAP_S,
    SPEED_MODEL_NAME,
    Energy,
    energy_inputs,
    estimate_kcal,
)
from retrorun.core.energy import KEYTEL_MODEL_NAME, estimate_energy
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.formats.activity import Activity, make_streams

RUNNER = Profile(70, 40, Experience.REGULAR, Goal.FITNESS, weekdays_for(3), 30, True, True, True)
START = datetime(2026, 12, 2, 8, tzinfo=UTC)


def _activity(
    n: int = 0, total_m: float | None = None, duration_s: float = 600.0, **columns: object
) -> Activity:
    """An activity of `n` samples with the given stream columns, and its totals."""
    streams = make_streams(n, **{k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})
    return Activity("fit", "running", START, duration_s, total_m, streams)


def _steady(speeds: list[float]) -> Activity:
    n = len(speeds)
    return _activity(n, time_s=np.arange(n, dtype=np.float64), speed_m_s=speeds)


def test_no_profile_no_estimate_and_says_what_to_do() -> None:
    energy = estimate_kcal(_steady([1.0] * 5), np.ones(5, bool), 5.0, None, 0)
    assert energy.kcal is None and "retrorun profile set" in energy.model


def test_without_samples_the_average_speed_is_used_per_direction() -> None:
    activity = _activity(total_m=600.0, duration_s=600.0)  # 1 m/s
    energy = estimate_kcal(activity, np.zeros(0, bool), 240.0, RUNNER, 3)
    back = estimate_energy("backward", 1.0, 70, duration_s=240.0, backward_sessions_done=3)
    forward = estimate_energy("forward", 1.0, 70, duration_s=360.0)
    assert energy.kcal == pytest.approx((back.kcal or 0) + (forward.kcal or 0))
    assert energy.model.endswith("from the average speed")
    nothing = estimate_kcal(_activity(duration_s=600.0), np.zeros(0, bool), 0.0, RUNNER, 0)
    assert nothing.kcal is None and "no distance" in nothing.model


def test_an_average_faster_than_anyone_is_taken_at_the_limit() -> None:
    activity = _activity(total_m=6000.0, duration_s=600.0)  # 10 m/s backward: impossible
    energy = estimate_kcal(activity, np.zeros(0, bool), 600.0, RUNNER, 0)
    at_limit = estimate_energy("backward", limits.MAX_BACKWARD_SPEED_M_S, 70, duration_s=600.0)
    assert energy.kcal == pytest.approx(at_limit.kcal)


def test_an_impossible_sample_is_replaced_by_its_neighbours() -> None:
    backward = np.ones(9, bool)
    clean = estimate_kcal(_steady([1.0] * 9), backward, 9.0, RUNNER, 0)
    spiked = estimate_kcal(_steady([1.0] * 4 + [40.0] + [1.0] * 4), backward, 9.0, RUNNER, 0)
    assert spiked.kcal == pytest.approx(clean.kcal)


def test_the_backward_limit_is_the_one_in_the_table() -> None:
    fast = limits.MAX_BACKWARD_SPEED_M_S - 0.05
    too_fast = limits.MAX_BACKWARD_SPEED_M_S + 0.05
    backward = np.ones(3, bool)
    kept = estimate_kcal(_steady([2.0, fast, 2.0]), backward, 3.0, RUNNER, 0)
    cleaned = estimate_kcal(_steady([2.0, too_fast, 2.0]), backward, 3.0, RUNNER, 0)
    flat = estimate_kcal(_steady([2.0, 2.0, 2.0]), backward, 3.0, RUNNER, 0)
    assert cleaned.kcal == pytest.approx(flat.kcal)
    assert (kept.kcal or 0) > (flat.kcal or 0)


def test_a_pause_costs_no_more_than_the_longest_sample_gap() -> None:
    time_s = np.array([0.0, 1.0, 2.0, 600.0, 601.0])
    paused = _activity(5, time_s=time_s, speed_m_s=[1.0] * 5)
    short = _activity(
        5,
        time_s=np.array([0.0, 1.0, 2.0, 2 + MAX_SAMPLE_GAP_S, 3 + MAX_SAMPLE_GAP_S]),
        speed_m_s=[1.0] * 5,
    )
    backward = np.zeros(5, bool)
    assert estimate_kcal(paused, backward, 0.0, RUNNER, 0).kcal == pytest.approx(
        estimate_kcal(short, backward, 0.0, RUNNER, 0).kcal
    )


def test_speed_from_distance_when_the_device_wrote_none() -> None:
    n = 20
    from_distance = _activity(
        n, time_s=np.arange(n, dtype=np.float64), distance_m=np.arange(n) * 1.5
    )
    energy = estimate_kcal(from_distance, np.zeros(n, bool), 0.0, RUNNER, 0)
    steady = estimate_kcal(_steady([1.5] * n), np.zeros(n, bool), 0.0, RUNNER, 0)
    assert energy.kcal == pytest.approx(steady.kcal)


def test_heart_rate_is_used_when_age_and_sex_are_known() -> None:
    n = 10
    activity = _activity(n, time_s=np.arange(n, dtype=np.float64), heart_rate_bpm=[140.0] * n)
    without_sex = estimate_kcal(activity, np.zeros(n, bool), 0.0, RUNNER, 0)
    assert without_sex.kcal is None and "no speed" in without_sex.model
    with_sex = Profile(
        70, 40, Experience.REGULAR, Goal.FITNESS, weekdays_for(3), 30, True, True, True, sex="male"
    )
    energy = estimate_kcal(activity, np.zeros(n, bool), 0.0, with_sex, 0)
    assert energy.model == KEYTEL_MODEL_NAME and (energy.kcal or 0) > 0


def _sport(sport: str | None, sub_sport: str | None = None) -> Activity:
    n = 10
    streams = make_streams(n, time_s=np.arange(n, dtype=np.float64), speed_m_s=np.ones(n))
    return Activity("fit", sport, START, float(n), float(n), streams, sub_sport=sub_sport)


def test_a_sport_that_is_not_a_walk_or_run_gets_no_estimate() -> None:
    paddle = estimate_kcal(_sport("stand_up_paddleboarding"), np.zeros(10, bool), 0.0, RUNNER, 0)
    assert paddle == Energy(None, "not a walk or run (stand-up paddling): no estimate")
    ride = estimate_kcal(_sport("cycling"), np.zeros(10, bool), 0.0, None, 0)
    assert ride == Energy(None, "not a walk or run (cycling): no estimate")  # before the profile
    chair = estimate_kcal(_sport("wheelchair_push_run"), np.zeros(10, bool), 0.0, RUNNER, 0)
    assert chair == Energy(None, "not a walk or run (wheelchair push run): no estimate")


@pytest.mark.parametrize(
    ("sport", "sub_sport"),
    [
        ("running", None),
        ("walking", "casual_walking"),
        ("hiking", None),
        ("fitness_equipment", "treadmill"),
        ("training", "indoor_walking"),
    ],
)
def test_walks_and_runs_are_estimated(sport: str, sub_sport: str | None) -> None:
    energy = estimate_kcal(_sport(sport, sub_sport), np.zeros(10, bool), 0.0, RUNNER, 0)
    assert energy.kcal is not None and energy.model == SPEED_MODEL_NAME


@pytest.mark.parametrize("sport", [None, "generic", "other"])
def test_an_unknown_sport_is_estimated_and_says_so(sport: str | None) -> None:
    """TCX writes every sport but running and biking as "Other", walks included."""
    energy = estimate_kcal(_sport(sport), np.zeros(10, bool), 0.0, RUNNER, 0)
    assert energy.kcal is not None
    assert energy.model == f"{SPEED_MODEL_NAME}; sport unknown: taken as a walk or run"


def test_a_change_of_the_rules_makes_every_stored_estimate_stale() -> None:
    assert energy_inputs(RUNNER, 3).startswith(f"rules={ENERGY_RULES_VERSION};")
    assert energy_inputs(None, 0) == f"rules={ENERGY_RULES_VERSION};no profile"
    assert ENERGY_RULES_VERSION >= 2  # 2: no estimate for sports other than walking or running
