"""The import step: one parsed activity in, matched to the plan, estimated and stored.

For each file (see `formats.archive.walk` and `walk_upload` for how files are found):
1. its content hash (SHA-256 of the decompressed bytes) finds a file already imported, under
   any name or inside any archive, and the file is reported as a duplicate;
2. the file becomes an `Activity` (`formats.dispatch`), or is rejected with the reason;
3. each lap gets a direction (`core.lap_directions`): the one given for the whole activity,
   else, for a FIT activity recorded from a retrorun watch workout, the direction of the
   workout step the lap ran (`wkt_step_index`), else unknown;
4. the energy comes from the energy model, sample by sample (`core.activity_energy`), for
   a walk or run (or a sport not recorded); other sports get none, and say why;
5. it is matched to the active plan's session on its start date, taken in UTC because files
   store UTC and the local time zone of a run is not known;
6. summaries go in columns, the streams in one versioned blob (`store.streams`), the laps in
   their table.
The caller runs each file in its own transaction, so a file that fails adds nothing. This
module only reads the store and calls the pure parts above; the rules live there.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session as DbSession

from retrorun.core.activity_energy import Energy, energy_inputs, estimate_kcal
from retrorun.core.lap_directions import (
    OverallDirection,
    backward_mask,
    backward_seconds,
    direction_from_stored,
    lap_directions,
    overall_direction,
    stored_direction,
)
from retrorun.core.profile import Profile, Units
from retrorun.core.serialize import timeline_from_stored
from retrorun.core.timeline import build_timeline
from retrorun.core.workout import Direction, Workout, as_direction
from retrorun.errors import InvalidInput
from retrorun.formats.activity import Activity, ImportRejected, Lap, Streams
from retrorun.formats.dispatch import parse_activity
from retrorun.formats.fit_workout import step_directions
from retrorun.store import activities as store
from retrorun.store.models import ActivityLapRow, ActivityRow
from retrorun.store.streams import decode_streams, encode_streams

__all__ = [
    "ImportResult",
    "content_hash",
    "parse_activity",
    "recompute_energy",
    "redirect_activity",
    "store_activity",
    "workout_step_directions",
]


@dataclass(frozen=True)
class ImportResult:
    """What became of one file: imported, duplicate (already stored) or rejected (why)."""

    path: str
    status: str  # "imported" | "duplicate" | "rejected"
    reason: str | None = None  # why it was rejected, or which activity it duplicates
    activity_id: int | None = None
    activity: store.StoredActivity | None = None  # for imported files
    samples: int = 0  # samples read from the file (for progress: records per second)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def workout_step_directions(workout: Workout, imperial: bool = False) -> list[Direction | None]:
    """The direction of each FIT workout step (by message_index) of a planned workout's watch file.

    `formats.fit_workout` writes that watch file, so the two agree by construction.
    """
    return step_directions(workout, build_timeline(workout, imperial=imperial))


def planned_step_directions(
    workout: Workout, stored_timelines: dict[str, Any] | None, imperial: bool
) -> list[Direction | None]:
    """The watch steps of the session as it was planned: from the timeline stored with it, so
    laps map to the steps the watch really had even after the rules changed."""
    return step_directions(workout, timeline_from_stored(stored_timelines, workout, imperial))


def store_activity(
    db: DbSession,
    athlete: int,
    activity: Activity,
    *,
    content_sha256: str,
    source_path: str,
    direction: Direction | str | None,
    profile: Profile | None,
) -> store.StoredActivity:
    """Match, estimate and insert one parsed activity; returns what was stored.

    `direction` ("backward" or "forward", as the enum or its text) covers the whole activity;
    None leaves the laps to the watch workout they were recorded from, or unknown.
    """
    _check_totals(activity)
    given = None if direction is None else as_direction(direction)
    day = activity.start.astimezone(UTC).date()
    planned = store.planned_workout(db, athlete, day)
    steps: list[Direction | None] = []
    if planned is not None and given is None and activity.source_format == "fit":
        imperial = profile is not None and profile.units == Units.IMPERIAL
        steps = planned_step_directions(planned[1], planned[2], imperial)
    lap_dirs, source = lap_directions(activity.laps, given, steps)
    overall = overall_direction(lap_dirs, given)
    backward_s = backward_seconds(activity.duration_s, activity.laps, lap_dirs, overall)
    energy, inputs = _energy(db, athlete, activity, lap_dirs, overall, backward_s, profile)
    avg_hr, max_hr = _heart_rate_summary(activity.streams)
    row = ActivityRow(
        athlete_id=athlete,
        content_sha256=content_sha256,
        source_path=source_path[-1000:],
        source_format=activity.source_format,
        sport=activity.sport,
        sub_sport=activity.sub_sport,
        start=activity.start,
        start_date=day,
        duration_s=activity.duration_s,
        elapsed_s=activity.elapsed_s,
        distance_m=activity.distance_m,
        direction=stored_direction(overall),
        direction_source=source,
        backward_s=backward_s,
        kcal=energy.kcal,
        energy_model=energy.model,
        device_kcal=activity.device_kcal,
        avg_heart_rate_bpm=avg_hr,
        max_heart_rate_bpm=max_hr,
        samples=len(activity.streams),
        lap_count=len(activity.laps),
        planned_session_id=planned[0] if planned else None,
        streams=encode_streams(activity.streams),
        energy_inputs=inputs,
        created_at=datetime.now(UTC),
    )
    laps = [
        ActivityLapRow(
            lap_index=index,
            start_s=lap.start_s,
            duration_s=lap.duration_s,
            distance_m=lap.distance_m,
            workout_step_index=lap.workout_step_index,
            direction=stored_direction(lap_direction),
        )
        for index, (lap, lap_direction) in enumerate(zip(activity.laps, lap_dirs, strict=True))
    ]
    store.add_activity(db, row, laps)
    return replace(store.stored(row, laps), notes=activity.notes)


def _check_totals(activity: Activity) -> None:
    """Refuse totals that are not numbers at all (an infinite duration from absurd timestamps):
    they would be stored, and no JSON can carry them."""
    totals = {
        "duration": activity.duration_s,
        "elapsed time": activity.elapsed_s,
        "distance": activity.distance_m,
    }
    for what, value in totals.items():
        if value is not None and not math.isfinite(value):
            raise ImportRejected(f"the file's {what} is not a finite number ({value})")


def redirect_activity(
    db: DbSession,
    athlete: int,
    activity_id: int,
    direction: Direction | str,
    lap_indices: Sequence[int] | None,
    profile: Profile | None,
) -> store.StoredActivity:
    """Mark the whole activity (or some laps) backward or forward; backward time and energy
    are worked out again from the stored streams."""
    given = as_direction(direction)
    row = store.activity_row(db, athlete, activity_id)
    lap_rows = store.lap_rows(db, activity_id)
    chosen = set(range(len(lap_rows))) if lap_indices is None else set(lap_indices)
    unknown = sorted(chosen - set(range(len(lap_rows))))
    if unknown and not lap_rows:
        raise InvalidInput(f"activity {activity_id} has no laps: mark the whole activity")
    if unknown:
        raise InvalidInput(
            f"activity {activity_id} has {len(lap_rows)} laps (0–{len(lap_rows) - 1}); "
            f"there is no lap {unknown[0]}"
        )
    for lap_row in lap_rows:
        if lap_row.lap_index in chosen:
            lap_row.direction = given.value
    laps, lap_dirs = _stored_laps(lap_rows)
    overall = overall_direction(lap_dirs, given if lap_indices is None else None)
    activity = _stored_activity(row, laps)
    backward_s = backward_seconds(row.duration_s, laps, lap_dirs, overall)
    energy, inputs = _energy(db, athlete, activity, lap_dirs, overall, backward_s, profile)
    row.direction = stored_direction(overall)
    row.direction_source = "user"
    row.backward_s = backward_s
    row.kcal, row.energy_model, row.energy_inputs = energy.kcal, energy.model, inputs
    db.flush()
    return store.stored(row, lap_rows)


def recompute_energy(
    db: DbSession, athlete: int, row: ActivityRow, profile: Profile | None
) -> None:
    """Work a stored activity's energy out again from its streams and lap directions.

    For when what the estimate was made with has changed (the profile, or the practice before
    the activity); its directions and backward time stay as stored.
    """
    laps, lap_dirs = _stored_laps(store.lap_rows(db, row.id))
    overall = direction_from_stored(row.direction)
    activity = _stored_activity(row, laps)
    energy, inputs = _energy(db, athlete, activity, lap_dirs, overall, row.backward_s, profile)
    row.kcal, row.energy_model, row.energy_inputs = energy.kcal, energy.model, inputs
    db.flush()


def _energy(
    db: DbSession,
    athlete: int,
    activity: Activity,
    lap_dirs: Sequence[Direction | None],
    overall: OverallDirection,
    backward_s: float,
    profile: Profile | None,
) -> tuple[Energy, str]:
    """The estimate, with the backward sessions done before this one counted from the store,
    and what it was made with (`energy_inputs`), kept beside it to know when it goes stale."""
    backward = backward_mask(activity.streams.time_s, activity.laps, lap_dirs, overall)
    practice = store.backward_sessions_before(db, athlete, activity.start)
    energy = estimate_kcal(activity, backward, backward_s, profile, practice)
    return energy, energy_inputs(profile, practice)


def _stored_laps(lap_rows: Sequence[ActivityLapRow]) -> tuple[list[Lap], list[Direction | None]]:
    laps = [Lap(r.start_s, r.duration_s, r.distance_m, r.workout_step_index) for r in lap_rows]
    lap_dirs = [None if r.direction is None else as_direction(r.direction) for r in lap_rows]
    return laps, lap_dirs


def _stored_activity(row: ActivityRow, laps: Sequence[Lap]) -> Activity:
    """The activity as the energy estimate needs it, rebuilt from its row and streams blob."""
    return Activity(
        source_format=row.source_format,
        sport=row.sport,
        sub_sport=row.sub_sport,
        start=store.aware(row.start),
        duration_s=row.duration_s,
        distance_m=row.distance_m,
        streams=decode_streams(row.streams),
        laps=tuple(laps),
    )


def _heart_rate_summary(streams: Streams) -> tuple[float | None, float | None]:
    heart_rate = streams.heart_rate_bpm[np.isfinite(streams.heart_rate_bpm)]
    if not heart_rate.size:
        return None, None
    return float(heart_rate.mean()), float(heart_rate.max())
