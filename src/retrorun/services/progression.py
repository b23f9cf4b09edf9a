"""Why the upcoming sessions are what they are: the progression engine on what was logged.

Reads the logs of the last weeks, the timed 3-metre backward walks, the athlete's pain limits
and the active plan, builds the engine's `Situation` and asks `core.progression.decide`. After
each logged session the decision is stored with everything it read and the rules version, so
it can be explained and replayed later. The plan itself is not changed yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from retrorun.core.log import OLDEST_LOG
from retrorun.core.plan import Phase, Week
from retrorun.core.progression import (
    CHRONIC_WEEKS,
    Decision,
    DoneSession,
    Rules,
    SettingLimit,
    Situation,
    WalkTest,
    decide,
)
from retrorun.core.workout import Direction
from retrorun.errors import InvalidInput, NotReady
from retrorun.services import athletes, logs, plans
from retrorun.services.access import Access
from retrorun.services.adaptation import Decided, apply_decision
from retrorun.services.app import Scope
from retrorun.services.clock import now
from retrorun.services.logs import LoggedSession
from retrorun.store import repository
from retrorun.store.models import AthleteRow, DecisionRow, WalkTestRow

# A 3-metre backward walk takes seconds: fallers 6.8 s, others 5.1 s (Polo-Ferrero 2025). Half a
# second is faster than anyone walks 3 m backward, two minutes slower than anyone who can.
WALK_TEST_SECONDS = (0.5, 120.0)

# Where backward steps may happen before a decision has set it: the treadmill or a level track,
# as the plan's first weeks have them; paths open after steady sessions, and a stumble or a fall
# closes them (`core.progression.setting_limit`; the article's safe places first).
FIRST_LIMIT = SettingLimit.TRACK

# What the engine reads: the rolling weeks of the load ratio, and one more for the week before.
WEEKS_READ = CHRONIC_WEEKS + 1


@dataclass(frozen=True)
class Why:
    """A decision and what it was made from."""

    today: date
    decision: Decision
    situation: Situation
    paused_since: date | None = None


def why(scope: Scope, athlete: int, today: date) -> Why:
    """The decision for the sessions after `today`, from the logs up to it. Reads this plan
    week and the one before, and the logs of five weeks: bounded whatever the plan's length."""
    current = plans.plan_week(scope, athlete, None, today)
    before = None
    if current.week.number > 1:
        before = plans.plan_week(scope, athlete, current.week.number - 1, today).week
    profile = athletes.profile(scope, athlete)
    first = today - timedelta(weeks=WEEKS_READ)
    logged = logs.history_between(scope, athlete, first, today).logged
    with scope.access(athlete) as db:
        row = db.get_one(AthleteRow, athlete)
        rules = Rules(row.pain_ceiling, profile.goal.is_rehab, row.usual_pain)
        tests = [WalkTest(t.date, t.seconds) for t in repository.walk_test_rows(db, athlete, today)]
        plan = repository.active_plan_row(db, athlete)
        stored_limit = None if plan is None else plan.setting_limit
        paused_since = None if plan is None else plan.paused_on
    situation = Situation(
        today=today,
        done=[done_session(s) for s in sorted(logged, key=lambda s: (s.entry.date, s.id))],
        weekly_backward_minutes=rolling_weeks(logged, current.start, today),
        missed_weeks=missed_week(current.week, before, logged, today),
        walk_tests=tests[-1:],
        setting_limit=FIRST_LIMIT if stored_limit is None else SettingLimit(stored_limit),
        paused=paused_since is not None,
        rules=rules,
        returning_forward=current.week.phase is Phase.RETURN,
    )
    return Why(today, decide(situation), situation, paused_since)


@dataclass(frozen=True)
class StoredDecision:
    id: int
    made_on: date
    document: dict[str, Any]  # the `plan why --json` document, inputs included


def record_decision(scope: Scope, athlete: int, today: date) -> StoredDecision | None:
    """Decide after a completed session and keep the decision; None before there is a profile
    and a plan to decide about."""
    from retrorun.services.schemas import decision_json

    try:
        found = why(scope, athlete, today)
    except NotReady:
        return None
    decision = found.decision
    with scope.access(athlete, Access.PLAN) as db:
        plan = repository.active_plan_row(db, athlete)
        row = DecisionRow(
            athlete_id=athlete,
            plan_id=None if plan is None else plan.id,
            made_on=today,
            verdict=decision.verdict.words,
            document=decision_json(found),
            rules_version=decision.rules_version,
            created_at=now(),
            setting_limit=decision.setting_limit.words,
            setting_limit_before=found.situation.setting_limit.words,
            first_reason=decision.reasons[0],
        )
        db.add(row)
        db.flush()
        if plan is not None:
            decided = Decided(decision.verdict, decision.reasons, decision.setting_limit, row.id)
            changes = apply_decision(db, scope, plan, decided, today)
            row.document = decision_json(found, changes)
        return StoredDecision(row.id, row.made_on, row.document)


def decisions(scope: Scope, athlete: int, limit: int = 20) -> list[StoredDecision]:
    """The latest stored decisions, newest first."""
    with scope.access(athlete) as db:
        rows = repository.decision_rows(db, athlete, limit)
        return [StoredDecision(r.id, r.made_on, r.document) for r in rows]


def decisions_between(scope: Scope, athlete: int, first: date, last: date) -> list[StoredDecision]:
    """The stored decisions made from `first` to `last`, oldest first: a report's window holds
    more than `decisions`' latest few."""
    with scope.access(athlete) as db:
        rows = repository.decision_rows_between(db, athlete, first, last)
        return [StoredDecision(r.id, r.made_on, r.document) for r in rows]


def add_walk_test(
    scope: Scope, athlete: int, day: date, seconds: float, today: date, *, timed: bool
) -> WalkTest:
    """Keep a 3-metre backward walk, timed by retrorun or entered by hand (also by a clinician
    or coach, who time it in the clinic)."""
    low, high = WALK_TEST_SECONDS
    if not math.isfinite(seconds) or not low <= seconds <= high:
        raise InvalidInput(f"a 3-metre backward walk takes {low:g}–{high:g} s (got {seconds:g})")
    if day > today:
        raise InvalidInput(f"date {day.isoformat()} is in the future (today is {today})")
    if day < OLDEST_LOG:
        raise InvalidInput(f"date {day.isoformat()} is too long ago")
    with scope.access(athlete, Access.PLAN) as db:
        db.add(
            WalkTestRow(
                athlete_id=athlete, date=day, seconds=seconds, timed=timed, created_at=now()
            )
        )
    return WalkTest(day, seconds)


def walk_tests(scope: Scope, athlete: int, today: date) -> list[WalkTest]:
    """Every 3-metre backward walk up to `today`, oldest first: the trend a report shows."""
    with scope.access(athlete) as db:
        return [WalkTest(t.date, t.seconds) for t in repository.walk_test_rows(db, athlete, today)]


@dataclass(frozen=True)
class PainLimits:
    pain_ceiling: int
    usual_pain: int


def pain_limits(scope: Scope, athlete: int) -> PainLimits:
    with scope.access(athlete) as db:
        row = db.get_one(AthleteRow, athlete)
        return PainLimits(row.pain_ceiling, row.usual_pain)


def set_pain_limits(
    scope: Scope, athlete: int, pain_ceiling: int | None, usual_pain: int | None
) -> PainLimits:
    """Set the athlete's pain ceiling during sessions and their usual morning pain: the
    athlete, or their clinician or coach."""
    for name, value in (("pain ceiling", pain_ceiling), ("usual pain", usual_pain)):
        if value is not None and not 0 <= value <= 10:
            raise InvalidInput(f"{name} must be 0–10 (got {value})")
    with scope.access(athlete, Access.PLAN) as db:
        row = db.get_one(AthleteRow, athlete)
        if pain_ceiling is not None:
            row.pain_ceiling = pain_ceiling
        if usual_pain is not None:
            row.usual_pain = usual_pain
        return PainLimits(row.pain_ceiling, row.usual_pain)


def done_session(logged: LoggedSession) -> DoneSession:
    entry = logged.entry
    backward = entry.minutes if entry.direction is Direction.BACKWARD else 0.0
    return DoneSession(
        date=entry.date,
        setting=entry.setting,
        backward_minutes=backward,
        pain_during=entry.pain_during,
        pain_after=entry.pain_after,
        pain_next_morning=entry.pain_next_morning,
        stumbles=entry.stumbles,
        falls=entry.falls,
        steadiness=entry.steadiness,
        red_flags=entry.red_flags,
    )


def rolling_weeks(logged: list[LoggedSession], start: date, today: date) -> list[float]:
    """Backward minutes of each seven days ending today, oldest first, for the whole weeks since
    the plan began and at most four (Gabbett 2016 rolls the week, it does not wait for Monday)."""
    weeks = min(CHRONIC_WEEKS, max(1, (today - start).days // 7 + 1))
    totals = []
    for back in range(weeks - 1, -1, -1):
        end = today - timedelta(weeks=back)
        totals.append(
            sum(
                s.entry.minutes
                for s in logged
                if s.entry.direction is Direction.BACKWARD
                and end - timedelta(weeks=1) < s.entry.date <= end
            )
        )
    return totals


def missed_week(
    current: Week, before: Week | None, logged: list[LoggedSession], today: date
) -> list[int]:
    """The plan week before this one, when it had sessions planned (not skipped) and none done;
    only while this week is under way."""
    if before is None or not current.start <= today < current.start + timedelta(weeks=1):
        return []
    done = {s.entry.date for s in logged}
    days = {s.date for s in before.sessions}
    return [before.number] if days and not days & done else []
