"""Watch recordings of seeded sessions, stored as the importer stores an imported FIT file.

A recording is what the demo's watch records running the session (`demo.session_recording`),
read as the FIT importer would read its file (`fit_activity.recorded_activity`, held equal to
writing and decoding the file by a test), then put through the importer's own steps of
`importing.store_activity`: lap directions from the planned workout's watch steps, backward
time, energy from the samples, the streams blob, the laps.

The energy estimate depends on the backward sessions done before the activity, which are known
only once the athlete's whole history is drawn; it is worked out last (`with_energy`), counting
practice as `services.activities.refresh_energy` does, so the services find nothing stale.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from retrorun.core.activity_energy import energy_inputs, estimate_kcal
from retrorun.core.lap_directions import (
    OverallDirection,
    backward_mask,
    backward_seconds,
    lap_directions,
    overall_direction,
    stored_direction,
)
from retrorun.core.profile import Profile
from retrorun.core.workout import Direction, Mode, Setting, Workout
from retrorun.formats.activity import Activity
from retrorun.formats.fit_activity import recorded_activity
from retrorun.services.seed.training import Done, Recording
from retrorun.store.streams import encode_streams

# What a watch calls the session (FIT sport and sub-sport names).
SUB_SPORTS = {Setting.TREADMILL: "treadmill", Setting.TRACK: "track"}


@dataclass
class ImportedActivity:
    """An imported activity's row and laps, waiting for its energy estimate."""

    activity: Activity
    lap_dirs: list[Direction | None]
    overall: OverallDirection
    backward_s: float
    row: dict[str, Any]
    laps: list[dict[str, Any]]


def imported_activity(
    activity_id: int,
    athlete: int,
    item: Done,
    recording: Recording,
    step_directions: list[Direction | None],
    take_lap_id: Any,
) -> ImportedActivity:
    """The activity of a recorded session, with everything but its energy."""
    workout = item.record.session.workout
    sport, sub_sport = _sport(workout)
    activity = recorded_activity(
        recording.start,
        recording.laps,
        recording.heart_rate_bpm.__getitem__,
        sport=sport,
        sub_sport=sub_sport,
    )
    lap_dirs, source = lap_directions(activity.laps, None, step_directions)
    overall = overall_direction(lap_dirs, None)
    backward_s = backward_seconds(activity.duration_s, activity.laps, lap_dirs, overall)
    day = recording.start.date()
    beats = activity.streams.heart_rate_bpm[np.isfinite(activity.streams.heart_rate_bpm)]
    row = {
        "id": activity_id,
        "athlete_id": athlete,
        "content_sha256": _content_hash(athlete, recording.start),
        "source_path": f"{day.isoformat()}-retro.fit",
        "source_format": activity.source_format,
        "sport": activity.sport,
        "sub_sport": activity.sub_sport,
        "start": activity.start,
        "start_date": day,
        "duration_s": activity.duration_s,
        "elapsed_s": activity.elapsed_s,
        "distance_m": activity.distance_m,
        "direction": stored_direction(overall),
        "direction_source": source,
        "backward_s": backward_s,
        "device_kcal": activity.device_kcal,
        "avg_heart_rate_bpm": float(beats.mean()) if beats.size else None,
        "max_heart_rate_bpm": float(beats.max()) if beats.size else None,
        "samples": len(activity.streams),
        "lap_count": len(activity.laps),
        "planned_session_id": item.record.id,
        "streams": encode_streams(activity.streams),
        # Uploaded ten minutes after the session ended.
        "created_at": recording.start + timedelta(seconds=activity.duration_s + 600),
    }
    laps = [
        {
            "id": take_lap_id(),
            "activity_id": activity_id,
            "lap_index": index,
            "start_s": lap.start_s,
            "duration_s": lap.duration_s,
            "distance_m": lap.distance_m,
            "workout_step_index": lap.workout_step_index,
            "direction": stored_direction(direction),
        }
        for index, (lap, direction) in enumerate(zip(activity.laps, lap_dirs, strict=True))
    ]
    return ImportedActivity(activity, lap_dirs, overall, backward_s, row, laps)


def _sport(workout: Workout) -> tuple[str, str]:
    backward = [step for step in workout.steps if step.is_backward]
    running = any(step.mode is Mode.RUN for step in backward) or not backward
    setting = backward[0].setting if backward else workout.steps[0].setting
    return ("running" if running else "walking"), SUB_SPORTS.get(setting, "generic")


def _content_hash(athlete: int, start: datetime) -> str:
    """A stand-in for the hash of the file's bytes: unique for the athlete, and never the hash
    of a real file, so importing one later is never taken for a duplicate of a seeded one."""
    return hashlib.sha256(f"retrorun seed {athlete} {start.isoformat()}".encode()).hexdigest()


def with_energy(done: list[Done], profile: Profile) -> None:
    """Every imported activity's energy, with practice counted over the whole history as
    `services.activities.refresh_energy` counts it (a log and its linked activity once)."""
    counted = _practice_counter(done)
    for item in done:
        imported: ImportedActivity | None = item.activity
        if imported is None:
            continue
        practice = counted(imported.activity.start)
        mask = backward_mask(
            imported.activity.streams.time_s,
            imported.activity.laps,
            imported.lap_dirs,
            imported.overall,
        )
        energy = estimate_kcal(imported.activity, mask, imported.backward_s, profile, practice)
        imported.row["kcal"] = energy.kcal
        imported.row["energy_model"] = energy.model
        imported.row["energy_inputs"] = energy_inputs(profile, practice)


def _practice_counter(done: list[Done]) -> Any:
    """Backward sessions completed before a moment: each log that was backward (or whose linked
    activity has backward time) by its day, each activity no log is linked to by its start."""
    log_days: list[Any] = []
    starts: list[datetime] = []
    for item in done:
        imported: ImportedActivity | None = item.activity
        activity_backward = imported is not None and imported.backward_s > 0
        if item.entry is not None:
            if item.entry.direction is Direction.BACKWARD or activity_backward:
                log_days.append(item.entry.date)
        elif activity_backward and imported is not None:
            starts.append(imported.activity.start)
    log_days.sort()
    starts.sort()

    def before(moment: datetime) -> int:
        day = moment.astimezone(UTC).date()
        return bisect.bisect_left(log_days, day) + bisect.bisect_left(starts, moment)

    return before
