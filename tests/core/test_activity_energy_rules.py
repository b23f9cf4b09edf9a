"""How a recording is cleaned before the energy model sees it, rule by rule.

Each test states the cleaned samples a rule should produce and checks the estimate equals the
energy model (`energy_series`) over exactly those samples. The rules are our reasoning, stated in
`core.activity_energy`: a sample stands for the time until the next (a gap over 10 s is a pause);
speed from distance over two samples either side; grade over fifteen samples either side and at
least 10 m of ground; impossible values replaced by their neighbours'.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from retrorun.core.activity_energy import Energy, energy_inputs, estimate_kcal
from retrorun.core.energy import energy_series, estimate_energy, practice_factor
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.formats.activity import Activity, make_streams

MASS_KG = 70.0
RUNNER = Profile(
    MASS_KG, 40, Experience.REGULAR, Goal.FITNESS, weekdays_for(3), 30, True, True, True
)
MAN = Profile(
    MASS_KG, 40, Experience.REGULAR, Goal.FITNESS, weekdays_for(3), 30, True, True, True, "male"
)
WOMAN = Profile(
    60.0, 35, Experience.REGULAR, Goal.FITNESS, weekdays_for(3), 30, True, True, True, "female"
)
START = datetime(2026, 12, 2, 8, tzinfo=UTC)
NAN = float("nan")
COMPENDIUM_M_S = 93.8 / 60  # Compendium 2011 code 17320: backward walking 3.5 mph = 6.0 MET


def recording(
    time_s: list[float], sport: str | None = "running", **columns: list[float]
) -> Activity:
    """A recording with the given per-sample columns (the rest missing)."""
    n = len(time_s)
    arrays = {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()}
    streams = make_streams(n, time_s=np.asarray(time_s, dtype=np.float64), **arrays)
    return Activity("fit", sport, START, float(n), None, streams)


def kcal(activity: Activity, backward: bool = False, profile: Profile = RUNNER) -> float | None:
    n = len(activity.streams)
    return estimate_kcal(activity, np.full(n, backward), 0.0, profile, 0).kcal


def model_kcal(
    speed_m_s: list[float],
    sample_s: list[float],
    grade: float | list[float] = 0.0,
    backward: bool = False,
) -> float:
    """The energy model over samples already clean."""
    return energy_series(speed_m_s, grade, backward, mass_kg=MASS_KG, sample_s=sample_s).total_kcal


def seconds(n: int) -> list[float]:
    return [float(i) for i in range(n)]


# --- Time: a sample stands for the time until the next ----------------------------------------


def test_each_sample_counts_until_the_next_and_a_long_gap_is_a_pause() -> None:
    """Gaps 0, 1, 2, 27 (a pause: 10 s), back in time (nothing), 2, and 1 s for the last."""
    time_s = [0.0, 0.0, 1.0, 3.0, 30.0, 29.0, 31.0]
    walk = recording(time_s, speed_m_s=[1.0] * 7)
    assert kcal(walk) == pytest.approx(model_kcal([1.0] * 7, [0, 1, 2, 10, 0, 2, 1]))
    # 1 m/s forward is 9.5 ml/kg/min (ACSM), 3.325 kcal/min at 70 kg: 16 s of it
    assert kcal(walk) == pytest.approx(3.325 * 16 / 60)


def test_a_sample_without_a_time_counts_for_nothing() -> None:
    walk = recording([0.0, NAN, 2.0], speed_m_s=[1.0] * 3)
    assert kcal(walk) == pytest.approx(model_kcal([1.0] * 3, [0, 0, 1]))


# --- Speed: the device's, else distance over two samples either side ---------------------------


def test_speed_from_distance_is_taken_over_two_samples_either_side() -> None:
    """Speeding up 1, 2, 3, 4, 5 m/s: each sample gets the distance from two samples before to two
    after over that time (fewer at the ends), which evens out GPS jitter."""
    walk_to_run = recording(seconds(6), distance_m=[0.0, 1.0, 3.0, 6.0, 10.0, 15.0])
    smoothed = [3 / 2, 6 / 3, 10 / 4, 14 / 4, 12 / 3, 9 / 2]
    assert kcal(walk_to_run) == pytest.approx(model_kcal(smoothed, [1.0] * 6))


def test_two_samples_a_second_apart_give_a_speed() -> None:
    short = recording([0.0, 1.0], distance_m=[0.0, 1.2])
    assert kcal(short) == pytest.approx(model_kcal([1.2, 1.2], [1.0, 1.0]))


def test_no_speed_from_distance_across_a_clock_that_jumped_back() -> None:
    """A watch clock reset mid-walk (10–14 s, then 0–4 s): the samples whose window spans the
    jump get no speed from distance, and take their neighbours' 1 m/s."""
    reset = recording(
        [10.0, 11.0, 12.0, 13.0, 14.0, 0.0, 1.0, 2.0, 3.0, 4.0], distance_m=seconds(10)
    )
    sample_s = [1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert kcal(reset) == pytest.approx(model_kcal([1.0] * 10, sample_s))


def test_the_device_speed_is_kept_where_it_wrote_one() -> None:
    mixed = recording(
        seconds(5), speed_m_s=[NAN, 1.8, NAN, 1.8, NAN], distance_m=[0.0, 1.0, 2.0, 3.0, 4.0]
    )
    from_distance = [2 / 2, 3 / 3, 4 / 4, 3 / 3, 2 / 2]
    assert kcal(mixed) == pytest.approx(
        model_kcal([from_distance[0], 1.8, from_distance[2], 1.8, from_distance[4]], [1.0] * 5)
    )


def test_a_gap_in_speed_is_filled_along_the_time_between_its_neighbours() -> None:
    """1 m/s, a dropout half a second later, 3 m/s at 2 s: the dropout is taken as 1.5 m/s."""
    gap = recording([0.0, 0.5, 2.0], speed_m_s=[1.0, NAN, 3.0])
    assert kcal(gap) == pytest.approx(model_kcal([1.0, 1.5, 3.0], [0.5, 1.5, 1.0]))


def test_a_gap_at_either_end_takes_the_nearest_speed() -> None:
    ends = recording(seconds(3), speed_m_s=[NAN, 2.0, NAN])
    assert kcal(ends) == pytest.approx(model_kcal([2.0] * 3, [1.0] * 3))


def test_samples_at_the_same_moment_are_still_filled_along_time() -> None:
    """Two samples written at the same second do not break the clock: 1 m/s, a dropout at 0.5 s,
    3 m/s at 2 s (twice) make the dropout 1.5 m/s."""
    repeated = recording([0.0, 0.5, 2.0, 2.0], speed_m_s=[1.0, NAN, 3.0, 3.0])
    assert kcal(repeated) == pytest.approx(model_kcal([1.0, 1.5, 3.0, 3.0], [0.5, 1.5, 0.0, 1.0]))


@pytest.mark.parametrize(
    ("time_s", "sample_s"),
    [
        ([0.0, 1.0, 3.0, 2.0, 4.0], [1.0, 2.0, 0.0, 2.0, 1.0]),  # a time out of order
        ([0.0, 1.0, 3.0, NAN, 4.0], [1.0, 2.0, 0.0, 0.0, 1.0]),  # a time missing
    ],
)
def test_with_a_broken_clock_gaps_are_filled_sample_by_sample(
    time_s: list[float], sample_s: list[float]
) -> None:
    """A clock out of order or missing cannot be interpolated along: between 1 and 3 m/s the
    dropout is taken as 2 m/s."""
    broken = recording(time_s, speed_m_s=[1.0, NAN, 3.0, 3.0, 3.0])
    assert kcal(broken) == pytest.approx(model_kcal([1.0, 2.0, 3.0, 3.0, 3.0], sample_s))


def test_standing_still_is_kept() -> None:
    pause = recording(seconds(4), speed_m_s=[1.0, 0.0, 0.0, 1.0])
    assert kcal(pause) == pytest.approx(model_kcal([1.0, 0.0, 0.0, 1.0], [1.0] * 4))


def test_a_negative_speed_is_replaced_by_its_neighbours() -> None:
    glitch = recording(seconds(3), speed_m_s=[1.0, -1.0, 1.0])
    assert kcal(glitch) == pytest.approx(model_kcal([1.0] * 3, [1.0] * 3))


def test_the_speed_limit_is_the_one_for_the_direction() -> None:
    """core.limits: 8.5 m/s backward (kept at the limit itself), 12.5 m/s forward."""
    at_limit = recording(seconds(3), speed_m_s=[2.0, 8.5, 2.0])
    assert kcal(at_limit, backward=True) == pytest.approx(
        model_kcal([2.0, 8.5, 2.0], [1.0] * 3, backward=True)
    )
    sprint = recording(seconds(3), speed_m_s=[2.0, 10.0, 2.0])
    assert kcal(sprint) == pytest.approx(model_kcal([2.0, 10.0, 2.0], [1.0] * 3))
    assert kcal(sprint, backward=True) == pytest.approx(
        model_kcal([2.0] * 3, [1.0] * 3, backward=True)
    )


def test_backward_practice_lowers_a_recorded_session() -> None:
    """Heath 2001: after 12 sessions backward walking costs 19 % less at the same speed."""
    n = 10
    walk = recording(seconds(n), speed_m_s=[COMPENDIUM_M_S] * n)
    practised = estimate_kcal(walk, np.ones(n, bool), 0.0, RUNNER, 12)
    expected = energy_series(
        [COMPENDIUM_M_S] * n, 0.0, True, mass_kg=MASS_KG, backward_sessions_done=12
    )
    assert practised.kcal == pytest.approx(expected.total_kcal)
    assert practised.kcal == pytest.approx(21.0 * practice_factor(12) * 0.35 * n / 60)


def test_nothing_to_go_on_gives_no_estimate() -> None:
    blank = recording(seconds(3), speed_m_s=[NAN] * 3)
    energy = estimate_kcal(blank, np.zeros(3, bool), 0.0, MAN, 0)
    assert energy == Energy(None, "no speed, distance or usable heart rate recorded")


# --- Grade: altitude over fifteen samples either side, at least 10 m of ground -----------------


@pytest.mark.parametrize("grade", [0.05, -0.05])
def test_a_steady_slope_is_its_grade(grade: float) -> None:
    n = 40
    slope = recording(
        seconds(n),
        speed_m_s=[1.0] * n,
        distance_m=seconds(n),
        altitude_m=[grade * d for d in seconds(n)],
    )
    assert kcal(slope, backward=True) == pytest.approx(
        model_kcal([1.0] * n, [1.0] * n, grade, backward=True)
    )


def test_dropouts_in_altitude_and_distance_are_filled_along_time() -> None:
    """A 5 % slope recorded with gaps in both columns is still a 5 % slope."""
    n = 40
    ground = seconds(n)
    altitude = [0.05 * d for d in ground]
    altitude[10:14] = [NAN] * 4
    distance = list(ground)
    distance[20:23] = [NAN] * 3
    slope = recording(ground, speed_m_s=[1.0] * n, distance_m=distance, altitude_m=altitude)
    assert kcal(slope) == pytest.approx(model_kcal([1.0] * n, [1.0] * n, 0.05))
    from_distance = recording(ground, distance_m=distance, altitude_m=altitude)
    assert kcal(from_distance) == pytest.approx(model_kcal([1.0] * n, [1.0] * n, 0.05))


@pytest.mark.parametrize(("rise_per_m", "grade"), [(0.6, 0.45), (-0.6, -0.45)])
def test_a_slope_steeper_than_45_percent_is_taken_as_45(rise_per_m: float, grade: float) -> None:
    """A steeper grade is altitude noise or a scramble: it is cut to core.limits' ±45 %."""
    n = 40
    cliff = recording(
        seconds(n),
        speed_m_s=[1.0] * n,
        distance_m=seconds(n),
        altitude_m=[rise_per_m * d for d in seconds(n)],
    )
    assert kcal(cliff) == pytest.approx(model_kcal([1.0] * n, [1.0] * n, grade))


def test_the_grade_is_the_rise_over_fifteen_samples_either_side() -> None:
    """Level for 30 m, then 10 % up: a sample's grade is the rise from fifteen samples before to
    fifteen after, over the ground between them (about half a minute at 1 Hz)."""
    n = 61
    ground = seconds(n)
    altitude = [max(0.0, d - 30) * 0.1 for d in ground]
    grades = []
    for i in range(n):
        before, after = max(i - 15, 0), min(i + 15, n - 1)
        grades.append((altitude[after] - altitude[before]) / (ground[after] - ground[before]))
    hill = recording(ground, speed_m_s=[1.0] * n, distance_m=ground, altitude_m=altitude)
    assert kcal(hill) == pytest.approx(model_kcal([1.0] * n, [1.0] * n, grades))


def test_less_than_10_m_of_ground_is_taken_as_level() -> None:
    """At 0.5 m/s a sample's 31-sample window spans 10 m only away from the ends: 10 % there,
    level where the window is shorter, so a standing GPS drift never makes a hill."""
    n = 21
    ground = [0.5 * i for i in range(n)]
    hill = recording(
        seconds(n), speed_m_s=[0.5] * n, distance_m=ground, altitude_m=[0.1 * d for d in ground]
    )
    grades = [0.1 if 5 <= i <= 15 else 0.0 for i in range(n)]
    assert kcal(hill) == pytest.approx(model_kcal([0.5] * n, [1.0] * n, grades))


@pytest.mark.parametrize("missing", ["altitude_m", "distance_m"])
def test_without_altitude_or_distance_the_ground_is_level(missing: str) -> None:
    n = 40
    columns = {
        "speed_m_s": [1.0] * n,
        "distance_m": seconds(n),
        "altitude_m": [0.1 * d for d in seconds(n)],
    }
    del columns[missing]
    assert kcal(recording(seconds(n), "running", **columns)) == pytest.approx(
        model_kcal([1.0] * n, [1.0] * n, 0.0)
    )


# --- Heart rate: Keytel 2005 where it was recorded and is possible ----------------------------


def test_heart_rate_on_the_edges_is_kept_and_beyond_is_replaced() -> None:
    """core.limits: 25–250 bpm. 300 bpm is a strap glitch: its neighbours' 150 bpm is used."""
    speeds = [1.0] * 3
    for rate, used in ((250.0, 250.0), (25.0, 25.0), (300.0, 150.0)):
        strap = recording(seconds(3), speed_m_s=speeds, heart_rate_bpm=[150.0, rate, 150.0])
        expected = energy_series(
            speeds,
            0.0,
            False,
            mass_kg=MASS_KG,
            heart_rate_bpm=[150.0, used, 150.0],
            age_years=40.0,
            sex="male",
        )
        assert kcal(strap, profile=MAN) == pytest.approx(expected.total_kcal)


def test_a_woman_s_heart_rate_uses_the_female_equation() -> None:
    """Keytel 2005: (−20.4022 + 0.4472·150 − 0.1263·60 + 0.074·35) / 4.184 kcal a minute."""
    strap = recording(seconds(60), heart_rate_bpm=[150.0] * 60)
    energy = estimate_kcal(strap, np.zeros(60, bool), 0.0, WOMAN, 0)
    assert energy.model == "Keytel 2005 heart rate"
    per_min = (-20.4022 + 0.4472 * 150 - 0.1263 * 60 + 0.074 * 35) / 4.184
    assert energy.kcal == pytest.approx(per_min)


def test_a_strap_reading_is_carried_over_its_dropouts() -> None:
    """A strap that recorded only at the start: its reading stands for the whole recording."""
    strap = recording(seconds(4), speed_m_s=[1.0] * 4, heart_rate_bpm=[120.0, NAN, NAN, NAN])
    energy = estimate_kcal(strap, np.zeros(4, bool), 0.0, MAN, 0)
    assert energy.model == "Keytel 2005 heart rate"
    expected = energy_series(
        [1.0] * 4, 0.0, False, mass_kg=MASS_KG, heart_rate_bpm=[120.0] * 4, age_years=40, sex="male"
    )
    assert energy.kcal == pytest.approx(expected.total_kcal)
    no_strap = recording(seconds(4), speed_m_s=[1.0] * 4)
    assert estimate_kcal(no_strap, np.zeros(4, bool), 0.0, MAN, 0).model == (
        "speed (ACSM + backward model)"
    )


# --- Without samples: the average speed, backward and forward time ----------------------------


def totals(distance_m: float, duration_s: float) -> Activity:
    return Activity("fit", "running", START, duration_s, distance_m, make_streams(0))


def test_a_forward_average_is_limited_by_the_forward_limit_only() -> None:
    """10 m/s forward is possible (core.limits: 12.5 m/s), so it is costed as it is."""
    fast = estimate_kcal(totals(6000.0, 600.0), np.zeros(0, bool), 0.0, RUNNER, 0)
    assert fast.kcal == pytest.approx(
        estimate_energy("forward", 10.0, MASS_KG, duration_s=600).kcal
    )


def test_every_second_of_a_total_is_counted() -> None:
    """599 s backward and 1 s forward; and a 1 s entry of 1 m."""
    mostly_back = estimate_kcal(totals(600.0, 600.0), np.zeros(0, bool), 599.0, RUNNER, 12)
    back = estimate_energy("backward", 1.0, MASS_KG, duration_s=599, backward_sessions_done=12)
    forward = estimate_energy("forward", 1.0, MASS_KG, duration_s=1)
    assert mostly_back.kcal == pytest.approx((back.kcal or 0) + (forward.kcal or 0))
    one_second = estimate_kcal(totals(1.0, 1.0), np.zeros(0, bool), 0.0, RUNNER, 0)
    assert one_second.kcal == pytest.approx(
        estimate_energy("forward", 1.0, MASS_KG, duration_s=1).kcal
    )


@pytest.mark.parametrize(("distance_m", "duration_s"), [(0.0, 600.0), (100.0, 0.0)])
def test_a_total_without_distance_or_time_gives_no_estimate(
    distance_m: float, duration_s: float
) -> None:
    energy = estimate_kcal(totals(distance_m, duration_s), np.zeros(0, bool), 0.0, RUNNER, 0)
    assert energy == Energy(None, "no samples and no distance to estimate from")


# --- Sports and stored estimates --------------------------------------------------------------


def test_without_a_profile_an_unknown_sport_only_says_what_to_do() -> None:
    unknown = recording(seconds(3), sport="generic", speed_m_s=[1.0] * 3)
    energy = estimate_kcal(unknown, np.zeros(3, bool), 0.0, None, 0)
    assert energy == Energy(
        None, "no profile: set your body mass (retrorun profile set) for energy"
    )


def test_what_a_stored_estimate_depends_on() -> None:
    """Rules version 3 (backward walking uphill fitted to Compendium 17325; `auto` held at the
    walk–run switch uphill), and everything about the person the estimate reads."""
    assert energy_inputs(RUNNER, 3) == "rules=3;mass=70;age=40;sex=None;practice=3"
    assert energy_inputs(WOMAN, 0) == "rules=3;mass=60;age=35;sex=female;practice=0"
    assert energy_inputs(None, 5) == "rules=3;no profile"
