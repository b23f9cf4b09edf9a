"""Why the upcoming sessions are what they are: the progression engine on what was logged.

Reads the logs of the last weeks and the active plan, builds the engine's `Situation` and asks
`core.progression.decide`. Nothing is stored or changed here yet: `plan why` shows the decision
the rules reach today, with its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from retrorun.core.plan import Week
from retrorun.core.progression import (
    CHRONIC_WEEKS,
    SETTING_LEVEL,
    Decision,
    DoneSession,
    Rules,
    SettingLimit,
    Situation,
    decide,
)
from retrorun.core.workout import Direction
from retrorun.services import athletes, logs, plans
from retrorun.services.app import Scope
from retrorun.services.logs import LoggedSession

# What the engine reads: the rolling weeks of the load ratio, and one more for the week before.
WEEKS_READ = CHRONIC_WEEKS + 1


@dataclass(frozen=True)
class Why:
    """A decision and what it was made from."""

    today: date
    decision: Decision
    situation: Situation


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
    situation = Situation(
        today=today,
        done=[done_session(s) for s in sorted(logged, key=lambda s: (s.entry.date, s.id))],
        weekly_backward_minutes=rolling_weeks(logged, current.start, today),
        missed_weeks=missed_week(current.week, before, logged, today),
        setting_limit=setting_now(current.week),
        rules=Rules(rehab=profile.goal.is_rehab),
    )
    return Why(today, decide(situation), situation)


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


def setting_now(week: Week) -> SettingLimit:
    """The most open place the backward steps of this plan week use."""
    levels = [
        SETTING_LEVEL[step.setting]
        for session in week.sessions
        for step in session.workout.steps
        if step.direction is Direction.BACKWARD
    ]
    return max(levels, default=SettingLimit.TRACK)
