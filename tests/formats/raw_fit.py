"""FIT files written byte by byte, for what no real FIT writer will write: hostile files.

A real writer refuses a float64 `sport` or a million one-byte records; an attacker does not.
These helpers write the header, definition and data messages and both CRCs exactly as the FIT
protocol lays them out, so the decoder reaches its deep parts with whatever values we choose.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from retrorun.formats.fit import FIT_EPOCH_S, _crc16

# Base type bytes (FIT protocol): the endian bit (0x80) set on multi-byte types, as SDKs write.
ENUM, UINT8, UINT16, SINT32, UINT32, FLOAT64, UINT64 = 0x00, 0x02, 0x84, 0x85, 0x86, 0x89, 0x8F
FILE_ID, SESSION, LAP, RECORD = 0, 18, 19, 20
_SIZES = {ENUM: 1, UINT8: 1, UINT16: 2, SINT32: 4, UINT32: 4, FLOAT64: 8, UINT64: 8}
_CODES = {ENUM: "B", UINT8: "B", UINT16: "H", SINT32: "i", UINT32: "I", FLOAT64: "d", UINT64: "Q"}

Field = tuple[int, int]  # (field number, base type)


def fit_time(moment: datetime) -> int:
    return round(moment.timestamp()) - FIT_EPOCH_S


def crc(data: bytes) -> int:
    return _crc16(np.frombuffer(data, np.uint8))


def definition(local: int, mesg_num: int, fields: Sequence[Field]) -> bytes:
    """A little-endian definition message for `local` with one scalar of each base type."""
    triples = b"".join(bytes([number, _SIZES[base], base]) for number, base in fields)
    return bytes([0x40 | local, 0, 0]) + struct.pack("<HB", mesg_num, len(fields)) + triples


def data(local: int, fields: Sequence[Field], values: Sequence[float | int]) -> bytes:
    """A data message of `local` with these values, in the definition's order."""
    codes = "".join(_CODES[base] for _, base in fields)
    return bytes([local]) + struct.pack("<" + codes, *values)


def fit_file(body: bytes) -> bytes:
    """A whole FIT file: a 14-byte header with its CRC, the messages, and the file CRC."""
    header = struct.pack("<BBHI4s", 14, 0x20, 2185, len(body), b".FIT")
    header += struct.pack("<H", crc(header))
    content = header + body
    return content + struct.pack("<H", crc(content))


FILE_ID_FIELDS: list[Field] = [(0, ENUM), (4, UINT32)]  # type, time_created
SESSION_FIELDS: list[Field] = [(253, UINT32), (2, UINT32), (5, ENUM), (8, UINT32), (9, UINT32)]
LAP_FIELDS: list[Field] = [(253, UINT32), (2, UINT32), (8, UINT32), (9, UINT32), (71, UINT16)]
RECORD_FIELDS: list[Field] = [(253, UINT32), (5, UINT32), (3, UINT8)]  # time, distance, hr


def activity(
    start: datetime,
    records: Sequence[tuple[float, float, float]] = (),
    laps: Sequence[Sequence[float | int]] = (),
    session: Sequence[float | int] | None = None,
    *,
    record_fields: Sequence[Field] = RECORD_FIELDS,
    lap_fields: Sequence[Field] = LAP_FIELDS,
    session_fields: Sequence[Field] = SESSION_FIELDS,
) -> bytes:
    """A small activity: file_id, records (raw values), laps, and one session, in that order."""
    t0 = fit_time(start)
    body = definition(0, FILE_ID, FILE_ID_FIELDS) + data(0, FILE_ID_FIELDS, [4, t0])
    body += definition(1, RECORD, record_fields)
    body += b"".join(data(1, record_fields, row) for row in records)
    if laps:
        body += definition(2, LAP, lap_fields)
        body += b"".join(data(2, lap_fields, row) for row in laps)
    if session is not None:
        body += definition(3, SESSION, session_fields) + data(3, session_fields, session)
    return fit_file(body)
