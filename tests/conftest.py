"""Fixtures: a real SQLite file, and a real PostgreSQL database when a server is reachable.

In CI (CI=true) a PostgreSQL server must be reachable: the store tests fail rather than skip.
On a developer's laptop without one they skip, saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from psycopg import sql

# CI must give the same answer for the same commit: Hypothesis draws the same examples there
# (derandomize) instead of new ones each run, replays no examples saved by an earlier run
# (database=None), and fails nothing on timing, which a busy machine changes (no deadline, no
# too-slow health check). On a laptop it keeps exploring; what it finds there is kept in the
# tests as an explicit @example or a plain regression test (test_energy_grade_and_switch.py).
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
if os.environ.get("CI"):
    settings.load_profile("ci")

POSTGRES_ADMIN = os.environ.get(
    "RETRORUN_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "retrorun.db")


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL not reachable at {POSTGRES_ADMIN!r}: {error}".strip()
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + " (set RETRORUN_TEST_POSTGRES or start a server)")


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards; its SQLAlchemy URL."""
    name = f"retrorun_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN)
    user, host, port = (
        info.get("user", "postgres"),
        info.get("host", "127.0.0.1"),
        info.get("port", "5432"),
    )
    password = f":{info['password']}" if info.get("password") else ""
    try:
        yield f"postgresql+psycopg://{user}{password}@{host}:{port}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """Each store test runs on both databases."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url
