"""Imported activities: files, folders, archives and uploads in; directions and energy kept true.

One transaction per file: a file that is damaged, hostile or not an activity is rejected with
its reason and adds nothing; one already stored (same content, any name) is a duplicate. An
imported activity is linked to the log of the same session (`core.completed`). Its energy
estimate is worked out again whenever what it was made with changes (body mass, age, sex,
practice before it, the directions of its laps), so it is never stale.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import defer

from retrorun import importing
from retrorun.core.activity_energy import energy_inputs
from retrorun.core.completed import Record
from retrorun.core.profile import Profile
from retrorun.core.workout import as_direction
from retrorun.errors import RetrorunError
from retrorun.formats import archive
from retrorun.formats.archive import FoundFile
from retrorun.importing import ImportResult
from retrorun.services.access import Access
from retrorun.services.app import Scope
from retrorun.services.logs import link_activity
from retrorun.store import activities as store
from retrorun.store import repository
from retrorun.store.activities import StoredActivity
from retrorun.store.models import ActivityRow, LogRow

# Called after each file: (what became of it, files done, files in all so far).
ImportProgress = Callable[[ImportResult, int, int], None]


def import_files(
    scope: Scope,
    athlete: int,
    paths: Iterable[str | os.PathLike[str]],
    direction: str | None = None,
    progress: ImportProgress | None = None,
) -> list[ImportResult]:
    """Import FIT, GPX and TCX files (also gzipped), folders and zip archives."""
    paths = list(paths)
    return _import(
        scope, athlete, archive.walk(paths), archive.count_files(paths), direction, progress
    )


def import_upload(
    scope: Scope,
    athlete: int,
    name: str,
    data: bytes | IO[bytes],
    direction: str | None = None,
    progress: ImportProgress | None = None,
) -> list[ImportResult]:
    """Import an upload (one file, a .gz or a zip archive) from bytes or a binary stream,
    with the same caps and refusals as files on disk and no temporary file."""
    total = archive.count_upload(name, data)
    return _import(scope, athlete, archive.walk_upload(name, data), total, direction, progress)


def _import(
    scope: Scope,
    athlete: int,
    files: Iterator[FoundFile],
    total: int,
    direction: str | None,
    progress: ImportProgress | None,
) -> list[ImportResult]:
    if direction is not None:
        as_direction(direction)  # refused before any file is read
    with scope.access(athlete, Access.OWN) as db:
        profile = repository.load_profile(db, athlete)
    results: list[ImportResult] = []
    for found in files:
        results.append(_import_one(scope, athlete, found, direction, profile))
        if progress is not None:
            progress(results[-1], len(results), max(total, len(results)))
    if any(result.status == "imported" for result in results):
        with scope.access(athlete, Access.OWN) as db:
            refresh_energy(db, athlete, profile)
    return results


def _import_one(
    scope: Scope, athlete: int, found: FoundFile, direction: str | None, profile: Profile | None
) -> ImportResult:
    if found.data is None:
        return ImportResult(found.path, "rejected", found.reason)
    sha256 = importing.content_hash(found.data)
    try:
        with scope.access(athlete, Access.OWN) as db:
            existing = store.find_by_hash(db, athlete, sha256)
            if existing is not None:
                return _duplicate(found.path, existing)
            activity = importing.parse_activity(found)
            stored = importing.store_activity(
                db,
                athlete,
                activity,
                content_sha256=sha256,
                source_path=found.path,
                direction=direction,
                profile=profile,
            )
            _after_store(db, athlete, stored, profile)
    except IntegrityError:  # another process stored the same file a moment ago
        with scope.app.transaction() as db:
            existing = store.find_by_hash(db, athlete, sha256)
        if existing is None:
            raise
        return _duplicate(found.path, existing)
    except RetrorunError as error:
        return ImportResult(found.path, "rejected", str(error))
    except SQLAlchemyError:
        raise  # the database itself failed: not this file's fault, stop
    except Exception as error:  # a file no parser foresaw must not stop the others
        reason = f"could not be read ({type(error).__name__}: {error})"
        return ImportResult(found.path, "rejected", reason)
    return ImportResult(
        found.path, "imported", activity_id=stored.id, activity=stored, samples=stored.samples
    )


def _duplicate(path: str, activity_id: int) -> ImportResult:
    """A file already stored: the reason names the activity, so a person can find it."""
    reason = f"already imported as activity {activity_id}"
    return ImportResult(path, "duplicate", reason, activity_id=activity_id)


def _after_store(
    db: DbSession, athlete: int, stored: StoredActivity, profile: Profile | None
) -> None:
    """Link the new activity to the log of the same session, if there is one."""
    record = Record(stored.id, stored.start_date, stored.planned_session_id, linked=False)
    link_activity(db, athlete, record)


def activities(scope: Scope, athlete: int) -> list[StoredActivity]:
    """Imported activities, oldest first, with their laps."""
    with scope.access(athlete) as db:
        return store.activities(db, athlete)


def activity(scope: Scope, athlete: int, activity_id: int) -> StoredActivity:
    with scope.access(athlete) as db:
        row = store.activity_row(db, athlete, activity_id)
        return store.stored(row, store.lap_rows(db, activity_id))


def set_activity_direction(
    scope: Scope,
    athlete: int,
    activity_id: int,
    direction: str,
    laps: Sequence[int] | None = None,
) -> StoredActivity:
    """Mark an imported activity (or only the given laps) backward or forward.

    Its backward time and energy are worked out again from the stored streams, and so are the
    estimates of later activities whose practice count this changes.
    """
    with scope.access(athlete, Access.OWN) as db:
        profile = repository.load_profile(db, athlete)
        importing.redirect_activity(db, athlete, activity_id, direction, laps, profile)
        refresh_energy(db, athlete, profile)
        row = store.activity_row(db, athlete, activity_id)
        return store.stored(row, store.lap_rows(db, activity_id))


# --- energy kept true ------------------------------------------------------------------------


def refresh_energy(db: DbSession, athlete: int, profile: Profile | None) -> int:
    """Work out again every estimate whose inputs changed; returns how many changed.

    Practice before each activity is counted for all of them from two small queries, so a
    large import costs one pass, not one query per activity.
    """
    rows = list(
        db.scalars(
            select(ActivityRow)
            .options(defer(ActivityRow.streams))
            .where(ActivityRow.athlete_id == athlete)
            .order_by(ActivityRow.start, ActivityRow.id)
        )
    )
    if not rows:
        return 0
    practice = _practice_counter(db, athlete)
    changed = 0
    for row in rows:
        wanted = energy_inputs(profile, practice(store.aware(row.start)))
        if row.energy_inputs != wanted:
            importing.recompute_energy(db, athlete, row, profile)
            changed += 1
    db.flush()
    return changed


def _practice_counter(db: DbSession, athlete: int) -> Callable[[datetime], int]:
    """Backward sessions completed before a moment, as `store.backward_sessions_before` counts
    them (a log and its linked activity once), for many moments at the cost of two queries."""
    log_days = sorted(
        day
        for day, log_direction, activity_backward_s in db.execute(
            select(LogRow.date, LogRow.direction, ActivityRow.backward_s)
            .outerjoin(ActivityRow, ActivityRow.id == LogRow.activity_id)
            .where(LogRow.athlete_id == athlete)
        )
        if log_direction == "backward" or (activity_backward_s or 0) > 0
    )
    linked = select(LogRow.activity_id).where(
        LogRow.athlete_id == athlete, LogRow.activity_id.is_not(None)
    )
    starts = sorted(
        store.aware(start)
        for (start,) in db.execute(
            select(ActivityRow.start).where(
                ActivityRow.athlete_id == athlete,
                ActivityRow.backward_s > 0,
                ActivityRow.id.not_in(linked),
            )
        )
    )

    def before(moment: datetime) -> int:
        day = moment.astimezone(UTC).date()
        return bisect.bisect_left(log_days, day) + bisect.bisect_left(starts, moment)

    return before
