"""Rows for the practice seed: ids handed out before insertion, and inserts in large batches.

The seed writes hundreds of thousands of rows. Going through the services would take hours
(each log reads the athlete's history again), so rows are built in memory with the columns the
services would fill and inserted with SQLAlchemy Core, a few thousand per statement. Ids are
given here, not by the database, so that children (a log's activity, a lap's activity) can name
their parents without a round trip; PostgreSQL's sequences are moved past them at the end.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

from sqlalchemy import JSON, Insert, Table, Text, bindparam, cast, func, insert, select, text
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.sql.elements import ColumnElement

from retrorun.store.models import (
    ActivityLapRow,
    ActivityRow,
    AthleteRow,
    AuditRow,
    ClientNoteRow,
    CoachLinkRow,
    DecisionRow,
    LogRow,
    PlannedSessionRow,
    PlannedSessionVersionRow,
    PlanRow,
    ScreeningRow,
    UserRow,
    WalkTestRow,
)

Row = dict[str, Any]

# Parents before children, so every foreign key names a row already inserted.
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        AthleteRow,
        UserRow,
        CoachLinkRow,
        ScreeningRow,
        PlanRow,
        PlannedSessionRow,
        PlannedSessionVersionRow,
        ActivityRow,
        ActivityLapRow,
        LogRow,
        DecisionRow,
        WalkTestRow,
        ClientNoteRow,
        AuditRow,
    )
)
TABLE_NAMES = tuple(table.name for table in TABLES)
# Our measurement on PostgreSQL: ~2,000-row statements reach the server's pace; larger ones
# only hold more in memory.
BATCH_ROWS = 2000
# Rows buffered before they are written (all tables together): bounds the seed's memory.
FLUSH_ROWS = 40_000


class Json(str):
    """A JSON document already serialised: the same workout and timeline are stored in
    thousands of sessions, and serialising each once saves most of the seed's time."""

    __slots__ = ()


def as_json(value: Any) -> Json:
    return Json(json.dumps(value))


class Ids:
    """The next free id of each table, counted from what the database already holds."""

    def __init__(self, db: DbSession) -> None:
        self._next = {
            table.name: int(db.scalar(select(func.max(table.c.id))) or 0) + 1 for table in TABLES
        }

    def take(self, table: str) -> int:
        found = self._next[table]
        self._next[table] = found + 1
        return found


class Rows:
    """Rows waiting to be written, table by table, and how many of each were written.

    Writing runs in a thread of its own while the next athletes are drawn: the database
    server's work (parsing JSON, compressing, indexing) then overlaps the seed's. Only that
    thread uses the database session until `finish` returns.
    """

    def __init__(self, db: DbSession) -> None:
        self.db = db
        self.pending: dict[str, list[Row]] = {name: [] for name in TABLE_NAMES}
        self.written: dict[str, int] = dict.fromkeys(TABLE_NAMES, 0)
        self._statements: dict[tuple[str, tuple[str, ...]], Insert] = {}
        self._postgres = db.get_bind().dialect.name == "postgresql"
        self._queue: queue.Queue[dict[str, list[Row]] | None] = queue.Queue(maxsize=1)
        self._failed: BaseException | None = None
        self._writer = threading.Thread(target=self._write_all, name="seed-writer", daemon=True)
        self._writer.start()

    def add(self, table: str, row: Row) -> None:
        self.pending[table].append(row)

    def maybe_flush(self) -> None:
        if sum(len(rows) for rows in self.pending.values()) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Hand everything pending to the writer (waiting while it still writes the last)."""
        self._raise_failure()
        batch, self.pending = self.pending, {name: [] for name in TABLE_NAMES}
        self._queue.put(batch)

    def finish(self) -> None:
        """Write what is left and wait until all of it is written."""
        self.flush()
        self._queue.put(None)
        self._writer.join()
        self._raise_failure()

    def stop(self) -> None:
        """After a failure of the seed itself: let the writer end before the transaction is
        rolled back, so that no two threads use the session at once."""
        self._failed = self._failed or RuntimeError("the seed stopped")
        self._queue.put(None)
        self._writer.join()

    def _raise_failure(self) -> None:
        if self._failed is not None:
            raise self._failed

    def _write_all(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._failed is not None:
                continue  # drain: the seed stops at its next flush
            try:
                self._write(batch)
            except BaseException as error:  # handed to the seed's thread, raised there
                self._failed = error

    def _write(self, pending: dict[str, list[Row]]) -> None:
        """Insert a batch, parents first."""
        for table in TABLES:
            rows = pending[table.name]
            _serialise_json(table, rows)
            for start in range(0, len(rows), BATCH_ROWS):
                part = rows[start : start + BATCH_ROWS]
                self.db.execute(self._statement(table, tuple(part[0])), part)
            self.written[table.name] += len(rows)

    def _statement(self, table: Table, columns: tuple[str, ...]) -> Insert:
        """An INSERT of these columns; JSON columns take the text already serialised (cast to
        JSON on PostgreSQL, stored as the text it is on SQLite, as SQLAlchemy would)."""
        key = (table.name, columns)
        if key not in self._statements:
            values = {name: _bind(table, name, self._postgres) for name in columns}
            self._statements[key] = insert(table).values(values)
        return self._statements[key]


def _bind(table: Table, name: str, postgres: bool) -> ColumnElement[Any]:
    column = table.c[name]
    if isinstance(column.type, JSON):
        as_text = bindparam(name, type_=Text)
        return cast(as_text, JSON) if postgres else as_text
    return bindparam(name, type_=column.type)


def _serialise_json(table: Table, rows: list[Row]) -> None:
    """JSON columns as text: serialised here unless a builder did it once for many rows."""
    names = [column.name for column in table.columns if isinstance(column.type, JSON)]
    for row in rows:
        for name in names:
            value = row.get(name)
            if value is not None and not isinstance(value, Json):
                row[name] = as_json(value)


def move_sequences(db: DbSession) -> None:
    """PostgreSQL: each id sequence past the ids the seed gave, so later inserts get new ones."""
    if db.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the largest id + 1 by itself
    for name in TABLE_NAMES:
        db.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {name}"
            )
        )
