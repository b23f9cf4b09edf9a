"""What the person logs by hand, completed later when the next morning comes.

A log and the imported activity of the same session are one completed session: they are linked
(the rule is `core.completed`), and practice and load count them once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from retrorun.core.completed import Record, partner_for
from retrorun.core.log import LogEntry, check_first_of_day, check_next_morning, validate_log
from retrorun.core.progression import RedFlag
from retrorun.errors import InvalidInput, NotFound
from retrorun.services.access import Access
from retrorun.services.app import Scope
from retrorun.store import activities as stored_activities
from retrorun.store import repository
from retrorun.store.activities import StoredActivity
from retrorun.store.models import LogRow


@dataclass(frozen=True)
class LoggedSession:
    id: int
    matched_plan: bool
    entry: LogEntry
    activity_id: int | None = None  # the imported activity of the same session, if any


def log(
    scope: Scope,
    athlete: int,
    entry: LogEntry,
    today: date,
    *,
    force: bool = False,
    client_ref: str | None = None,
) -> LoggedSession:
    """Store a logged session after checking it; nothing is written if it is refused.

    A day already logged is refused (`AlreadyLogged`) unless `force`: the same session logged
    twice would count twice for the plan. A log a device wrote offline carries the device's id
    for it (`client_ref`): sent again, it answers the log already stored and stores nothing.
    """
    validate_log(entry, today)
    if client_ref is not None and not _is_client_ref(client_ref):
        raise InvalidInput("a device's log id has 8–64 letters, digits or dashes")
    try:
        stored, new = _store_log(scope, athlete, entry, force, client_ref)
    except IntegrityError:
        # The same offline log sent twice at the same moment: the other send stored it.
        if client_ref is None:
            raise
        with scope.access(athlete, Access.OWN) as db:
            earlier = repository.log_by_client_ref(db, athlete, client_ref)
            if earlier is None:
                raise
            return _logged(earlier)
    if new:
        _decide(scope, athlete, today)
    return stored


def _store_log(
    scope: Scope, athlete: int, entry: LogEntry, force: bool, client_ref: str | None
) -> tuple[LoggedSession, bool]:
    """The log stored, and whether it is new (a device's resend answers the earlier one)."""
    from retrorun.services.activities import refresh_energy

    with scope.access(athlete, Access.OWN) as db:
        if client_ref is not None:
            earlier = repository.log_by_client_ref(db, athlete, client_ref)
            if earlier is not None:
                return _logged(earlier), False
        if not force:
            same_day = repository.log_rows(db, athlete, entry.date)
            check_first_of_day(entry, [repository.log_entry(row) for row in same_day])
        row = repository.add_log(db, athlete, entry, client_ref)
        link_log(db, athlete, row)
        refresh_energy(db, athlete, repository.load_profile(db, athlete))
        return _logged(row), True


def _decide(scope: Scope, athlete: int, today: date) -> None:
    """After each completed session (and each next-morning pain), the progression engine
    decides for the sessions ahead, and the decision is kept with its inputs."""
    from retrorun.services.progression import record_decision

    record_decision(scope, athlete, today)


def complete_log(
    scope: Scope,
    athlete: int,
    day: date,
    pain_next_morning: int,
    today: date,
    red_flags: frozenset[RedFlag] = frozenset(),
) -> LoggedSession:
    """Add the next morning's pain to the log of `day`, once that morning has come, with any
    red flag that showed overnight (swelling often does): added to those already logged."""
    check_next_morning(day, today)
    with scope.access(athlete, Access.OWN) as db:
        rows = repository.log_rows(db, athlete, day)
        if not rows:
            raise NotFound(f"nothing logged on {day.isoformat()}: log the session first")
        row = rows[-1]
        logged = repository.log_entry(row)
        entry = replace(
            logged, pain_next_morning=pain_next_morning, red_flags=logged.red_flags | red_flags
        )
        validate_log(entry, today)
        row.pain_next_morning = pain_next_morning
        if red_flags:
            row.red_flags = repository.stored_red_flags(entry.red_flags)
        row.updated_at = datetime.now(UTC)
        db.flush()
        completed = _logged(row)
    _decide(scope, athlete, today)
    return completed


def history(scope: Scope, athlete: int) -> list[LoggedSession]:
    with scope.access(athlete) as db:
        return [_logged(row) for row in repository.log_rows(db, athlete)]


def done_days(scope: Scope, athlete: int, first: date, last: date) -> set[date]:
    """The days from `first` to `last` with something logged or imported."""
    with scope.access(athlete) as db:
        return repository.done_days(db, athlete, first, last)


@dataclass(frozen=True)
class RecentHistory:
    """What a person did in the last weeks, as a page shows it, and how much there is in all."""

    first: date  # the Monday the window starts on
    logged: list[LoggedSession]
    imported: list[StoredActivity]  # in the window, and those linked to its logs (no laps)
    total: int  # completed sessions of all time (a log and its linked import count once)


def recent_history(scope: Scope, athlete: int, today: date, weeks: int = 26) -> RecentHistory:
    """The last `weeks` weeks up to today: a page costs the same after five years as after
    five weeks."""
    return history_between(
        scope, athlete, today - timedelta(days=today.weekday(), weeks=weeks - 1), today
    )


def history_between(scope: Scope, athlete: int, first: date, last: date) -> RecentHistory:
    """What was done from `first` to `last`, read with queries bounded by those days."""
    with scope.access(athlete) as db:
        rows = repository.log_rows_between(db, athlete, first, last)
        linked = [row.activity_id for row in rows if row.activity_id is not None]
        imported = repository.activities_between(db, athlete, first, last, also=linked)
        total = repository.completed_count(db, athlete)
    return RecentHistory(first, [_logged(row) for row in rows], imported, total)


def latest_sessions(
    scope: Scope, athlete: int, limit: int
) -> tuple[list[LoggedSession], list[StoredActivity]]:
    """The latest `limit` logs and the latest `limit` imports no log is linked to (with the
    imports the logs are linked to), newest first, however old they are: what a history table
    shows, read with bounded queries."""
    with scope.access(athlete) as db:
        rows = repository.latest_log_rows(db, athlete, limit)
        linked = [row.activity_id for row in rows if row.activity_id is not None]
        imported = repository.latest_activities(db, athlete, limit, also=linked)
    return [_logged(row) for row in rows], imported


def link_log(db: DbSession, athlete: int, row: LogRow) -> None:
    """Link a new log to the unlinked imported activity of the same session, if there is one."""
    activities = stored_activities.activity_records(db, athlete)
    partner = partner_for(_record(row), activities, record_is_log=True)
    if partner is not None:
        row.activity_id = partner
        db.flush()


def link_activity(db: DbSession, athlete: int, activity: Record) -> int | None:
    """Link a newly imported activity to the unlinked log of the same session, if any."""
    nearby = repository.log_rows_for(db, athlete, activity.day, activity.planned_session_id)
    partner = partner_for(activity, [_record(row) for row in nearby], record_is_log=False)
    if partner is not None:
        row = db.get_one(LogRow, partner)
        row.activity_id = activity.id
        db.flush()
    return partner


def _is_client_ref(ref: str) -> bool:
    return 8 <= len(ref) <= 64 and all(c.isascii() and (c.isalnum() or c == "-") for c in ref)


def _record(row: LogRow) -> Record:
    return Record(row.id, row.date, row.planned_session_id, row.activity_id is not None)


def _logged(row: LogRow) -> LoggedSession:
    return LoggedSession(
        row.id, row.planned_session_id is not None, repository.log_entry(row), row.activity_id
    )
