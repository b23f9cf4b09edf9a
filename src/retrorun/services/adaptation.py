"""Apply the progression engine's decisions to the plan, and pause and resume it.

After each logged session the engine decides (`services.progression`); here the decision
reshapes the upcoming sessions of this plan week and the next: which step of the plan each
holds (`core.adaptation.step_for`) and where its backward steps may happen (the decision's
setting limit). Each changed session keeps its earlier version and says why, with the id of the
decision. Later weeks are reshaped as they come within reach: decisions come after every
session, so two weeks is enough, and the cost of a log stays the same in any plan.

A person (the athlete, or their coach) changes the plan with the same machinery: steps it back
(`step_back`), puts it at another stage (`set_stage`), or puts another step's session in one
upcoming session (`replace_with_step`), each with a reason the client reads. Sessions a person
edited are left as they are by later decisions: a person's change wins over the engine's. A
pause stops the whole plan until the person or their coach resumes it; the plan then restarts
one step lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session as DbSession

from retrorun.core.adaptation import Position, capped, in_order, step_for
from retrorun.core.progression import SettingLimit, Verdict
from retrorun.core.serialize import workout_from_dict, workout_to_dict
from retrorun.errors import InvalidInput, NotFound, NotReady
from retrorun.services.access import Access
from retrorun.services.app import Scope
from retrorun.services.plans import MAX_REASON_CHARS, NO_PLAN, change_row
from retrorun.store import repository
from retrorun.store.models import PlannedSessionRow, PlanRow

# This plan week and the next (our choice: see the module's docstring).
HORIZON_WEEKS = 2


@dataclass(frozen=True)
class PlanChange:
    """One upcoming session a decision changed, and how."""

    session_id: int
    date: date
    step: int
    change: str


@dataclass(frozen=True)
class Paused:
    since: date
    reason: str


def paused(plan: PlanRow) -> Paused | None:
    if plan.paused_on is None:
        return None
    return Paused(plan.paused_on, plan.paused_reason or "")


@dataclass(frozen=True)
class Decided:
    """What a decision asks of the plan."""

    verdict: Verdict
    reasons: tuple[str, ...]  # the most cautious first
    limit: SettingLimit
    decision_id: int | None  # None for a person's resume
    origin: str = "adjusted"  # "edited" for a person's step back: the engine leaves it alone


def apply_decision(
    db: DbSession, scope: Scope, plan: PlanRow, decided: Decided, today: date
) -> list[PlanChange]:
    """Reshape the upcoming sessions of this week and the next after a decision; a pause stops
    the plan instead, with the first reason."""
    plan.setting_limit = int(decided.limit)
    if decided.verdict is Verdict.PAUSE:
        if plan.paused_on is None:
            plan.paused_on, plan.paused_reason = today, decided.reasons[0]
        return []
    position = _position(db, plan, today)
    weeks = list(range(max(1, position.week), position.week + HORIZON_WEEKS))
    rows = repository.session_rows_in_weeks(db, plan.id, weeks)
    targets = _targets(rows, decided.verdict, position, today)
    return _apply_targets(db, scope, plan, rows, targets, decided)


def _apply_targets(
    db: DbSession,
    scope: Scope,
    plan: PlanRow,
    rows: list[PlannedSessionRow],
    targets: dict[int, tuple[int, int]],
    decided: Decided,
    status: str | None = None,
) -> list[PlanChange]:
    """Put each targeted session's step in it, capped to where backward steps may happen (and,
    with `status`, make it planned or skipped)."""
    contents = repository.first_workouts(db, plan.id, sorted({s for _, s in targets.values()}))
    changes = []
    for row in rows:
        target = targets.get(row.id)
        if target is None or not contents.get(target[1]):
            continue
        change = _reshape(db, scope, row, target, contents[target[1]], decided, status)
        if change is not None:
            changes.append(change)
    return changes


def _position(db: DbSession, plan: PlanRow, today: date) -> Position:
    latest = repository.latest_session_until(db, plan.id, today)
    held = None if latest is None else (latest.week, latest.step or latest.week)
    week = (today - plan.start).days // 7 + 1
    return Position(week=week, latest=held, last_step=repository.plan_week_count(db, plan.id))


def _targets(
    rows: list[PlannedSessionRow], verdict: Verdict, position: Position, today: date
) -> dict[int, tuple[int, int]]:
    """For each session the engine may change: its place in its week and the step it should
    hold. Past sessions, skipped ones and those a person edited are left alone."""
    targets = {}
    for week in {row.week for row in rows}:
        in_week = [row for row in rows if row.week == week]
        for index, row in enumerate(in_week):
            if row.date <= today or row.status != "planned" or row.origin == "edited":
                continue
            held = row.step or row.week
            targets[row.id] = (index, step_for(verdict, row.week, held, position))
    return targets


def _reshape(
    db: DbSession,
    scope: Scope,
    row: PlannedSessionRow,
    target: tuple[int, int],
    contents: list[dict[str, Any]],
    decided: Decided,
    status: str | None = None,
) -> PlanChange | None:
    """Put the step's session in the row, capped to where backward steps may happen now; None
    when that is what it holds already.

    The engine's change says its decision; a person's says how the step compares with the one
    the session held, and always gives their reason, since the client reads it."""
    index, step = target
    planned = workout_from_dict(in_order(contents, index))
    workout = capped(planned, decided.limit)
    held = row.step or row.week
    same = held == step and workout_to_dict(workout) == row.workout
    if same and status in (None, row.status):
        return None
    by_person = decided.origin == "edited"
    verdict = _compared(held, step) if by_person else decided.verdict
    parts = []
    if held != step:
        parts.append(f"{verdict.words}, week {step}'s session: {decided.reasons[0]}")
    elif by_person:
        parts.append(f"week {step}'s session: {decided.reasons[0]}")
    if workout != planned:
        parts.append(f"backward steps on {decided.limit.words} for now")
    if not parts:
        parts.append(f"as week {step} has it: {decided.limit.words} allowed now")
    reason = "; ".join(parts)[:MAX_REASON_CHARS]
    change_row(
        db,
        scope,
        row,
        reason,
        origin=decided.origin,
        workout=workout,
        status=status,
        decision_id=decided.decision_id,
    )
    row.step = step
    return PlanChange(row.id, row.date, step, reason)


def _compared(held: int, step: int) -> Verdict:
    """A person's change in the engine's words: a lower step is a step back, a higher one
    progress, the same a hold."""
    if step < held:
        return Verdict.STEP_BACK
    return Verdict.PROGRESS if step > held else Verdict.HOLD


def resume(scope: Scope, athlete: int, reason: str, today: date) -> list[PlanChange]:
    """Resume a paused plan (the person, or their coach): it restarts one step lower, since the
    pause followed a red flag."""
    reason = _reason(reason)
    with scope.access(athlete, Access.PLAN) as db:
        plan = repository.active_plan_row(db, athlete)
        if plan is None:
            raise NotReady(NO_PLAN)
        if plan.paused_on is None:
            raise InvalidInput("the plan is not paused")
        plan.paused_on, plan.paused_reason = None, None
        # No limit set yet: the plan's own schedule says where.
        limit = (
            SettingLimit.PATH if plan.setting_limit is None else SettingLimit(plan.setting_limit)
        )
        decided = Decided(Verdict.STEP_BACK, (f"resumed after a pause: {reason}",), limit, None)
        return apply_decision(db, scope, plan, decided, today)


def step_back(scope: Scope, athlete: int, reason: str, today: date) -> list[PlanChange]:
    """A person steps the plan back: every upcoming session of this plan week and the next
    (skipped ones apart) takes the step below the one it holds, with their reason, which the
    client reads on their plan.

    A coach does this after a flare, often after the engine has already stepped back once, so
    it goes one step below what is planned now rather than below the latest session's step.
    The sessions count as a person's change, so later decisions of the engine leave them alone
    (a person's change wins). Nothing below the first step: then the reason says so, and the
    coach moves or skips a session instead.
    """
    reason = _reason(reason)
    with scope.access(athlete, Access.PLAN) as db:
        plan = _plan_to_change(db, athlete)
        rows = _within_reach(db, plan, today)
        targets = _one_step_lower(rows, today)
        decided = _by_person(scope, athlete, reason, limit_of(plan))
        changes = _apply_targets(db, scope, plan, rows, targets, decided)
        if not changes:
            raise InvalidInput(
                "the upcoming sessions are at the plan's first step already: "
                "move or skip one instead"
            )
        return changes


def replace_with_step(
    scope: Scope,
    athlete: int,
    session_id: int,
    step: int,
    limit: SettingLimit | None,
    reason: str,
    today: date,
) -> PlanChange:
    """A person puts another step's session (a week of the plan as first made) in one upcoming
    session, with where its backward steps may happen (`None`: where the plan allows now).

    The session keeps its day and its place in its week, so a week's long session stays the
    long one; a skipped session is planned again. It counts as a person's change, which the
    engine leaves alone, and the client reads the reason on their plan.
    """
    reason = _reason(reason)
    with scope.access(athlete, Access.PLAN) as db:
        plan = _plan_to_change(db, athlete)
        _check_step(db, plan, step)
        row = _upcoming(db, athlete, plan, session_id, today)
        in_week = repository.session_rows_in_weeks(db, plan.id, [row.week])
        index = next(i for i, other in enumerate(in_week) if other.id == row.id)
        where = limit_of(plan) if limit is None else limit
        decided = _by_person(scope, athlete, reason, where)
        targets = {row.id: (index, step)}
        changes = _apply_targets(db, scope, plan, [row], targets, decided, status="planned")
        if not changes:
            raise InvalidInput(
                f"session {session_id} holds week {step}'s session with backward steps on "
                f"{where.words} already"
            )
        return changes[0]


def set_stage(
    scope: Scope, athlete: int, step: int, limit: SettingLimit, reason: str, today: date
) -> list[PlanChange]:
    """A person puts the plan at another stage: every upcoming planned session of this plan
    week and the next takes step `step`'s session, with backward steps no further out than
    `limit`, and the plan's limit becomes `limit`.

    The engine's next decisions go on from there: they start from the step of the latest
    session and the limit kept on the plan, and leave these sessions alone (a person's change
    wins). Skipped sessions stay skipped: a coach replaces one to plan it again.
    """
    reason = _reason(reason)
    with scope.access(athlete, Access.PLAN) as db:
        plan = _plan_to_change(db, athlete)
        _check_step(db, plan, step)
        rows = _within_reach(db, plan, today)
        targets = {key: (index, step) for key, (index, _) in _one_step_lower(rows, today).items()}
        decided = _by_person(scope, athlete, reason, limit)
        changes = _apply_targets(db, scope, plan, rows, targets, decided)
        if not changes and plan.setting_limit == int(limit):
            raise InvalidInput(
                f"the upcoming sessions hold week {step}'s session with backward steps on "
                f"{limit.words} already"
            )
        plan.setting_limit = int(limit)
        return changes


# Where backward steps may happen, by the short names the CLI, the forms and the API use.
LIMIT_NAMES = {limit.name.lower(): limit for limit in SettingLimit}


def limit_named(name: str) -> SettingLimit:
    """The setting limit a front door was given by name: treadmill, track or path."""
    found = LIMIT_NAMES.get(name.strip().lower())
    if found is None:
        raise InvalidInput(
            f"where backward steps may happen is treadmill, track or path (got {name!r})"
        )
    return found


def _plan_to_change(db: DbSession, athlete: int) -> PlanRow:
    """The active plan, which a person may change only while it is not paused."""
    plan = repository.active_plan_row(db, athlete)
    if plan is None:
        raise NotReady(NO_PLAN)
    if plan.paused_on is not None:
        raise InvalidInput("the plan is paused: resume it first, and it restarts lower")
    return plan


def _within_reach(db: DbSession, plan: PlanRow, today: date) -> list[PlannedSessionRow]:
    """The sessions of this plan week and the next, the ones a change of stage reshapes."""
    position = _position(db, plan, today)
    weeks = list(range(max(1, position.week), position.week + HORIZON_WEEKS))
    return repository.session_rows_in_weeks(db, plan.id, weeks)


def _check_step(db: DbSession, plan: PlanRow, step: int) -> None:
    count = repository.plan_week_count(db, plan.id)
    if not 1 <= step <= count:
        raise InvalidInput(f"the plan has weeks 1–{count} to take a session from (got {step})")


def _upcoming(
    db: DbSession, athlete: int, plan: PlanRow, session_id: int, today: date
) -> PlannedSessionRow:
    """A session of the active plan after today: only those a person reshapes."""
    row = repository.planned_session_row(db, athlete, session_id)
    if row is None:
        raise NotFound(f"no planned session with id {session_id}")
    if row.plan_id != plan.id:
        raise InvalidInput(f"session {session_id} belongs to an earlier plan and cannot change")
    if row.date <= today:
        raise InvalidInput(
            f"session {session_id} is on {row.date.isoformat()}: only sessions after today change"
        )
    return row


def _by_person(scope: Scope, athlete: int, reason: str, limit: SettingLimit) -> Decided:
    """A person's change as the engine's machinery takes it: the reason with the coach's name
    (the client reads who said it), and left alone by later decisions."""
    said = reason if scope.actor.athlete_id == athlete else f"{scope.actor.name}: {reason}"
    # The verdict each session's reason gives is its own comparison (`_compared`), not this.
    return Decided(Verdict.HOLD, (said,), limit, None, origin="edited")


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS or "\0" in reason:
        raise InvalidInput(f"a reason has 1–{MAX_REASON_CHARS} characters")
    return reason


def _one_step_lower(rows: list[PlannedSessionRow], today: date) -> dict[int, tuple[int, int]]:
    """Each upcoming planned session's place in its week and the step below the one it holds."""
    targets = {}
    for week in {row.week for row in rows}:
        in_week = [row for row in rows if row.week == week]
        for index, row in enumerate(in_week):
            if row.date > today and row.status == "planned":
                targets[row.id] = (index, max(1, (row.step or row.week) - 1))
    return targets


def limit_of(plan: PlanRow) -> SettingLimit:
    """Where backward steps may happen, as the last decision set it; before any, the plan's own
    schedule says where (no cap)."""
    return SettingLimit.PATH if plan.setting_limit is None else SettingLimit(plan.setting_limit)


def pause_state(scope: Scope, athlete: int) -> Paused | None:
    """Whether the athlete's plan is paused, since when and why."""
    with scope.access(athlete) as db:
        plan = repository.active_plan_row(db, athlete)
        return None if plan is None else paused(plan)
