"""Importing activity files: read, identify, estimate, match to the plan, store.

For each file (see `formats.archive.walk` for how files are found):
1. its content hash (SHA-256 of the decompressed bytes) finds a file already imported, under
   any name or inside any archive, and the file is reported as a duplicate;
2. the file becomes an `Activity` (FIT, GPX or TCX), or is rejected with the reason;
3. each lap gets a direction: the one given for the whole activity, else, for a FIT activity
   recorded from a retrorun watch workout, the direction of the workout step the lap ran
   (`wkt_step_index`), else unknown;
4. the energy comes from the energy model, sample by sample (`core.energy.energy_series`);
5. it is matched to the active plan's session on its start date, taken in UTC because files
   store UTC and the local time zone of a run is not known;
6. summaries go in columns, the streams in one compressed blob, the laps in their table.
The caller runs each file in its own transaction, so a file that fails adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session as DbSession

from retrorun.core.energy import (
    KEYTEL_MODEL_NAME,
    MAX_ABS_GRADE,
    MAX_BACKWARD_SPEED_M_S,
    MAX_FORWARD_SPEED_M_S,
    MAX_HEART_RATE_BPM,
    MIN_HEART_RATE_BPM,
    energy_series,
    estimate_energy,
)
from retrorun.core.profile import Profile
from retrorun.core.timeline import build_timeline
from retrorun.core.workout import Direction, Workout
from retrorun.errors import InvalidInput
from retrorun.formats.activity import (
    STREAM_NAMES,
    Activity,
    FloatArray,
    ImportRejected,
    Lap,
    Streams,
    from_fit,
    make_streams,
)
from retrorun.formats.archive import FoundFile
from retrorun.formats.fit import decode_fit
from retrorun.formats.fit_workout import step_directions
from retrorun.formats.gpx import parse_gpx
from retrorun.formats.tcx import parse_tcx
from retrorun.store import activities as store
from retrorun.store.models import ActivityLapRow, ActivityRow

BoolArray = npt.NDArray[np.bool_]

# Our reasoning: while moving, watches write a sample at least every ~8 s even in "smart"
# recording; a longer gap is a pause (auto-pause, a stop), which costs nothing extra here.
MAX_SAMPLE_GAP_S = 10.0
# Our reasoning: speed from GPS distance over ±2 samples (5 s at 1 Hz) evens out position
# jitter, which would otherwise inflate the cost (backward walking cost is convex in speed).
SPEED_WINDOW_SAMPLES = 2
# Our reasoning: grade over ±15 samples (~30 s) and at least 10 m of ground, so that altitude
# noise (GPS ±5 m, barometer ±1 m) does not turn a level run into steep hills.
GRADE_WINDOW_SAMPLES = 15
MIN_GRADE_RUN_M = 10.0

STREAMS_MAGIC = b"RRS1"  # retrorun streams, version 1
_EXACT_COLUMNS = {"lat_deg", "lon_deg"}  # float64: float32 would round positions to ~1 m


@dataclass(frozen=True)
class ImportResult:
    """What became of one file: imported, duplicate (already stored) or rejected (why)."""

    path: str
    status: str  # "imported" | "duplicate" | "rejected"
    reason: str | None = None
    activity_id: int | None = None
    activity: store.StoredActivity | None = None  # for imported files
    samples: int = 0  # samples read from the file (for progress: records per second)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_activity(found: FoundFile) -> Activity:
    """The file's bytes as an `Activity`; any problem is an `ImportRejected` saying what."""
    assert found.data is not None
    try:
        if found.format == "fit":
            return from_fit(decode_fit(found.data))
        if found.format == "gpx":
            return parse_gpx(found.data)
        if found.format == "tcx":
            return parse_tcx(found.data)
    except InvalidInput as error:  # FitDecodeError, ImportRejected: damaged or not an activity
        raise ImportRejected(str(error)) from None
    raise ImportRejected("not a FIT, GPX or TCX file")


# --- directions -------------------------------------------------------------------------------


def workout_step_directions(workout: Workout, imperial: bool = False) -> list[Direction | None]:
    """The direction of each FIT workout step (by message_index) of a planned workout's watch file.

    `formats.fit_workout` writes that watch file, so the two agree by construction.
    """
    return step_directions(workout, build_timeline(workout, imperial=imperial))


def lap_directions(
    laps: Sequence[Lap], direction: str | None, steps: Sequence[Direction | None]
) -> tuple[list[str | None], str | None]:
    """Each lap's direction, and where the directions came from ("user", "workout" or None).

    A direction given for the activity covers every lap. Otherwise laps recorded from a watch
    workout take their step's direction, but only when every lap's step index is one of the
    planned workout's steps: a lap pointing past the end means another workout was run.
    """
    if direction is not None:
        return [direction] * len(laps), "user"
    found: list[str | None] = []
    for lap in laps:
        index = lap.workout_step_index
        if index is None or not 0 <= index < len(steps):
            return [None] * len(laps), None
        step_direction = steps[index]
        found.append(None if step_direction is None else step_direction.value)
    return found, ("workout" if found else None)


def overall_direction(lap_dirs: Sequence[str | None], direction: str | None) -> str | None:
    """backward / forward when every known lap agrees (and none is unknown), mixed, or None."""
    if direction is not None or not lap_dirs:
        return direction
    known = {d for d in lap_dirs if d is not None}
    if not known:
        return None
    if len(known) == 1 and None not in lap_dirs:
        return known.pop()
    return "mixed"


def backward_mask(
    streams: Streams, laps: Sequence[Lap], lap_dirs: Sequence[str | None], direction: str | None
) -> BoolArray:
    """Which samples were backward: by lap, or all of them when the activity was backward."""
    if direction in ("backward", "forward"):  # the whole activity, or every lap the same
        return np.full(len(streams), direction == "backward")
    if not laps:
        return np.zeros(len(streams), dtype=np.bool_)
    starts = np.array([lap.start_s for lap in laps])
    order = np.argsort(starts, kind="stable")
    lap_of_sample = np.searchsorted(starts[order], streams.time_s, side="right") - 1
    lap_backward = np.array([lap_dirs[i] == "backward" for i in order])
    return np.asarray(lap_backward[np.clip(lap_of_sample, 0, len(laps) - 1)], dtype=np.bool_)


def backward_seconds(
    duration_s: float, laps: Sequence[Lap], lap_dirs: Sequence[str | None], direction: str | None
) -> float:
    """The whole timer time when the activity was backward, else the backward laps' time."""
    if direction == "backward":
        return duration_s
    return float(
        sum(lap.duration_s for lap, d in zip(laps, lap_dirs, strict=True) if d == "backward")
    )


# --- energy -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Energy:
    kcal: float | None
    model: str  # which estimate, or why there is none


def estimate_kcal(
    activity: Activity,
    backward: BoolArray,
    backward_s: float,
    profile: Profile | None,
    practice_sessions: int,
) -> Energy:
    """The energy model over the recorded samples; Keytel 2005 where heart rate is known.

    Speed comes from the device where it wrote one, else from distance over time; impossible
    values (GPS spikes, sensor dropouts) are replaced by their neighbours' rather than failing
    the import. Heart rate is used when age and sex are known (Keytel 2005 needs both).
    `backward` marks the backward samples; `backward_s` is used when there are no samples.
    """
    if profile is None:
        return Energy(None, "no profile: set your body mass (retrorun profile set) for energy")
    streams = activity.streams
    if len(streams) == 0:
        return _energy_from_totals(activity, backward_s, profile, practice_sessions)
    speed = _speed_m_s(streams, backward)
    heart_rate = _heart_rate_bpm(streams)
    keytel = profile.sex in ("male", "female") and profile.age_years > 0
    if not keytel:
        heart_rate = None
    if speed is None and heart_rate is None:
        return Energy(None, "no speed, distance or usable heart rate recorded")
    series = energy_series(
        speed if speed is not None else np.zeros(len(streams)),
        _grade(streams),
        backward,
        mass_kg=profile.mass_kg,
        sample_s=_sample_s(streams.time_s),
        backward_sessions_done=practice_sessions,
        heart_rate_bpm=heart_rate,
        age_years=float(profile.age_years) if keytel else None,
        sex=profile.sex if keytel else None,
    )
    if series.heart_rate_used.all():
        model = KEYTEL_MODEL_NAME
    elif series.heart_rate_used.any():
        model = f"{KEYTEL_MODEL_NAME} where recorded, else speed (ACSM + backward model)"
    else:
        model = "speed (ACSM + backward model)"
    return Energy(series.total_kcal, model)


def _energy_from_totals(
    activity: Activity, backward_s: float, profile: Profile, practice_sessions: int
) -> Energy:
    """No samples (a manual treadmill entry): the average speed, backward and forward time."""
    if not activity.distance_m or activity.duration_s <= 0:
        return Energy(None, "no samples and no distance to estimate from")
    speed = activity.distance_m / activity.duration_s
    kcal = 0.0
    parts = (("backward", backward_s), ("forward", activity.duration_s - backward_s))
    for direction, seconds in parts:
        if seconds > 0:
            limit = MAX_BACKWARD_SPEED_M_S if direction == "backward" else MAX_FORWARD_SPEED_M_S
            estimate = estimate_energy(
                direction,
                min(speed, limit),
                profile.mass_kg,
                duration_s=seconds,
                backward_sessions_done=practice_sessions if direction == "backward" else 0,
            )
            kcal += estimate.kcal or 0.0
    return Energy(kcal, "speed (ACSM + backward model), from the average speed")


def _speed_m_s(streams: Streams, backward: BoolArray) -> FloatArray | None:
    speed = streams.speed_m_s.copy()
    missing = ~np.isfinite(speed)
    if missing.any():
        distance = _filled(streams.distance_m, streams.time_s)
        if distance is not None:
            speed[missing] = _windowed_rate(distance, streams.time_s, SPEED_WINDOW_SAMPLES)[missing]
    limit = np.where(backward, MAX_BACKWARD_SPEED_M_S, MAX_FORWARD_SPEED_M_S)
    with np.errstate(invalid="ignore"):
        speed[~((speed >= 0) & (speed <= limit))] = np.nan
    return _filled(speed, streams.time_s)


def _heart_rate_bpm(streams: Streams) -> FloatArray | None:
    heart_rate = streams.heart_rate_bpm.copy()
    with np.errstate(invalid="ignore"):
        outside = ~((heart_rate >= MIN_HEART_RATE_BPM) & (heart_rate <= MAX_HEART_RATE_BPM))
    heart_rate[outside] = np.nan
    return _filled(heart_rate, streams.time_s)


def _grade(streams: Streams) -> FloatArray:
    altitude = _filled(streams.altitude_m, streams.time_s)
    distance = _filled(streams.distance_m, streams.time_s)
    if altitude is None or distance is None:
        return np.zeros(len(streams))
    first, last = _window(len(streams), GRADE_WINDOW_SAMPLES)
    run = distance[last] - distance[first]
    rise = altitude[last] - altitude[first]
    grade = np.divide(rise, run, out=np.zeros_like(rise), where=run >= MIN_GRADE_RUN_M)
    return np.clip(grade, -MAX_ABS_GRADE, MAX_ABS_GRADE)


def _sample_s(time_s: FloatArray) -> FloatArray:
    """Each sample stands for the time until the next one, pauses left out."""
    if time_s.size == 0:
        return np.zeros(0)
    gaps = np.diff(time_s, append=time_s[-1] + 1.0)
    gaps[~np.isfinite(gaps)] = 0.0
    return np.clip(gaps, 0.0, MAX_SAMPLE_GAP_S)


def _window(n: int, half: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    index = np.arange(n)
    return np.clip(index - half, 0, n - 1), np.clip(index + half, 0, n - 1)


def _windowed_rate(values: FloatArray, time_s: FloatArray, half: int) -> FloatArray:
    first, last = _window(values.size, half)
    dt = time_s[last] - time_s[first]
    dv = values[last] - values[first]
    rate: FloatArray = np.divide(dv, dt, out=np.full(dv.shape, np.nan), where=dt > 0)
    return rate


def _filled(values: FloatArray, time_s: FloatArray) -> FloatArray | None:
    """Gaps filled from the neighbours in time (ends held flat); None when nothing is known."""
    known = np.isfinite(values)
    if not known.any():
        return None
    if known.all():
        return values
    in_order = np.isfinite(time_s).all() and bool((np.diff(time_s) >= 0).all())
    x = time_s if in_order else np.arange(time_s.size, dtype=np.float64)
    return np.interp(x, x[known], values[known])


# --- streams blob -----------------------------------------------------------------------------


def encode_streams(streams: Streams) -> bytes:
    """The recorded columns as one zlib-compressed blob (float32; positions float64).

    Columns with nothing recorded are left out. Layout: magic, then zlib of a 4-byte header
    length, a JSON header (sample count, column names and dtypes) and the column bytes.
    """
    n = len(streams)
    columns = []
    for name in STREAM_NAMES:
        values = getattr(streams, name)
        if name == "time_s" or np.isfinite(values).any():
            dtype = "<f8" if name in _EXACT_COLUMNS else "<f4"
            columns.append((name, dtype, values.astype(dtype).tobytes()))
    header = json.dumps({"n": n, "columns": [[name, dtype] for name, dtype, _ in columns]})
    body = b"".join(data for *_, data in columns)
    payload = struct.pack("<I", len(header)) + header.encode() + body
    return STREAMS_MAGIC + zlib.compress(payload, 1)  # level 6: 8 % smaller, 6× slower


def decode_streams(blob: bytes) -> Streams:
    if not blob.startswith(STREAMS_MAGIC):
        raise ValueError("not a retrorun streams blob")
    payload = zlib.decompress(blob[len(STREAMS_MAGIC) :])
    (header_size,) = struct.unpack_from("<I", payload)
    header = json.loads(payload[4 : 4 + header_size])
    n, offset = int(header["n"]), 4 + header_size
    columns: dict[str, FloatArray] = {}
    for name, dtype in header["columns"]:
        size = n * np.dtype(dtype).itemsize
        columns[name] = np.frombuffer(payload, dtype, n, offset).astype(np.float64)
        offset += size
    return make_streams(n, **columns)


# --- storing ----------------------------------------------------------------------------------


def store_activity(
    db: DbSession,
    athlete: int,
    activity: Activity,
    *,
    content_sha256: str,
    source_path: str,
    direction: str | None,
    profile: Profile | None,
) -> store.StoredActivity:
    """Match, estimate and insert one parsed activity; returns what was stored."""
    day = activity.start.astimezone(UTC).date()
    planned = store.planned_workout(db, athlete, day)
    steps: list[Direction | None] = []
    if planned is not None and direction is None and activity.source_format == "fit":
        imperial = profile is not None and profile.units.value == "imperial"
        steps = workout_step_directions(planned[1], imperial)
    lap_dirs, source = lap_directions(activity.laps, direction, steps)
    overall = overall_direction(lap_dirs, direction)
    backward = backward_mask(activity.streams, activity.laps, lap_dirs, overall)
    backward_s = backward_seconds(activity.duration_s, activity.laps, lap_dirs, overall)
    practice = store.backward_sessions_before(db, athlete, activity.start)
    energy = estimate_kcal(activity, backward, backward_s, profile, practice)
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
        direction=overall,
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
        created_at=datetime.now(UTC),
    )
    laps = [
        ActivityLapRow(
            lap_index=index,
            start_s=lap.start_s,
            duration_s=lap.duration_s,
            distance_m=lap.distance_m,
            workout_step_index=lap.workout_step_index,
            direction=lap_direction,
        )
        for index, (lap, lap_direction) in enumerate(zip(activity.laps, lap_dirs, strict=True))
    ]
    store.add_activity(db, row, laps)
    return store.stored(row, laps)


def redirect_activity(
    db: DbSession,
    athlete: int,
    activity_id: int,
    direction: str,
    lap_indices: Sequence[int] | None,
    profile: Profile | None,
) -> store.StoredActivity:
    """Mark the whole activity (or some laps) backward or forward; backward time and energy
    are worked out again from the stored streams."""
    if direction not in ("backward", "forward"):
        raise InvalidInput(f"direction must be backward or forward, got {direction!r}")
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
            lap_row.direction = direction
    laps = [Lap(r.start_s, r.duration_s, r.distance_m, r.workout_step_index) for r in lap_rows]
    lap_dirs = [r.direction for r in lap_rows]
    whole = direction if lap_indices is None else None
    overall = overall_direction(lap_dirs, whole)
    streams = decode_streams(row.streams)
    activity = Activity(
        source_format=row.source_format,
        sport=row.sport,
        start=store.aware(row.start),
        duration_s=row.duration_s,
        distance_m=row.distance_m,
        streams=streams,
        laps=tuple(laps),
    )
    backward = backward_mask(streams, laps, lap_dirs, overall)
    backward_s = backward_seconds(row.duration_s, laps, lap_dirs, overall)
    practice = store.backward_sessions_before(db, athlete, store.aware(row.start))
    energy = estimate_kcal(activity, backward, backward_s, profile, practice)
    row.direction = overall
    row.direction_source = "user"
    row.backward_s = backward_s
    row.kcal, row.energy_model = energy.kcal, energy.model
    db.flush()
    return store.stored(row, lap_rows)


def _heart_rate_summary(streams: Streams) -> tuple[float | None, float | None]:
    heart_rate = streams.heart_rate_bpm[np.isfinite(streams.heart_rate_bpm)]
    if not heart_rate.size:
        return None, None
    return float(heart_rate.mean()), float(heart_rate.max())
