"""Decode FIT activity files into whole NumPy arrays, fast.

A one-hour run at 1 Hz is 3 600 record messages. General FIT libraries build a Python object per
field of each of them; here Python only walks the message *headers*, and even that is skipped for
runs of identical consecutive messages. Every data message of one definition has the same fixed
size, so once the byte offsets of the messages are known, each field we keep is read for all of
them at once: a run of messages is a strided NumPy view of the file itself, and only that
field's bytes are copied. The CRC check is vectorised too (see `_crc16`).

Memory is bounded by design: a column exists only for a field some message has (a field no
message has is a NaN view of no size), and the number of records, laps, sessions and messages is
capped (`core.limits`) while the headers are walked, before any column is made.

Only the small part of the FIT profile that retrorun uses is coded here (record, lap, session,
sport, file_id); the field numbers, scales and offsets are those of the FIT SDK's Profile
(21.218). Values match Garmin's official SDK, which the tests use as the oracle.

A damaged file raises `FitDecodeError` naming the problem and the byte offset: the importer
rejects such a file whole rather than keep part of a run.
"""

from __future__ import annotations

import math
import os
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retrorun.core import limits
from retrorun.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]

FIT_EPOCH_S = 631_065_600  # 1989-12-31T00:00:00Z: FIT timestamps count seconds from here
DEG_PER_SEMICIRCLE = 180.0 / 2**31  # FIT positions are semicircles: 2^31 of them per 180°

_FILE_CRC_SIZE = 2
_COMPRESSED_HEADER = 0x80  # record header bit 7: compressed-timestamp data message
_DEFINITION_HEADER = 0x40  # record header bit 6: definition message
_DEVELOPER_DATA = 0x20  # definition header bit 5: developer field definitions follow


class FitDecodeError(InvalidInput):
    """The bytes are not a whole, intact FIT file; the message says what and at which byte."""


# --- the part of the FIT profile we keep ------------------------------------------------------

# Base types (low 5 bits of a field definition's base type byte): numpy type and invalid value.
# None marks types we never read as numbers (string) and floats, whose invalid pattern is a NaN.
_BASE_TYPES: dict[int, tuple[str, int | None]] = {
    0x00: ("u1", 0xFF),  # enum
    0x01: ("i1", 0x7F),  # sint8
    0x02: ("u1", 0xFF),  # uint8
    0x03: ("i2", 0x7FFF),  # sint16
    0x04: ("u2", 0xFFFF),  # uint16
    0x05: ("i4", 0x7FFF_FFFF),  # sint32
    0x06: ("u4", 0xFFFF_FFFF),  # uint32
    0x07: ("u1", None),  # string
    0x08: ("f4", None),  # float32
    0x09: ("f8", None),  # float64
    0x0A: ("u1", 0),  # uint8z
    0x0B: ("u2", 0),  # uint16z
    0x0C: ("u4", 0),  # uint32z
    0x0D: ("u1", 0xFF),  # byte
    0x0E: ("i8", 0x7FFF_FFFF_FFFF_FFFF),  # sint64
    0x0F: ("u8", 0xFFFF_FFFF_FFFF_FFFF),  # uint64
    0x10: ("u8", 0),  # uint64z
}
_BASE_TYPE_MASK = bytes(b & 0x1F for b in range(256))  # the low 5 bits name the base type
_KNOWN_BASE_TYPES = bytes(_BASE_TYPES)
_STRING = 0x07
_UINT8 = 0x02

# (our column name, FIT field number, scale, offset): value = raw / scale - offset.
FieldSpec = tuple[str, int, float, float]

_MESG_FILE_ID = 0
_FILE_ID_FIELDS: tuple[FieldSpec, ...] = (
    ("type", 0, 1, 0),
    ("time_created", 4, 1, 0),
)
_MESG_SPORT = 12
_SPORT_FIELDS: tuple[FieldSpec, ...] = (
    ("sport", 0, 1, 0),
    ("sub_sport", 1, 1, 0),
)
_MESG_RECORD = 20
_RECORD_FIELDS: tuple[FieldSpec, ...] = (
    ("timestamp", 253, 1, 0),  # s since FIT epoch
    ("position_lat", 0, 1, 0),  # semicircles
    ("position_long", 1, 1, 0),  # semicircles
    ("altitude", 2, 5, 500),  # m
    ("heart_rate", 3, 1, 0),  # bpm
    ("cadence", 4, 1, 0),  # rpm
    ("distance", 5, 100, 0),  # m
    ("speed", 6, 1000, 0),  # m/s
    ("power", 7, 1, 0),  # W
    ("vertical_oscillation", 39, 10, 0),  # mm
    ("stance_time_percent", 40, 100, 0),  # %
    ("stance_time", 41, 10, 0),  # ms
    ("fractional_cadence", 53, 128, 0),  # rpm
    ("enhanced_speed", 73, 1000, 0),  # m/s
    ("enhanced_altitude", 78, 5, 500),  # m
    ("vertical_ratio", 83, 100, 0),  # %
    ("stance_time_balance", 84, 100, 0),  # % (left foot)
    ("step_length", 85, 10, 0),  # mm
)
_MESG_LAP = 19
_LAP_FIELDS: tuple[FieldSpec, ...] = (
    ("timestamp", 253, 1, 0),
    ("start_time", 2, 1, 0),
    ("total_elapsed_time", 7, 1000, 0),  # s
    ("total_timer_time", 8, 1000, 0),  # s
    ("total_distance", 9, 100, 0),  # m
    ("sport", 25, 1, 0),
    ("sub_sport", 39, 1, 0),
    ("wkt_step_index", 71, 1, 0),
)
_MESG_SESSION = 18
_SESSION_FIELDS: tuple[FieldSpec, ...] = (
    ("timestamp", 253, 1, 0),
    ("start_time", 2, 1, 0),
    ("sport", 5, 1, 0),
    ("sub_sport", 6, 1, 0),
    ("total_elapsed_time", 7, 1000, 0),  # s
    ("total_timer_time", 8, 1000, 0),  # s
    ("total_distance", 9, 100, 0),  # m
    ("total_calories", 11, 1, 0),  # kcal
    ("avg_heart_rate", 16, 1, 0),  # bpm
    ("max_heart_rate", 17, 1, 0),  # bpm
    ("total_ascent", 22, 1, 0),  # m
    ("total_descent", 23, 1, 0),  # m
)
_TIMESTAMP_FIELD = 253  # the same number in every message


def _enum_table(pairs: str) -> dict[int, str]:
    """Read 'number name number name …' so a long FIT enum fits in a few lines."""
    words = pairs.split()
    return {int(words[i]): words[i + 1] for i in range(0, len(words), 2)}


_FILE_TYPES = _enum_table(
    "1 device 2 settings 3 sport 4 activity 5 workout 6 course 7 schedules 9 weight 10 totals "
    "11 goals 14 blood_pressure 15 monitoring_a 20 activity_summary 28 monitoring_daily "
    "32 monitoring_b 34 segment 35 segment_list 40 exd_configuration 247 mfg_range_min "
    "254 mfg_range_max"
)
_SPORTS = _enum_table(
    "0 generic 1 running 2 cycling 3 transition 4 fitness_equipment 5 swimming 6 basketball "
    "7 soccer 8 tennis 9 american_football 10 training 11 walking 12 cross_country_skiing "
    "13 alpine_skiing 14 snowboarding 15 rowing 16 mountaineering 17 hiking 18 multisport "
    "19 paddling 20 flying 21 e_biking 22 motorcycling 23 boating 24 driving 25 golf "
    "26 hang_gliding 27 horseback_riding 28 hunting 29 fishing 30 inline_skating "
    "31 rock_climbing 32 sailing 33 ice_skating 34 sky_diving 35 snowshoeing 36 snowmobiling "
    "37 stand_up_paddleboarding 38 surfing 39 wakeboarding 40 water_skiing 41 kayaking "
    "42 rafting 43 windsurfing 44 kitesurfing 45 tactical 46 jumpmaster 47 boxing "
    "48 floor_climbing 49 baseball 53 diving 56 shooting 58 winter_sport 59 grinding 62 hiit "
    "63 video_gaming 64 racket 65 wheelchair_push_walk 66 wheelchair_push_run 67 meditation "
    "68 para_sport 69 disc_golf 70 team_sport 71 cricket 72 rugby 73 hockey 74 lacrosse "
    "75 volleyball 76 water_tubing 77 wakesurfing 78 water_sport 79 archery "
    "80 mixed_martial_arts 81 motor_sports 82 snorkeling 83 dance 84 jump_rope 85 pool_apnea "
    "86 mobility 87 geocaching 88 canoeing 254 all"
)
_SUB_SPORTS = _enum_table(
    "0 generic 1 treadmill 2 street 3 trail 4 track 5 spin 6 indoor_cycling 7 road 8 mountain "
    "9 downhill 10 recumbent 11 cyclocross 12 hand_cycling 13 track_cycling 14 indoor_rowing "
    "15 elliptical 16 stair_climbing 17 lap_swimming 18 open_water 19 flexibility_training "
    "20 strength_training 21 warm_up 22 match 23 exercise 24 challenge 25 indoor_skiing "
    "26 cardio_training 27 indoor_walking 28 e_bike_fitness 29 bmx 30 casual_walking "
    "31 speed_walking 32 bike_to_run_transition 33 run_to_bike_transition "
    "34 swim_to_bike_transition 35 atv 36 motocross 37 backcountry 38 resort 39 rc_drone "
    "40 wingsuit 41 whitewater 42 skate_skiing 43 yoga 44 pilates 45 indoor_running "
    "46 gravel_cycling 47 e_bike_mountain 48 commuting 49 mixed_surface 50 navigate 51 track_me "
    "52 map 53 single_gas_diving 54 multi_gas_diving 55 gauge_diving 56 apnea_diving "
    "57 apnea_hunting 58 virtual_activity 59 obstacle 62 breathing 63 ccr_diving 65 sail_race "
    "66 expedition 67 ultra 68 indoor_climbing 69 bouldering 70 hiit 71 indoor_grinding "
    "72 hunting_with_dogs 73 amrap 74 emom 75 tabata 77 esport 78 triathlon 79 duathlon "
    "80 brick 81 swim_run 82 adventure_race 83 trucker_workout 84 pickleball 85 padel "
    "86 indoor_wheelchair_walk 87 indoor_wheelchair_run 88 indoor_hand_cycling 90 field 91 ice "
    "92 ultimate 93 platform 94 squash 95 badminton 96 racquetball 97 table_tennis 98 overland "
    "99 trolling_motor 110 fly_canopy 111 fly_paraglide 112 fly_paramotor 113 fly_pressurized "
    "114 fly_navigate 115 fly_timer 116 fly_altimeter 117 fly_wx 118 fly_vfr 119 fly_ifr "
    "121 dynamic_apnea 123 enduro 124 rucking 125 rally 126 pool_triathlon 127 e_bike_enduro "
    "254 all"
)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FitRecords:
    """The record stream as columns: element i of every array belongs to record message i.

    NaN where the device wrote nothing or FIT's invalid sentinel. The arrays are read-only.
    `cadence_rpm` is FIT's cadence (plus fractional_cadence): for running and walking one cycle
    is a stride of both feet, so steps per minute are twice this.
    """

    timestamp_s: FloatArray  # seconds since the Unix epoch, UTC
    lat_deg: FloatArray
    lon_deg: FloatArray
    distance_m: FloatArray
    speed_m_s: FloatArray  # enhanced_speed where present, else speed
    altitude_m: FloatArray  # enhanced_altitude where present, else altitude
    heart_rate_bpm: FloatArray
    cadence_rpm: FloatArray
    power_w: FloatArray
    vertical_oscillation_mm: FloatArray
    stance_time_ms: FloatArray
    stance_time_percent: FloatArray
    vertical_ratio_percent: FloatArray
    stance_time_balance_percent: FloatArray  # left foot's share of ground contact time
    step_length_mm: FloatArray

    def __len__(self) -> int:
        return int(self.timestamp_s.size)


@dataclass(frozen=True)
class FitLap:
    """One lap message: when it ran, how long and far, and the workout step it belonged to."""

    start_time: datetime | None
    timestamp: datetime | None  # when the lap ended
    total_elapsed_time_s: float | None
    total_timer_time_s: float | None
    total_distance_m: float | None
    wkt_step_index: int | None
    sport: str | None
    sub_sport: str | None


@dataclass(frozen=True)
class FitSession:
    """One session message: the device's own totals for the activity (or one multisport leg)."""

    sport: str | None
    sub_sport: str | None
    start_time: datetime | None
    timestamp: datetime | None  # when the session ended
    total_elapsed_time_s: float | None
    total_timer_time_s: float | None
    total_distance_m: float | None
    total_calories_kcal: float | None
    total_ascent_m: float | None
    total_descent_m: float | None
    avg_heart_rate_bpm: float | None
    max_heart_rate_bpm: float | None


@dataclass(frozen=True, eq=False)
class FitActivity:
    """What retrorun keeps from a FIT activity file (all chained files in it, in order)."""

    file_type: str | None  # "activity" for a recorded activity
    sport: str | None
    sub_sport: str | None
    start: datetime | None
    records: FitRecords
    laps: list[FitLap]
    sessions: list[FitSession]

    @property
    def duration_s(self) -> float | None:
        """Moving (timer) time: what the watch showed as the activity's time.

        Falls back to elapsed time, then to the span of the record timestamps.
        """
        for name in ("total_timer_time_s", "total_elapsed_time_s"):
            values = [getattr(s, name) for s in self.sessions if getattr(s, name) is not None]
            if values:
                return float(sum(values))
        return _finite_span(self.records.timestamp_s)

    @property
    def distance_m(self) -> float | None:
        """Total distance from the sessions, else the last distance the records reached."""
        values = [s.total_distance_m for s in self.sessions if s.total_distance_m is not None]
        if values:
            return float(sum(values))
        finite = self.records.distance_m[np.isfinite(self.records.distance_m)]
        return float(finite.max()) if finite.size else None


def _finite_span(values: FloatArray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.max() - finite.min()) if finite.size else None


# --- entry points -----------------------------------------------------------------------------


def decode_fit_file(path: str | os.PathLike[str]) -> FitActivity:
    """Read and decode a FIT file; errors name the file so the user knows which one is bad."""
    path = Path(path)
    try:
        return decode_fit(path.read_bytes())
    except FitDecodeError as error:
        raise FitDecodeError(f"{path.name}: {error}") from error


def decode_fit(data: bytes | bytearray | memoryview) -> FitActivity:
    """Decode a FIT activity (possibly several chained FIT files) from its bytes."""
    buf = data if isinstance(data, bytes) else bytes(data)
    u8 = np.frombuffer(buf, dtype=np.uint8)
    if not buf:
        raise FitDecodeError("not a FIT file: it is empty")
    parts: list[_FileData] = []
    counted = dict.fromkeys(_CAPS, 0)
    pos = 0
    while pos < len(buf):
        if len(parts) == MAX_CHAINED_FILES:
            raise FitDecodeError(
                f"more than {MAX_CHAINED_FILES:,} FIT files chained in one (at byte {pos}): "
                "more than any device writes; refused"
            )
        part, pos = _decode_one_file(buf, u8, pos, counted)
        parts.append(part)
    return _assemble(parts)


# --- caps -------------------------------------------------------------------------------------

# Most messages a file may hold, by kind, and what to call them (`core.limits` says why).
# Counted while the headers are walked, before any column is made: a file of millions of
# one-byte messages is refused for the price of counting them.
_CAPS: dict[int, tuple[int, str]] = {
    _MESG_RECORD: (limits.MAX_SAMPLES, "records"),
    _MESG_LAP: (limits.MAX_LAPS, "laps"),
    _MESG_SESSION: (limits.MAX_SESSIONS, "sessions"),
}
# Our choice: each second a watch writes a record and, logging heart rate variability, one or
# two hrv messages, besides a few events and device infos in a whole file; four data messages a
# sample leaves room for all of that, and bounds the work of walking the headers.
MAX_MESSAGES = 4 * limits.MAX_SAMPLES
# Our choice: a device chains a file per part of an activity (a multisport leg, each with its
# session), so no more than the sessions an activity may have; each costs a few KiB to decode
# however small, and 16 bytes make an empty one.
MAX_CHAINED_FILES = limits.MAX_SESSIONS
# Our choice: a device defines each message type it writes once, and again when its fields
# change (a sensor connects); the real files in tests/data hold 8 to 20. Identical definitions
# are kept once, so this bounds the memory of definitions (up to 255 fields each).
MAX_DEFINITIONS = 1_000
_CHECK_EVERY_MESSAGES = 2**16  # how often the walk looks at its counts (our choice)


def _check_caps(definitions: list[_Definition], counted: dict[int, int], messages: int) -> None:
    """Refuse a file past a cap: the records, laps and sessions of the chain so far
    (`counted`, from the files before, with this file's), its data messages or definitions."""
    totals = dict(counted)
    for definition in definitions:
        if definition.mesg_num in totals:
            totals[definition.mesg_num] += definition.count
    for mesg_num, (cap, what) in _CAPS.items():
        if totals[mesg_num] > cap:
            raise FitDecodeError(
                f"more than {cap:,} {what} ({totals[mesg_num]:,}): more than any device "
                "records in one activity; refused"
            )
    if messages > MAX_MESSAGES:
        raise FitDecodeError(
            f"more than {MAX_MESSAGES:,} messages: more than any device records in one "
            "activity; refused"
        )
    if len(definitions) > MAX_DEFINITIONS:
        raise FitDecodeError(
            f"more than {MAX_DEFINITIONS:,} different message definitions: no device defines "
            "that many; refused"
        )


# --- one FIT file in a chain ------------------------------------------------------------------

# A column of one message type: None when no definition of the file has the field, so a field
# nobody wrote costs no memory at all.
Columns = dict[str, FloatArray | None]


@dataclass(frozen=True, eq=False)
class _FileData:
    """The messages we keep from one FIT file of a chain, as columns (profile units)."""

    file_id: tuple[int, Columns]  # (number of messages, columns)
    sport: tuple[int, Columns]
    records: tuple[int, Columns]
    laps: tuple[int, Columns]
    sessions: tuple[int, Columns]


def _decode_one_file(
    buf: bytes, u8: ByteArray, start: int, counted: dict[int, int]
) -> tuple[_FileData, int]:
    """Check the header and CRCs of the FIT file at `start`, decode it, return where it ends."""
    data_start, data_end = _read_file_header(buf, u8, start)
    _check_file_crc(buf, u8, start, data_end)
    definitions, compressed = _scan_messages(buf, u8, data_start, data_end, counted)
    for definition in definitions:
        if definition.mesg_num in counted:
            counted[definition.mesg_num] += definition.count
    compressed_ts = _resolve_compressed_timestamps(u8, definitions, compressed)

    def columns(mesg_num: int, specs: tuple[FieldSpec, ...]) -> tuple[int, Columns]:
        return _collect(u8, definitions, mesg_num, specs, compressed_ts)

    part = _FileData(
        file_id=columns(_MESG_FILE_ID, _FILE_ID_FIELDS),
        sport=columns(_MESG_SPORT, _SPORT_FIELDS),
        records=columns(_MESG_RECORD, _RECORD_FIELDS),
        laps=columns(_MESG_LAP, _LAP_FIELDS),
        sessions=columns(_MESG_SESSION, _SESSION_FIELDS),
    )
    return part, data_end + _FILE_CRC_SIZE


def _read_file_header(buf: bytes, u8: ByteArray, start: int) -> tuple[int, int]:
    """Validate the file header at `start`; return where its data begins and ends."""
    what = "not a FIT file" if start == 0 else "bytes after a FIT file are not a FIT file"
    header_size = buf[start]
    if header_size not in (12, 14):
        raise FitDecodeError(
            f"{what}: header size {header_size} at byte {start} (expected 12 or 14)"
        )
    if start + header_size > len(buf):
        raise FitDecodeError(f"{what}: only {len(buf) - start} bytes left at byte {start}")
    if buf[start + 8 : start + 12] != b".FIT":
        raise FitDecodeError(f"{what}: no '.FIT' signature at byte {start + 8}")
    if header_size == 14:
        stored = int.from_bytes(buf[start + 12 : start + 14], "little")
        computed = _crc16(u8[start : start + 12])
        if stored not in (0, computed):  # 0 means the writer did not compute it (FIT spec)
            raise FitDecodeError(
                f"FIT header CRC mismatch at byte {start + 12}: "
                f"stored 0x{stored:04X}, computed 0x{computed:04X}"
            )
    data_size = int.from_bytes(buf[start + 4 : start + 8], "little")
    data_start = start + header_size
    data_end = data_start + data_size
    if data_end + _FILE_CRC_SIZE > len(buf):
        raise FitDecodeError(
            f"truncated FIT file: the header at byte {start} announces {data_size} data bytes "
            f"plus a 2-byte CRC, but only {len(buf) - data_start} bytes follow it"
        )
    return data_start, data_end


def _check_file_crc(buf: bytes, u8: ByteArray, start: int, data_end: int) -> None:
    stored = int.from_bytes(buf[data_end : data_end + _FILE_CRC_SIZE], "little")
    computed = _crc16(u8[start:data_end])
    if stored != computed:
        raise FitDecodeError(
            f"FIT file CRC mismatch at byte {data_end}: "
            f"stored 0x{stored:04X}, computed 0x{computed:04X} over bytes {start}-{data_end - 1}"
        )


# --- walking the message stream ---------------------------------------------------------------


class _Definition:
    """A definition message plus where the data messages that use it sit in the file.

    Offsets are of a message's content (just after its 1-byte header). A message on its own
    goes in `singles`; a run of back-to-back messages of this definition is one entry in
    `run_starts` / `run_counts`, so a long run costs no per-message Python work at all. All
    three are typed arrays (8 bytes an entry, not a Python int's 36).
    """

    __slots__ = (
        "_offsets",
        "big_endian",
        "count",
        "fields",
        "mesg_num",
        "run_counts",
        "run_starts",
        "singles",
        "size",
        "stride",
    )

    def __init__(
        self, mesg_num: int, big_endian: bool, fields: dict[int, tuple[int, int, int]], size: int
    ) -> None:
        self.mesg_num = mesg_num
        self.big_endian = big_endian
        self.fields = fields  # field number -> (offset in the message, size, base type)
        self.size = size  # bytes of content, developer fields included
        self.stride = size + 1  # from one message header to the next, in a run
        self.singles = array("q")
        self.run_starts = array("q")
        self.run_counts = array("q")
        self.count = 0  # data messages: the singles plus the runs' counts
        self._offsets: IntArray | None = None

    def offsets(self) -> IntArray:
        """Content offsets of every data message of this definition, in file order (made once,
        with NumPy alone however many runs there are)."""
        if self._offsets is None:
            counts = np.frombuffer(self.run_counts, dtype=np.int64)
            in_run = np.arange(int(counts.sum()), dtype=np.int64)  # each message's place in its run
            in_run -= np.repeat(np.cumsum(counts) - counts, counts)
            in_run *= self.stride
            in_run += np.repeat(np.frombuffer(self.run_starts, dtype=np.int64), counts)
            self._offsets = np.sort(np.concatenate([np.frombuffer(self.singles, np.int64), in_run]))
        return self._offsets

    def field(self, u8: ByteArray, number: int) -> FloatArray | None:
        """One field of every message, in file order, as float64 (raw units), NaN if invalid.

        Arrays and odd sizes follow the FIT SDK: a size that is not a multiple of the base
        type's is read as bytes; of an array only the first element is kept (the fields we read
        are scalars). Only this field's bytes are copied: long runs of messages are strided
        views of the file; otherwise they are gathered from a view of the file as overlapping
        rows of the field's width, never through a copy of whole messages or an index array of
        messages × bytes.
        """
        spec = self.fields.get(number)
        if spec is None or spec[2] == _STRING:
            return None
        at, size, base_type = spec
        code, invalid = _BASE_TYPES[base_type]
        width = int(code[1])
        if size % width:
            code, invalid = _BASE_TYPES[_UINT8]
            width = 1
        if size < width or self.count == 0:
            return None
        dtype = np.dtype(code).newbyteorder(">" if self.big_endian else "<")
        if not self.singles and len(self.run_counts) * _VIEWED_RUN <= self.count:  # the usual
            runs = zip(self.run_starts, self.run_counts, strict=True)
            parts = [np.ndarray((n,), dtype, u8, start + at, (self.stride,)) for start, n in runs]
            raw = parts[0] if len(parts) == 1 else np.concatenate(parts)
        else:
            windows = np.ndarray((u8.size - width + 1, width), np.uint8, u8, 0, (1, 1))
            raw = windows[self.offsets() + at].view(dtype).reshape(-1)
        values = raw.astype(np.float64)
        if invalid is not None:
            values[raw == invalid] = np.nan
        return values


def _scan_messages(
    buf: bytes, u8: ByteArray, pos: int, end: int, counted: dict[int, int]
) -> tuple[list[_Definition], tuple[array[int], array[int]]]:
    """Walk the headers of the data section once; return definitions and compressed headers.

    This is the one per-message Python loop, so it only reads a header byte and jumps by the
    definition's fixed size. When the next message repeats the same header byte, the whole run
    of identical messages is measured with NumPy instead (`_run_length`). Compressed-timestamp
    headers are kept as content offsets and 5-bit time offsets for
    `_resolve_compressed_timestamps`. Every `_CHECK_EVERY_MESSAGES` messages the caps are
    checked (`counted` holds the chain's counts before this file), so a file of millions of
    tiny messages is refused before its offsets fill memory.
    """
    local: list[_Definition | None] = [None] * 16
    known: dict[bytes, _Definition] = {}
    compressed_at, compressed_low = array("q"), array("B")
    messages, check_at = 0, _CHECK_EVERY_MESSAGES
    start = pos
    while pos < end:
        start = pos
        header = buf[pos]
        if header & _COMPRESSED_HEADER:
            definition = local[(header >> 5) & 0x03]
            if definition is None:
                raise _undefined(header, pos, (header >> 5) & 0x03)
            compressed_at.append(pos + 1)
            compressed_low.append(header & 0x1F)
            definition.singles.append(pos + 1)
            definition.count += 1
            pos += definition.stride
            messages += 1
        elif header & _DEFINITION_HEADER:
            definition, pos = _read_definition(buf, pos, end, known)
            local[header & 0x0F] = definition
        else:
            definition = local[header & 0x0F]
            if definition is None:
                raise _undefined(header, pos, header & 0x0F)
            after = pos + definition.stride
            if after < end and buf[after] == header:
                count = _run_length(buf, u8, pos, definition.stride, header, end)
                definition.run_starts.append(pos + 1)
                definition.run_counts.append(count)
                definition.count += count
                pos += count * definition.stride
                messages += count
            else:
                definition.singles.append(pos + 1)
                definition.count += 1
                pos = after
                messages += 1
        if messages >= check_at:
            _check_caps(list(known.values()), counted, messages)
            check_at = messages + _CHECK_EVERY_MESSAGES
    if pos > end:
        raise FitDecodeError(
            f"truncated FIT data: the message at byte {start} runs {pos - end} bytes past "
            f"the end of the data section (byte {end})"
        )
    definitions = list(known.values())
    _check_caps(definitions, counted, messages)
    return definitions, (compressed_at, compressed_low)


def _undefined(header: int, pos: int, local_type: int) -> FitDecodeError:
    return FitDecodeError(
        f"corrupt FIT data: data message at byte {pos} (header 0x{header:02X}) uses local "
        f"message type {local_type}, which no definition message has defined"
    )


def _run_length(buf: bytes, u8: ByteArray, pos: int, stride: int, header: int, end: int) -> int:
    """How many whole messages starting at `pos` repeat its header byte, `stride` bytes apart.

    The stream is a plain sequence, so if the byte one message-length further equals the header,
    it *is* the next message's header. The first few are counted in Python (short runs are
    common and a NumPy call costs more); then windows that grow geometrically up to a MiB, so
    that a long run of records costs a handful of vectorised comparisons and little memory.
    """
    fits = (end - pos) // stride  # messages that end inside the data section
    count = 1
    while count < min(fits, _SHORT_RUN) and buf[pos + count * stride] == header:
        count += 1
    if count < _SHORT_RUN:
        return max(count, 1)
    window = 64
    while count < fits:
        stop = min(fits, count + window)
        heads = u8[pos + count * stride : pos + stop * stride : stride]
        differs = np.flatnonzero(heads != header)
        if differs.size:
            return count + int(differs[0])
        count = stop
        window = min(window * 8, _LONGEST_WINDOW)
    return count


_SHORT_RUN = 8
# Our measurement: a view per run is faster than one gather when runs average 32 messages or
# more (records between laps); shorter runs, or a million of them, are gathered.
_VIEWED_RUN = 32
_LONGEST_WINDOW = 2**20  # our choice: a MiB of comparisons at a time bounds the scratch memory


def _read_definition(
    buf: bytes, pos: int, end: int, known: dict[bytes, _Definition]
) -> tuple[_Definition, int]:
    """The definition message at `pos` and the offset just after it.

    A definition identical to one seen before (a device that repeats its definitions) is that
    same `_Definition`, so its messages gather in one place and memory grows only with
    definitions that differ, which `MAX_DEFINITIONS` caps.
    """
    after = _definition_end(buf, pos, end)
    key = bytes([buf[pos] & _DEVELOPER_DATA]) + buf[pos + 2 : after]
    definition = known.get(key)
    if definition is None:
        definition = _parse_definition(buf, pos)
        known[key] = definition
        if len(known) > MAX_DEFINITIONS:
            _check_caps(list(known.values()), {}, 0)
    return definition, after


def _definition_end(buf: bytes, pos: int, end: int) -> int:
    """Where the definition message at `pos` ends; refuses one cut off by the data's end."""
    fields_at = pos + 6
    if fields_at > end:
        raise _truncated_definition(pos, end)
    after = fields_at + 3 * buf[pos + 5]
    if after > end:
        raise _truncated_definition(pos, end)
    if buf[pos] & _DEVELOPER_DATA:
        if after >= end:
            raise _truncated_definition(pos, end)
        after += 1 + 3 * buf[after]
        if after > end:
            raise _truncated_definition(pos, end)
    return after


def _parse_definition(buf: bytes, pos: int) -> _Definition:
    """Parse the definition message at `pos` (its length already checked)."""
    header = buf[pos]
    fields_at = pos + 6
    architecture = buf[pos + 2]
    if architecture > 1:
        raise FitDecodeError(
            f"corrupt FIT data: definition message at byte {pos} has architecture "
            f"{architecture} (0 little-endian or 1 big-endian)"
        )
    big_endian = architecture == 1
    mesg_num = int.from_bytes(buf[pos + 3 : pos + 5], "big" if big_endian else "little")
    after = fields_at + 3 * buf[pos + 5]
    # Each field is (number, size, base type): slicing the triples apart and masking the base
    # types with bytes.translate keeps this at C speed, as devices define many wide messages.
    triples = buf[fields_at:after]
    numbers, sizes = triples[0::3], triples[1::3]
    base_types = triples[2::3].translate(_BASE_TYPE_MASK)
    if base_types.translate(None, _KNOWN_BASE_TYPES):
        i = next(i for i, base in enumerate(base_types) if base not in _BASE_TYPES)
        raise FitDecodeError(
            f"corrupt FIT data: field {numbers[i]} defined at byte {fields_at + 3 * i} has "
            f"unknown base type 0x{triples[3 * i + 2]:02X}"
        )
    offsets = accumulate(sizes, initial=0)
    fields = dict(zip(numbers, zip(offsets, sizes, base_types, strict=False), strict=False))
    size = sum(sizes)
    if header & _DEVELOPER_DATA:
        dev_at = after + 1
        # Developer fields are (number, size, developer index): only their size matters here.
        size += sum(buf[dev_at + 1 : dev_at + 3 * buf[after] : 3])
    return _Definition(mesg_num, big_endian, fields, size)


def _truncated_definition(pos: int, end: int) -> FitDecodeError:
    return FitDecodeError(
        f"truncated FIT data: the definition message at byte {pos} runs past the end of the "
        f"data section (byte {end})"
    )


# --- reading columns --------------------------------------------------------------------------


def _collect(
    u8: ByteArray,
    definitions: list[_Definition],
    mesg_num: int,
    specs: tuple[FieldSpec, ...],
    compressed_ts: tuple[IntArray, FloatArray],
) -> tuple[int, Columns]:
    """Columns of one message type across all its definitions, in file order, scaled.

    A device may redefine a local type mid-file (a sensor connects and records gain a field),
    so the same message type can come from several definitions; their rows are merged by file
    offset. A field a definition lacks is NaN for its rows; a field none has is None.
    """
    chosen = [d for d in definitions if d.mesg_num == mesg_num and d.count]
    if not chosen:
        return 0, dict.fromkeys((name for name, *_ in specs), None)
    offsets = [d.offsets() for d in chosen]
    all_offsets = offsets[0] if len(chosen) == 1 else np.concatenate(offsets)
    order = None if len(chosen) == 1 else np.argsort(all_offsets, kind="stable")
    columns: Columns = {}
    for name, number, scale, offset in specs:
        columns[name] = _merged_field(u8, chosen, number, order)
        values = columns[name]
        if values is not None:  # in place: these columns are fresh copies
            if scale != 1:
                values /= scale
            if offset != 0:
                values -= offset
    if "timestamp" in columns and compressed_ts[0].size:
        in_order = all_offsets if order is None else all_offsets[order]
        columns["timestamp"] = _apply_compressed(columns["timestamp"], in_order, compressed_ts)
    return int(all_offsets.size), columns


def _merged_field(
    u8: ByteArray, chosen: list[_Definition], number: int, order: IntArray | None
) -> FloatArray | None:
    """One field over several definitions of a message type, in file order (None: nowhere)."""
    values = [d.field(u8, number) for d in chosen]
    if all(v is None for v in values):
        return None
    if len(values) == 1:
        return values[0]
    filled = [
        np.full(d.count, np.nan) if v is None else v for d, v in zip(chosen, values, strict=True)
    ]
    merged = np.concatenate(filled)
    return merged if order is None else merged[order]


def _apply_compressed(
    timestamps: FloatArray | None, offsets: IntArray, compressed_ts: tuple[IntArray, FloatArray]
) -> FloatArray | None:
    """Fill in the timestamps of messages that carried them in a compressed header."""
    at, values = compressed_ts
    index = np.searchsorted(at, offsets)
    np.minimum(index, at.size - 1, out=index)
    hit = at[index] == offsets
    if not hit.any():
        return timestamps
    if timestamps is None:
        timestamps = np.full(offsets.size, np.nan)
    timestamps[hit] = values[index[hit]]
    return timestamps


def _resolve_compressed_timestamps(
    u8: ByteArray, definitions: list[_Definition], compressed: tuple[array[int], array[int]]
) -> tuple[IntArray, FloatArray]:
    """Timestamps of compressed-header messages: (content offsets, FIT timestamps).

    A compressed header carries only the low 5 bits of the time; the rest comes from the last
    timestamp before it in the file (any message's field 253, or the previous compressed one).
    t = last + ((offset - last) mod 32), so along a chain of compressed headers after a full
    timestamp A, the time is A plus the running sum of those 5-bit steps: one cumulative sum.
    """
    if not compressed[0]:
        return np.empty(0, dtype=np.int64), np.empty(0)
    comp_at = np.frombuffer(compressed[0], dtype=np.int64)
    comp_low = np.frombuffer(compressed[1], dtype=np.uint8)  # uint8 arithmetic wraps mod 32 too
    full_at, full_ts = _full_timestamps(u8, definitions, comp_at)
    # The full timestamp each compressed header counts from: the last one before it.
    anchor = np.searchsorted(full_at, comp_at)
    anchor -= 1
    if anchor[0] < 0:
        raise FitDecodeError(
            f"corrupt FIT data: compressed timestamp header at byte {int(comp_at[0]) - 1} "
            "comes before any full timestamp"
        )
    first = np.empty(comp_at.size, dtype=bool)  # the first compressed header after its anchor
    first[0] = True
    np.not_equal(anchor[1:], anchor[:-1], out=first[1:])
    anchor_ts = full_ts[anchor[first]]  # one per chain of compressed headers
    del anchor  # the arrays here are as long as the file has compressed headers: few at a time
    step = np.empty_like(comp_low)  # the low bits before each header, then the step from them
    step[1:] = comp_low[:-1]
    step[first] = anchor_ts & 0x1F
    np.subtract(comp_low, step, out=step)
    step &= 0x1F
    resolved = np.cumsum(step, dtype=np.float64)  # whole seconds: exact in float64
    # Each chain restarts from its anchor: add (anchor − the running sum before the chain).
    shift = anchor_ts - (resolved[first] - step[first])
    chain = np.cumsum(first, dtype=np.int64)
    chain -= 1
    resolved += shift[chain]
    return comp_at, resolved


def _full_timestamps(
    u8: ByteArray, definitions: list[_Definition], compressed_at: IntArray
) -> tuple[IntArray, IntArray]:
    """Offsets (sorted) and values of every valid timestamp field (253) in normal-header
    messages."""
    found_at: list[IntArray] = []
    found_ts: list[IntArray] = []
    for definition in definitions:
        values = definition.field(u8, _TIMESTAMP_FIELD)
        if values is None:
            continue
        offsets = definition.offsets()
        in_range = (values >= 0) & (values <= 0xFFFF_FFFF)  # NaN fails both
        keep = in_range & ~np.isin(offsets, compressed_at)
        found_at.append(offsets[keep])
        found_ts.append(values[keep].astype(np.int64))
    if not found_at:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    at, ts = np.concatenate(found_at), np.concatenate(found_ts)
    order = np.argsort(at, kind="stable")
    return at[order], ts[order]


# --- from columns to results ------------------------------------------------------------------


def _assemble(parts: list[_FileData]) -> FitActivity:
    """Join the chained files and turn profile columns into retrorun's named values."""
    records = _records(*_joined([p.records for p in parts]))
    laps = [lap for p in parts for lap in _laps(*p.laps)]
    sessions = [session for p in parts for session in _sessions(*p.sessions)]
    file_types = [row["type"] for p in parts for row in _rows(*p.file_id)]
    sport_rows = [(row["sport"], row["sub_sport"]) for p in parts for row in _rows(*p.sport)]
    known_types = [t for t in file_types if t is not None]
    sport, sub_sport = _activity_sport(sessions, sport_rows, laps)
    return FitActivity(
        file_type=_name(_FILE_TYPES, known_types[0]) if known_types else None,
        sport=sport,
        sub_sport=sub_sport,
        start=_activity_start(sessions, records, parts),
        records=records,
        laps=laps,
        sessions=sessions,
    )


def _joined(parts: list[tuple[int, Columns]]) -> tuple[int, Columns]:
    """The columns of chained files end to end (a field one file lacks is NaN for its rows)."""
    if len(parts) == 1:
        return parts[0]
    total = sum(n for n, _ in parts)
    columns: Columns = {}
    for name in parts[0][1]:
        pieces = [c[name] for _, c in parts]
        if all(p is None for p in pieces):
            columns[name] = None
            continue
        filled = [
            np.full(n, np.nan) if p is None else p for p, (n, _) in zip(pieces, parts, strict=True)
        ]
        columns[name] = np.concatenate(filled)
    return total, columns


def _records(n: int, c: Columns) -> FitRecords:
    """The record columns in retrorun's units, worked out in place (each is our own copy).

    A field no record has is a read-only NaN view of length `n` that takes no memory, so a
    file of records with one field costs one column, not eighteen. A timestamp outside FIT's
    uint32 range is a mis-typed field, and invalid like the rest.
    """
    timestamp = c["timestamp"]
    if timestamp is not None:
        timestamp[~((timestamp >= 0) & (timestamp <= 0xFFFF_FFFF))] = np.nan
        timestamp += FIT_EPOCH_S
    records = FitRecords(
        timestamp_s=_or_absent(timestamp, n),
        lat_deg=_or_absent(_scaled(c["position_lat"], DEG_PER_SEMICIRCLE), n),
        lon_deg=_or_absent(_scaled(c["position_long"], DEG_PER_SEMICIRCLE), n),
        distance_m=_or_absent(c["distance"], n),
        speed_m_s=_or_absent(_prefer(c["enhanced_speed"], c["speed"]), n),
        altitude_m=_or_absent(_prefer(c["enhanced_altitude"], c["altitude"]), n),
        heart_rate_bpm=_or_absent(c["heart_rate"], n),
        cadence_rpm=_or_absent(_cadence(c["cadence"], c["fractional_cadence"]), n),
        power_w=_or_absent(c["power"], n),
        vertical_oscillation_mm=_or_absent(c["vertical_oscillation"], n),
        stance_time_ms=_or_absent(c["stance_time"], n),
        stance_time_percent=_or_absent(c["stance_time_percent"], n),
        vertical_ratio_percent=_or_absent(c["vertical_ratio"], n),
        stance_time_balance_percent=_or_absent(c["stance_time_balance"], n),
        step_length_mm=_or_absent(c["step_length"], n),
    )
    for column in vars(records).values():
        column.setflags(write=False)
    return records


def _or_absent(column: FloatArray | None, n: int) -> FloatArray:
    """The column, or n NaNs that share one value (a read-only broadcast view)."""
    if column is not None:
        return column
    return np.broadcast_to(np.float64(np.nan), (n,))


def _scaled(column: FloatArray | None, factor: float) -> FloatArray | None:
    if column is not None:
        column *= factor
    return column


def _prefer(enhanced: FloatArray | None, plain: FloatArray | None) -> FloatArray | None:
    """Enhanced (32-bit) value where the device wrote one, else the 16-bit one."""
    if enhanced is None or plain is None:
        return plain if enhanced is None else enhanced
    np.copyto(enhanced, plain, where=np.isnan(enhanced))
    return enhanced


def _cadence(cadence: FloatArray | None, fraction: FloatArray | None) -> FloatArray | None:
    """Whole cycles per minute plus the fraction, where the device wrote one."""
    if cadence is not None and fraction is not None:
        np.add(cadence, fraction, out=cadence, where=~np.isnan(fraction))
    return cadence


def _laps(n: int, c: Columns) -> list[FitLap]:
    return [
        FitLap(
            start_time=_datetime(row["start_time"]),
            timestamp=_datetime(row["timestamp"]),
            total_elapsed_time_s=row["total_elapsed_time"],
            total_timer_time_s=row["total_timer_time"],
            total_distance_m=row["total_distance"],
            wkt_step_index=_message_index(row["wkt_step_index"]),
            sport=_name(_SPORTS, row["sport"]),
            sub_sport=_name(_SUB_SPORTS, row["sub_sport"]),
        )
        for row in _rows(n, c)
    ]


def _sessions(n: int, c: Columns) -> list[FitSession]:
    return [
        FitSession(
            sport=_name(_SPORTS, row["sport"]),
            sub_sport=_name(_SUB_SPORTS, row["sub_sport"]),
            start_time=_datetime(row["start_time"]),
            timestamp=_datetime(row["timestamp"]),
            total_elapsed_time_s=row["total_elapsed_time"],
            total_timer_time_s=row["total_timer_time"],
            total_distance_m=row["total_distance"],
            total_calories_kcal=row["total_calories"],
            total_ascent_m=row["total_ascent"],
            total_descent_m=row["total_descent"],
            avg_heart_rate_bpm=row["avg_heart_rate"],
            max_heart_rate_bpm=row["max_heart_rate"],
        )
        for row in _rows(n, c)
    ]


def _rows(n: int, c: Columns) -> list[dict[str, float | None]]:
    """Columns to one dict per message, invalid values as None (laps and sessions are few)."""
    names = list(c)
    lists = [[None] * n if c[name] is None else c[name].tolist() for name in names]  # type: ignore[union-attr]
    return [
        {name: _finite(v) for name, v in zip(names, values, strict=True)}
        for values in zip(*lists, strict=True)
    ]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _datetime(fit_seconds: float | None) -> datetime | None:
    """A FIT time as an aware UTC datetime; None outside uint32's range (a mis-typed field)."""
    if fit_seconds is None or not _is_fit_time(fit_seconds):
        return None
    return datetime.fromtimestamp(fit_seconds + FIT_EPOCH_S, tz=UTC)


def _is_fit_time(fit_seconds: float) -> bool:
    return 0 <= fit_seconds <= 0xFFFF_FFFF


def _message_index(value: float | None) -> int | None:
    """A workout step index (FIT type message_index, a uint16); anything else is no step."""
    if value is None or not (0 <= value < 0xFFFF and value == int(value)):
        return None
    return int(value)


def _name(table: dict[int, str], value: float | None) -> str | None:
    """An enum's profile name; a number the profile does not know is kept as its digits.

    FIT enums are one byte (0xFF is invalid): a value that is no whole number from 0 to 254
    comes from a field defined with another type, and names nothing (not a 300-digit sport).
    """
    if value is None or not (0 <= value <= 0xFE and value == int(value)):
        return None
    return table.get(int(value), str(int(value)))


def _activity_sport(
    sessions: list[FitSession],
    sport_rows: list[tuple[float | None, float | None]],
    laps: list[FitLap],
) -> tuple[str | None, str | None]:
    """The first session's sport; else the sport message's; else the first lap's."""
    for session in sessions:
        if session.sport is not None:
            return session.sport, session.sub_sport
    for sport, sub_sport in sport_rows:
        if _name(_SPORTS, sport) is not None:
            return _name(_SPORTS, sport), _name(_SUB_SPORTS, sub_sport)
    for lap in laps:
        if lap.sport is not None:
            return lap.sport, lap.sub_sport
    return None, None


def _activity_start(
    sessions: list[FitSession], records: FitRecords, parts: list[_FileData]
) -> datetime | None:
    """The first session's start; else the first record's time; else when the file was made."""
    for session in sessions:
        if session.start_time is not None:
            return session.start_time
    known = np.isfinite(records.timestamp_s)
    if known.any():
        return _datetime(float(records.timestamp_s[int(np.argmax(known))]) - FIT_EPOCH_S)
    for part in parts:
        for row in _rows(*part.file_id):
            created = row["time_created"]
            if created is not None:
                return _datetime(created)
    return None


# --- CRC --------------------------------------------------------------------------------------

# The FIT CRC is CRC-16/ARC (reflected polynomial 0xA001, initial value 0, no final xor).
_CRC_POLY = 0xA001
# _SHIFT[k][x]: the CRC register after feeding 2^(k+1) zero bytes to register value x. Filled on
# demand; a table only ever depends on the level below, so threads racing to fill it agree.
_SHIFT: dict[int, npt.NDArray[np.uint16]] = {}


def _zero_byte_step(register: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Feed one zero byte to many CRC registers at once (eight bit steps of the polynomial)."""
    for _ in range(8):
        feedback = (register & np.uint32(1)) * np.uint32(_CRC_POLY)
        register = (register >> np.uint32(1)) ^ feedback
    return register


def _shift_table(level: int) -> npt.NDArray[np.uint16]:
    table = _SHIFT.get(level)
    if table is None:
        if level == 0:
            registers = np.arange(1 << 16, dtype=np.uint32)
            table = _zero_byte_step(_zero_byte_step(registers)).astype(np.uint16)
        else:
            below = _shift_table(level - 1)
            table = below[below]  # shifting by 2^(k+1) bytes twice is shifting by 2^(k+2)
        _SHIFT[level] = table
    return table


def _crc16(data: ByteArray) -> int:
    """FIT CRC of `data`, a MiB at a time, so the scratch memory stays small for any file.

    With a zero initial value the CRC is linear: crc(A + B) = shift(crc(A), len(B)) ^ crc(B),
    where shift feeds len(B) zero bytes. So the bytes are cut into whole MiB chunks after a
    shorter first piece, each chunk's CRC comes from `_crc16_tree`, and the running CRC is
    shifted past each chunk with one table lookup.
    """
    head = data.size % _CRC_CHUNK_BYTES
    crc = _crc16_tree(data[:head])
    shift_chunk = _shift_table(_CRC_CHUNK_LEVEL)
    for at in range(head, data.size, _CRC_CHUNK_BYTES):
        crc = int(shift_chunk[crc]) ^ _crc16_tree(data[at : at + _CRC_CHUNK_BYTES])
    return crc


_CRC_CHUNK_LEVEL = 19  # _shift_table(19) feeds 2^20 zero bytes
_CRC_CHUNK_BYTES = 2 ** (_CRC_CHUNK_LEVEL + 1)


def _crc16_tree(data: ByteArray) -> int:
    """CRC of up to a MiB, computed as a balanced tree of NumPy operations instead of a loop.

    Leading zero bytes leave a zero CRC at zero, so the bytes are read as 16-bit words (the
    CRC of one word from zero is a lookup), then neighbours are combined pairwise, padding with
    a zero block in front whenever a level has an odd count. A per-byte Python loop would cost
    more than all the rest of the decoding.
    """
    if data.size % 2:
        data = np.concatenate([np.zeros(1, np.uint8), data])
    if data.size == 0:
        return 0
    level = 0
    crc = _shift_table(0)[data.view("<u2")]
    while crc.size > 1:
        if crc.size % 2:
            crc = np.concatenate([np.zeros(1, np.uint16), crc])
        crc = _shift_table(level)[crc[0::2]] ^ crc[1::2]
        level += 1
    return int(crc[0])
