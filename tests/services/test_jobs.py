"""Background jobs on both databases: SQLite's in-process runner and a real procrastinate worker
on PostgreSQL finish the same import of a real export archive, with its progress and its result.

A job that dies mid-way (its process killed with SIGKILL after two files) is retried and stores
each file once; two workers handed the same job run it once; a job that keeps failing gives up
after its retries; a refusal fails at once. Who may see a job is in `test_access_matrix.py`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from retrorun import jobs as queue
from retrorun.errors import InvalidInput, NotFound, RetrorunError
from retrorun.jobs import inprocess, postgres
from retrorun.services import accounts, activities, athletes, jobs, schemas
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Scope, Settings
from retrorun.store import repository
from retrorun.store.models import ActivityRow
from tests.services.conftest import DATA, NOW, RUNNER

# Five real watch files (FIT, GPX, TCX) and one damaged one, as in an export archive.
WATCH_FILES = (
    "run.gpx",
    "no_hr.tcx",
    "garmin-fenix-5-walk.fit",
    "cerknicko-jezero.gpx",
    "activity-small-fenix2-run.fit",
)
IN_ARCHIVE = len(WATCH_FILES) + 1


def export_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/README.txt", "not an activity: passed over")
        for name in WATCH_FILES:
            archive.write(DATA / name, f"export/activities/{name}")
        archive.writestr("export/activities/broken.fit", b"\x0e\x10 not a FIT file")
    return buffer.getvalue()


@dataclass
class Practice:
    app: App
    athlete: int
    me: Scope
    coach: Scope
    stranger: Scope

    def submit_archive(self) -> int:
        return jobs.submit_import(self.me, self.athlete, [("export.zip", io.BytesIO(export_zip()))])

    def drain(self) -> None:
        """Run every job waiting, as the database's own queue does."""
        if self.app.engine.dialect.name == "postgresql":
            postgres.drain(self.app, jobs.HANDLERS)
        else:
            inprocess.Runner(self.app, jobs.HANDLERS).drain()

    def activities(self) -> int:
        with self.app.transaction() as db:
            count = select(func.count()).select_from(ActivityRow)
            return db.scalar(count.where(ActivityRow.athlete_id == self.athlete)) or 0


def build(url: str) -> Practice:
    app = App(url, Settings(password_profile="cheapest"))
    app.upgrade()
    admin = Actor(None, Role.ADMIN, None)
    made = {
        who: accounts.add_user(app, admin, f"{who}@example.org", "correct horse battery", role)
        for who, role in (
            ("runner", Role.ATHLETE),
            ("coach", Role.COACH),
            ("stranger", Role.ATHLETE),
        )
    }
    scopes = {who: app.scope(app.actor(user.id)) for who, user in made.items()}
    invitation = accounts.invite(scopes["coach"], NOW)
    accounts.accept(scopes["runner"], invitation.code, NOW)
    athlete = scopes["runner"].own_athlete
    athletes.set_profile(scopes["runner"], athlete, RUNNER)
    return Practice(app, athlete, scopes["runner"], scopes["coach"], scopes["stranger"])


@pytest.fixture
def practice(database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Practice]:
    """A runner, their linked coach and a stranger, on SQLite and on PostgreSQL."""
    monkeypatch.setenv(jobs.FILES_ENV, str(tmp_path / "files"))
    built = build(database)
    yield built
    built.app.close()


@pytest.fixture
def on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Practice]:
    monkeypatch.setenv(jobs.FILES_ENV, str(tmp_path / "files"))
    built = build(str(tmp_path / "retrorun.db"))
    yield built
    built.app.close()


def _progress_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    real = jobs._progress

    def recording(app: App, job_id: int, done: int, total: int) -> None:
        seen.append((done, total))
        real(app, job_id, done, total)

    monkeypatch.setattr(jobs, "_progress", recording)
    return seen


def test_an_export_archive_is_imported_in_the_background_with_its_progress(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _progress_seen(monkeypatch)
    job_id = practice.submit_archive()
    waiting = jobs.job(practice.me, practice.athlete, job_id)
    assert (waiting.status, waiting.attempts, waiting.request["files"]) == (
        "queued",
        0,
        ["export.zip"],
    )
    practice.drain()

    done = jobs.job(practice.me, practice.athlete, job_id)
    assert (done.status, done.attempts, done.error) == ("done", 1, None)
    assert (done.done_units, done.total_units) == (IN_ARCHIVE, IN_ARCHIVE)
    assert seen == [(n, IN_ARCHIVE) for n in range(IN_ARCHIVE + 1)] + [(IN_ARCHIVE, IN_ARCHIVE)]
    assert done.result is not None
    assert (done.result["imported"], done.result["duplicate"], done.result["rejected"]) == (5, 0, 1)
    statuses = {f["path"].rsplit("/", 1)[1]: f["status"] for f in done.result["files"]}
    assert statuses == {**dict.fromkeys(WATCH_FILES, "imported"), "broken.fit": "rejected"}
    assert practice.activities() == len(WATCH_FILES)
    assert not list((jobs.files_folder(practice.app) / "uploads").iterdir())  # upload removed
    document = schemas.job_json(done)
    assert document["result"]["files"][0]["path"].startswith("export.zip!export/activities/")

    again = practice.submit_archive()  # the same archive again: every file is already there
    practice.drain()
    result = jobs.job(practice.me, practice.athlete, again).result
    assert result is not None and (result["imported"], result["duplicate"]) == (0, 5)
    assert practice.activities() == len(WATCH_FILES)


# Runs in a process of its own and kills it (SIGKILL: no clean-up of any kind) once two files
# of the archive are stored: a worker that dies mid-way.
KILLED_MID_WAY = """
import os, signal, sys
from retrorun.services import jobs
from retrorun.services.app import App

stored = jobs._progress
def progress(app, job_id, done, total):
    stored(app, job_id, done, total)
    if done == 2:
        os.kill(os.getpid(), signal.SIGKILL)

jobs._progress = progress
app = App(sys.argv[1])
if app.engine.dialect.name == "postgresql":
    from retrorun.jobs import postgres
    postgres.drain(app, jobs.HANDLERS)
else:
    from retrorun.jobs import inprocess
    inprocess.Runner(app, jobs.HANDLERS).drain()
"""


def test_a_job_whose_worker_is_killed_is_retried_and_imports_each_file_once(
    practice: Practice,
) -> None:
    job_id = practice.submit_archive()
    url = practice.app.engine.url.render_as_string(hide_password=False)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WAY, url], capture_output=True, text=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr
    dead = jobs.job(practice.me, practice.athlete, job_id)
    assert (dead.status, dead.attempts, dead.done_units) == ("running", 1, 2)
    assert practice.activities() == 2

    if practice.app.engine.dialect.name == "postgresql":
        assert _retry_stalled_now(practice.app) == 1  # what every worker does once a minute
    else:
        inprocess.Runner(practice.app, jobs.HANDLERS).recover()  # what `serve` does at start
    practice.drain()

    done = jobs.job(practice.me, practice.athlete, job_id)
    assert (done.status, done.attempts, done.done_units) == ("done", 2, IN_ARCHIVE)
    assert done.result is not None
    assert (done.result["imported"], done.result["duplicate"], done.result["rejected"]) == (5, 0, 1)
    assert practice.activities() == len(WATCH_FILES)  # each file once
    with practice.app.transaction() as db:  # every estimate is current: nothing left to redo
        profile = repository.load_profile(db, practice.athlete)
        assert activities.refresh_energy(db, practice.athlete, profile) == 0


def _retry_stalled_now(app: App) -> int:
    """The stalled-job check, treating any worker without a heartbeat since now as gone."""

    async def check() -> int:
        worker = postgres.worker_app(app, jobs.HANDLERS)
        async with worker.open_async():
            return await postgres.retry_stalled(app, jobs.HANDLERS, worker, 0)

    return asyncio.run(check())


def test_a_job_that_raises_mid_way_is_retried_and_imports_each_file_once(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = jobs._progress
    failures = []

    def failing_once(app: App, job_id: int, done: int, total: int) -> None:
        stored(app, job_id, done, total)
        if done == 3 and not failures:
            failures.append(done)
            raise OSError("disk full")

    monkeypatch.setattr(jobs, "_progress", failing_once)
    job_id = practice.submit_archive()
    practice.drain()

    done = jobs.job(practice.me, practice.athlete, job_id)
    assert failures == [3]
    assert (done.status, done.attempts, done.done_units) == ("done", 2, IN_ARCHIVE)
    assert done.result is not None and done.result["imported"] == len(WATCH_FILES)
    assert practice.activities() == len(WATCH_FILES)


def test_two_workers_handed_the_same_job_run_it_once(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = practice.submit_archive()
    started = _count_starts(monkeypatch)
    handed: list[str] = []  # what each worker found when handed the job

    def run(app: App, job_id: int) -> str:
        handed.append(jobs.run(app, job_id))
        return handed[-1]

    if practice.app.engine.dialect.name == "postgresql":
        _defer_again_without_locks(practice.app, job_id)
        handlers = dataclasses.replace(jobs.HANDLERS, run=run)
        _at_once([lambda: postgres.drain(practice.app, handlers) for _ in range(2)])
    else:
        _at_once([lambda: run(practice.app, job_id) for _ in range(2)])

    done = jobs.job(practice.me, practice.athlete, job_id)
    assert (done.status, done.attempts) == ("done", 1)
    assert len(handed) == 2 and "done" in handed and set(handed) <= {"done", "running"}
    assert started == [job_id]
    assert practice.activities() == len(WATCH_FILES)


def _count_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the jobs whose work starts, each time it starts, whoever starts it."""
    started: list[int] = []
    real = jobs._execute

    def counting(app: App, row: Any) -> dict[str, Any]:
        started.append(row.id)
        return real(app, row)

    monkeypatch.setattr(jobs, "_execute", counting)
    return started


def _defer_again_without_locks(app: App, job_id: int) -> None:
    """A second queue entry for the same job, as a bug or an operator's retry might make."""
    import procrastinate

    connector = procrastinate.SyncPsycopgConnector(conninfo=postgres.conninfo(app))
    with procrastinate.App(connector=connector).open() as direct:
        direct.configure_task(postgres.TASK, queue=postgres.QUEUE).defer(job_id=job_id)


def _at_once(calls: list[Callable[[], object]]) -> None:
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def go(call: Callable[[], object]) -> None:
        start.wait()
        try:
            call()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=go, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors


def test_a_job_that_keeps_failing_gives_up_after_its_retries(
    on_sqlite: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(app: App, row: Any) -> dict[str, Any]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "_execute", broken)
    monkeypatch.setattr(inprocess, "RETRY_WAIT_S", 0)
    job_id = jobs.submit_energy(on_sqlite.me, on_sqlite.athlete)
    on_sqlite.drain()
    failed = jobs.job(on_sqlite.me, on_sqlite.athlete, job_id)
    assert (failed.status, failed.attempts) == ("failed", queue.RETRIES + 1)
    assert failed.error == f"attempt {queue.RETRIES + 1} failed on our side (RuntimeError)"
    assert failed.finished_at is not None


def test_a_refusal_fails_at_once_and_says_why(on_sqlite: Practice) -> None:
    job_id = on_sqlite.submit_archive()
    for upload in (jobs.files_folder(on_sqlite.app) / "uploads").iterdir():
        for stored in upload.rglob("*.zip"):
            stored.unlink()  # the upload went missing (a folder cleaned by hand)
    on_sqlite.drain()
    failed = jobs.job(on_sqlite.me, on_sqlite.athlete, job_id)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.error == "the upload export.zip is not stored (or no longer)"


def test_a_job_the_queue_cannot_take_is_failed_not_left_waiting(
    on_sqlite: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(app: App, job_id: int) -> None:
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(queue, "enqueue", unreachable)
    with pytest.raises(RetrorunError, match=r"could not be queued \(ConnectionError\)"):
        jobs.submit_energy(on_sqlite.me, on_sqlite.athlete)
    (found,) = jobs.recent_jobs(on_sqlite.me, on_sqlite.athlete)
    assert (found.status, found.error) == ("failed", "the job could not be queued")


def test_a_coach_s_report_and_the_runner_s_energy_run_as_jobs(on_sqlite: Practice) -> None:
    report_id = jobs.submit_report(on_sqlite.coach, on_sqlite.athlete, date(2026, 12, 10), 26)
    energy_id = jobs.submit_energy(on_sqlite.me, on_sqlite.athlete)
    on_sqlite.drain()

    path, media_type = jobs.report_file(on_sqlite.coach, on_sqlite.athlete, report_id)
    assert media_type == "application/pdf" and path.read_bytes().startswith(b"%PDF")
    assert path.name == "retrorun-report-2026-12-10.pdf"
    report = jobs.job(on_sqlite.me, on_sqlite.athlete, report_id)  # the runner sees it too
    assert report.request == {"today": "2026-12-10", "weeks": 26}
    assert (report.done_units, report.total_units) == (1, 1)
    energy = jobs.job(on_sqlite.coach, on_sqlite.athlete, energy_id)
    assert (energy.status, energy.result) == ("done", {"changed": 0, "activities": 0})
    assert [j.id for j in jobs.recent_jobs(on_sqlite.me, on_sqlite.athlete)] == [
        energy_id,
        report_id,
    ]


def test_nobody_else_sees_a_job_and_ids_tell_nothing(on_sqlite: Practice) -> None:
    job_id = jobs.submit_energy(on_sqlite.me, on_sqlite.athlete)
    with pytest.raises(NotFound, match=f"no athlete with id {on_sqlite.athlete}"):
        jobs.job(on_sqlite.stranger, on_sqlite.athlete, job_id)
    own = on_sqlite.stranger.own_athlete
    with pytest.raises(NotFound, match=f"^no job with id {job_id}$"):
        jobs.job(on_sqlite.stranger, own, job_id)  # their own record: not their job
    with pytest.raises(NotFound, match=r"^no job with id 99999$"):
        jobs.job(on_sqlite.me, on_sqlite.athlete, 99999)
    with pytest.raises(NotFound, match=f"job {job_id} made no file"):
        jobs.report_file(on_sqlite.me, on_sqlite.athlete, job_id)  # an energy job: no file


@pytest.mark.parametrize(
    ("kind", "payload", "says"),
    [
        ("mine bitcoin", {}, "no kind of job"),
        ("report", {"today": "2026-12-10", "weeks": 0}, "1–104 weeks"),
        ("report", {"today": "2026-12-10", "weeks": 8, "format": "docx"}, "nothing else"),
        ("report", {"today": "yesterday", "weeks": 8}, "YYYY-MM-DD"),
        ("energy", {"all": True}, "takes no options"),
        ("import", {"upload": "../../etc", "files": ["passwd"]}, "token and names"),
        ("import", {"upload": "0" * 32, "files": ["../../../etc/passwd"]}, "not the name"),
        ("import", {"upload": "0" * 32, "files": ["x.fit"]}, "not stored"),
    ],
)
def test_a_job_that_cannot_run_is_refused_before_it_is_recorded(
    on_sqlite: Practice, kind: str, payload: dict[str, Any], says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        jobs.submit(on_sqlite.me, on_sqlite.athlete, kind, payload)
    with on_sqlite.app.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 0


def test_an_import_s_direction_is_checked_before_any_file_is_written(on_sqlite: Practice) -> None:
    with pytest.raises(InvalidInput, match="backward or forward"):
        jobs.submit_import(
            on_sqlite.me, on_sqlite.athlete, [("a.zip", io.BytesIO(b"x"))], "sideways"
        )
    assert not (jobs.files_folder(on_sqlite.app) / "uploads").exists()


def test_upload_names_keep_no_folders_or_odd_characters() -> None:
    assert jobs._safe_name("../../etc/passwd") == "passwd"
    assert jobs._safe_name("C:\\Users\\me\\Strava export.zip") == "Strava_export.zip"
    assert jobs._safe_name("..") == "upload"


def test_files_live_beside_a_sqlite_database_unless_a_folder_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(jobs.FILES_ENV, raising=False)
    app = App(str(tmp_path / "clinic.db"))
    try:
        assert jobs.files_folder(app) == tmp_path / "clinic-files"
        monkeypatch.setenv(jobs.FILES_ENV, str(tmp_path / "shared"))
        assert jobs.files_folder(app) == tmp_path / "shared"
    finally:
        app.close()


def test_an_import_job_s_progress_never_goes_back(on_sqlite: Practice) -> None:
    job_id = on_sqlite.submit_archive()
    jobs._progress(on_sqlite.app, job_id, 4, 6)
    jobs._progress(on_sqlite.app, job_id, 1, 6)  # a retry going over the first files again
    found = jobs.job(on_sqlite.me, on_sqlite.athlete, job_id)
    assert (found.done_units, found.total_units) == (4, 6)


def test_activities_of_a_job_are_the_importer_s(on_sqlite: Practice) -> None:
    """The job imports through the importer: what it stores is what `import` lists."""
    on_sqlite.submit_archive()
    on_sqlite.drain()
    stored = activities.activities(on_sqlite.me, on_sqlite.athlete)
    assert sorted(a.source_path.rsplit("/", 1)[1] for a in stored) == sorted(WATCH_FILES)
