"""Opening the database: SQLite by default in the user's data folder, PostgreSQL by URL.

Only migrating creates a database (`retrorun init`, `retrorun db upgrade`, and `retrorun serve`,
which migrates at start): everything else refuses a SQLite file that is not there, so a mistyped
`--db typo.db` says so instead of leaving an empty database behind. Creating one makes no folder
but retrorun's own data folder: a missing folder in a path someone typed is more likely a typo
than a wish.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, DatabaseError

from retrorun.errors import RetrorunError, SchemaNotReady
from retrorun.store.queue_schema import ensure_queue_schema

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
ENV_VAR = "RETRORUN_DATABASE_URL"


class NoDatabase(SchemaNotReady):
    """No retrorun database here yet (no SQLite file, or no tables): `retrorun init` makes one."""


def data_folder() -> Path:
    """retrorun's own folder in the user's data folder (~/.local/share/retrorun on Linux)."""
    return Path(user_data_dir("retrorun"))


def default_database_url() -> str:
    """RETRORUN_DATABASE_URL, else a SQLite file in the user's data folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    return f"sqlite:///{data_folder() / 'retrorun.db'}"


def database_url(db: str | None) -> str:
    """Accept a URL or a plain file path (taken as SQLite)."""
    if not db:
        return default_database_url()
    if "://" in db:
        return db.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def open_engine(url: str) -> Engine:
    """An engine with SQLite in WAL mode and foreign keys on; PostgreSQL as it comes.

    Connects to nothing and creates nothing: `require_database` and `upgrade` decide that.
    """
    url = database_url(url)
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
HEAD_REVISION = "0011"
# Any 64-bit number; every retrorun process takes the same PostgreSQL advisory lock to migrate.
MIGRATION_LOCK_KEY = 0x7265_7472_6F72_756E  # "retrorun"


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database; None for PostgreSQL or an in-memory database."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    return Path(name) if name and name != ":memory:" else None


def require_database(engine: Engine) -> None:
    """Refuse a SQLite file that is not there, before connecting would create it empty."""
    path = sqlite_file(engine)
    if path is None or path.is_file():
        return
    if path.is_dir():
        raise NoDatabase(f"{path} is a folder, not a database file")
    raise NoDatabase(
        f"there is no database at {path}: run `retrorun init` to create it "
        "(or check --db and RETRORUN_DATABASE_URL for a typo)"
    )


def check_can_migrate(engine: Engine) -> None:
    """Before a migration, which may create a SQLite file: a file already there must be a
    database, and the folder for a new one must exist.

    retrorun's own data folder is made when missing (a first `retrorun init`); any other
    missing folder is refused, not made: `--db /nonexistent/dir/x.db` is more likely a typo.
    Checked before the lock file is made beside the database, so a refusal leaves nothing.
    """
    path = sqlite_file(engine)
    if path is None:
        return
    if path.is_dir():
        raise RetrorunError(f"{path} is a folder: give --db a file name for the database")
    if path.exists():
        current_revision(engine)  # one line, not a traceback, for a file that is no database
        return
    folder = path.absolute().parent
    if folder.is_dir():
        return
    if folder != data_folder().absolute():
        raise RetrorunError(
            f"the folder {folder} does not exist: create it first, or give --db a path in a "
            "folder that exists"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RetrorunError(f"cannot create the data folder {folder}: {error}") from None


def current_revision(engine: Engine) -> str | None:
    """The schema's migration, or None for a database with no retrorun tables yet.

    A SQLite file that is not there is refused (`NoDatabase`) rather than created empty.
    """
    from alembic.runtime.migration import MigrationContext

    require_database(engine)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DatabaseError as error:
        raise _unusable(engine, error) from error


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than this version's."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise NoDatabase(
            f"the database {where} has no retrorun tables yet: run `retrorun init` "
            "(or `retrorun db upgrade`)"
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

    check_can_migrate(engine)
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
            ensure_queue_schema(connection)  # PostgreSQL's job queue, once, under the same lock
            return before, HEAD_REVISION
    except DatabaseError as error:
        raise _unusable(engine, error) from error


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


def _unusable(engine: Engine, error: DatabaseError) -> RetrorunError:
    """One line for a database that cannot be used: unreachable, or a file that is not one."""
    reason = _reason(error)
    path = sqlite_file(engine)
    if path is not None and "not a database" in reason:
        return RetrorunError(
            f"{path} is not a SQLite database ({reason}): give --db a retrorun database, "
            "or the name of a new file for `retrorun init`"
        )
    return RetrorunError(f"cannot open the database: {reason}")


def _reason(error: DatabaseError) -> str:
    text = str(error.orig) if error.orig else str(error)
    lines = text.strip().splitlines()
    return lines[0] if lines else type(error).__name__
