"""Background jobs: a large import, a report rendered to a file, energy worked out again.

Work that takes longer than a page should wait is recorded as a row in `jobs` (what a page shows:
status, progress, result) and handed to a queue (`retrorun.jobs`: procrastinate on PostgreSQL,
the runner thread of `retrorun serve` on SQLite). The row is the truth, whatever the queue does:
- a job runs only once it is claimed (queued → running in one conditional UPDATE), so two
  workers handed the same job, or the same job twice, run it once;
- a job that fails is tried again (`retrorun.jobs.RETRIES`) and counts its attempts; one that
  is refused for a reason a person can act on (an athlete not found, a damaged archive) fails
  at once, since trying again would change nothing;
- a retried import goes through the importer again, which stores each file once (by content
  hash), and counts as imported by this job the files an earlier, dead attempt stored.
A job runs as the person who asked for it, through the same permission check as every call:
a coach whose link ended before the job ran gets nothing.

Uploaded archives and rendered reports are files in `files_folder` (beside a SQLite database,
or RETRORUN_FILES_FOLDER, which separate machines must share).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as DbSession

from retrorun import jobs as queue
from retrorun.core.report import MAX_WEEKS
from retrorun.errors import InvalidInput, NotFound, NotReady, RetrorunError
from retrorun.formats import archive
from retrorun.importing import ImportResult
from retrorun.services import activities, schemas
from retrorun.services.access import Access, Actor, Role
from retrorun.services.app import App, Scope
from retrorun.store import activities as activity_store
from retrorun.store import database, repository
from retrorun.store.models import ActivityRow, JobRow, possible_id

log = logging.getLogger("retrorun.jobs")

# Who may ask for each kind of job: the same access as the call it stands for.
KINDS = {"import": Access.OWN, "report": Access.READ, "energy": Access.OWN}
FILES_ENV = "RETRORUN_FILES_FOLDER"
_TOKEN = re.compile(r"[0-9a-f]{32}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Job:
    """A job as a page shows it. `request` is what was asked for, without internal names."""

    id: int
    athlete_id: int
    kind: str
    status: str  # queued | running | done | failed
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    done_units: int
    total_units: int | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


# --- asking for work ---------------------------------------------------------------------------


def submit(scope: Scope, athlete: int, kind: str, payload: dict[str, Any]) -> int:
    """Record a job and hand it to the queue; its id, for `job` to follow.

    Checked (access, then the payload) before anything is written. If the queue cannot take it,
    the job is marked failed and the caller told, so no page waits on a job nobody will run.
    """
    if kind not in KINDS:
        raise InvalidInput(f"no kind of job {kind!r}: {', '.join(KINDS)}")
    with scope.access(athlete, KINDS[kind]) as db:
        _check_payload(scope.app, kind, payload)
        row = JobRow(
            athlete_id=athlete,
            requested_by=scope.actor.user_id,
            kind=kind,
            status="queued",
            payload=payload,
            done_units=0,
            attempts=0,
            created_at=_now(),
        )
        db.add(row)
        db.flush()
        job_id = row.id
    try:
        queue.enqueue(scope.app, job_id)
    except Exception as error:
        log.exception("job %s could not be queued", job_id)
        _finish(scope.app, job_id, "failed", error="the job could not be queued")
        raise RetrorunError(f"the job could not be queued ({type(error).__name__})") from error
    return job_id


def submit_import(
    scope: Scope,
    athlete: int,
    uploads: Sequence[tuple[str, IO[bytes]]],
    direction: str | None = None,
) -> int:
    """Import uploaded files and archives in the background: each upload (name, stream) is
    written to the files folder first, so the request ends and any worker can read it."""
    with scope.access(athlete, Access.OWN):
        pass  # a refused actor writes no file
    if direction not in (None, "backward", "forward"):
        raise InvalidInput(f"direction must be backward or forward (got {direction!r})")
    if not uploads:
        raise InvalidInput("choose at least one file to import")
    token, names = _store_uploads(scope.app, uploads)
    payload = {"upload": token, "files": names, "direction": direction}
    try:
        return submit(scope, athlete, "import", payload)
    except BaseException:
        shutil.rmtree(_uploads(scope.app) / token, ignore_errors=True)
        raise


def submit_report(scope: Scope, athlete: int, today: date, weeks: int) -> int:
    """Render the therapist's report (PDF) of `weeks` weeks up to `today` to a file: a long
    window takes seconds, more than a page should wait."""
    return submit(scope, athlete, "report", {"today": today.isoformat(), "weeks": weeks})


def submit_energy(scope: Scope, athlete: int) -> int:
    """Work out every energy estimate of the athlete's activities again."""
    return submit(scope, athlete, "energy", {})


def _check_payload(app: App, kind: str, payload: dict[str, Any]) -> None:
    if kind == "import":
        _upload_paths(app, payload)
        if payload.get("direction") not in (None, "backward", "forward"):
            raise InvalidInput("an import's direction is backward, forward or none")
    elif kind == "report":
        weeks = payload.get("weeks")
        if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
            raise InvalidInput(f"a report covers 1–{MAX_WEEKS} weeks (got {weeks})")
        _report_day(payload)
        if set(payload) != {"today", "weeks"}:
            raise InvalidInput("a report job takes its day and its weeks, nothing else")
    elif payload:
        raise InvalidInput("recomputing energy takes no options")


def _report_day(payload: dict[str, Any]) -> date:
    try:
        return date.fromisoformat(str(payload.get("today")))
    except ValueError:
        raise InvalidInput("a report needs its day as YYYY-MM-DD") from None


# --- following it ------------------------------------------------------------------------------


def job(scope: Scope, athlete: int, job_id: int) -> Job:
    """One job of the athlete's: the athlete and a linked coach see it, nobody else."""
    with scope.access(athlete) as db:
        row = db.get(JobRow, job_id) if possible_id(job_id) else None
        if row is None or row.athlete_id != athlete:
            raise NotFound(f"no job with id {job_id}")
        return _job(row)


def recent_jobs(scope: Scope, athlete: int, limit: int = 10) -> list[Job]:
    """The athlete's latest jobs, newest first."""
    with scope.access(athlete) as db:
        rows = db.scalars(
            select(JobRow)
            .where(JobRow.athlete_id == athlete)
            .order_by(JobRow.created_at.desc(), JobRow.id.desc())
            .limit(max(1, min(limit, 100)))
        )
        return [_job(row) for row in rows]


def report_file(scope: Scope, athlete: int, job_id: int) -> tuple[Path, str]:
    """The file a finished report job made, and its media type."""
    found = job(scope, athlete, job_id)
    if found.kind != "report":
        raise NotFound(f"job {job_id} made no file")
    if found.status != "done" or found.result is None:
        raise NotReady(f"job {job_id} is {found.status}: the report is not made yet")
    path = _inside(files_folder(scope.app), str(found.result["path"]))
    if not path.is_file():
        raise NotFound(f"the report of job {job_id} is no longer kept")
    return path, str(found.result["media_type"])


def _job(row: JobRow) -> Job:
    assert row.athlete_id is not None
    request = {key: value for key, value in row.payload.items() if key != "upload"}
    return Job(
        id=row.id,
        athlete_id=row.athlete_id,
        kind=row.kind,
        status=row.status,
        request=request,
        result=row.result,
        error=row.error,
        done_units=row.done_units,
        total_units=row.total_units,
        attempts=row.attempts,
        created_at=activity_store.aware(row.created_at),
        started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at),
    )


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else activity_store.aware(moment)


# --- doing it: called by a queue, never by a front door ----------------------------------------


def run(app: App, job_id: int) -> str:
    """Run one job if it is waiting; the status it is left in.

    A job already done, failed or running elsewhere is left alone (its status is returned). An
    unexpected error is raised again after the row says whether the job will be retried, so that
    procrastinate (or the in-process runner) schedules the retry.
    """
    claimed = _claim(app, job_id)
    if claimed is None:
        return _status(app, job_id)
    try:
        result = _execute(app, claimed)
    except RetrorunError as error:  # a refusal a person can act on: trying again changes nothing
        _finish(app, job_id, "failed", error=str(error))
        _clean_up(app, claimed)
        return "failed"
    except BaseException as error:  # a cancelled or interrupted worker too: never left running
        last = claimed.attempts > queue.RETRIES
        log.exception("job %s failed (attempt %s)", job_id, claimed.attempts)
        message = f"attempt {claimed.attempts} failed on our side ({type(error).__name__})"
        _finish(app, job_id, "failed" if last else "queued", error=message)
        if last:
            _clean_up(app, claimed)
        raise
    _finish(app, job_id, "done", result=result)
    _clean_up(app, claimed)
    return "done"


def queued(app: App) -> list[int]:
    """The jobs waiting, oldest first (the in-process runner's queue)."""
    with app.transaction() as db:
        found = select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.id)
        return list(db.scalars(found))


def running(app: App) -> list[int]:
    """The jobs marked running: on SQLite, at start-up, ones a dead process left behind."""
    with app.transaction() as db:
        return list(db.scalars(select(JobRow.id).where(JobRow.status == "running")))


def requeue(app: App, job_id: int) -> None:
    """Put back a job whose worker died mid-way (it counted its attempt), or fail it for good
    if that was its last."""
    with app.transaction() as db:
        row = db.get(JobRow, job_id)
        if row is None or row.status != "running":
            return
        if row.attempts > queue.RETRIES:
            row.status, row.finished_at = "failed", _now()
        else:
            row.status = "queued"
        row.error = f"attempt {row.attempts} stopped with its worker"


HANDLERS = queue.Handlers(run=run, requeue=requeue, queued=queued, running=running)


def _claim(app: App, job_id: int) -> JobRow | None:
    """queued → running in one conditional UPDATE: of two workers, only one gets the row."""
    with app.transaction() as db:
        claimed = db.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status == "queued")
            .values(
                status="running",
                attempts=JobRow.attempts + 1,
                started_at=func.coalesce(JobRow.started_at, _now()),
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return db.get_one(JobRow, job_id, populate_existing=True)


def _status(app: App, job_id: int) -> str:
    with app.transaction() as db:
        row = db.get(JobRow, job_id)
        return row.status if row is not None else "missing"


def _finish(
    app: App,
    job_id: int,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    with app.transaction() as db:
        row = db.get_one(JobRow, job_id)
        row.status, row.error = status, error
        if result is not None:
            row.result = result
        if status in ("done", "failed"):
            row.finished_at = _now()


def _progress(app: App, job_id: int, done: int, total: int) -> None:
    """How far the job has got. Only forward: a retry that goes over files again does not
    move the bar back."""
    with app.transaction() as db:
        db.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.done_units <= done)
            .values(done_units=done, total_units=max(done, total))
        )


def _execute(app: App, row: JobRow) -> dict[str, Any]:
    scope = app.scope(_requester(app, row))
    assert row.athlete_id is not None
    if row.kind == "import":
        return _run_import(scope, row.athlete_id, row)
    if row.kind == "report":
        return _run_report(scope, row.athlete_id, row)
    return _run_energy(scope, row.athlete_id, row)


def _requester(app: App, row: JobRow) -> Actor:
    """Who asked: a user, or (no user) the local owner of the database acting on the record."""
    if row.requested_by is not None:
        return app.actor(row.requested_by)
    return Actor(user_id=None, role=Role.ATHLETE, athlete_id=row.athlete_id)


def _clean_up(app: App, row: JobRow) -> None:
    """An import's uploads are not needed once it has finished, either way."""
    if row.kind == "import":
        shutil.rmtree(_uploads(app) / str(row.payload["upload"]), ignore_errors=True)


# --- the import ---------------------------------------------------------------------------------


class _Counter:
    """The importer's per-upload progress, as progress over the whole job."""

    def __init__(self, app: App, job_id: int, total: int) -> None:
        self.app, self.job_id, self.total, self.offset = app, job_id, total, 0

    def __call__(self, _result: ImportResult, done: int, _upload_total: int) -> None:
        _progress(self.app, self.job_id, self.offset + done, self.total)


def _run_import(scope: Scope, athlete: int, row: JobRow) -> dict[str, Any]:
    uploads = _upload_paths(scope.app, row.payload)
    counter = _Counter(scope.app, row.id, sum(_count(name, path) for name, path in uploads))
    _progress(scope.app, row.id, 0, counter.total)
    results: list[ImportResult] = []
    for name, path in uploads:
        counter.offset = len(results)
        with path.open("rb") as stream:
            results += activities.import_upload(
                scope, athlete, name, stream, row.payload.get("direction"), counter
            )
    results = _recovered(scope, athlete, row, results)
    _progress(scope.app, row.id, len(results), len(results))
    return _import_result(results)


def _count(name: str, path: Path) -> int:
    with path.open("rb") as stream:
        return archive.count_upload(name, stream)


def _recovered(
    scope: Scope, athlete: int, row: JobRow, results: list[ImportResult]
) -> list[ImportResult]:
    """Files an earlier attempt of this job stored before it died come back as duplicates of
    themselves: same name, stored after the job first started. They count as imported."""
    assert row.started_at is not None
    started = activity_store.aware(row.started_at)
    ids = {r.activity_id for r in results if r.status == "duplicate" and r.activity_id}
    if not ids:
        return results
    with scope.access(athlete, Access.OWN) as db:
        mine = _stored_since(db, athlete, ids, started)
        fixed = [_as_imported(db, athlete, r, mine) for r in results]
        if any(r is not o for r, o in zip(fixed, results, strict=True)):
            activities.refresh_energy(db, athlete, repository.load_profile(db, athlete))
    return fixed


def _stored_since(db: DbSession, athlete: int, ids: set[int], started: datetime) -> dict[int, str]:
    """The activities among `ids` stored at or after `started`: their source paths."""
    rows = db.execute(
        select(ActivityRow.id, ActivityRow.source_path, ActivityRow.created_at).where(
            ActivityRow.athlete_id == athlete, ActivityRow.id.in_(ids)
        )
    )
    return {
        activity_id: path
        for activity_id, path, created in rows
        if activity_store.aware(created) >= started
    }


def _as_imported(
    db: DbSession, athlete: int, result: ImportResult, mine: dict[int, str]
) -> ImportResult:
    activity_id = result.activity_id
    if result.status != "duplicate" or activity_id is None:
        return result
    if mine.pop(activity_id, None) != result.path[-1000:]:  # each stored file once
        return result
    row = activity_store.activity_row(db, athlete, activity_id)
    stored = activity_store.stored(row, activity_store.lap_rows(db, activity_id))
    return ImportResult(result.path, "imported", activity_id=activity_id, activity=stored)


def _import_result(results: Sequence[ImportResult]) -> dict[str, Any]:
    files = schemas.import_json(results)
    counts = {status: 0 for status in ("imported", "duplicate", "rejected")}
    for result in results:
        counts[result.status] += 1
    return {"files": files, **counts}


# --- the report and energy ------------------------------------------------------------------------


def _run_report(scope: Scope, athlete: int, row: JobRow) -> dict[str, Any]:
    from retrorun.formats import report as rendering
    from retrorun.services import report

    found = report.report(scope, athlete, _report_day(row.payload), int(row.payload["weeks"]))
    data = rendering.report_pdf(found)
    relative = f"reports/{row.id}/retrorun-report-{found.last.isoformat()}.pdf"
    _write_atomically(files_folder(scope.app) / relative, data)
    _progress(scope.app, row.id, 1, 1)
    return {"path": relative, "bytes": len(data), "media_type": "application/pdf"}


def _run_energy(scope: Scope, athlete: int, row: JobRow) -> dict[str, Any]:
    with scope.access(athlete, Access.OWN) as db:
        count = select(func.count()).select_from(ActivityRow)
        total = db.scalar(count.where(ActivityRow.athlete_id == athlete)) or 0
        changed = activities.refresh_energy(db, athlete, repository.load_profile(db, athlete))
    _progress(scope.app, row.id, total, total)
    return {"changed": changed, "activities": total}


def _write_atomically(path: Path, data: bytes) -> None:
    """A retry or a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


# --- files ------------------------------------------------------------------------------------


def files_folder(app: App) -> Path:
    """Where uploads wait and reports are kept: RETRORUN_FILES_FOLDER (a folder every web and
    job worker can reach), else beside a SQLite database (`retrorun.db` → `retrorun-files/`),
    else `files` in retrorun's data folder."""
    if os.environ.get(FILES_ENV):
        return Path(os.environ[FILES_ENV]).expanduser()
    path = database.sqlite_file(app.engine)
    if path is not None:
        return path.absolute().parent / f"{path.stem}-files"
    return database.data_folder() / "files"


def _uploads(app: App) -> Path:
    return files_folder(app) / "uploads"


def _store_uploads(app: App, uploads: Sequence[tuple[str, IO[bytes]]]) -> tuple[str, list[str]]:
    """Write each upload under a folder of its own; (the folder's token, the files' names)."""
    token = secrets.token_hex(16)
    names = []
    for index, (name, stream) in enumerate(uploads):
        safe = _safe_name(name)
        target = _uploads(app) / token / str(index) / safe
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(stream, out, 2**20)
        names.append(safe)
    return token, names


def _safe_name(name: str) -> str:
    """The file's own name without folders or odd characters; its extension says what it is."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return base[-200:] or "upload"


def _upload_paths(app: App, payload: dict[str, Any]) -> list[tuple[str, Path]]:
    """The stored files of an import, each checked to be inside its upload's folder."""
    token, names = payload.get("upload"), payload.get("files")
    if not isinstance(token, str) or not _TOKEN.fullmatch(token) or not isinstance(names, list):
        raise InvalidInput("an import job needs the token and names of stored uploads")
    found = []
    for index, name in enumerate(names):
        if not isinstance(name, str) or name != _safe_name(name):
            raise InvalidInput(f"not the name of a stored upload: {name!r}")
        path = _inside(_uploads(app), f"{token}/{index}/{name}")
        if not path.is_file():
            raise InvalidInput(f"the upload {name} is not stored (or no longer)")
        found.append((name, path))
    return found


def _inside(folder: Path, relative: str) -> Path:
    """`folder / relative`, refused if it climbs out of `folder`."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise InvalidInput(f"{relative!r} is not inside the files folder")
    return path


def _now() -> datetime:
    """Real time, not RETRORUN_TODAY: when work happened, compared with when files were stored."""
    return datetime.now(UTC)
