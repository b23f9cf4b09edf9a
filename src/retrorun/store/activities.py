"""Reading and writing imported activities. Every query is scoped to one athlete.

Every value is made to fit its column before it is written (`fit_columns`), so SQLite and
PostgreSQL store the same thing, or refuse the same file with the same reason: left to
themselves, SQLite keeps a 52-character sport in a 40-character column and PostgreSQL stops the
import with a DataError.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from numbers import Integral, Real
from typing import Any

from sqlalchemy import BigInteger, Integer, String, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import defer

from retrorun.core.completed import Record
from retrorun.core.serialize import workout_from_dict
from retrorun.core.workout import Workout
from retrorun.errors import InvalidInput, NotFound
from retrorun.store.models import (
    ActivityLapRow,
    ActivityRow,
    LogRow,
    PlannedSessionRow,
    possible_id,
)
from retrorun.store.repository import planned_session_id


@dataclass(frozen=True)
class StoredLap:
    index: int
    start_s: float
    duration_s: float
    distance_m: float | None
    workout_step_index: int | None
    direction: str | None  # backward | forward | None (unknown)


@dataclass(frozen=True)
class StoredActivity:
    """An imported activity's summary as stored (the streams stay in the database)."""

    id: int
    source_path: str
    source_format: str
    sport: str | None
    start: datetime  # UTC
    duration_s: float
    elapsed_s: float
    distance_m: float | None
    direction: str | None  # backward | forward | mixed | None (unknown)
    direction_source: str | None  # user | workout | None
    backward_s: float
    kcal: float | None
    energy_model: str | None
    device_kcal: float | None
    avg_heart_rate_bpm: float | None
    max_heart_rate_bpm: float | None
    samples: int
    planned_session_id: int | None
    laps: tuple[StoredLap, ...]
    notes: tuple[str, ...] = ()  # what was repaired or skipped in the file (at import only)

    @property
    def matched_plan(self) -> bool:
        return self.planned_session_id is not None

    @property
    def start_date(self) -> date:
        """The UTC date, which is the day the activity counts for in the plan."""
        return self.start.astimezone(UTC).date()


def find_by_hash(db: DbSession, athlete: int, content_sha256: str) -> int | None:
    query = select(ActivityRow.id).where(
        ActivityRow.athlete_id == athlete, ActivityRow.content_sha256 == content_sha256
    )
    return db.scalars(query).first()


def planned_workout(
    db: DbSession, athlete: int, day: date
) -> tuple[int, Workout, dict[str, Any] | None] | None:
    """The active plan's session on that day: its id, workout and the timelines stored with it
    (None for a session stored before timelines were kept), if there is one."""
    session_id = planned_session_id(db, athlete, day)
    if session_id is None:
        return None
    row = db.get_one(PlannedSessionRow, session_id)
    return session_id, workout_from_dict(row.workout), row.timeline


def backward_sessions_before(db: DbSession, athlete: int, moment: datetime) -> int:
    """Backward sessions done before `moment`, each completed session counted once.

    Logged sessions count by day, imported ones by start. A log and the activity linked to it
    are one session (see `core.completed`): backward if either says so, counted once.
    """
    day = moment.astimezone(UTC).date()
    logged = db.scalar(
        select(func.count())
        .select_from(LogRow)
        .outerjoin(ActivityRow, ActivityRow.id == LogRow.activity_id)
        .where(
            LogRow.athlete_id == athlete,
            LogRow.date < day,
            or_(LogRow.direction == "backward", ActivityRow.backward_s > 0),
        )
    )
    imported = db.scalar(
        select(func.count())
        .select_from(ActivityRow)
        .outerjoin(LogRow, LogRow.activity_id == ActivityRow.id)
        .where(
            ActivityRow.athlete_id == athlete,
            ActivityRow.backward_s > 0,
            ActivityRow.start < moment,
            LogRow.id.is_(None),
        )
    )
    return int(logged or 0) + int(imported or 0)


def activity_records(db: DbSession, athlete: int) -> list[Record]:
    """Every imported activity as the completed-session rule sees it (one small query)."""
    linked = (
        select(LogRow.activity_id)
        .where(LogRow.athlete_id == athlete, LogRow.activity_id.is_not(None))
        .scalar_subquery()
    )
    query = select(
        ActivityRow.id,
        ActivityRow.start_date,
        ActivityRow.planned_session_id,
        ActivityRow.id.in_(linked),
    ).where(ActivityRow.athlete_id == athlete)
    return [Record(row[0], row[1], row[2], bool(row[3])) for row in db.execute(query)]


def add_activity(db: DbSession, row: ActivityRow, laps: list[ActivityLapRow]) -> int:
    """Insert an activity and its laps (one flush for the row, one batch for the laps)."""
    items: list[ActivityRow | ActivityLapRow] = [row, *laps]
    for item in items:
        fit_columns(item)
    db.add(row)
    db.flush()
    for lap in laps:
        lap.activity_id = row.id
    db.add_all(laps)
    db.flush()
    return row.id


# The integers each column type holds on both databases (PostgreSQL's INTEGER is 32 bits;
# SQLite would take 64, so the smaller range is the one both keep).
_INTEGER_RANGES = {Integer: (-(2**31), 2**31 - 1), BigInteger: (-(2**63), 2**63 - 1)}


def fit_columns(row: ActivityRow | ActivityLapRow) -> None:
    """Make each value of a row fit its column, the same way on both databases, or refuse.

    Text is made storable (a file name that is not UTF-8 holds lone surrogates, which neither
    database encodes; PostgreSQL refuses NUL) and cut to its column's length. A number no
    column can hold (an integer beyond the column's range, a float that is not finite) refuses
    the file with the reason: the importer's checks should have caught it, and no database
    should be the one to say so.
    """
    for attribute in type(row).__mapper__.column_attrs:
        column = attribute.columns[0]
        value = getattr(row, attribute.key)
        if isinstance(value, str) and isinstance(column.type, String):
            setattr(row, attribute.key, _storable_text(value, column.type.length))
        elif isinstance(value, Integral) and not isinstance(value, bool):
            low, high = _INTEGER_RANGES[
                BigInteger if isinstance(column.type, BigInteger) else Integer
            ]
            if not low <= int(value) <= high:
                raise InvalidInput(f"the file's {_words(attribute.key)} ({value}) is out of range")
        elif isinstance(value, Real) and not math.isfinite(float(value)):
            raise InvalidInput(
                f"the file's {_words(attribute.key)} is not a finite number ({value})"
            )


def _storable_text(text: str, length: int | None) -> str:
    """`text` as both databases store it: valid UTF-8 (an undecodable byte of a file name as
    U+FFFD, as a terminal shows it), no NUL, at most `length` characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:  # a file name's undecodable bytes, as Python carries them (PEP 383)
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\0", "\ufffd")
    return text if length is None else text[:length]


def _words(name: str) -> str:
    return name.replace("_", " ")


def activity_row(db: DbSession, athlete: int, activity_id: int) -> ActivityRow:
    """The athlete's activity; an id beyond what a database holds is simply not found."""
    row = db.get(ActivityRow, activity_id) if possible_id(activity_id) else None
    if row is None or row.athlete_id != athlete:
        raise NotFound(f"no imported activity with id {activity_id}: see retrorun activity list")
    return row


def lap_rows(db: DbSession, activity_id: int) -> list[ActivityLapRow]:
    query = select(ActivityLapRow).where(ActivityLapRow.activity_id == activity_id)
    return list(db.scalars(query.order_by(ActivityLapRow.lap_index)).all())


def stored(row: ActivityRow, laps: list[ActivityLapRow]) -> StoredActivity:
    return StoredActivity(
        id=row.id,
        source_path=row.source_path,
        source_format=row.source_format,
        sport=row.sport,
        start=aware(row.start),
        duration_s=row.duration_s,
        elapsed_s=row.elapsed_s,
        distance_m=row.distance_m,
        direction=row.direction,
        direction_source=row.direction_source,
        backward_s=row.backward_s,
        kcal=row.kcal,
        energy_model=row.energy_model,
        device_kcal=row.device_kcal,
        avg_heart_rate_bpm=row.avg_heart_rate_bpm,
        max_heart_rate_bpm=row.max_heart_rate_bpm,
        samples=row.samples,
        planned_session_id=row.planned_session_id,
        laps=tuple(
            StoredLap(
                lap.lap_index,
                lap.start_s,
                lap.duration_s,
                lap.distance_m,
                lap.workout_step_index,
                lap.direction,
            )
            for lap in laps
        ),
    )


def activities(db: DbSession, athlete: int) -> list[StoredActivity]:
    """All imported activities, oldest first, with their laps (two queries, no blobs read)."""
    query = (
        select(ActivityRow)
        .options(defer(ActivityRow.streams))
        .where(ActivityRow.athlete_id == athlete)
        .order_by(ActivityRow.start, ActivityRow.id)
    )
    rows = db.scalars(query).all()
    laps: dict[int, list[ActivityLapRow]] = {row.id: [] for row in rows}
    if rows:
        lap_query = (
            select(ActivityLapRow)
            .join(ActivityRow, ActivityRow.id == ActivityLapRow.activity_id)
            .where(ActivityRow.athlete_id == athlete)
            .order_by(ActivityLapRow.activity_id, ActivityLapRow.lap_index)
        )
        for lap in db.scalars(lap_query):
            laps[lap.activity_id].append(lap)
    return [stored(row, laps[row.id]) for row in rows]


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
