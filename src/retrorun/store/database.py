"""Opening the database: SQLite by default in the user's data folder, PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, OperationalError

from retrorun.errors import RetrorunError

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
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (cheap when it already is)."""
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
            if current == head:
                return
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise RetrorunError(f"cannot open the database: {reason}") from error
