"""Convert a runner's forward plan into their active retrorun plan.

The file is read by the caller (a front door, through `formats.forward_plan`) before anything
is stored, so a bad file stores nothing. Converting changes the plan: it needs `Access.PLAN`
(the athlete, or a linked coach), a screening, and a doctor's clearance after any "yes",
exactly as `plans.new_plan` does; the converted plan then is the active plan, and every export
(watch, calendar, audio) and the progression engine work on it as on any other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from retrorun.core.convert import Conversion, ConvertMode, convert_plan
from retrorun.core.forward_plan import ForwardPlan
from retrorun.errors import NotReady
from retrorun.services import athletes
from retrorun.services.access import Access
from retrorun.services.app import Scope
from retrorun.services.plans import timelines_for
from retrorun.store import repository


@dataclass(frozen=True)
class ConversionRequest:
    """What the person asked for (see `core.convert.convert_plan`)."""

    mode: ConvertMode
    start: date | None = None
    weeks: int | None = None
    backward_days: int | None = None
    race: date | None = None
    cleared: bool = False  # the person states a doctor cleared them


def convert(
    scope: Scope, athlete: int, forward: ForwardPlan, request: ConversionRequest
) -> Conversion:
    """Convert and store the result as the athlete's active plan (earlier plans are kept)."""
    profile = athletes.profile(scope, athlete)
    with scope.access(athlete, Access.PLAN) as db:
        found = repository.latest_screening(db, athlete)
        if found is None:
            raise NotReady("answer the screening questions first: retrorun screen")
        screening_id, screening = found
        if request.cleared and screening.needs_clearance and not screening.cleared_by_doctor:
            screening = replace(screening, cleared_by_doctor=True)
            repository.mark_cleared(db, screening_id)
        conversion = convert_plan(
            forward,
            profile,
            screening,
            request.mode,
            start=request.start,
            weeks=request.weeks,
            backward_days=request.backward_days,
            race=request.race,
        )
        timelines = [timelines_for(session.workout) for session in conversion.plan.sessions]
        repository.save_plan(db, athlete, screening_id, conversion.plan, timelines)
    return conversion
