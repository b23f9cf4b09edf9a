"""Decode FIT activity files into whole NumPy arrays, fast.

A one-hour run at 1 Hz is 3 600 record messages. General FIT libraries build a Python object per
field of each of them; here Python only walks the message *headers*, and even that is skipped for
runs of identical consecutive messages. Every data message of one definition has the same fixed
size, so once the byte offsets of the messages are known, their bytes are copied into one
(messages × size) block and each field we keep is read for all of them at once as a strided
NumPy view of that block. The CRC check is vectorised too (see `_crc16`).

Only the small part of the FIT profile that retrorun uses is coded here (record, lap, session,
sport, file_id); the field numbers, scales and offsets are those of the FIT SDK's Profile
(21.218). Values match Garmin's official SDK, which the tests use as the oracle.

A damaged file raises `FitDecodeError` naming the problem and the byte offset: the importer
rejects such a file whole rather than keep part of a run.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

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
    pos = 0
    while pos < len(buf):
        part, pos = _decode_one_file(buf, u8, pos)
        parts.append(part)
    return _assemble(parts)


# --- one FIT file in a chain ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _FileData:
    """The messages we keep from one FIT file of a chain, as columns (profile units)."""

    file_id: dict[str, FloatArray]
    sport: dict[str, FloatArray]
    records: dict[str, FloatArray]
    laps: dict[str, FloatArray]
    sessions: dict[str, FloatArray]


def _decode_one_file(buf: bytes, u8: ByteArray, start: int) -> tuple[_FileData, int]:
    """Check the header and CRCs of the FIT file at `start`, decode it, return where it ends."""
    data_start, data_end = _read_file_header(buf, u8, start)
    _check_file_crc(buf, u8, start, data_end)
    definitions, compressed = _scan_messages(buf, u8, data_start, data_end)
    compressed_ts = _resolve_compressed_timestamps(u8, definitions, compressed)

    def columns(mesg_num: int, specs: tuple[FieldSpec, ...]) -> dict[str, FloatArray]:
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
    `run_starts` / `run_counts`, so a long run costs no per-message Python work at all.
    """

    __slots__ = (
        "big_endian",
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
        self.singles: list[int] = []
        self.run_starts: list[int] = []
        self.run_counts: list[int] = []

    def has_messages(self) -> bool:
        return bool(self.singles or self.run_starts)

    def messages(self, u8: ByteArray) -> tuple[IntArray, ByteArray]:
        """Content offsets and bytes of every data message of this definition, in file order.

        The bytes come back as one contiguous (messages × size) block, so every field is then
        a strided view of it. A run is copied from a strided view of the file (a plain block
        copy); only lone messages need fancy-index gathering.
        """
        singles = np.asarray(self.singles, dtype=np.int64)
        offsets = [singles]
        blocks = [u8[singles[:, None] + np.arange(self.size, dtype=np.int64)]]
        for start, count in zip(self.run_starts, self.run_counts, strict=True):
            offsets.append(start + self.stride * np.arange(count, dtype=np.int64))
            run = u8[start : start + self.stride * count]
            blocks.append(as_strided(run, shape=(count, self.size), strides=(self.stride, 1)))
        if len(blocks) == 1:
            return singles, blocks[0]
        all_offsets = np.concatenate(offsets)
        rows = np.concatenate(blocks)
        order = np.argsort(all_offsets, kind="stable")
        return all_offsets[order], rows[order]


def _scan_messages(
    buf: bytes, u8: ByteArray, pos: int, end: int
) -> tuple[list[_Definition], list[tuple[int, int]]]:
    """Walk the headers of the data section once; return definitions and compressed headers.

    This is the one per-message Python loop, so it only reads a header byte and jumps by the
    definition's fixed size. When the next message repeats the same header byte, the whole run
    of identical messages is measured with NumPy instead (`_run_length`). Compressed-timestamp
    headers are kept as (content offset, 5-bit time offset) for `_resolve_compressed_timestamps`.
    """
    local: list[_Definition | None] = [None] * 16
    definitions: list[_Definition] = []
    compressed: list[tuple[int, int]] = []
    start = pos
    while pos < end:
        start = pos
        header = buf[pos]
        if header & _COMPRESSED_HEADER:
            definition = local[(header >> 5) & 0x03]
            if definition is None:
                raise _undefined(header, pos, (header >> 5) & 0x03)
            compressed.append((pos + 1, header & 0x1F))
            definition.singles.append(pos + 1)
            pos += definition.stride
        elif header & _DEFINITION_HEADER:
            definition, pos = _read_definition(buf, pos, end)
            local[header & 0x0F] = definition
            definitions.append(definition)
        else:
            definition = local[header & 0x0F]
            if definition is None:
                raise _undefined(header, pos, header & 0x0F)
            after = pos + definition.stride
            if after < end and buf[after] == header:
                count = _run_length(buf, u8, pos, definition.stride, header, end)
                definition.run_starts.append(pos + 1)
                definition.run_counts.append(count)
                pos += count * definition.stride
            else:
                definition.singles.append(pos + 1)
                pos = after
    if pos > end:
        raise FitDecodeError(
            f"truncated FIT data: the message at byte {start} runs {pos - end} bytes past "
            f"the end of the data section (byte {end})"
        )
    return definitions, compressed


def _undefined(header: int, pos: int, local_type: int) -> FitDecodeError:
    return FitDecodeError(
        f"corrupt FIT data: data message at byte {pos} (header 0x{header:02X}) uses local "
        f"message type {local_type}, which no definition message has defined"
    )


def _run_length(buf: bytes, u8: ByteArray, pos: int, stride: int, header: int, end: int) -> int:
    """How many whole messages starting at `pos` repeat its header byte, `stride` bytes apart.

    The stream is a plain sequence, so if the byte one message-length further equals the header,
    it *is* the next message's header. The first few are counted in Python (short runs are
    common and a NumPy call costs more); then windows that grow geometrically, so that a long
    run of records costs a handful of vectorised comparisons.
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
        window *= 8
    return count


_SHORT_RUN = 8


def _read_definition(buf: bytes, pos: int, end: int) -> tuple[_Definition, int]:
    """Parse the definition message at `pos`; return it and the offset just after it."""
    header = buf[pos]
    fields_at = pos + 6
    if fields_at > end:
        raise _truncated_definition(pos, end)
    architecture = buf[pos + 2]
    if architecture > 1:
        raise FitDecodeError(
            f"corrupt FIT data: definition message at byte {pos} has architecture "
            f"{architecture} (0 little-endian or 1 big-endian)"
        )
    big_endian = architecture == 1
    mesg_num = int.from_bytes(buf[pos + 3 : pos + 5], "big" if big_endian else "little")
    n_fields = buf[pos + 5]
    after = fields_at + 3 * n_fields
    if after > end:
        raise _truncated_definition(pos, end)
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
        if after >= end:
            raise _truncated_definition(pos, end)
        n_dev = buf[after]
        dev_at = after + 1
        after = dev_at + 3 * n_dev
        if after > end:
            raise _truncated_definition(pos, end)
        # Developer fields are (number, size, developer index): only their size matters here.
        size += sum(buf[dev_at + 1 : after : 3])
    return _Definition(mesg_num, big_endian, fields, size), after


def _truncated_definition(pos: int, end: int) -> FitDecodeError:
    return FitDecodeError(
        f"truncated FIT data: the definition message at byte {pos} runs past the end of the "
        f"data section (byte {end})"
    )


# --- reading columns --------------------------------------------------------------------------


def _field_values(rows: ByteArray, definition: _Definition, number: int) -> FloatArray | None:
    """One field of all messages of a definition as float64 (raw units), NaN where invalid.

    `rows` is `_Definition.messages`' block, so the field is a strided view of it. Arrays and
    odd sizes follow the FIT SDK: a size that is not a multiple of the base type's is read as
    bytes; of an array only the first element is kept (the fields we read are scalars).
    """
    spec = definition.fields.get(number)
    if spec is None:
        return None
    at, size, base_type = spec
    code, invalid = _BASE_TYPES[base_type]
    if base_type == _STRING:
        return None
    width = int(code[1])
    if size % width:
        code, invalid = _BASE_TYPES[_UINT8]
        width = 1
    if size < width or rows.shape[0] == 0:
        return None
    dtype = np.dtype(code).newbyteorder(">" if definition.big_endian else "<")
    raw: npt.NDArray[np.generic] = np.ndarray(
        (rows.shape[0],), dtype, buffer=rows, offset=at, strides=(definition.size,)
    )
    values = raw.astype(np.float64)
    if invalid is not None:
        values[raw == invalid] = np.nan
    return values


def _collect(
    u8: ByteArray,
    definitions: list[_Definition],
    mesg_num: int,
    specs: tuple[FieldSpec, ...],
    compressed_ts: tuple[IntArray, FloatArray],
) -> dict[str, FloatArray]:
    """Columns of one message type across all its definitions, in file order, scaled.

    A device may redefine a local type mid-file (a sensor connects and records gain a field),
    so the same message type can come from several definitions; their rows are merged by file
    offset. A field a definition lacks is NaN for its rows.
    """
    chunks: list[dict[str, FloatArray]] = []
    chunk_offsets: list[IntArray] = []
    for definition in definitions:
        if definition.mesg_num != mesg_num or not definition.has_messages():
            continue
        offsets, rows = definition.messages(u8)
        chunk: dict[str, FloatArray] = {}
        for name, number, scale, offset in specs:
            values = _field_values(rows, definition, number)
            if values is None:
                values = np.full(offsets.size, np.nan)
            else:  # in place: these columns are fresh copies, and allocation shows here
                if scale != 1:
                    values /= scale
                if offset != 0:
                    values -= offset
            chunk[name] = values
        chunks.append(chunk)
        chunk_offsets.append(offsets)
    if not chunks:
        return {name: np.empty(0) for name, *_ in specs}
    if len(chunks) == 1:
        columns, offsets = chunks[0], chunk_offsets[0]
    else:
        all_offsets = np.concatenate(chunk_offsets)
        order = np.argsort(all_offsets, kind="stable")
        offsets = all_offsets[order]
        columns = {
            name: np.concatenate([chunk[name] for chunk in chunks])[order] for name, *_ in specs
        }
    if "timestamp" in columns and compressed_ts[0].size:
        _apply_compressed(columns["timestamp"], offsets, compressed_ts)
    return columns


def _apply_compressed(
    timestamps: FloatArray, offsets: IntArray, compressed_ts: tuple[IntArray, FloatArray]
) -> None:
    """Fill in the timestamps of messages that carried them in a compressed header."""
    at, values = compressed_ts
    index = np.minimum(np.searchsorted(at, offsets), at.size - 1)
    hit = at[index] == offsets
    timestamps[hit] = values[index[hit]]


def _resolve_compressed_timestamps(
    u8: ByteArray, definitions: list[_Definition], compressed: list[tuple[int, int]]
) -> tuple[IntArray, FloatArray]:
    """Timestamps of compressed-header messages: (content offsets, FIT timestamps).

    A compressed header carries only the low 5 bits of the time; the rest comes from the last
    timestamp before it in the file (any message's field 253, or the previous compressed one).
    t = last + ((offset - last) mod 32), so along a chain of compressed headers after a full
    timestamp A, the time is A plus the running sum of those 5-bit steps: one cumulative sum.
    """
    if not compressed:
        return np.empty(0, dtype=np.int64), np.empty(0)
    comp = np.asarray(compressed, dtype=np.int64)
    comp_at, comp_low = comp[:, 0], comp[:, 1]
    full_at, full_ts = _full_timestamps(u8, definitions, comp_at)
    at = np.concatenate([full_at, comp_at])
    order = np.argsort(at, kind="stable")
    is_compressed = np.concatenate([np.zeros(full_at.size, bool), np.ones(comp_at.size, bool)])[
        order
    ]
    anchor = np.concatenate([full_ts, np.zeros(comp_at.size, np.int64)])[order]
    low = np.concatenate([full_ts & 0x1F, comp_low])[order]
    segment = np.cumsum(~is_compressed) - 1
    if segment[0] < 0:
        first = int(at[order][0])
        raise FitDecodeError(
            f"corrupt FIT data: compressed timestamp header at byte {first - 1} comes before "
            "any full timestamp"
        )
    step = np.where(is_compressed, (low - np.roll(low, 1)) & 0x1F, 0)
    running = np.cumsum(step)
    anchor_index = np.flatnonzero(~is_compressed)
    resolved = anchor[anchor_index][segment] + running - running[anchor_index][segment]
    comp_order = np.flatnonzero(is_compressed)
    return at[order][comp_order], resolved[comp_order].astype(np.float64)


def _full_timestamps(
    u8: ByteArray, definitions: list[_Definition], compressed_at: IntArray
) -> tuple[IntArray, IntArray]:
    """Offsets and values of every valid timestamp field (253) in normal-header messages."""
    found_at: list[IntArray] = []
    found_ts: list[IntArray] = []
    for definition in definitions:
        if _TIMESTAMP_FIELD not in definition.fields or not definition.has_messages():
            continue
        offsets, rows = definition.messages(u8)
        values = _field_values(rows, definition, _TIMESTAMP_FIELD)
        if values is None:
            continue
        in_range = (values >= 0) & (values <= 0xFFFF_FFFF)  # NaN fails both
        keep = in_range & ~np.isin(offsets, compressed_at)
        found_at.append(offsets[keep])
        found_ts.append(values[keep].astype(np.int64))
    if not found_at:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(found_at), np.concatenate(found_ts)


# --- from columns to results ------------------------------------------------------------------


def _assemble(parts: list[_FileData]) -> FitActivity:
    """Join the chained files and turn profile columns into retrorun's named values."""
    if len(parts) == 1:
        records = _records(parts[0].records)
    else:
        names = parts[0].records
        records = _records(
            {name: np.concatenate([p.records[name] for p in parts]) for name in names}
        )
    laps = [lap for p in parts for lap in _laps(p.laps)]
    sessions = [session for p in parts for session in _sessions(p.sessions)]
    file_types = [v for p in parts for v in p.file_id["type"].tolist() if math.isfinite(v)]
    sport_rows = [
        (s, sub)
        for p in parts
        for s, sub in zip(p.sport["sport"].tolist(), p.sport["sub_sport"].tolist(), strict=True)
    ]
    sport, sub_sport = _activity_sport(sessions, sport_rows, laps)
    return FitActivity(
        file_type=_name(_FILE_TYPES, file_types[0]) if file_types else None,
        sport=sport,
        sub_sport=sub_sport,
        start=_activity_start(sessions, records, parts),
        records=records,
        laps=laps,
        sessions=sessions,
    )


def _records(c: dict[str, FloatArray]) -> FitRecords:
    fraction = np.nan_to_num(c["fractional_cadence"], nan=0.0)
    arrays = FitRecords(
        timestamp_s=c["timestamp"] + FIT_EPOCH_S,
        lat_deg=c["position_lat"] * DEG_PER_SEMICIRCLE,
        lon_deg=c["position_long"] * DEG_PER_SEMICIRCLE,
        distance_m=c["distance"],
        speed_m_s=_prefer(c["enhanced_speed"], c["speed"]),
        altitude_m=_prefer(c["enhanced_altitude"], c["altitude"]),
        heart_rate_bpm=c["heart_rate"],
        cadence_rpm=c["cadence"] + fraction,
        power_w=c["power"],
        vertical_oscillation_mm=c["vertical_oscillation"],
        stance_time_ms=c["stance_time"],
        stance_time_percent=c["stance_time_percent"],
        vertical_ratio_percent=c["vertical_ratio"],
        stance_time_balance_percent=c["stance_time_balance"],
        step_length_mm=c["step_length"],
    )
    for array in vars(arrays).values():
        array.setflags(write=False)
    return arrays


def _prefer(enhanced: FloatArray, plain: FloatArray) -> FloatArray:
    """Enhanced (32-bit) value where the device wrote one, else the 16-bit one."""
    return np.where(np.isnan(enhanced), plain, enhanced)


def _laps(c: dict[str, FloatArray]) -> list[FitLap]:
    rows = _rows(c)
    return [
        FitLap(
            start_time=_datetime(row["start_time"]),
            timestamp=_datetime(row["timestamp"]),
            total_elapsed_time_s=row["total_elapsed_time"],
            total_timer_time_s=row["total_timer_time"],
            total_distance_m=row["total_distance"],
            wkt_step_index=_int(row["wkt_step_index"]),
            sport=_name(_SPORTS, row["sport"]),
            sub_sport=_name(_SUB_SPORTS, row["sub_sport"]),
        )
        for row in rows
    ]


def _sessions(c: dict[str, FloatArray]) -> list[FitSession]:
    rows = _rows(c)
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
        for row in rows
    ]


def _rows(c: dict[str, FloatArray]) -> list[dict[str, float | None]]:
    """Columns to one dict per message, invalid values as None (laps and sessions are few)."""
    names = list(c)
    lists = [c[name].tolist() for name in names]
    return [
        {name: (v if math.isfinite(v) else None) for name, v in zip(names, values, strict=True)}
        for values in zip(*lists, strict=True)
    ]


def _datetime(fit_seconds: float | None) -> datetime | None:
    """A FIT time as an aware UTC datetime; None outside uint32's range (a mis-typed field)."""
    if fit_seconds is None or not _is_fit_time(fit_seconds):
        return None
    return datetime.fromtimestamp(fit_seconds + FIT_EPOCH_S, tz=UTC)


def _is_fit_time(fit_seconds: float) -> bool:
    return 0 <= fit_seconds <= 0xFFFF_FFFF


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _name(table: dict[int, str], value: float | None) -> str | None:
    """An enum's profile name; a number the profile does not know is kept as its digits."""
    if value is None or not math.isfinite(value):
        return None
    return table.get(int(value), str(int(value)))


def _activity_sport(
    sessions: list[FitSession],
    sport_rows: list[tuple[float, float]],
    laps: list[FitLap],
) -> tuple[str | None, str | None]:
    """The first session's sport; else the sport message's; else the first lap's."""
    for session in sessions:
        if session.sport is not None:
            return session.sport, session.sub_sport
    for sport, sub_sport in sport_rows:
        if math.isfinite(sport):
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
    finite = records.timestamp_s[np.isfinite(records.timestamp_s)]
    if finite.size:
        return _datetime(float(finite[0]) - FIT_EPOCH_S)
    for part in parts:
        for created in part.file_id["time_created"].tolist():
            if math.isfinite(created):
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
    """FIT CRC of `data`, computed as a balanced tree of NumPy operations instead of a loop.

    With a zero initial value the CRC is linear: crc(A + B) = shift(crc(A), len(B)) ^ crc(B),
    where shift feeds len(B) zero bytes; and leading zero bytes leave it at zero. So the bytes
    are read as 16-bit words (the CRC of one word from zero is a lookup), then neighbours are
    combined pairwise, padding with a zero block in front whenever a level has an odd count.
    A per-byte Python loop would cost more than all the rest of the decoding.
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
