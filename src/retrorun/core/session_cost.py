"""What a planned session will cost, step by step, and what it would cost done forward."""

from __future__ import annotations

from dataclasses import dataclass

from retrorun.core.energy import TYPICAL_SPEED_M_S, estimate_energy, intensity_class
from retrorun.core.workout import Direction, Workout


@dataclass(frozen=True)
class SessionCost:
    kcal: float
    kcal_if_forward: float  # every step forward at the same speed and gait (equal speed)
    step_kcal: tuple[float, ...]
    peak_met: float
    intensity: str  # of the hardest step (ACSM bands), which is what screening cares about
    assumptions: tuple[str, ...]


def session_cost(workout: Workout, mass_kg: float, backward_sessions_done: int = 0) -> SessionCost:
    """Sum the energy model over the steps; steps without a speed use a typical one (flagged).

    The forward figure is at equal speed, as the energy command's forward equivalent is; at a
    person's slower backward pace the per-minute difference is smaller (SCIENCE.md section 2).
    """
    step_kcal: list[float] = []
    forward_kcal = 0.0
    peak_met = 0.0
    assumptions: set[str] = set()
    for step in workout.steps:
        speed = step.speed_m_s or TYPICAL_SPEED_M_S[(step.direction, step.mode)]
        if step.speed_m_s is None:
            assumptions.add(f"{step.direction} {step.mode}: a typical {speed:g} m/s assumed")
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
