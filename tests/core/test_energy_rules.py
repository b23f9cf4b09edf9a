"""The energy model rule by rule: each published figure at an exact input, with its source.

Sources are in SCIENCE.md section 2 and the module docstring of `core.energy`. Figures here are
worked out by hand from the published equations, not from the code: ACSM walking
VO2 = 3.5 + 0.1·S + 1.8·S·G and running VO2 = 3.5 + 0.2·S + 0.9·S·G (S in m/min, G a fraction),
1 MET = 3.5 ml/kg/min, ≈ 5 kcal per litre of O2, so at 70 kg each ml/kg/min is 0.35 kcal a minute.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from retrorun.core.energy import (
    EnergyEstimate,
    _hold_from_grade,
    compare_with_forward,
    energy_series,
    estimate_energy,
    estimate_step_cost,
    intensity_class,
    practice_factor,
)
from retrorun.errors import InvalidInput

MASS_KG = 70.0
KCAL_PER_MIN_PER_VO2 = MASS_KG * 5 / 1000  # ACSM: ≈ 5 kcal per litre of O2
COMPENDIUM_M_MIN = 93.8  # Compendium 2011 codes 17320 and 17325: 3.5 mph
COMPENDIUM_M_S = COMPENDIUM_M_MIN / 60
FORWARD_AT_COMPENDIUM = 3.5 + 0.1 * COMPENDIUM_M_MIN  # ACSM walking: 12.88 ml/kg/min
BACKWARD_EXTRA_AT_COMPENDIUM = 6.0 * 3.5 - FORWARD_AT_COMPENDIUM  # 21.0 − 12.88 = 8.12
FLYNN_RUN_M_MIN = 160.8  # Flynn 1994: running at 160.8 m/min


def estimate(
    direction: str,
    speed_m_min: float,
    mode: str,
    grade: float = 0.0,
    sessions: int = 0,
) -> EnergyEstimate:
    return estimate_energy(
        direction,
        speed_m_min / 60,
        MASS_KG,
        mode=mode,
        grade=grade,
        backward_sessions_done=sessions,
    )


def vo2(
    direction: str, speed_m_min: float, mode: str, grade: float = 0.0, sessions: int = 0
) -> float:
    return estimate(direction, speed_m_min, mode, grade, sessions).vo2_ml_kg_min


# --- Units: ACSM -----------------------------------------------------------------------------


def test_standing_still_costs_one_met() -> None:
    """ACSM: the resting 3.5 ml/kg/min is 1 MET, and at 70 kg it is 1.225 kcal a minute."""
    still = estimate_energy("forward", 0.0, MASS_KG, duration_s=600)
    assert still.vo2_ml_kg_min == 3.5
    assert still.met == 1.0
    assert still.kcal_per_min == pytest.approx(1.225)
    assert still.kcal == pytest.approx(12.25)  # 10 minutes
    assert still.intensity == "light"


def test_kcal_are_for_the_duration_given() -> None:
    """Compendium 17320: backward walking at 3.5 mph is 6.0 MET = 21.0 ml/kg/min, 7.35 kcal a
    minute at 70 kg: 220.5 kcal in half an hour, 3.675 kcal in 30 seconds."""
    half_hour = estimate_energy("backward", COMPENDIUM_M_S, MASS_KG, mode="walk", duration_s=1800)
    assert half_hour.kcal_per_min == pytest.approx(21.0 * KCAL_PER_MIN_PER_VO2)
    assert half_hour.kcal == pytest.approx(220.5)
    short = estimate_energy("backward", COMPENDIUM_M_S, MASS_KG, mode="walk", duration_s=30)
    assert short.kcal == pytest.approx(3.675)


def test_no_time_no_kcal_and_zero_time_zero_kcal() -> None:
    assert estimate_energy("forward", 1.0, MASS_KG).kcal is None
    assert estimate_energy("forward", 1.0, MASS_KG, duration_s=0).kcal == 0.0
    assert estimate_energy("forward", 1.0, MASS_KG, duration_s=0.5).kcal == pytest.approx(
        (3.5 + 0.1 * 60) * KCAL_PER_MIN_PER_VO2 / 120
    )


def test_kcal_grow_with_body_mass_in_proportion() -> None:
    """ACSM: VO2 is per kg, so 100 kg burn exactly twice what 50 kg burn at the same pace."""
    light = estimate_energy("backward", 1.2, 50.0, duration_s=600)
    heavy = estimate_energy("backward", 1.2, 100.0, duration_s=600)
    assert light.vo2_ml_kg_min == heavy.vo2_ml_kg_min
    assert heavy.kcal == pytest.approx(2 * (light.kcal or 0.0))


def test_the_estimate_says_what_it_is() -> None:
    walk = estimate("backward", COMPENDIUM_M_MIN, "walk")
    assert (walk.direction, walk.mode, walk.practice_factor) == ("backward", "walk", 1.0)
    assert walk.model == "ACSM walking + convex backward extra (Compendium 17320)"
    run = estimate("backward", FLYNN_RUN_M_MIN, "run")
    assert run.model == "ACSM running ×backward factor 1.35 (Rasica 2020)"
    assert estimate("forward", 80.0, "walk").model == "ACSM walking"
    assert estimate("forward", FLYNN_RUN_M_MIN, "run").model == "ACSM running"


# --- Backward walking: Compendium 2011, Myatt 1995, Clarkson 1997 -----------------------------


def test_backward_walking_at_3_5_mph_is_compendium_17320_exactly() -> None:
    assert vo2("backward", COMPENDIUM_M_MIN, "walk") == pytest.approx(21.0, rel=1e-12)


def test_the_backward_walking_extra_grows_with_the_square_of_speed() -> None:
    """Myatt 1995, Clarkson 1997: convex in speed. At half the Compendium speed, a quarter of
    its 8.12 ml/kg/min extra over forward; at 1.2 times the speed, 1.44 times the extra."""
    half = COMPENDIUM_M_MIN / 2
    extra_at_half = vo2("backward", half, "walk") - vo2("forward", half, "walk")
    assert extra_at_half == pytest.approx(BACKWARD_EXTRA_AT_COMPENDIUM / 4)
    faster = COMPENDIUM_M_MIN * 1.2
    extra_faster = vo2("backward", faster, "walk") - vo2("forward", faster, "walk")
    assert extra_faster == pytest.approx(BACKWARD_EXTRA_AT_COMPENDIUM * 1.44)


def test_backward_walking_up_5_percent_is_compendium_17325_exactly() -> None:
    """Compendium 2011 code 17325 (Chaloupka 1997's bout): 3.5 mph up 5 % = 8.0 MET."""
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", 0.05).met == pytest.approx(8.0, rel=1e-12)


def test_backward_walking_climbs_in_proportion_to_the_grade() -> None:
    """The 2 MET climb from 17320 (level) to 17325 (5 %) is carried on in proportion:
    2.5 % is 7.0 MET and 10 % (Hooper 2004's steepest) is 10.0 MET."""
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", 0.10).met == pytest.approx(10.0)
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", 0.025).met == pytest.approx(7.0)


def test_backward_walking_downhill_keeps_the_forward_grade_term() -> None:
    """No backward downhill evidence: the ACSM term 1.8·S·G applies unchanged (no 0.83 factor).
    93.8 m/min down 5 %: 21.0 − 1.8 × 93.8 × 0.05 = 12.558 ml/kg/min."""
    assert vo2("backward", COMPENDIUM_M_MIN, "walk", -0.05) == pytest.approx(12.558)


# --- Backward running: Rasica 2020 ----------------------------------------------------------


def test_backward_running_costs_35_percent_more_net_on_the_level() -> None:
    """Rasica 2020: ~35 % more per distance. Flynn 1994's 160.8 m/min: forward net 32.16,
    backward net 43.416 ml/kg/min."""
    assert vo2("backward", FLYNN_RUN_M_MIN, "run") == pytest.approx(3.5 + 1.35 * 32.16)
    assert vo2("forward", FLYNN_RUN_M_MIN, "run") == pytest.approx(3.5 + 32.16)


def test_backward_running_uphill_costs_35_percent_more_net_too() -> None:
    """Rasica 2020 saw the same ~35 % at every gradient up to 25 %."""
    net_forward_up_5 = 0.2 * FLYNN_RUN_M_MIN + 0.9 * FLYNN_RUN_M_MIN * 0.05  # 39.396
    assert vo2("backward", FLYNN_RUN_M_MIN, "run", 0.05) == pytest.approx(
        3.5 + 1.35 * net_forward_up_5
    )


def test_backward_running_downhill_keeps_the_forward_grade_term() -> None:
    """Downhill the 1.35 applies to the level cost only: 3.5 + 43.416 − 0.9 × 160.8 × 0.10."""
    assert vo2("backward", FLYNN_RUN_M_MIN, "run", -0.10) == pytest.approx(32.444)


# --- Downhill: never below half the level net cost (our reasoning, Minetti 2002) --------------


def test_gentle_downhill_walking_is_the_acsm_equation() -> None:
    """93.8 m/min down 2 %: 12.88 − 1.8 × 93.8 × 0.02 = 9.5032, above the floor of 8.19."""
    assert vo2("forward", COMPENDIUM_M_MIN, "walk", -0.02) == pytest.approx(9.5032)


@pytest.mark.parametrize(
    ("direction", "mode", "speed_m_min", "level_net"),
    [
        ("forward", "walk", COMPENDIUM_M_MIN, 9.38),
        ("backward", "walk", COMPENDIUM_M_MIN, 17.5),  # 21.0 − 3.5
        ("forward", "run", FLYNN_RUN_M_MIN, 32.16),
        ("backward", "run", FLYNN_RUN_M_MIN, 43.416),
    ],
)
def test_steep_downhill_costs_half_the_level_net(
    direction: str, mode: str, speed_m_min: float, level_net: float
) -> None:
    for grade in (-0.30, -0.45):
        assert vo2(direction, speed_m_min, mode, grade) == pytest.approx(3.5 + level_net / 2)


def test_downhill_running_just_above_the_floor_is_the_acsm_equation() -> None:
    """160.8 m/min down 10 %: 35.66 − 14.472 = 21.188, above the floor of 19.58."""
    assert vo2("forward", FLYNN_RUN_M_MIN, "run", -0.10) == pytest.approx(21.188)


# --- Walk–run switch: Hreljac 2005 ----------------------------------------------------------


def test_auto_picks_the_gait_at_the_transition_speed() -> None:
    """Hreljac 2005: backward walk–run transition 1.63 m/s; forward ≈ 2.0 m/s [M]."""
    assert estimate_energy("backward", 1.63, MASS_KG).mode == "run"
    assert estimate_energy("backward", 1.629, MASS_KG).mode == "walk"
    assert estimate_energy("forward", 2.0, MASS_KG).mode == "run"
    assert estimate_energy("forward", 1.999, MASS_KG).mode == "walk"


def test_an_asked_gait_is_kept_whatever_the_speed() -> None:
    assert estimate_energy("backward", 2.5, MASS_KG, mode="walk").mode == "walk"
    assert estimate_energy("forward", 1.0, MASS_KG, mode="run").mode == "run"
    assert vo2("forward", 60.0, "run") == pytest.approx(3.5 + 0.2 * 60)


def test_forward_running_just_past_the_switch_uphill_is_held_at_walking_cost() -> None:
    """Up 20 %, ACSM running at 2.0 m/s (3.5 + 24 + 21.6 = 49.1) is cheaper than walking at
    2.0 m/s (3.5 + 12 + 43.2 = 58.7): `auto` holds the run at the walking cost, and says so."""
    held = estimate_energy("forward", 2.0, MASS_KG, grade=0.2)
    assert held.vo2_ml_kg_min == pytest.approx(58.7)
    assert held.mode == "run"
    assert held.model == "ACSM running"
    assert held.flags[-1] == (
        "running just past the walk–run switch up 20 %: held at the cost of walking at the "
        "switch (2 m/s), so going faster never costs less (the ACSM running grade term is half "
        "the walking one; our reasoning)"
    )
    asked = estimate_energy("forward", 2.0, MASS_KG, mode="run", grade=0.2)
    assert asked.vo2_ml_kg_min == pytest.approx(49.1)  # an asked gait is never held


def test_backward_running_just_past_the_switch_is_held_at_backward_walking_cost() -> None:
    """Up 29 % a novice's backward walk at 1.63 m/s (64.44 ml/kg/min, just above the forward
    walk's 64.33) is dearer than the backward run (64.37): held at the backward walking cost."""
    walking = vo2("backward", 1.63 * 60, "walk", 0.29)
    assert walking > vo2("forward", 1.63 * 60, "walk", 0.29)
    held = estimate_energy("backward", 1.63, MASS_KG, grade=0.29)
    assert held.vo2_ml_kg_min == walking
    assert held.flags[-1].startswith(
        "running just past the walk–run switch up 29 %: held at the cost of walking at the "
        "switch (1.63 m/s)"
    )


def test_on_the_level_running_at_the_switch_is_never_held() -> None:
    """Hreljac 2005: at the transition, running costs more than walking."""
    run = estimate_energy("backward", 1.63, MASS_KG)
    assert run.vo2_ml_kg_min == pytest.approx(3.5 + 1.35 * 0.2 * 97.8)
    assert not any("held" in flag for flag in run.flags)


# --- Familiarisation: Heath 2001, Terblanche 2005 -------------------------------------------


def test_practice_saves_19_percent_after_12_sessions_and_levels_at_30() -> None:
    """Heath 2001: 12 sessions, −19 %; Terblanche 2005: ~30 % at most. 1 − 0.30·(1 − e^(−n/12))."""
    assert practice_factor(0) == 1.0
    assert practice_factor(1) == pytest.approx(1 - 0.30 * (1 - math.exp(-1 / 12)))  # 0.976
    assert practice_factor(12) == pytest.approx(1 - 0.30 * (1 - math.exp(-1)))  # 0.810
    assert 1 - practice_factor(12) == pytest.approx(0.190, abs=5e-4)
    assert practice_factor(1000) == pytest.approx(0.70)


def test_practice_multiplies_the_backward_cost() -> None:
    """After Heath 2001's 12 sessions, Compendium 17320's 21.0 ml/kg/min becomes 17.02."""
    practised = estimate("backward", COMPENDIUM_M_MIN, "walk", sessions=12)
    assert practised.vo2_ml_kg_min == pytest.approx(21.0 * practice_factor(12))
    assert practised.practice_factor == practice_factor(12)
    assert practised.flags == ()


def test_practice_is_about_moving_backward_only() -> None:
    forward = estimate("forward", COMPENDIUM_M_MIN, "walk", sessions=40)
    assert forward.practice_factor == 1.0
    assert forward.vo2_ml_kg_min == pytest.approx(FORWARD_AT_COMPENDIUM)
    assert forward.flags == ()  # no "extrapolated" warning for forward walking


def test_practice_beyond_the_studied_18_sessions_is_flagged() -> None:
    """Terblanche 2005: 6 weeks, about 18 sessions; beyond that the curve is extrapolated."""
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", sessions=18).flags == ()
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", sessions=19).flags == (
        "practice effect after 19 sessions is extrapolated beyond the ~18 studied "
        "(Terblanche 2005)",
    )


def test_practice_never_takes_backward_below_forward_and_says_so() -> None:
    """Running, 160.8 m/min: 46.916 × 0.70 = 32.8 would be below forward's 35.66."""
    practised = estimate("backward", FLYNN_RUN_M_MIN, "run", sessions=60)
    assert practised.vo2_ml_kg_min == pytest.approx(35.66)
    assert practised.flags[-1] == (
        "with this much practice the backward estimate reached the forward cost at the same "
        "speed; it is never taken lower"
    )
    some_practice = estimate("backward", FLYNN_RUN_M_MIN, "run", sessions=6)
    assert not any("never taken lower" in flag for flag in some_practice.flags)


def test_slow_steep_backward_walking_is_kept_at_forward_cost_with_its_own_reason() -> None:
    """0.5 m/s up 25 %: the fitted climb term would take backward below forward."""
    steep = estimate_energy("backward", 0.5, MASS_KG, mode="walk", grade=0.25)
    assert steep.vo2_ml_kg_min == pytest.approx(3.5 + 3.0 + 1.8 * 30 * 0.25)  # forward: 20.0
    assert (
        "steep, slow backward walking: kept at the forward cost, as backward has cost more than "
        "forward at every grade measured (Chaloupka 1997, Hooper 2004)"
    ) in steep.flags
    assert not any("never taken lower" in flag for flag in steep.flags)


def test_a_slow_steep_backward_run_is_not_called_walking() -> None:
    """At 11.1 % (1/9) ACSM walking and running cost the same (0.1·S + 1.8·S·G = 0.2·S +
    0.9·S·G), so slow backward walking there sits at the forward cost; a backward run at the same
    speed and grade keeps Rasica's 35 % and gets no walking note."""
    run = estimate_energy("backward", 0.5, MASS_KG, mode="run", grade=1 / 9)
    assert run.vo2_ml_kg_min == pytest.approx(3.5 + 1.35 * (0.2 * 30 + 0.9 * 30 / 9))
    assert not any("steep, slow backward walking" in flag for flag in run.flags)
    walk = estimate_energy("backward", 0.5, MASS_KG, mode="walk", grade=1 / 9)
    assert any("steep, slow backward walking" in flag for flag in walk.flags)


# --- Heart rate: Keytel 2005 ----------------------------------------------------------------


def test_keytel_replaces_the_speed_model_whatever_the_speed_and_grade() -> None:
    """A measured heart rate already carries fitness and practice (Keytel 2005)."""
    slow = estimate_energy("backward", 0.5, 75.0, heart_rate_bpm=150, age_years=30, sex="male")
    fast = estimate_energy(
        "forward", 4.0, 75.0, grade=0.1, heart_rate_bpm=150, age_years=30, sex="male"
    )
    practised = estimate_energy(
        "backward",
        1.0,
        75.0,
        backward_sessions_done=30,
        heart_rate_bpm=150,
        age_years=30,
        sex="male",
    )
    expected = 60.4991 / 4.184  # (−55.0969 + 0.6309·150 + 0.1988·75 + 0.2017·30) / 4.184
    for estimate_ in (slow, fast, practised):
        assert estimate_.kcal_per_min == pytest.approx(expected, rel=1e-9)
        assert estimate_.model == "Keytel 2005 heart rate"
        assert estimate_.flags == ()
    assert fast.met == pytest.approx(expected * 1000 / (5 * 75.0) / 3.5)
    assert fast.intensity == "vigorous"


def test_keytel_for_a_woman_uses_the_female_equation() -> None:
    """(−20.4022 + 0.4472·150 − 0.1263·60 + 0.074·30) / 4.184 kcal/min."""
    woman = estimate_energy("forward", 2.5, 60.0, heart_rate_bpm=150, age_years=30, sex="female")
    assert woman.kcal_per_min == pytest.approx(41.3198 / 4.184, rel=1e-9)
    assert woman.vo2_ml_kg_min == pytest.approx(41.3198 / 4.184 * 1000 / 300)


def test_a_heart_rate_under_90_is_flagged_as_low_for_keytel() -> None:
    """The equations come from exercise heart rates; 90 bpm is our line (our reasoning)."""
    at_90 = estimate_energy("forward", 1.0, 75.0, heart_rate_bpm=90.0, age_years=30, sex="male")
    assert at_90.flags == ()
    low = estimate_energy("forward", 1.0, 75.0, heart_rate_bpm=89.0, age_years=30, sex="male")
    assert low.flags == (
        "heart rate 89 bpm is low for Keytel 2005, whose equations come from exercise heart rates",
    )


def test_keytel_under_resting_is_raised_to_one_met_for_a_man_too() -> None:
    """A light young man at 70 bpm: the male equation gives under 3.5 ml/kg/min (the female
    one, for the same numbers, would not), so the estimate is raised to resting and says so."""
    man = estimate_energy("forward", 1.0, 45.0, heart_rate_bpm=70.0, age_years=20.0, sex="male")
    raw_kcal = (-55.0969 + 0.6309 * 70 + 0.1988 * 45 + 0.2017 * 20) / 4.184  # 0.49 kcal/min
    assert raw_kcal * 1000 / (5 * 45.0) < 3.5
    assert man.vo2_ml_kg_min == 3.5
    assert man.met == 1.0
    assert man.flags == (
        "heart rate 70 bpm is low for Keytel 2005, whose equations come from exercise heart rates",
        "Keytel 2005 gave less than resting; raised to resting (1 MET)",
    )


def test_heart_rate_needs_age_and_sex_and_says_so_otherwise() -> None:
    plain = estimate("backward", COMPENDIUM_M_MIN, "walk")
    note = "heart rate not used: Keytel 2005 needs age and sex as well"
    for person in ({}, {"age_years": 40.0}, {"sex": "female"}):
        partial = estimate_energy(
            "backward",
            COMPENDIUM_M_S,
            MASS_KG,
            mode="walk",
            heart_rate_bpm=140.0,
            **person,
        )
        assert partial.vo2_ml_kg_min == plain.vo2_ml_kg_min
        assert partial.flags == (note,)
    no_rate = estimate_energy(
        "backward", COMPENDIUM_M_S, MASS_KG, mode="walk", age_years=40.0, sex="female"
    )
    assert no_rate == plain


def test_an_impossible_heart_rate_is_refused_even_when_it_would_not_be_used() -> None:
    with pytest.raises(InvalidInput, match="heart rate 300 bpm is outside 25–250 bpm"):
        estimate_energy("forward", 1.0, MASS_KG, heart_rate_bpm=300.0)


# --- Intensity bands: ACSM (Riebe 2015) ----------------------------------------------------


def test_intensity_bands_are_read_after_rounding_to_a_millionth() -> None:
    """ACSM: moderate from 3 MET, vigorous from 6. A 6.0 MET that float arithmetic leaves a
    hair under 6 (Compendium 17320 is worked out, not stored) still lands on vigorous."""
    assert intensity_class(6.0 - 4e-7) == "vigorous"
    assert intensity_class(3.0 - 4e-7) == "moderate"
    assert intensity_class(6.0 - 2e-6) == "moderate"
    assert intensity_class(3.0 - 2e-6) == "light"


# --- Flags: where the evidence runs out -----------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "mode", "speed_m_s", "flag"),
    [
        (
            "backward",
            "run",
            1.0,
            "running at 60 m/min is below even the ACSM jogging range (80–134 m/min)",
        ),
        (
            "forward",
            "run",
            2.0,
            "running at 120 m/min: the ACSM running equation is validated above 134 m/min "
            "(80–134 only if truly jogging)",
        ),
        (
            "backward",
            "walk",
            0.5,
            "backward walking at 0.50 m/s is outside the 0.89–1.91 m/s studied "
            "(Myatt 1995, Clarkson 1997)",
        ),
        (
            "backward",
            "walk",
            2.2,
            "backward walking at 2.20 m/s is outside the 0.89–1.91 m/s studied "
            "(Myatt 1995, Clarkson 1997)",
        ),
        (
            "forward",
            "walk",
            0.5,
            "walking at 30 m/min is outside the ACSM walking equation's 50–100 m/min",
        ),
        (
            "forward",
            "walk",
            2.0,
            "walking at 120 m/min is outside the ACSM walking equation's 50–100 m/min",
        ),
    ],
)
def test_a_speed_outside_the_studied_range_is_flagged(
    direction: str, mode: str, speed_m_s: float, flag: str
) -> None:
    assert estimate_energy(direction, speed_m_s, MASS_KG, mode=mode).flags == (flag,)


@pytest.mark.parametrize(
    ("direction", "mode", "speed_m_min"),
    [
        ("forward", "walk", 50.0),  # ACSM walking: valid 50–100 m/min
        ("forward", "walk", 100.0),
        ("backward", "walk", 0.89 * 60),  # Myatt 1995, Clarkson 1997: 0.89–1.91 m/s
        ("backward", "walk", 1.91 * 60),
        ("forward", "run", 134.5),  # ACSM running: valid above 134 m/min
    ],
)
def test_a_speed_on_the_edge_of_the_studied_range_is_not_flagged(
    direction: str, mode: str, speed_m_min: float
) -> None:
    assert estimate(direction, speed_m_min, mode).flags == ()


def test_running_from_80_to_134_m_min_is_the_jogging_range() -> None:
    """ACSM: running from 134 m/min, or from 80 if truly jogging: both ends are jogging."""
    for speed_m_min in (80.0, 134.0):
        (flag,) = estimate("forward", speed_m_min, "run").flags
        assert flag.endswith("(80–134 only if truly jogging)")


def test_downhill_is_flagged_and_level_is_not() -> None:
    downhill = estimate("forward", 90.0, "walk", -0.01)
    assert downhill.flags == (
        "downhill: the ACSM equations are not validated downhill; the net cost is kept at "
        "least half the level cost (our reasoning)",
    )
    assert estimate("forward", 90.0, "walk", 0.0).flags == ()


def test_backward_grades_beyond_the_studies_are_flagged() -> None:
    """Rasica 2020 ran backward up to 25 %; backward walking was measured up to 10 %."""
    assert estimate("backward", FLYNN_RUN_M_MIN, "run", 0.25).flags == ()
    assert estimate("backward", FLYNN_RUN_M_MIN, "run", 0.30).flags == (
        "backward running at 30 % grade: Rasica 2020 studied 0–25 %",
    )
    assert estimate("forward", FLYNN_RUN_M_MIN, "run", 0.30).flags == ()
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", 0.10).flags == ()
    assert estimate("backward", COMPENDIUM_M_MIN, "walk", 0.15).flags == (
        "backward walking at 15 % grade: measured only up to 10 % (Chaloupka 1997 at 5 %, "
        "Hooper 2004 at 5–10 %); the 5 % climb is carried on in proportion",
    )
    assert estimate("forward", COMPENDIUM_M_MIN, "walk", 0.15).flags == ()


def test_standing_still_backward_is_flagged_only_as_slow() -> None:
    still = estimate_energy("backward", 0.0, MASS_KG, mode="walk")
    assert still.vo2_ml_kg_min == 3.5
    assert still.flags == (
        "backward walking at 0.00 m/s is outside the 0.89–1.91 m/s studied "
        "(Myatt 1995, Clarkson 1997)",
    )


# --- Physical limits: refused only beyond anyone (core.limits) -----------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {"direction": "backward", "speed_m_s": 8.5},  # fastest backward (core.limits)
        {"direction": "forward", "speed_m_s": 12.5},  # fastest forward (Bolt ≈ 12.4 m/s)
        {"grade": 0.45},
        {"grade": -0.45},
        {"mass_kg": 20.0},
        {"mass_kg": 350.0},
        {"heart_rate_bpm": 25.0, "age_years": 30.0, "sex": "male"},
        {"heart_rate_bpm": 250.0, "age_years": 30.0, "sex": "male"},
        {"heart_rate_bpm": 120.0, "age_years": 120.0, "sex": "female"},
        {"heart_rate_bpm": 120.0, "age_years": 1.0, "sex": "female"},
        {"backward_sessions_done": np.int64(12)},
    ],
)
def test_values_at_the_physical_limits_are_accepted(arguments: dict[str, object]) -> None:
    given: dict[str, object] = {"direction": "backward", "speed_m_s": 1.2, "mass_kg": MASS_KG}
    given.update(arguments)
    assert estimate_energy(**given).vo2_ml_kg_min >= 3.5  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"speed_m_s": 8.6}, "faster than anyone moves backward (limit 8.5 m/s)"),
        ({"direction": "forward", "speed_m_s": 12.6}, "moves forward (limit 12.5 m/s)"),
        ({"grade": math.inf}, "grade must be a finite number, got inf"),
        ({"mass_kg": math.nan}, "body mass must be a finite number, got nan"),
        ({"duration_s": math.nan}, "duration must be a finite number, got nan"),
        ({"heart_rate_bpm": math.nan}, "heart rate must be a finite number, got nan"),
        (
            {"heart_rate_bpm": 120.0, "age_years": math.nan, "sex": "male"},
            "age must be a finite number, got nan",
        ),
        ({"heart_rate_bpm": 120.0, "age_years": 0.0, "sex": "male"}, "age 0 years is outside"),
        ({"heart_rate_bpm": 120.0, "age_years": 120.5, "sex": "male"}, "outside 0–120 years"),
        ({"backward_sessions_done": True}, "must be a whole number, got True"),
        ({"backward_sessions_done": 2.5}, "must be a whole number, got 2.5"),
        ({"direction": "BACKWARD"}, "direction must be 'forward' or 'backward'"),
        ({"mode": "RUN"}, "mode must be 'walk', 'run' or 'auto'"),
    ],
)
def test_impossible_values_are_refused_naming_the_input(
    arguments: dict[str, object], message: str
) -> None:
    given: dict[str, object] = {"direction": "backward", "speed_m_s": 1.2, "mass_kg": MASS_KG}
    given.update(arguments)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        estimate_energy(**given)  # type: ignore[arg-type]


# --- Comparison with forward, and plan steps -------------------------------------------------


def test_compendium_17320_is_63_percent_above_forward_at_the_same_speed() -> None:
    """Equal-speed comparison: 21.0 against ACSM forward walking's 12.88 ml/kg/min (a novice)."""
    comparison = compare_with_forward("backward", COMPENDIUM_M_S, MASS_KG, mode="walk")
    assert comparison.ratio_to_forward == pytest.approx(21.0 / 12.88)
    assert comparison.estimate.vo2_ml_kg_min == pytest.approx(21.0)
    assert comparison.forward.vo2_ml_kg_min == pytest.approx(12.88)
    assert comparison.forward.direction == "forward"


def test_the_comparison_keeps_grade_duration_gait_and_practice() -> None:
    """A backward run at 1.5 m/s is compared with a forward run, not a walk, up the same grade,
    for the same time; practice changes the backward side only."""
    comparison = compare_with_forward(
        "backward",
        1.5,
        MASS_KG,
        mode="run",
        grade=0.05,
        duration_s=600,
        backward_sessions_done=12,
    )
    forward_vo2 = 3.5 + 0.2 * 90 + 0.9 * 90 * 0.05  # ACSM running: 25.55
    backward_vo2 = (3.5 + 1.35 * (0.2 * 90 + 0.9 * 90 * 0.05)) * practice_factor(12)
    assert comparison.forward.mode == comparison.estimate.mode == "run"
    assert comparison.forward.vo2_ml_kg_min == pytest.approx(forward_vo2)
    assert comparison.estimate.vo2_ml_kg_min == pytest.approx(backward_vo2)
    assert comparison.forward.kcal == pytest.approx(forward_vo2 * KCAL_PER_MIN_PER_VO2 * 10)
    assert comparison.estimate.kcal == pytest.approx(backward_vo2 * KCAL_PER_MIN_PER_VO2 * 10)


def test_a_plan_step_with_a_speed_is_costed_as_asked() -> None:
    """A backward run at 1.5 m/s up 5 %: the plan's gait and grade, no assumption flagged."""
    step = estimate_step_cost("backward", "run", 1.5, 600, MASS_KG, grade=0.05)
    assert step.mode == "run"
    assert step.vo2_ml_kg_min == pytest.approx(3.5 + 1.35 * (0.2 * 90 + 0.9 * 90 * 0.05))
    assert step.kcal == pytest.approx(step.vo2_ml_kg_min * KCAL_PER_MIN_PER_VO2 * 10)
    assert not any("no speed given" in flag for flag in step.flags)


def test_a_plan_step_without_a_speed_says_so_first() -> None:
    """A plan step that says only "walk backward 5 min": SCIENCE.md §5's cautious 0.9 m/s, for
    a novice, on the level."""
    step = estimate_step_cost("backward", "walk", None, 300, MASS_KG)
    assert step.flags[0] == "no speed given: assumed a typical backward walk of 0.9 m/s"
    assert step.practice_factor == 1.0
    assert step.vo2_ml_kg_min == estimate("backward", 54.0, "walk").vo2_ml_kg_min
    run = estimate_step_cost("forward", "run", None, 300, MASS_KG)
    assert run.flags[0] == "no speed given: assumed a typical forward run of 2.8 m/s"


# --- A recorded series: the same rules sample by sample --------------------------------------

# The edges of every rule: standing, the studied ranges, the walk–run switches, the limits.
BACKWARD_EDGE_SPEEDS = [0.0, 0.89, 1.0, 1.62, 1.63, 1.91, 2.5, 8.5]
FORWARD_EDGE_SPEEDS = [0.0, 50 / 60, 100 / 60, 1.99, 2.0, 134 / 60, 4.0, 12.5]
EDGE_GRADES = [-0.45, -0.1, -0.02, 0.0, 0.05, 0.1, 0.25, 0.29, 0.3, 0.45]
# Series flag → the words of the one-estimate flag it counts
COUNTED_FLAGS = {
    "backward walking samples outside the studied": "outside the 0.89–1.91 m/s studied",
    "downhill samples": "downhill:",
    "backward running samples steeper than the studied 25 %": "Rasica 2020 studied 0–25 %",
    "backward walking samples steeper than the studied 10 %": "measured only up to 10 %",
    "running samples just past the walk–run switch uphill": "held at the cost of walking",
}


def _counts(series_flags: tuple[str, ...]) -> dict[str, int]:
    counts = dict.fromkeys(COUNTED_FLAGS, 0)
    for flag in series_flags:
        number, rest = flag.split(" ", 1)
        (kind,) = [kind for kind in COUNTED_FLAGS if rest.startswith(kind)]
        counts[kind] = int(number)
    return counts


@pytest.mark.parametrize("mode", ["walk", "run", "auto"])
@pytest.mark.parametrize("sessions", [0, 12])
def test_a_series_agrees_with_single_estimates_at_every_edge(mode: str, sessions: int) -> None:
    """Every sample costs what one estimate at its speed, grade and direction costs, and the
    series' counted warnings count the single estimates' warnings."""
    samples = [(s, g, True) for s in BACKWARD_EDGE_SPEEDS for g in EDGE_GRADES]
    samples += [(s, g, False) for s in FORWARD_EDGE_SPEEDS for g in EDGE_GRADES]
    series = energy_series(
        [s for s, _, _ in samples],
        [g for _, g, _ in samples],
        [b for _, _, b in samples],
        mass_kg=MASS_KG,
        mode=mode,
        backward_sessions_done=sessions,
        sample_s=60.0,
    )
    singles = [
        estimate_energy(
            "backward" if b else "forward",
            s,
            MASS_KG,
            mode=mode,
            grade=g,
            duration_s=60.0,
            backward_sessions_done=sessions,
        )
        for s, g, b in samples
    ]
    assert series.vo2_ml_kg_min.tolist() == [e.vo2_ml_kg_min for e in singles]
    assert series.running.tolist() == [e.mode == "run" for e in singles]
    assert series.total_kcal == pytest.approx(sum(e.kcal or 0.0 for e in singles), rel=1e-12)
    expected = {
        kind: sum(any(words in flag for flag in e.flags) for e in singles)
        for kind, words in COUNTED_FLAGS.items()
    }
    assert _counts(series.flags) == expected


@pytest.mark.parametrize(("direction", "switch_m_s"), [("forward", 2.0), ("backward", 1.63)])
@pytest.mark.parametrize("sessions", [0, 12, 40])
def test_a_series_and_one_estimate_hold_at_the_switch_from_the_same_grade(
    direction: str, switch_m_s: float, sessions: int
) -> None:
    """Where walking and running at the switch cost the same, rounding can put either ahead for
    a grade or two: the series and one estimate must still agree on every grade near it."""
    practice = practice_factor(sessions)
    crossing = _hold_from_grade(direction, practice)
    grades = [crossing]
    for _ in range(8):
        grades = [
            float(np.nextafter(grades[0], -1.0)),
            *grades,
            float(np.nextafter(grades[-1], 1.0)),
        ]
    series = energy_series(
        [switch_m_s] * len(grades),
        grades,
        direction == "backward",
        mass_kg=MASS_KG,
        backward_sessions_done=sessions,
    )
    singles = [
        estimate_energy(
            direction, switch_m_s, MASS_KG, grade=grade, backward_sessions_done=sessions
        )
        for grade in grades
    ]
    assert series.vo2_ml_kg_min.tolist() == [e.vo2_ml_kg_min for e in singles]
    held = sum(any("held at the cost" in flag for flag in e.flags) for e in singles)
    assert _counts(series.flags)["running samples just past the walk–run switch uphill"] == held


def test_a_minute_of_samples_one_second_apart() -> None:
    """Samples stand for one second each unless told: 60 samples of forward walking at 1 m/s
    are one minute of ACSM walking, 9.5 ml/kg/min × 0.35 = 3.325 kcal."""
    series = energy_series([1.0] * 60, 0.0, False, mass_kg=MASS_KG)
    assert series.total_kcal == pytest.approx(3.325)
    assert series.kcal_per_min.tolist() == pytest.approx([3.325] * 60)
    assert series.flags == ()
    assert not series.running.any() and not series.heart_rate_used.any()


def test_each_sample_counts_for_its_own_time() -> None:
    """Σ kcal/min × seconds / 60: 30 s and 90 s at two costs."""
    series = energy_series([1.0, 1.0], [0.0, 0.05], False, mass_kg=MASS_KG, sample_s=[30, 90])
    level, uphill = 3.5 + 6.0, 3.5 + 6.0 + 1.8 * 60 * 0.05
    expected = (level * 30 + uphill * 90) / 60 * KCAL_PER_MIN_PER_VO2
    assert series.total_kcal == pytest.approx(expected)


def test_a_series_in_an_asked_gait_is_never_held() -> None:
    steep = energy_series([2.0, 3.0], 0.2, False, mass_kg=MASS_KG, mode="run")
    assert steep.vo2_ml_kg_min.tolist() == pytest.approx([49.1, 3.5 + 36 + 32.4])
    assert steep.running.tolist() == [True, True]
    walking = energy_series([2.0, 3.0], 0.2, False, mass_kg=MASS_KG, mode="walk")
    assert walking.running.tolist() == [False, False]


def test_one_steep_sample_past_the_switch_is_held_and_counted() -> None:
    alone = energy_series([2.0], 0.2, False, mass_kg=MASS_KG)
    assert alone.vo2_ml_kg_min.tolist() == pytest.approx([58.7])
    assert alone.flags == (
        "1 running samples just past the walk–run switch uphill: held at the cost of walking "
        "at the switch speed",
    )
    backward = energy_series([1.0, 1.63], 0.29, True, mass_kg=MASS_KG)
    assert backward.vo2_ml_kg_min[1] == vo2("backward", 1.63 * 60, "walk", 0.29)
    walking_uphill = energy_series([1.0, 3.0], 0.2, False, mass_kg=MASS_KG)
    assert walking_uphill.vo2_ml_kg_min[0] == pytest.approx(3.5 + 6 + 1.8 * 60 * 0.2)


def test_missing_heart_rate_samples_use_the_speed_model() -> None:
    """Keytel 2005 where the strap recorded, the speed model where it dropped out (NaN or None);
    a held sample that heart rate replaced is not counted as held."""
    series = energy_series(
        [1.0, 2.0, 2.0],
        [0.0, 0.2, 0.2],
        False,
        mass_kg=75.0,
        heart_rate_bpm=[None, 150.0, math.nan],  # type: ignore[arg-type]  # a JSON null
        age_years=30.0,
        sex="male",
    )
    assert series.heart_rate_used.tolist() == [False, True, False]
    assert series.kcal_per_min[1] == pytest.approx(60.4991 / 4.184)
    assert series.vo2_ml_kg_min[0] == pytest.approx(3.5 + 6.0)
    assert series.vo2_ml_kg_min[2] == pytest.approx(58.7)
    assert series.flags == (
        "1 running samples just past the walk–run switch uphill: held at the cost of walking "
        "at the switch speed",
    )


def test_a_series_keytel_under_resting_is_raised_to_one_met() -> None:
    series = energy_series(
        [1.0], 0.0, False, mass_kg=45.0, heart_rate_bpm=[70.0], age_years=20.0, sex="male"
    )
    assert series.vo2_ml_kg_min.tolist() == [3.5]


def test_a_series_heart_rate_without_age_and_sex_is_not_used_and_says_so() -> None:
    series = energy_series([1.0], 0.0, False, mass_kg=MASS_KG, heart_rate_bpm=[150.0])
    assert series.heart_rate_used.tolist() == [False]
    assert series.flags == ("heart rate not used: Keytel 2005 needs age and sex as well",)


def test_a_series_counts_its_warnings() -> None:
    series = energy_series(
        [0.5, 0.89, 1.91, 2.0, 3.0, 1.0, 1.0, 0.5],
        [0.0, 0.0, 0.0, 0.0, 0.3, 0.1, 0.12, -0.01],
        [True, True, True, True, True, True, True, False],
        mass_kg=MASS_KG,
    )
    assert series.flags == (
        "1 backward walking samples outside the studied 0.89–1.91 m/s",
        "1 downhill samples: ACSM is not validated downhill",
        "1 backward running samples steeper than the studied 25 %",
        "1 backward walking samples steeper than the studied 10 %",
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"speed_m_s": [1.0, None]}, "speed_m_s[1] = nan is not a number"),
        ({"speed_m_s": [0.0, -0.5]}, "speed_m_s[1] = -0.5 m/s: speed cannot be negative"),
        ({"speed_m_s": [20.0]}, "speed_m_s[0] = 20 m/s is faster than anyone moves"),
        (
            {"speed_m_s": [12.5, 8.6], "backward": [False, True]},
            "speed_m_s[1] = 8.6 m/s is faster than anyone moves",
        ),
        ({"grade": [0.0, None]}, "grade[1] = nan is not a number"),
        ({"grade": [0.0, -0.5]}, "grade[1] = -0.5 is beyond ±0.45 (±45 %)"),
        ({"grade": [0.46, 0.0]}, "grade[0] = 0.46 is beyond ±0.45 (±45 %)"),
        ({"grade": [0.45, 0.5]}, "grade[1] = 0.5 is beyond ±0.45 (±45 %)"),
        ({"heart_rate_bpm": [25.0, 24.0]}, "heart_rate_bpm[1] = 24 bpm is outside 25–250 bpm"),
        ({"heart_rate_bpm": [250.0, 251.0]}, "heart_rate_bpm[1] = 251 bpm is outside 25–250 bpm"),
        ({"sample_s": [1.0, -1.0]}, "sample_s[1] = -1 s is not a duration of 0 s or more"),
        ({"sample_s": [None, 1.0]}, "sample_s[0] = nan s is not a duration of 0 s or more"),
        ({"grade": [0.0]}, "grade has shape (1,), but there are 2 speed samples"),
        ({"backward": [True]}, "backward has shape (1,), but there are 2 speed samples"),
        ({"sample_s": [1.0] * 3}, "sample_s has shape (3,), but there are 2 speed samples"),
        ({"heart_rate_bpm": [100.0]}, "heart_rate_bpm has shape (1,), but there are 2 speed"),
        ({"speed_m_s": [[1.0, 1.0]]}, "speed_m_s must be a one-dimensional series"),
        ({"mass_kg": 19.0}, "body mass 19 kg is outside 20–350 kg"),
        ({"mode": "jog"}, "mode must be 'walk', 'run' or 'auto', got 'jog'"),
        ({"backward_sessions_done": -1}, "backward sessions done cannot be negative"),
        ({"heart_rate_bpm": [100.0, 100.0], "age_years": 30.0, "sex": "x"}, "sex must be"),
        ({"heart_rate_bpm": [100.0, 100.0], "age_years": 0.0, "sex": "male"}, "age 0 years"),
    ],
)
def test_a_series_with_an_impossible_sample_is_refused_naming_it(
    arguments: dict[str, object], message: str
) -> None:
    given: dict[str, object] = {
        "speed_m_s": [1.0, 2.0],
        "grade": 0.0,
        "backward": False,
        "mass_kg": MASS_KG,
    }
    given.update(arguments)
    if "heart_rate_bpm" in arguments and "age_years" not in arguments:
        given.update(age_years=30.0, sex="female")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        energy_series(**given)  # type: ignore[arg-type]


def test_a_series_at_the_physical_limits_is_accepted() -> None:
    series = energy_series(
        [8.5, 12.5, 0.0],
        [-0.45, 0.45, 0.0],
        [True, False, False],
        mass_kg=MASS_KG,
        sample_s=[0.0, 1.0, 1.0],
        heart_rate_bpm=[25.0, 250.0, math.nan],
        age_years=30.0,
        sex="male",
    )
    assert series.heart_rate_used.tolist() == [True, True, False]
