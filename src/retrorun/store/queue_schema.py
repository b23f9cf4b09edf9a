"""procrastinate's own tables on PostgreSQL: the job queue that `retrorun worker` takes from.

They are applied by the same step that migrates retrorun's schema (`retrorun db upgrade`, `init`,
`serve`), in the same transaction and under the same advisory lock, so several processes starting
together apply them once. procrastinate's schema file is not idempotent (applying it twice fails
on its types), so it is applied only when its `procrastinate_jobs` table is not there yet.
SQLite has no such queue: jobs there run inside `retrorun serve` (`retrorun.jobs.inprocess`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, text

QUEUE_TABLE = "procrastinate_jobs"


def not_the_queue(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic's `include_name`: procrastinate's tables and indexes are procrastinate's to
    migrate, so comparing the schema with retrorun's models leaves them out."""
    if type_ == "table":
        return not (name or "").startswith("procrastinate_")
    return not (parent_names.get("table_name") or "").startswith("procrastinate_")


def has_queue_schema(connection: Connection) -> bool:
    """Whether procrastinate's tables are in this PostgreSQL database (False on SQLite)."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.execute(text("SELECT to_regclass(:table)"), {"table": QUEUE_TABLE})
    return found.scalar_one() is not None


def ensure_queue_schema(connection: Connection) -> bool:
    """Apply procrastinate's schema once, inside the caller's transaction; True if it did.

    Run on the driver's connection with no parameters, so psycopg sends the file as one
    simple query (many statements, `%` left alone) inside the transaction already open.
    """
    if connection.dialect.name != "postgresql" or has_queue_schema(connection):
        return False
    from procrastinate.schema import SchemaManager

    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(SchemaManager.get_schema())
    return True
