"""The therapist's report: one athlete's weeks gathered through the ordinary read services.

Every read goes through the athlete's read access (`scope.access(athlete)`), so the athlete and
a linked coach or physio may make a report and anyone else is told the athlete does not exist.
The numbers are put together by the pure `core.report`; rendering them is `formats.report`'s.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from retrorun.core.report import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    PlannedDay,
    Report,
    ReportDecision,
    ReportInputs,
    build_report,
    window,
)
from retrorun.errors import InvalidInput, NotReady
from retrorun.services import athletes, logs, plans, progression
from retrorun.services.app import Scope
from retrorun.services.progression import StoredDecision
from retrorun.services.weekly import weekly_done
from retrorun.store.models import AthleteRow


def report(scope: Scope, athlete: int, today: date, weeks: int = DEFAULT_WEEKS) -> Report:
    """The report of the `weeks` ISO weeks up to `today` (the current week counts as one).

    Reads are bounded by the window, except the plan's sessions, which a plan bounds itself.
    """
    first = window(today, _checked_weeks(weeks))
    name = _record_name(scope, athlete)  # first: a refused reader is stopped before any other
    recent = logs.history_between(scope, athlete, first, today)
    profile = athletes.profile_or_none(scope, athlete)
    limits = progression.pain_limits(scope, athlete)
    inputs = ReportInputs(
        athlete=name,
        goal=profile.goal.value if profile else None,
        first=first,
        last=today,
        planned=_planned(scope, athlete),
        done=weekly_done(recent.logged, recent.imported),
        logged=[item.entry for item in recent.logged],
        decisions=[
            _decision(d) for d in progression.decisions_between(scope, athlete, first, today)
        ],
        walk_tests=progression.walk_tests(scope, athlete, today),
        pain_ceiling=limits.pain_ceiling,
        usual_pain=limits.usual_pain,
    )
    return build_report(inputs)


def _checked_weeks(weeks: int) -> int:
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"a report covers 1–{MAX_WEEKS} weeks (got {weeks})")
    return weeks


def _record_name(scope: Scope, athlete: int) -> str:
    with scope.access(athlete) as db:
        return db.get_one(AthleteRow, athlete).name


def _planned(scope: Scope, athlete: int) -> list[PlannedDay] | None:
    """The active plan's sessions by day; None when there is no plan (a report of what was
    done still helps)."""
    try:
        found = plans.planned_sessions(scope, athlete)
    except NotReady:
        return None
    return [PlannedDay(s.date, s.status == "skipped") for s in found]


def _decision(stored: StoredDecision) -> ReportDecision:
    """A stored decision in the words it was made with (its `plan why --json` document)."""
    document: dict[str, Any] = stored.document
    ratio = document.get("acute_chronic")
    return ReportDecision(
        made_on=stored.made_on,
        verdict=str(document.get("verdict", "")),
        reasons=tuple(str(r) for r in document.get("reasons", ())),
        setting_limit=str(document.get("setting_limit", "")),
        acute_chronic=float(ratio) if ratio is not None else None,
        rules_version=str(document.get("rules_version", "")),
    )
