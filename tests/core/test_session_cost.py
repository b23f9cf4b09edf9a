"""A planned session's energy: the sum of its steps, more than forward, less with practice."""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core.energy import estimate_energy
from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.session_cost import session_cost

PROFILE = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
)
PLAN = make_plan(
    PROFILE, Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False)), date(2026, 12, 1)
)


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
