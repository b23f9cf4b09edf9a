"""`retrorun worker`: refused on SQLite (jobs run inside `serve` there), and on PostgreSQL a real
process that takes a queued import from procrastinate, finishes it, and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.cli.clirunner import assert_one_line_error, run
from tests.services.test_jobs import IN_ARCHIVE, Practice, build, export_zip

from retrorun.services import jobs

DONE_WITHIN_S = 60.0


def test_worker_on_sqlite_refuses_and_says_jobs_run_inside_serve(tmp_path: Path) -> None:
    db = tmp_path / "retrorun.db"
    assert run(db, "init").code == 0
    for database in (db, tmp_path / "not-made-yet.db"):
        refused = run(database, "worker")
        assert_one_line_error(refused, "retrorun worker needs PostgreSQL")
        assert "inside `retrorun serve`" in refused.err
    assert not (tmp_path / "not-made-yet.db").exists()


def test_worker_needs_a_sensible_concurrency(tmp_path: Path) -> None:
    assert_one_line_error(run(tmp_path / "x.db", "worker", "--concurrency", "0"), "1–32")


def test_worker_has_help_text() -> None:
    shown = run(Path("unused.db"), "worker", "--help")
    assert shown.code == 0 and "--concurrency" in shown.out and "until stopped" in shown.out


def test_worker_refuses_a_database_without_the_job_queue(postgres_url: str) -> None:
    assert run(postgres_url, "db", "upgrade").code == 0
    built = build(postgres_url)  # already migrated: adds people only
    with built.app.engine.begin() as connection:
        connection.execute(text("DROP TABLE procrastinate_jobs CASCADE"))
    built.app.close()
    assert_one_line_error(run(postgres_url, "worker"), "run `retrorun db upgrade`")


def test_a_worker_process_finishes_a_queued_import_and_stops_on_sigterm(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(jobs.FILES_ENV, str(tmp_path / "files"))  # the web stores, workers read
    practice = build(postgres_url)
    job_id = jobs.submit_import(
        practice.me, practice.athlete, [("export.zip", io.BytesIO(export_zip()))]
    )
    env = {**os.environ, "RETRORUN_DATABASE_URL": postgres_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "retrorun", "worker", "--concurrency", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        done = _wait_until_finished(practice, job_id, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
        practice.app.close()
    assert (done.status, done.done_units, done.attempts) == ("done", IN_ARCHIVE, 1)
    assert worker.returncode == 0, err
    assert "retrorun worker on postgresql" in out and "2 at a time" in out
    assert out.rstrip().endswith("retrorun worker stopped")
    assert "Traceback" not in err


def _wait_until_finished(
    practice: Practice, job_id: int, worker: subprocess.Popen[str]
) -> jobs.Job:
    deadline = time.monotonic() + DONE_WITHIN_S
    while time.monotonic() < deadline:
        found = jobs.job(practice.me, practice.athlete, job_id)
        if found.status in ("done", "failed"):
            return found
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped: {worker.communicate()}")
        time.sleep(0.05)
    pytest.fail(f"job {job_id} was not finished within {DONE_WITHIN_S} s")
