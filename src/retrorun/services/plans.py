"""Plans and their sessions: make a plan, read it, and change upcoming sessions with a reason.

A planned session is a record with provenance: which rules version generated it, which decision
adjusted it, which coach edited it, and why, with every earlier version kept. Each version keeps
the exact cue timeline it had, so a past session never changes when the rules change, and watch
laps map to the steps that were really planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session as DbSession

from retrorun.core.plan import Plan, Week, make_plan, with_backward_setting
from retrorun.core.serialize import (
    plan_from_parts,
    timeline_from_stored,
    timeline_to_list,
    week_from_dict,
    workout_from_dict,
    workout_to_dict,
)
from retrorun.core.session_cost import SessionCost
from retrorun.core.session_cost import session_cost as estimate_cost
from retrorun.core.timeline import Timeline, build_timeline
from retrorun.core.workout import Session, Setting, Workout
from retrorun.errors import InvalidInput, NotFound, NotReady
from retrorun.services import athletes
from retrorun.services.access import Access
from retrorun.services.app import Scope
from retrorun.store import activities as stored_activities
from retrorun.store import repository
from retrorun.store.models import PlannedSessionRow, PlannedSessionVersionRow, PlanRow

MAX_REASON_CHARS = 2000
NO_PLAN = "no plan yet: retrorun plan new --start YYYY-MM-DD"


@dataclass(frozen=True)
class PlannedSession:
    """A session of the plan as a record: what it is now, where it came from and why."""

    id: int
    date: date
    week: int
    workout: Workout
    status: str  # planned | skipped
    version: int
    origin: str  # generated | adjusted | edited
    rules_version: str | None
    decision_id: int | None
    edited_by: int | None  # the user who edited it last
    reason: str | None
    # The week of the plan (as first made) whose session it holds now; None for an old version,
    # which does not keep it.
    step: int | None = None


@dataclass(frozen=True)
class SessionVersion:
    """One version of a planned session, with the timeline it had then."""

    version: int
    session: PlannedSession
    timeline: Timeline


def timelines_for(workout: Workout) -> dict[str, Any]:
    """The session's cue timeline in both unit systems, as stored with it."""
    return {
        "metric": timeline_to_list(build_timeline(workout, imperial=False)),
        "imperial": timeline_to_list(build_timeline(workout, imperial=True)),
    }


def new_plan(
    scope: Scope, athlete: int, start: date, weeks: int | None = None, cleared: bool = False
) -> Plan:
    """Make and store a plan; `cleared` records the statement of a doctor's OK."""
    profile = athletes.profile(scope, athlete)
    with scope.access(athlete, Access.PLAN) as db:
        found = repository.latest_screening(db, athlete)
        if found is None:
            raise NotReady("answer the screening questions first: retrorun screen")
        screening_id, screening = found
        if cleared and screening.needs_clearance and not screening.cleared_by_doctor:
            screening = replace(screening, cleared_by_doctor=True)
            repository.mark_cleared(db, screening_id)
        plan = make_plan(profile, screening, start, weeks)
        timelines = [timelines_for(session.workout) for session in plan.sessions]
        repository.save_plan(db, athlete, screening_id, plan, timelines)
    return plan


def plan(scope: Scope, athlete: int) -> Plan:
    with scope.access(athlete) as db:
        found = repository.active_plan(db, athlete)
    if found is None:
        raise NotReady(NO_PLAN)
    return found


def _imperial(scope: Scope, athlete: int) -> bool:
    found = athletes.profile_or_none(scope, athlete)
    return found is not None and found.units.value == "imperial"


def session(scope: Scope, athlete: int, day: date) -> tuple[Session, Timeline]:
    """The planned session on a day and the cue timeline stored with it."""
    imperial = _imperial(scope, athlete)
    with scope.access(athlete) as db:
        plan_row = _active_plan_row(db, athlete)
        _not_paused(plan_row, day)
        rows = repository.planned_session_rows(db, plan_row.id, day=day, with_timelines=True)
        row = next((r for r in rows if r.status == "planned"), None)
        if row is None:
            upcoming = repository.next_planned_day(db, plan_row.id, day)
            hint = f"; the next one is on {upcoming.isoformat()}" if upcoming else ""
            raise NotFound(f"no session planned on {day.isoformat()}{hint}")
    workout = workout_from_dict(row.workout)
    return Session(row.date, row.week, workout), timeline_from_stored(
        row.timeline, workout, imperial
    )


def sessions_with_timelines(scope: Scope, athlete: int) -> list[tuple[Session, Timeline]]:
    """Every planned session of the active plan with its stored timeline, in one query (for a
    calendar of the whole plan)."""
    imperial = _imperial(scope, athlete)
    with scope.access(athlete) as db:
        plan_row = _active_plan_row(db, athlete)
        rows = repository.planned_session_rows(db, plan_row.id, with_timelines=True)
    found = []
    for row in rows:
        if row.status == "planned":
            workout = workout_from_dict(row.workout)
            timeline = timeline_from_stored(row.timeline, workout, imperial)
            found.append((Session(row.date, row.week, workout), timeline))
    return found


def session_record(scope: Scope, athlete: int, day: date) -> PlannedSession | None:
    """The record of the active plan's session on a day (planned or skipped), if any."""
    with scope.access(athlete) as db:
        plan_row = repository.active_plan_row(db, athlete)
        if plan_row is None:
            return None
        rows = repository.planned_session_rows(db, plan_row.id, day=day)
        return _record(rows[-1]) if rows else None


@dataclass(frozen=True)
class PlanWeek:
    """One week of the active plan, as a page shows it: a week, not the whole program."""

    start: date
    goal: str
    notes: tuple[str, ...]
    week_count: int
    week: Week  # the planned (not skipped) sessions, with the week's backward minutes
    records: list[PlannedSession]  # every session of the week, skipped ones included


def plan_week(scope: Scope, athlete: int, week: int | None, today: date) -> PlanWeek:
    """A week of the active plan (by default the one `today` falls in), read with one query
    for its sessions whatever the plan's length."""
    with scope.access(athlete) as db:
        plan_row = _active_plan_row(db, athlete)
        weeks = plan_row.summary["weeks"]
        number = min(max(week or _week_number(weeks, today), 1), len(weeks))
        rows = repository.planned_session_rows(db, plan_row.id, week=number)
    records = [_record(row) for row in rows]
    sessions = [Session(r.date, r.week, r.workout) for r in records if r.status == "planned"]
    backward_s = sum(s.workout.backward_s for s in sessions)
    shown = week_from_dict({**weeks[number - 1], "backward_minutes": backward_s / 60}, sessions)
    summary = plan_row.summary
    return PlanWeek(
        start=date.fromisoformat(summary["start"]),
        goal=summary["goal"],
        notes=tuple(summary["notes"]),
        week_count=len(weeks),
        week=shown,
        records=records,
    )


def _week_number(weeks: list[dict[str, Any]], today: date) -> int:
    """The week `today` falls in: the first before the plan starts, the last after it ends."""
    number = 1
    for week in weeks:
        if date.fromisoformat(week["start"]) <= today:
            number = int(week["number"])
    return number


def session_cost(scope: Scope, athlete: int, planned: Session) -> SessionCost:
    """Estimated energy of a planned session, knowing how practised the person is by then.

    Practice counts the backward sessions completed before the session's day, each once.
    """
    return session_costs(scope, athlete, [planned])[0]


def session_costs(scope: Scope, athlete: int, planned: Sequence[Session]) -> list[SessionCost]:
    """The estimates of several sessions (a week of the plan) in one transaction: practice is
    counted once before the first of them, and the few sessions done in between are added."""
    if not planned:
        return []
    profile = athletes.profile(scope, athlete)
    first = min(s.date for s in planned)
    last = max(s.date for s in planned)
    with scope.access(athlete) as db:
        before = stored_activities.backward_sessions_before(
            db, athlete, datetime.combine(first, time.min, tzinfo=UTC)
        )
        between = repository.backward_days(db, athlete, first, last)
    return [
        estimate_cost(
            s.workout, profile.mass_kg, before + sum(1 for day in between if day < s.date)
        )
        for s in planned
    ]


def planned_sessions(scope: Scope, athlete: int, week: int | None = None) -> list[PlannedSession]:
    """Every session of the active plan (or of one week), skipped ones included, with where
    each came from."""
    with scope.access(athlete) as db:
        plan_row = _active_plan_row(db, athlete)
        rows = repository.planned_session_rows(db, plan_row.id, week=week)
        return [_record(row) for row in rows]


def plan_with_week(scope: Scope, athlete: int, week: int) -> Plan:
    """The active plan with every week's backward minutes but only week `week`'s sessions: what
    a page or a script showing one week needs, read without parsing the whole program."""
    with scope.access(athlete) as db:
        plan_row = _active_plan_row(db, athlete)
        weeks = len(plan_row.summary["weeks"])
        if not 1 <= week <= weeks:
            raise InvalidInput(f"the plan has weeks 1–{weeks} (asked for week {week})")
        totals = repository.week_backward_minutes(db, plan_row.id)
        rows = repository.planned_session_rows(db, plan_row.id, week=week)
        summary = plan_row.summary
    sessions = [
        Session(r.date, r.week, workout_from_dict(r.workout)) for r in rows if r.status == "planned"
    ]
    with_totals = {
        **summary,
        "weeks": [
            {**w, "backward_minutes": totals.get(w["number"], 0.0)} for w in summary["weeks"]
        ],
    }
    return plan_from_parts(with_totals, sessions)


def session_versions(scope: Scope, athlete: int, session_id: int) -> list[SessionVersion]:
    """Every version of a planned session, oldest first, the current one last."""
    imperial = _imperial(scope, athlete)
    with scope.access(athlete) as db:
        row = _session_row(db, athlete, session_id)
        olds = repository.session_versions(db, session_id)
        versions = [_version(old, imperial) for old in olds]
        current = _record(row)
        timeline = timeline_from_stored(row.timeline, current.workout, imperial)
        return [*versions, SessionVersion(row.version, current, timeline)]


def move_session(
    scope: Scope, athlete: int, session_id: int, to: date, reason: str, today: date
) -> PlannedSession:
    """Move an upcoming session to another free day (not in the past)."""
    if to < today:
        raise InvalidInput(f"cannot move a session into the past ({to.isoformat()})")
    with scope.access(athlete, Access.PLAN) as db:
        row = _upcoming_row(db, athlete, session_id, today)
        taken = [
            r.id
            for r in repository.planned_session_rows(db, row.plan_id)
            if r.date == to and r.status == "planned" and r.id != row.id
        ]
        if taken:
            raise InvalidInput(f"session {taken[0]} is already planned on {to.isoformat()}")
        change_row(db, scope, row, reason, origin="edited", date=to)
        return _record(row)


def skip_session(
    scope: Scope, athlete: int, session_id: int, reason: str, today: date
) -> PlannedSession:
    """Take an upcoming session out of the plan; it stays on record as skipped, with why."""
    with scope.access(athlete, Access.PLAN) as db:
        row = _upcoming_row(db, athlete, session_id, today)
        if row.status == "skipped":
            raise InvalidInput(f"session {session_id} is already skipped")
        change_row(db, scope, row, reason, origin="edited", status="skipped")
        return _record(row)


def replace_session(
    scope: Scope,
    athlete: int,
    session_id: int,
    workout: Workout,
    reason: str,
    today: date,
    decision_id: int | None = None,
) -> PlannedSession:
    """Put another workout in an upcoming session: edited by a person, or adjusted by a decision
    of the progression engine (`decision_id`). A skipped session is planned again."""
    origin = "adjusted" if decision_id is not None else "edited"
    with scope.access(athlete, Access.PLAN) as db:
        row = _upcoming_row(db, athlete, session_id, today)
        change_row(
            db,
            scope,
            row,
            reason,
            origin=origin,
            workout=workout,
            status="planned",
            decision_id=decision_id,
        )
        return _record(row)


def edit_session(
    scope: Scope,
    athlete: int,
    session_id: int,
    reason: str,
    today: date,
    *,
    title: str | None = None,
    backward_setting: Setting | None = None,
    notes: tuple[str, ...] | None = None,
) -> PlannedSession:
    """Change parts of an upcoming session: its title, where its backward steps happen, notes."""
    with scope.access(athlete, Access.PLAN) as db:
        row = _upcoming_row(db, athlete, session_id, today)
        workout = workout_from_dict(row.workout)
        if title is not None:
            workout = replace(workout, title=_short(title, "title", 200))
        if backward_setting is not None:
            workout = with_backward_setting(workout, backward_setting)
        if notes is not None:
            workout = replace(workout, notes=notes)
        change_row(db, scope, row, reason, origin="edited", workout=workout)
        return _record(row)


def _short(text: str, what: str, limit: int) -> str:
    text = text.strip()
    if not text or len(text) > limit or "\0" in text:
        raise InvalidInput(f"a {what} has 1–{limit} characters")
    return text


def change_row(
    db: DbSession,
    scope: Scope,
    row: PlannedSessionRow,
    reason: str,
    *,
    origin: str,
    date: date | None = None,
    status: str | None = None,
    workout: Workout | None = None,
    decision_id: int | None = None,
) -> None:
    """Keep the session as it is as a version, then change it and say who did and why (also
    for the progression engine's changes, `services.adaptation`)."""
    reason = _short(reason, "reason", MAX_REASON_CHARS)
    repository.keep_version(db, row)
    row.version += 1
    row.origin = origin
    row.reason = reason
    row.edited_by = scope.actor.user_id
    row.decision_id = decision_id
    row.updated_at = datetime.now(UTC)
    if date is not None:
        row.date = date
    if status is not None:
        row.status = status
    if workout is not None:
        row.workout = workout_to_dict(workout)
        row.title = workout.title
        row.backward_s = workout.backward_s
        row.timeline = timelines_for(workout)
    db.flush()


def _not_paused(plan: PlanRow, day: date) -> None:
    """A paused plan has no session to do until it is resumed: the pause followed a red flag."""
    if plan.paused_on is not None and day >= plan.paused_on:
        raise NotReady(
            f"the plan is paused since {plan.paused_on.isoformat()} ({plan.paused_reason}): see "
            "your clinician; then you or your coach resume it with `retrorun plan resume "
            "--reason TEXT`"
        )


def _active_plan_row(db: DbSession, athlete: int) -> PlanRow:
    row = repository.active_plan_row(db, athlete)
    if row is None:
        raise NotReady(NO_PLAN)
    return row


def _session_row(db: DbSession, athlete: int, session_id: int) -> PlannedSessionRow:
    row = repository.planned_session_row(db, athlete, session_id)
    if row is None:
        raise NotFound(f"no planned session with id {session_id}")
    return row


def _upcoming_row(db: DbSession, athlete: int, session_id: int, today: date) -> PlannedSessionRow:
    """A session of the active plan that has not happened yet: only those can change."""
    row = _session_row(db, athlete, session_id)
    active = repository.active_plan_row(db, athlete)
    if active is None or row.plan_id != active.id:
        raise InvalidInput(f"session {session_id} belongs to an earlier plan and cannot change")
    if row.date < today:
        raise InvalidInput(
            f"session {session_id} was on {row.date.isoformat()}: past sessions do not change"
        )
    return row


def _record(row: PlannedSessionRow | PlannedSessionVersionRow) -> PlannedSession:
    session_id = row.planned_session_id if isinstance(row, PlannedSessionVersionRow) else row.id
    return PlannedSession(
        id=session_id,
        date=row.date,
        week=row.week,
        workout=workout_from_dict(row.workout),
        status=row.status,
        version=row.version,
        origin=row.origin,
        rules_version=row.rules_version,
        decision_id=row.decision_id,
        edited_by=row.edited_by,
        reason=row.reason,
        step=None if isinstance(row, PlannedSessionVersionRow) else (row.step or row.week),
    )


def _version(row: PlannedSessionVersionRow, imperial: bool) -> SessionVersion:
    record = _record(row)
    return SessionVersion(
        row.version, record, timeline_from_stored(row.timeline, record.workout, imperial)
    )
