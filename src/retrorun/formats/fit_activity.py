"""A recorded activity as a FIT file, the way a watch writes one: for demos and benchmarks.

Watch files are what people import, so a demo database and the import benchmarks are most
honest when their activities go through the real importer as FIT bytes rather than straight
into the store. This writes the messages a watch writes for a 1 Hz recording: file_id, a timer
start event, one record per second, a lap after the records of each step (with the workout step
it ran, when recorded from a watch workout), a timer stop event, the session and the activity.

Written with Garmin's own FIT SDK Encoder, which takes values in profile units (seconds, metres,
m/s) and applies each field's scale itself; enum values are given by name (DEPENDENCIES.md 2b).
Indoors there is no position, so records carry none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from garmin_fit_sdk import Encoder, Profile

from retrorun.formats.activity import Activity, Lap, checked, make_streams

_MESG = Profile["mesg_num"]
# FIT record fields hold speed to the mm/s and distance to the cm: values are rounded to that
# grid here, so what a decoder reads back equals what was written.
SPEED_DIGITS = 3
DISTANCE_DIGITS = 2

HeartRate = Callable[[int], float]  # seconds from the start -> beats per minute


@dataclass(frozen=True)
class RecordedStep:
    """One lap of a recording: so many seconds at a steady speed (a treadmill belt's).

    `wkt_step_index` is the watch workout step the lap ran (FIT `wkt_step_index`), which tells
    the importer the lap's direction; None for a lap not recorded from a workout.
    """

    duration_s: int
    speed_m_s: float
    wkt_step_index: int | None = None


def activity_fit(
    start: datetime,
    steps: Sequence[RecordedStep],
    heart_rate_bpm: HeartRate | None = None,
    *,
    sport: str = "walking",
    sub_sport: str = "treadmill",
    serial_number: int | None = None,
) -> bytes:
    """The FIT activity file of a recording that starts at `start` (an aware datetime).

    Records are at every whole second from the start to the end, both included; a step's
    speed holds from its first second to the next step's. `heart_rate_bpm` gives the heart rate
    at each second (None: no heart rate). The same arguments always give the same bytes.
    """
    _check(start, steps)
    encoder = Encoder()
    encoder.write_mesg(_file_id(start, serial_number))
    encoder.write_mesg(_event(start, "timer", "start"))
    distances = _distances(steps)
    laps: list[dict[str, Any]] = []
    first_s = 0
    for index, step in enumerate(steps):
        last_s = first_s + step.duration_s
        end = last_s + 1 if index == len(steps) - 1 else last_s  # the final record closes it
        for t in range(first_s, end):
            encoder.write_mesg(_record(start, t, step.speed_m_s, distances[t], heart_rate_bpm))
        lap = _lap(start, index, step, first_s, distances, heart_rate_bpm, sport, sub_sport)
        encoder.write_mesg(lap)
        laps.append(lap)
        first_s = last_s
    total_s = first_s
    end_time = start + timedelta(seconds=total_s)
    encoder.write_mesg(_event(end_time, "timer", "stop_all"))
    encoder.write_mesg(_session(start, steps, distances, heart_rate_bpm, sport, sub_sport))
    encoder.write_mesg(
        {
            "mesg_num": _MESG["ACTIVITY"],
            "timestamp": end_time,
            "total_timer_time": float(total_s),
            "num_sessions": 1,
            "type": "manual",
            "event": "activity",
            "event_type": "stop",
        }
    )
    data: bytes = encoder.close()
    return bytes(data)


def recorded_activity(
    start: datetime,
    steps: Sequence[RecordedStep],
    heart_rate_bpm: HeartRate | None = None,
    *,
    sport: str = "walking",
    sub_sport: str = "treadmill",
) -> Activity:
    """The `Activity` the importer reads from `activity_fit`'s file for the same arguments, made
    without writing and decoding the file: the practice seed records tens of thousands of
    sessions, and a file costs ~40 ms to write. A test holds the two equal."""
    _check(start, steps)
    distances = _distances(steps)
    speeds: list[float] = []
    laps: list[Lap] = []
    first_s = 0
    for step in steps:
        last_s = first_s + step.duration_s
        speeds.extend([round(step.speed_m_s, SPEED_DIGITS)] * step.duration_s)
        lap_m = round(distances[last_s] - distances[first_s], DISTANCE_DIGITS)
        laps.append(Lap(float(first_s), float(step.duration_s), lap_m, step.wkt_step_index))
        first_s = last_s
    speeds.append(speeds[-1])  # the final record closes the last step
    n = first_s + 1
    beats = [np.nan] * n if heart_rate_bpm is None else [round(heart_rate_bpm(t)) for t in range(n)]
    streams = make_streams(
        n,
        time_s=np.arange(n, dtype=np.float64),
        distance_m=np.array(distances, np.float64),
        speed_m_s=np.array(speeds, np.float64),
        heart_rate_bpm=np.array(beats, np.float64),
    )
    activity = Activity(
        source_format="fit",
        sport=sport,
        sub_sport=sub_sport,
        start=start,
        duration_s=float(first_s),
        distance_m=distances[-1],
        streams=streams,
        laps=tuple(laps),
    )
    return checked(activity, samples_distance_m=distances[-1])


def _check(start: datetime, steps: Sequence[RecordedStep]) -> None:
    """Refuse what no watch records: a time without a zone, an empty or backwards step."""
    if start.tzinfo is None:
        raise ValueError("the start needs a time zone: FIT times are UTC")
    if not steps:
        raise ValueError("an activity needs at least one step")
    for step in steps:
        if step.duration_s <= 0 or step.speed_m_s < 0:
            raise ValueError(f"a step needs a positive duration and a speed ≥ 0: {step}")


def _distances(steps: Sequence[RecordedStep]) -> list[float]:
    """The distance reached at each whole second, from 0 at the start."""
    distances = [0.0]
    for step in steps:
        speed = round(step.speed_m_s, SPEED_DIGITS)
        for _ in range(step.duration_s):
            distances.append(distances[-1] + speed)
    return [round(d, DISTANCE_DIGITS) for d in distances]


def _file_id(start: datetime, serial_number: int | None) -> dict[str, Any]:
    return {
        "mesg_num": _MESG["FILE_ID"],
        "type": "activity",
        "manufacturer": "development",
        "product": 0,
        "serial_number": int(start.strftime("%Y%m%d")) if serial_number is None else serial_number,
        "time_created": start,
    }


def _event(time: datetime, event: str, event_type: str) -> dict[str, Any]:
    return {"mesg_num": _MESG["EVENT"], "timestamp": time, "event": event, "event_type": event_type}


def _record(
    start: datetime, t: int, speed_m_s: float, distance_m: float, heart_rate: HeartRate | None
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "mesg_num": _MESG["RECORD"],
        "timestamp": start + timedelta(seconds=t),
        "distance": distance_m,
        "speed": round(speed_m_s, SPEED_DIGITS),
        "enhanced_speed": round(speed_m_s, SPEED_DIGITS),
    }
    if heart_rate is not None:
        record["heart_rate"] = round(heart_rate(t))
    return record


def _lap(
    start: datetime,
    index: int,
    step: RecordedStep,
    first_s: int,
    distances: list[float],
    heart_rate: HeartRate | None,
    sport: str,
    sub_sport: str,
) -> dict[str, Any]:
    last_s = first_s + step.duration_s
    lap: dict[str, Any] = {
        "mesg_num": _MESG["LAP"],
        "message_index": index,
        "timestamp": start + timedelta(seconds=last_s),
        "start_time": start + timedelta(seconds=first_s),
        "total_elapsed_time": float(step.duration_s),
        "total_timer_time": float(step.duration_s),
        "total_distance": round(distances[last_s] - distances[first_s], DISTANCE_DIGITS),
        "avg_speed": round(step.speed_m_s, SPEED_DIGITS),
        "sport": sport,
        "sub_sport": sub_sport,
        "event": "lap",
        "event_type": "stop",
    }
    if step.wkt_step_index is not None:
        lap["wkt_step_index"] = step.wkt_step_index
    lap |= _heart_rate_summary(heart_rate, range(first_s, last_s + 1))
    return lap


def _session(
    start: datetime,
    steps: Sequence[RecordedStep],
    distances: list[float],
    heart_rate: HeartRate | None,
    sport: str,
    sub_sport: str,
) -> dict[str, Any]:
    total_s = sum(step.duration_s for step in steps)
    session: dict[str, Any] = {
        "mesg_num": _MESG["SESSION"],
        "message_index": 0,
        "timestamp": start + timedelta(seconds=total_s),
        "start_time": start,
        "total_elapsed_time": float(total_s),
        "total_timer_time": float(total_s),
        "total_distance": distances[-1],
        "avg_speed": round(distances[-1] / total_s, SPEED_DIGITS),
        "max_speed": round(max(step.speed_m_s for step in steps), SPEED_DIGITS),
        "sport": sport,
        "sub_sport": sub_sport,
        "first_lap_index": 0,
        "num_laps": len(steps),
        "event": "session",
        "event_type": "stop",
        "trigger": "activity_end",
    }
    return session | _heart_rate_summary(heart_rate, range(total_s + 1))


def _heart_rate_summary(heart_rate: HeartRate | None, seconds: range) -> dict[str, int]:
    """Average and highest heart rate over the records at `seconds`, as the watch sums them."""
    if heart_rate is None:
        return {}
    beats = [round(heart_rate(t)) for t in seconds]
    return {"avg_heart_rate": round(sum(beats) / len(beats)), "max_heart_rate": max(beats)}
