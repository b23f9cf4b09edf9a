"""The progression engine's decisions in the seeded practice, made as the service makes them.

After each logged session the service asks `core.progression.decide` about the situation it
reads (`services.progression.why`) and keeps the decision with its inputs. Here the same
situation is built from the seeded history in memory, with the service's own helpers, for every
log of the last `DECISION_WEEKS` weeks: a database that began keeping decisions then looks the
same (decisions arrived with migration 0005; older logs have none). The chain carries what a
decision leaves on the plan: the setting limit, and a pause after a red flag, which lasts until
the athlete trains again (their coach resumed it; `seed.training` draws no sessions meanwhile).

Not replayed: what a decision does to the upcoming sessions (`services.adaptation`); sessions
stay as the generator made them, and each kept decision lists no changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from retrorun.core.plan import Phase, Week
from retrorun.core.progression import Rules, SettingLimit, Situation, Verdict, WalkTest, decide
from retrorun.services.logs import LoggedSession
from retrorun.services.progression import (
    FIRST_LIMIT,
    WEEKS_READ,
    Why,
    done_session,
    missed_week,
    rolling_weeks,
)
from retrorun.services.schemas import decision_json
from retrorun.services.seed.people import Person
from retrorun.services.seed.training import Done, StoredPlan, active_record_on

DECISION_WEEKS = 6  # the weeks a caseload reads (adherence over 2 and 6 weeks)


def decision_rows(
    person: Person,
    athlete: int,
    plans: list[StoredPlan],
    done: list[Done],
    walk_tests: list[WalkTest],
    today: date,
    take_id: Any,
) -> list[dict[str, Any]]:
    """One kept decision after each log of the last weeks, oldest first; the plans' limits and
    pauses are left as the last of them set them."""
    logged = [
        LoggedSession(item.log_id or 0, True, item.entry, item.activity_id)
        for item in done
        if item.entry is not None
    ]
    first = today - timedelta(weeks=DECISION_WEEKS)
    rules = Rules(person.pain_ceiling, person.profile.goal.is_rehab, person.usual_pain)
    rows = []
    for position, session in enumerate(logged):
        day = session.entry.date
        plan = active_record_on(plans, day)
        if day < first or plan is None:
            continue
        if plan.paused_on is not None and day > plan.paused_on:
            plan.paused_on = plan.paused_reason = None  # trained again: it was resumed before
        seen = [*logged[:position], _without_morning(session)]
        found = _why(plan, seen, walk_tests, rules, day)
        rows.append(_row(take_id("progression_decisions"), athlete, plan, found, session))
        _apply(plan, found)
    return rows


def _without_morning(session: LoggedSession) -> LoggedSession:
    """Right after logging, the next morning has not come yet."""
    return replace(session, entry=replace(session.entry, pain_next_morning=None))


def _why(
    plan: StoredPlan,
    logged: list[LoggedSession],
    walk_tests: list[WalkTest],
    rules: Rules,
    today: date,
) -> Why:
    """`services.progression.why` on the history in memory."""
    current = _week(plan, today, None)
    before = _week(plan, today, current.number - 1) if current.number > 1 else None
    first = today - timedelta(weeks=WEEKS_READ)
    window = [s for s in logged if first <= s.entry.date <= today]
    limit = plan.setting_limit
    situation = Situation(
        today=today,
        done=[done_session(s) for s in sorted(window, key=lambda s: (s.entry.date, s.id))],
        weekly_backward_minutes=rolling_weeks(window, plan.plan.start, today),
        missed_weeks=missed_week(current, before, window, today),
        walk_tests=[t for t in walk_tests if t.date <= today][-1:],
        setting_limit=FIRST_LIMIT if limit is None else SettingLimit(limit),
        paused=plan.paused_on is not None,
        rules=rules,
        returning_forward=current.phase is Phase.RETURN,
    )
    return Why(today, decide(situation), situation, plan.paused_on)


def _week(plan: StoredPlan, today: date, number: int | None) -> Week:
    """A plan week as `plans.plan_week` reads it: by default the one `today` falls in, with
    only its sessions still planned (skipped ones left out)."""
    weeks = plan.plan.weeks
    if number is None:
        number = max([w.number for w in weeks if w.start <= today], default=1)
    week = weeks[min(max(number, 1), len(weeks)) - 1]
    skipped = {r.session.date for r in plan.sessions if r.status != "planned"}
    sessions = tuple(s for s in week.sessions if s.date not in skipped)
    minutes = sum(s.workout.backward_s for s in sessions) / 60
    return replace(week, sessions=sessions, backward_minutes=minutes)


def _row(
    decision_id: int, athlete: int, plan: StoredPlan, found: Why, session: LoggedSession
) -> dict[str, Any]:
    decision = found.decision
    return {
        "id": decision_id,
        "athlete_id": athlete,
        "plan_id": plan.id,
        "made_on": found.today,
        "verdict": decision.verdict.words,
        "document": decision_json(found, []),
        "rules_version": decision.rules_version,
        "created_at": datetime.combine(found.today, time(20), UTC),  # after the evening log
        "setting_limit": decision.setting_limit.words,
        "setting_limit_before": found.situation.setting_limit.words,
        "first_reason": decision.reasons[0],
    }


def _apply(plan: StoredPlan, found: Why) -> None:
    """What `services.adaptation.apply_decision` leaves on the plan row."""
    decision = found.decision
    plan.setting_limit = int(decision.setting_limit)
    if decision.verdict is Verdict.PAUSE and plan.paused_on is None:
        plan.paused_on, plan.paused_reason = found.today, decision.reasons[0]
