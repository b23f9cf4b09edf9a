"""A planned session's energy: the sum of its steps, more than forward, less with practice."""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core.energy import estimate_energy
from retrorun.core.plan import EASY_FORWARD_JOG_M_S, make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.session_cost import session_cost
from retrorun.core.workout import Mode, Setting, StepKind, Workout

PROFILE = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
)
PLAN_SCREENING = Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False))
PLAN = make_plan(PROFILE, PLAN_SCREENING, date(2026, 12, 1))


def test_cost_is_the_sum_of_the_step_estimates() -> None:
    workout = PLAN.sessions[0].workout
    cost = session_cost(workout, 68)
    expected = sum(
        estimate_energy(
            s.direction, s.speed_m_s or 0, 68, mode=s.mode.value, duration_s=s.duration_s
        ).kcal
        or 0
        for s in workout.steps
    )
    assert cost.kcal == pytest.approx(expected)
    assert len(cost.step_kcal) == len(workout.steps)
    assert cost.assumptions == ()  # treadmill steps carry their speed


def test_backward_costs_more_than_forward_and_practice_lowers_it() -> None:
    workout = PLAN.sessions[-1].workout  # a track session: typical speeds assumed, and said so
    novice = session_cost(workout, 68, 0)
    practised = session_cost(workout, 68, 12)
    assert novice.kcal > novice.kcal_if_forward
    assert practised.kcal < novice.kcal
    assert novice.assumptions and all("assumed" in a for a in novice.assumptions)


def test_heavier_costs_more() -> None:
    workout = PLAN.sessions[5].workout
    assert session_cost(workout, 90).kcal > session_cost(workout, 60).kcal


TREADMILL_ONLY = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, False, False
)


def _week4_treadmill_workout() -> Workout:
    plan = make_plan(TREADMILL_ONLY, PLAN_SCREENING, date(2026, 12, 1))
    return next(
        s.workout
        for s in plan.weeks[3].sessions
        if {step.setting for step in s.workout.steps} == {Setting.TREADMILL}
    )


def test_a_treadmill_session_is_costed_at_every_step_s_belt_speed() -> None:
    """The trial's week 4: an RPE-2 recovery jog was costed as a typical 2.8 m/s run, 10.6 MET."""
    workout = _week4_treadmill_workout()
    cost = session_cost(workout, 68)
    assert cost.assumptions == ()
    for step, kcal in zip(workout.steps, cost.step_kcal, strict=True):
        assert step.speed_m_s is not None
        expected = estimate_energy(
            step.direction, step.speed_m_s, 68, mode=step.mode.value, duration_s=step.duration_s
        )
        assert kcal == pytest.approx(expected.kcal)
    jog = next(s for s in workout.steps if s.mode is Mode.RUN and not s.is_backward)
    jog_met = estimate_energy(jog.direction, EASY_FORWARD_JOG_M_S, 68, mode="run").met
    assert cost.peak_met > jog_met  # the hardest step is the backward run, not the jog
    assert cost.peak_met < 10.6


def test_an_easy_jog_off_the_treadmill_assumes_the_plan_s_jog_not_a_typical_run() -> None:
    on_track = PLAN.sessions[-1].workout
    jogs = [s for s in on_track.steps if s.mode is Mode.RUN and not s.is_backward]
    easy = (StepKind.WARM_UP, StepKind.RECOVERY)  # a jogging warm-up and the jogs between
    assert jogs and all(s.speed_m_s is None and s.kind in easy for s in jogs)
    cost = session_cost(on_track, 68)
    assert f"forward easy jog: a typical {EASY_FORWARD_JOG_M_S:g} m/s assumed" in cost.assumptions
    assert not any(a.startswith("forward run") for a in cost.assumptions)
