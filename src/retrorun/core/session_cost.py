"""What a planned session will cost, step by step, and what it would cost done forward."""

from __future__ import annotations

from dataclasses import dataclass

from retrorun.core.energy import TYPICAL_SPEED_M_S, estimate_energy, intensity_class
from retrorun.core.plan import EASY_FORWARD_JOG_M_S
from retrorun.core.workout import Direction, Mode, Step, StepKind, Workout

# Steps the plan means to be easy: a forward run among them is the plan's slow jog, not a
# typical run (our reasoning: an RPE-2 recovery jog is not a 10 km/h run).
EASY_KINDS = frozenset({StepKind.WARM_UP, StepKind.RECOVERY, StepKind.COOL_DOWN})


@dataclass(frozen=True)
class SessionCost:
    kcal: float
    kcal_if_forward: float  # every step forward at the same speed and gait (equal speed)
    step_kcal: tuple[float, ...]
    peak_met: float
    intensity: str  # of the hardest step (ACSM bands), which is what screening cares about
    assumptions: tuple[str, ...]


def session_cost(workout: Workout, mass_kg: float, backward_sessions_done: int = 0) -> SessionCost:
    """Sum the energy model over the steps, each at its own speed.

    Steps without a speed (off a treadmill) use a typical one, and say so in `assumptions`.

    The forward figure is at equal speed, as the energy command's forward equivalent is; at a
    person's slower backward pace the per-minute difference is smaller (SCIENCE.md section 2).
    """
    step_kcal: list[float] = []
    forward_kcal = 0.0
    peak_met = 0.0
    assumptions: set[str] = set()
    for step in workout.steps:
        speed = step.speed_m_s or assumed_speed_m_s(step)
        if not step.speed_m_s:
            assumptions.add(f"{_activity(step)}: a typical {speed:g} m/s assumed")
        duration = float(step.duration_s or 0)
        done = estimate_energy(
            step.direction,
            speed,
            mass_kg,
            mode=step.mode.value,
            duration_s=duration,
            backward_sessions_done=backward_sessions_done,
        )
        forward = estimate_energy(
            Direction.FORWARD, speed, mass_kg, mode=step.mode.value, duration_s=duration
        )
        step_kcal.append(done.kcal or 0.0)
        forward_kcal += forward.kcal or 0.0
        peak_met = max(peak_met, done.met)
    return SessionCost(
        kcal=sum(step_kcal),
        kcal_if_forward=forward_kcal,
        step_kcal=tuple(step_kcal),
        peak_met=peak_met,
        intensity=intensity_class(peak_met),
        assumptions=tuple(sorted(assumptions)),
    )


def assumed_speed_m_s(step: Step) -> float:
    """The speed to assume for a step that has none: the plan's easy jog, else a typical one."""
    if _is_easy_jog(step):
        return EASY_FORWARD_JOG_M_S
    return TYPICAL_SPEED_M_S[(step.direction, step.mode)]


def _is_easy_jog(step: Step) -> bool:
    return step.direction is Direction.FORWARD and step.mode is Mode.RUN and step.kind in EASY_KINDS


def _activity(step: Step) -> str:
    return "forward easy jog" if _is_easy_jog(step) else f"{step.direction} {step.mode}"
