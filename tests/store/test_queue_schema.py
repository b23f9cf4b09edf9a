"""procrastinate's tables: added to PostgreSQL by the migration step, once, even when several
processes migrate at the same moment and when the database was already at the newest
migration before the queue existed; never to SQLite."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from retrorun.services.app import App
from retrorun.store import database
from retrorun.store.queue_schema import has_queue_schema


def _has_queue(app: App) -> bool:
    with app.engine.connect() as connection:
        return has_queue_schema(connection)


def test_upgrade_adds_the_queue_once(postgres_url: str) -> None:
    app = App(postgres_url)
    try:
        app.upgrade()
        assert _has_queue(app)
        assert app.upgrade() == (database.HEAD_REVISION, database.HEAD_REVISION)  # no error
        assert _has_queue(app)
    finally:
        app.close()


def test_processes_migrating_together_add_it_once(postgres_url: str) -> None:
    apps = [App(postgres_url) for _ in range(3)]
    start = threading.Barrier(len(apps))
    errors: list[BaseException] = []

    def migrate(app: App) -> None:
        start.wait()
        try:
            app.upgrade()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert _has_queue(apps[0])
    finally:
        for app in apps:
            app.close()


def test_a_database_migrated_before_the_queue_existed_gets_it(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = App(postgres_url)
    try:
        with monkeypatch.context() as before_jobs:
            before_jobs.setattr(database, "ensure_queue_schema", lambda connection: False)
            app.upgrade()
        assert not _has_queue(app)
        assert app.upgrade() == (database.HEAD_REVISION, database.HEAD_REVISION)
        assert _has_queue(app)
    finally:
        app.close()


def test_sqlite_has_no_queue_tables(tmp_path: Path) -> None:
    app = App(str(tmp_path / "retrorun.db"))
    try:
        app.upgrade()
        assert not _has_queue(app)
        with app.engine.connect() as connection:
            names = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars()
            assert not [name for name in names if name.startswith("procrastinate")]
    finally:
        app.close()
