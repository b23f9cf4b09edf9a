"""One estimate is computed in floats, a series in NumPy: the two must give the same numbers.

`estimate_energy` runs on the float twins (`_vo2_at`, `_gross_at`, the Keytel helpers on floats)
so that `retrorun energy` starts without importing NumPy. Each twin repeats the array code's
operations in the same order, so the numbers agree to the last bit; these tests hold them to it.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrorun.core.energy import (
    KEYTEL_MODEL_NAME,
    _vo2_at,
    _vo2_from_speed,
    energy_series,
    estimate_energy,
    practice_factor,
)

MASS_KG = 68.0
# 0–8 m/s every 0.25, plus the edges of the studied ranges and the walk–run transitions
GRID_SPEEDS_M_S = sorted({*np.linspace(0.0, 8.0, 33).tolist(), 0.89, 1.91, 1.63, 2.0, 93.8 / 60})
# −45 … +45 % every 5 %, plus level, a gentle slope and Rasica 2020's steepest
GRID_GRADES = sorted({*np.linspace(-0.45, 0.45, 19).tolist(), 0.0, 0.025, -0.025, 0.25})
GRID_SESSIONS = [0, 1, 6, 12, 18, 19, 40]
# (heart rate, age, sex): none; Keytel for each sex; a rate low enough to be raised to resting;
# a heart rate without age and sex (ignored), and age and sex without a heart rate.
PEOPLE = [
    (None, None, None),
    (150.0, 30.0, "male"),
    (95.0, 41.0, "female"),
    (40.0, 20.0, "female"),
    (140.0, None, None),
    (140.0, 35.0, None),
    (None, 35.0, "male"),
]


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("mode", ["walk", "run", "auto"])
@pytest.mark.parametrize("sessions", GRID_SESSIONS)
@pytest.mark.parametrize(("heart_rate", "age", "sex"), PEOPLE)
def test_scalar_estimate_equals_the_series_over_a_grid(
    direction: str,
    mode: str,
    sessions: int,
    heart_rate: float | None,
    age: float | None,
    sex: str | None,
) -> None:
    points = list(itertools.product(GRID_SPEEDS_M_S, GRID_GRADES))
    # The series is computed sample by sample, so one call over the grid is the same as one call
    # per point (test_single_input_scalar_equals_a_one_sample_series checks single calls).
    series = energy_series(
        [speed for speed, _ in points],
        [grade for _, grade in points],
        direction == "backward",
        mass_kg=MASS_KG,
        mode=mode,
        backward_sessions_done=sessions,
        heart_rate_bpm=heart_rate,
        age_years=age,
        sex=sex,
    )
    for index, (speed, grade) in enumerate(points):
        scalar = estimate_energy(
            direction,
            speed,
            MASS_KG,
            mode=mode,
            grade=grade,
            backward_sessions_done=sessions,
            heart_rate_bpm=heart_rate,
            age_years=age,
            sex=sex,
        )
        at = f"{direction} {mode} {speed} m/s, grade {grade}, {sessions} sessions"
        assert scalar.vo2_ml_kg_min == series.vo2_ml_kg_min[index], at
        assert scalar.kcal_per_min == series.kcal_per_min[index], at
        assert (scalar.mode == "run") == series.running[index], at
        assert (scalar.model == KEYTEL_MODEL_NAME) == series.heart_rate_used[index], at


@settings(max_examples=400)
@given(
    st.sampled_from(["forward", "backward"]),
    st.sampled_from(["walk", "run", "auto"]),
    st.floats(min_value=0.0, max_value=8.0),
    st.floats(min_value=-0.45, max_value=0.45),
    st.integers(min_value=0, max_value=40),
    st.one_of(st.none(), st.floats(min_value=25.0, max_value=250.0)),
    st.one_of(st.none(), st.floats(min_value=10.0, max_value=120.0)),
    st.sampled_from([None, "male", "female"]),
    st.floats(min_value=20.0, max_value=350.0),
    st.floats(min_value=0.0, max_value=4 * 3600.0),
)
def test_single_input_scalar_equals_a_one_sample_series(
    direction: str,
    mode: str,
    speed: float,
    grade: float,
    sessions: int,
    heart_rate: float | None,
    age: float | None,
    sex: str | None,
    mass: float,
    duration: float,
) -> None:
    scalar = estimate_energy(
        direction,
        speed,
        mass,
        mode=mode,
        grade=grade,
        duration_s=duration,
        backward_sessions_done=sessions,
        heart_rate_bpm=heart_rate,
        age_years=age,
        sex=sex,
    )
    series = energy_series(
        [speed],
        [grade],
        [direction == "backward"],
        mass_kg=mass,
        sample_s=duration,
        mode=mode,
        backward_sessions_done=sessions,
        heart_rate_bpm=None if heart_rate is None else [heart_rate],
        age_years=age,
        sex=sex,
    )
    assert scalar.vo2_ml_kg_min == series.vo2_ml_kg_min[0]
    assert scalar.kcal_per_min == series.kcal_per_min[0]
    assert scalar.kcal == pytest.approx(series.total_kcal, rel=1e-12, abs=1e-12)
    assert (scalar.mode == "run") == series.running[0]
    assert (scalar.model == KEYTEL_MODEL_NAME) == series.heart_rate_used[0]


def test_float_twin_equals_the_array_formula_bit_for_bit() -> None:
    """`_vo2_at` against `_vo2_from_speed` directly, for every direction, gait and practice."""
    speeds_m_min = [speed * 60 for speed in GRID_SPEEDS_M_S]
    cases = list(itertools.product(speeds_m_min, GRID_GRADES, [False, True], [False, True]))
    for practice in sorted({practice_factor(n) for n in GRID_SESSIONS} | {0.7}):
        vectorised = _vo2_from_speed(
            np.array([speed for speed, _, _, _ in cases]),
            np.array([grade for _, grade, _, _ in cases]),
            np.array([backward for _, _, backward, _ in cases]),
            np.array([running for _, _, _, running in cases]),
            practice,
        )
        scalar = [_vo2_at(*case, practice) for case in cases]
        assert scalar == vectorised.tolist()


def test_one_estimate_does_not_import_numpy() -> None:
    """`retrorun energy` starts quickly because one estimate never loads NumPy (a new process)."""
    probe = (
        "import sys\n"
        "from retrorun.core.energy import compare_with_forward, estimate_energy, "
        "estimate_step_cost\n"
        "compare_with_forward('backward', 0.95, 68.0, mode='walk', grade=0.05)\n"
        "estimate_step_cost('backward', 'auto', None, 300.0, 68.0, 12)\n"
        "estimate_energy('backward', 2.5, 68.0, heart_rate_bpm=40, age_years=30, sex='male')\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
