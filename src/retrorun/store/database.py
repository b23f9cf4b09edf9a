"""Opening the database: SQLite by default in the user's data folder, PostgreSQL by URL."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, OperationalError

from retrorun.errors import RetrorunError, SchemaNotReady

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
ENV_VAR = "RETRORUN_DATABASE_URL"


def default_database_url() -> str:
    """RETRORUN_DATABASE_URL, else a SQLite file in the user's data folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    return f"sqlite:///{Path(user_data_dir('retrorun')) / 'retrorun.db'}"


def database_url(db: str | None) -> str:
    """Accept a URL or a plain file path (taken as SQLite)."""
    if not db:
        return default_database_url()
    if "://" in db:
        return db.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def open_engine(url: str) -> Engine:
    """An engine with SQLite in WAL mode and foreign keys on; PostgreSQL as it comes."""
    url = database_url(url)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RetrorunError(f"cannot create the database folder {folder}: {error}") from None
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as error:
        raise RetrorunError(f"cannot use database URL {url!r}: {error}") from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# The newest migration; a test checks it against Alembic's own head. Knowing it here means
# checking the schema costs one query, not loading every migration script.
HEAD_REVISION = "0004"
# Any 64-bit number; every retrorun process takes the same PostgreSQL advisory lock to migrate.
MIGRATION_LOCK_KEY = 0x7265_7472_6F72_756E  # "retrorun"


def current_revision(engine: Engine) -> str | None:
    """The schema's migration, or None for a database with no retrorun tables yet."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise RetrorunError(f"cannot open the database: {_reason(error)}") from error


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than this version's."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaNotReady(
            f"the database {where} has no retrorun tables yet: run `retrorun db upgrade`"
        )
    if current < HEAD_REVISION:
        raise SchemaNotReady(
            f"the database {where} has schema {current} and this retrorun needs "
            f"{HEAD_REVISION}: run `retrorun db upgrade`"
        )
    raise SchemaNotReady(
        f"the database {where} has schema {current}, newer than this retrorun knows "
        f"({HEAD_REVISION}): upgrade retrorun"
    )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest migration; returns (revision before, revision after).

    Safe when several processes start at once: on PostgreSQL they queue on an advisory lock,
    on SQLite on a lock file beside the database, and each one checks the revision again once
    it holds the lock, so the migrations run exactly once.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    try:
        with _migration_lock(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": MIGRATION_LOCK_KEY})
            before = MigrationContext.configure(connection).get_current_revision()
            if before != HEAD_REVISION:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return before, HEAD_REVISION
    except OperationalError as error:
        raise RetrorunError(f"cannot open the database: {_reason(error)}") from error


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock file beside a SQLite database; nothing for other databases."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _reason(error: OperationalError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)
