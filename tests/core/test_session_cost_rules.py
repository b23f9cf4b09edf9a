"""A planned session's energy, rule by rule, on small hand-made workouts.

Figures are the ACSM metabolic equations (SCIENCE.md section 2): walking VO2 = 3.5 + 0.1·S,
running VO2 = 3.5 + 0.2·S on the level (S in m/min), and ≈ 5 kcal per litre of O2, so for a
70 kg person every ml/kg/min costs 0.35 kcal a minute.
"""

from __future__ import annotations

import pytest

from retrorun.core.plan import EASY_FORWARD_JOG_M_S
from retrorun.core.session_cost import SessionCost, assumed_speed_m_s, session_cost
from retrorun.core.workout import Direction, Mode, Setting, Step, StepKind, Workout

MASS_KG = 70.0
KCAL_PER_MIN_PER_VO2 = MASS_KG * 5 / 1000  # ACSM: ≈ 5 kcal per litre of O2


def step(
    direction: Direction,
    mode: Mode,
    speed_m_s: float | None,
    duration_s: int | None = 300,
    kind: StepKind = StepKind.MAIN,
) -> Step:
    setting = Setting.TREADMILL if speed_m_s else Setting.TRACK
    return Step(kind, direction, mode, setting, duration_s, 3, None, speed_m_s)


def workout(*steps: Step) -> Workout:
    return Workout("test session", steps)


def test_the_forward_figure_is_every_step_done_forward_at_its_own_speed_and_gait() -> None:
    """The "if forward" figure keeps each step's gait: a backward run at 1.5 m/s is compared with a
    forward run at 1.5 m/s, although a forward mover would still be walking at that speed."""
    cost = session_cost(
        workout(
            step(Direction.BACKWARD, Mode.RUN, 1.5, 300),  # 90 m/min for 5 min
            step(Direction.BACKWARD, Mode.WALK, 1.0, 600),  # 60 m/min for 10 min
        ),
        MASS_KG,
    )
    forward_run = (3.5 + 0.2 * 90) * KCAL_PER_MIN_PER_VO2 * 5  # ACSM running: 37.625 kcal
    forward_walk = (3.5 + 0.1 * 60) * KCAL_PER_MIN_PER_VO2 * 10  # ACSM walking: 33.25 kcal
    assert cost.kcal_if_forward == pytest.approx(forward_run + forward_walk)


def test_each_step_is_costed_in_the_gait_the_plan_asks_for() -> None:
    """A backward run at 1.5 m/s is below the 1.63 m/s walk–run switch (Hreljac 2005), but the
    plan said run: it costs the ACSM running net × 1.35 (Rasica 2020), not a walk."""
    cost = session_cost(workout(step(Direction.BACKWARD, Mode.RUN, 1.5, 300)), MASS_KG)
    backward_run = (3.5 + 0.2 * 90 * 1.35) * KCAL_PER_MIN_PER_VO2 * 5
    assert cost.step_kcal == pytest.approx((backward_run,))
    assert cost.kcal == pytest.approx(backward_run)


def test_the_session_intensity_is_that_of_its_hardest_step() -> None:
    """Screening cares about the hardest moment: an easy forward walk and a backward walk at
    3.5 mph make a vigorous session, because backward 3.5 mph is 6.0 MET (Compendium 17320)."""
    cost = session_cost(
        workout(
            step(Direction.FORWARD, Mode.WALK, 1.0, 300, StepKind.WARM_UP),  # 2.7 MET
            step(Direction.BACKWARD, Mode.WALK, 93.8 / 60, 300),  # Compendium 17320
        ),
        MASS_KG,
    )
    assert cost.peak_met == pytest.approx(6.0)
    assert cost.intensity == "vigorous"


def test_an_easy_session_is_light() -> None:
    cost = session_cost(workout(step(Direction.FORWARD, Mode.WALK, 1.0, 600)), MASS_KG)
    assert cost.peak_met == pytest.approx((3.5 + 0.1 * 60) / 3.5)  # ACSM walking: 2.71 MET
    assert cost.intensity == "light"  # ACSM: light below 3 MET


def test_a_session_with_no_steps_costs_nothing() -> None:
    assert session_cost(workout(), MASS_KG) == SessionCost(0.0, 0.0, (), 0.0, "light", ())


def test_a_step_given_only_by_distance_adds_no_energy() -> None:
    """Without a time the energy of a step is unknown; it is not guessed (the planner times
    every step)."""
    cost = session_cost(workout(step(Direction.BACKWARD, Mode.WALK, 1.0, None)), MASS_KG)
    assert cost.step_kcal == (0.0,)
    assert cost.kcal == 0.0
    assert cost.kcal_if_forward == 0.0


@pytest.mark.parametrize(
    ("direction", "mode", "kind", "speed_m_s", "words"),
    [
        (Direction.BACKWARD, Mode.WALK, StepKind.WARM_UP, 0.9, "backward walk"),
        (Direction.BACKWARD, Mode.RUN, StepKind.RECOVERY, 2.2, "backward run"),
        (Direction.FORWARD, Mode.WALK, StepKind.RECOVERY, 1.4, "forward walk"),
        (Direction.FORWARD, Mode.RUN, StepKind.MAIN, 2.8, "forward run"),
        (Direction.FORWARD, Mode.RUN, StepKind.WARM_UP, EASY_FORWARD_JOG_M_S, "forward easy jog"),
        (Direction.FORWARD, Mode.RUN, StepKind.RECOVERY, EASY_FORWARD_JOG_M_S, "forward easy jog"),
        (Direction.FORWARD, Mode.RUN, StepKind.COOL_DOWN, EASY_FORWARD_JOG_M_S, "forward easy jog"),
    ],
)
def test_a_step_without_a_speed_assumes_one_and_says_which(
    direction: Direction, mode: Mode, kind: StepKind, speed_m_s: float, words: str
) -> None:
    """Only a forward run in a warm-up, recovery or cool-down is the plan's easy jog (2.1 m/s);
    every other step without a speed takes the typical one for its direction and gait."""
    bare = step(direction, mode, None, 300, kind)
    assert assumed_speed_m_s(bare) == speed_m_s
    cost = session_cost(workout(bare), MASS_KG)
    assert cost.assumptions == (f"{words}: a typical {speed_m_s:g} m/s assumed",)
    with_speed = session_cost(workout(step(direction, mode, speed_m_s, 300, kind)), MASS_KG)
    assert cost.kcal == with_speed.kcal


def test_each_assumption_is_said_once() -> None:
    bare = step(Direction.BACKWARD, Mode.WALK, None)
    cost = session_cost(workout(bare, bare, bare), MASS_KG)
    assert cost.assumptions == ("backward walk: a typical 0.9 m/s assumed",)
