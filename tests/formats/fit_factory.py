"""FIT activity files made by real FIT writers, for the decoder's tests and its benchmark.

Two writers, each for what it does well:
- garmin-fit-sdk's `Encoder`: fast (an hour of 1 Hz records in a fraction of a second), writes
  developer fields, always little-endian with normal headers and a 14-byte file header.
- fit-tool's `FitFileBuilder`: slow, but it can mark a message big-endian and put a
  compressed-timestamp header on a record, and it writes a 12-byte file header.

`run_samples` is the single source of the values, so a test can compare a decoded file with
what was written, and two files written differently with each other.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fit_tool.endian import Endian
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    Manufacturer,
    Sport,
    SubSport,
)
from fit_tool.record import RecordHeader
from garmin_fit_sdk import CrcCalculator, Encoder, Profile

START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
FIT_EPOCH_S = 631_065_600
SEMICIRCLES_PER_DEG = 2**31 / 180
MESG = Profile["mesg_num"]


@dataclass(frozen=True)
class Sample:
    """One second of a synthetic backward run, in profile units (what a watch would write)."""

    time: datetime
    lat_deg: float
    lon_deg: float
    distance_m: float
    speed_m_s: float
    altitude_m: float
    heart_rate_bpm: int
    cadence_rpm: int
    fractional_cadence_rpm: float
    power_w: int
    vertical_oscillation_mm: float
    stance_time_ms: float
    stance_time_percent: float
    vertical_ratio_percent: float
    stance_time_balance_percent: float
    step_length_mm: float


def run_samples(n: int, start: datetime = START, times_s: list[int] | None = None) -> list[Sample]:
    """A smooth, varied run around a point near Turin: values change every second.

    Values are already on the grid of each field's FIT scale (speed to the mm/s, altitude to
    0.2 m, …) so writing them is exact and a test can compare without tolerance slack.
    """
    times_s = times_s if times_s is not None else list(range(n))
    samples = []
    distance = 0.0
    previous = times_s[0] if times_s else 0
    for i, t in enumerate(times_s[:n]):
        speed = round(2.2 + 0.4 * math.sin(t / 90), 3)
        distance = round(distance + speed * (t - previous), 2)
        previous = t
        samples.append(
            Sample(
                time=start + timedelta(seconds=t),
                lat_deg=45.07 + 1e-4 * math.sin(t / 300),
                lon_deg=7.68 + 1e-4 * math.cos(t / 300),
                distance_m=distance,
                speed_m_s=speed,
                altitude_m=round((240 + 5 * math.sin(t / 500)) * 5) / 5,
                heart_rate_bpm=120 + (t // 7 + i) % 40,
                cadence_rpm=78 + t % 9,
                fractional_cadence_rpm=(t % 4) / 8,
                power_w=180 + t % 50,
                vertical_oscillation_mm=round(70 + 10 * math.sin(t / 40), 1),
                stance_time_ms=round(260 + 20 * math.cos(t / 30), 1),
                stance_time_percent=round(38 + (t % 5) * 0.25, 2),
                vertical_ratio_percent=round(7 + (t % 7) * 0.1, 2),
                stance_time_balance_percent=round(49.5 + (t % 3) * 0.5, 2),
                step_length_mm=round(900 + 30 * math.sin(t / 60), 1),
            )
        )
    return samples


def semicircles(deg: float) -> int:
    return round(deg * SEMICIRCLES_PER_DEG)


# --- garmin-fit-sdk Encoder ------------------------------------------------------------------

DEVELOPER_DATA_ID = {
    "mesg_num": MESG["DEVELOPER_DATA_ID"],
    "developer_data_index": 0,
    "application_id": list(range(16)),
    "application_version": 3,
}
DEVELOPER_FIELDS = {
    "backward_steps": {
        "mesg_num": MESG["FIELD_DESCRIPTION"],
        "developer_data_index": 0,
        "field_definition_number": 0,
        "fit_base_type_id": 0x84,  # uint16
        "field_name": "backward_steps",
        "units": "steps",
    },
    "trunk_lean_deg": {
        "mesg_num": MESG["FIELD_DESCRIPTION"],
        "developer_data_index": 0,
        "field_definition_number": 1,
        "fit_base_type_id": 0x88,  # float32
        "field_name": "trunk_lean",
        "units": "deg",
    },
    "coach_note": {
        "mesg_num": MESG["FIELD_DESCRIPTION"],
        "developer_data_index": 0,
        "field_definition_number": 2,
        "fit_base_type_id": 0x07,  # string
        "field_name": "coach_note",
    },
}


def sdk_record(sample: Sample) -> dict[str, object]:
    """A record message for the SDK Encoder: every field retrorun keeps."""
    return {
        "mesg_num": MESG["RECORD"],
        "timestamp": sample.time,
        "position_lat": semicircles(sample.lat_deg),
        "position_long": semicircles(sample.lon_deg),
        "distance": sample.distance_m,
        "speed": sample.speed_m_s,
        "enhanced_speed": sample.speed_m_s,
        "altitude": sample.altitude_m,
        "enhanced_altitude": sample.altitude_m,
        "heart_rate": sample.heart_rate_bpm,
        "cadence": sample.cadence_rpm,
        "fractional_cadence": sample.fractional_cadence_rpm,
        "power": sample.power_w,
        "vertical_oscillation": sample.vertical_oscillation_mm,
        "stance_time": sample.stance_time_ms,
        "stance_time_percent": sample.stance_time_percent,
        "vertical_ratio": sample.vertical_ratio_percent,
        "stance_time_balance": sample.stance_time_balance_percent,
        "step_length": sample.step_length_mm,
    }


def sdk_activity(
    n_records: int = 3600,
    *,
    start: datetime = START,
    lap_every_s: int = 600,
    developer_fields: bool = True,
    records: list[dict[str, object]] | None = None,
) -> bytes:
    """A 1 Hz running activity written by Garmin's own Encoder (14-byte header, little-endian).

    Records carry developer fields (a number, a float and a string) when asked, so a decoder
    must skip them by the sizes in the definition. Laps every `lap_every_s` with a workout step
    index, then a session, as a watch writes them. `records` replaces the generated records.
    """
    samples = run_samples(n_records, start)
    rows = records if records is not None else [sdk_record(s) for s in samples]
    encoder = Encoder()
    if developer_fields:
        for key, description in DEVELOPER_FIELDS.items():
            encoder.add_developer_field(key, DEVELOPER_DATA_ID, description)
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 1,
            "serial_number": 20260301,
            "time_created": start,
        }
    )
    if developer_fields:
        encoder.write_mesg(DEVELOPER_DATA_ID)
        for description in DEVELOPER_FIELDS.values():
            encoder.write_mesg(description)
    encoder.write_mesg(_sdk_event(start, "start"))
    lap_start = 0
    laps = []
    for i, row in enumerate(rows):
        if developer_fields:
            row = {
                **row,
                "developer_fields": {
                    "backward_steps": i * 3,
                    "trunk_lean_deg": 4.5 + (i % 10) / 4,
                    "coach_note": "look back" if i % 2 else "short steps",
                },
            }
        encoder.write_mesg(row)
        at_lap_end = (i + 1) % lap_every_s == 0 or i == len(rows) - 1
        if at_lap_end and samples:
            lap = _sdk_lap(samples, lap_start, min(i, len(samples) - 1), len(laps))
            encoder.write_mesg(lap)
            laps.append(lap)
            lap_start = i + 1
    end = samples[-1].time if samples else start
    encoder.write_mesg(_sdk_event(end, "stop_all"))
    encoder.write_mesg(_sdk_session(samples, len(laps), start))
    encoder.write_mesg(
        {
            "mesg_num": MESG["ACTIVITY"],
            "timestamp": end,
            "total_timer_time": float(len(samples)),
            "num_sessions": 1,
            "type": "manual",
        }
    )
    return bytes(encoder.close())


def _sdk_event(time: datetime, event_type: str) -> dict[str, object]:
    return {
        "mesg_num": MESG["EVENT"],
        "timestamp": time,
        "event": "timer",
        "event_type": event_type,
    }


def _sdk_lap(samples: list[Sample], first: int, last: int, index: int) -> dict[str, object]:
    start, end = samples[first], samples[last]
    seconds = (end.time - start.time).total_seconds() + 1
    return {
        "mesg_num": MESG["LAP"],
        "message_index": index,
        "timestamp": end.time,
        "start_time": start.time,
        "total_elapsed_time": seconds,
        "total_timer_time": seconds - 0.5,
        "total_distance": round(end.distance_m - start.distance_m, 2),
        "wkt_step_index": index % 3,
        "sport": "running",
        "sub_sport": "track",
        "event": "lap",
        "event_type": "stop",
    }


def _sdk_session(samples: list[Sample], n_laps: int, start: datetime) -> dict[str, object]:
    seconds = float(len(samples))
    end = samples[-1].time if samples else start
    return {
        "mesg_num": MESG["SESSION"],
        "message_index": 0,
        "timestamp": end,
        "start_time": start,
        "total_elapsed_time": seconds + 2.25,
        "total_timer_time": seconds,
        "total_distance": samples[-1].distance_m if samples else 0.0,
        "total_calories": 11 * len(samples) // 60,
        "total_ascent": 12,
        "total_descent": 11,
        "avg_heart_rate": 141,
        "max_heart_rate": 159,
        "sport": "running",
        "sub_sport": "track",
        "first_lap_index": 0,
        "num_laps": n_laps,
        "event": "session",
        "event_type": "stop",
        "trigger": "activity_end",
    }


# --- fit-tool builder: big-endian messages and compressed timestamps -------------------------


def fit_tool_activity(
    samples: list[Sample],
    *,
    endian: Endian = Endian.LITTLE,
    compressed: bool = False,
    anchor_every: int = 0,
    compress_first: bool = False,
) -> bytes:
    """A small activity written by fit-tool (12-byte header), big-endian if asked.

    With `compressed`, every record after the first carries its time in a compressed-timestamp
    header (local type 1, low 5 bits of the time) instead of a timestamp field; fit-tool writes
    such headers as given. With `anchor_every` > 0, an event message with a full timestamp is
    written before every that-many-th record, so some compressed times count from a non-record
    message. Without `compressed` the same records carry normal timestamp fields.
    `compress_first` compresses the first record too, leaving no full time to count from.
    """
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage(local_id=0, endian=endian)
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 1
    file_id.serial_number = 0x2026
    file_id.time_created = _ms(samples[0].time)
    builder.add(file_id)
    for i, sample in enumerate(samples):
        if anchor_every and i and i % anchor_every == 0:
            event = EventMessage(local_id=2, endian=endian)
            event.timestamp = _ms(sample.time - timedelta(seconds=1))
            event.event = Event.TIMER
            event.event_type = EventType.MARKER
            builder.add(event)
        use_compressed = compressed and (i > 0 or compress_first)
        builder.add(_fit_tool_record(sample, endian, with_timestamp=not use_compressed))
        if use_compressed:
            builder.records[-1].header = RecordHeader(
                is_time_compressed=True,
                is_definition=False,
                local_id=1,
                time_offset_seconds=_fit_seconds(sample.time) & 0x1F,
            )
    builder.add(_fit_tool_lap(samples, endian))
    builder.add(_fit_tool_session(samples, endian))
    return bytes(builder.build().to_bytes())


def _ms(time: datetime) -> int:
    return round(time.timestamp() * 1000)


def _fit_seconds(time: datetime) -> int:
    return round(time.timestamp()) - FIT_EPOCH_S


def _fit_tool_record(sample: Sample, endian: Endian, *, with_timestamp: bool) -> RecordMessage:
    record = RecordMessage(local_id=1, endian=endian)
    if with_timestamp:
        record.timestamp = _ms(sample.time)
    record.position_lat = sample.lat_deg
    record.position_long = sample.lon_deg
    record.distance = sample.distance_m
    record.enhanced_speed = sample.speed_m_s
    record.altitude = sample.altitude_m
    record.heart_rate = sample.heart_rate_bpm
    record.cadence = sample.cadence_rpm
    record.fractional_cadence = sample.fractional_cadence_rpm
    record.power = sample.power_w
    record.vertical_oscillation = sample.vertical_oscillation_mm
    record.stance_time = sample.stance_time_ms
    record.step_length = sample.step_length_mm
    return record


def _fit_tool_lap(samples: list[Sample], endian: Endian) -> LapMessage:
    lap = LapMessage(local_id=3, endian=endian)
    lap.timestamp = _ms(samples[-1].time)
    lap.start_time = _ms(samples[0].time)
    seconds = (samples[-1].time - samples[0].time).total_seconds() + 1
    lap.total_elapsed_time = seconds
    lap.total_timer_time = seconds
    lap.total_distance = samples[-1].distance_m
    lap.workout_step_index = 2
    lap.sport = Sport.WALKING
    lap.sub_sport = SubSport.GENERIC
    return lap


def _fit_tool_session(samples: list[Sample], endian: Endian) -> SessionMessage:
    session = SessionMessage(local_id=4, endian=endian)
    session.timestamp = _ms(samples[-1].time)
    session.start_time = _ms(samples[0].time)
    seconds = (samples[-1].time - samples[0].time).total_seconds() + 1
    session.total_elapsed_time = seconds
    session.total_timer_time = seconds
    session.total_distance = samples[-1].distance_m
    session.total_calories = 42
    session.sport = Sport.WALKING
    session.sub_sport = SubSport.GENERIC
    return session


# --- damaging files on purpose ---------------------------------------------------------------


def fit_crc(data: bytes) -> int:
    return int(CrcCalculator.calculate_crc(data, 0, len(data)))


def with_fixed_crcs(data: bytes) -> bytes:
    """Recompute a single FIT file's header and file CRCs after editing its bytes.

    Lets a test damage the *content* (an undefined local type, an absurd size) without the CRC
    check catching it first, so the decoder's other checks are exercised.
    """
    fixed = bytearray(data)
    header_size = fixed[0]
    if header_size == 14:
        struct.pack_into("<H", fixed, 12, fit_crc(bytes(fixed[:12])))
    end = len(fixed) - 2
    struct.pack_into("<H", fixed, end, fit_crc(bytes(fixed[:end])))
    return bytes(fixed)


def first_data_offset(data: bytes, local_type: int) -> int:
    """Offset of the first normal-header data message of `local_type` (walks definitions)."""
    pos = data[0]
    sizes: dict[int, int] = {}
    end = len(data) - 2
    while pos < end:
        header = data[pos]
        if header & 0x40:
            n_fields = data[pos + 5]
            size = sum(data[pos + 6 + 3 * i + 1] for i in range(n_fields))
            after = pos + 6 + 3 * n_fields
            if header & 0x20:
                n_dev = data[after]
                size += sum(data[after + 1 + 3 * i + 1] for i in range(n_dev))
                after += 1 + 3 * n_dev
            sizes[header & 0x0F] = size
            pos = after
        else:
            local = header & 0x0F
            if local == local_type:
                return pos
            pos += 1 + sizes[local]
    raise ValueError(f"no data message of local type {local_type}")
