"""The streams blob: an activity's per-sample columns as one compressed, versioned value.

Every blob starts with a 4-byte tag, `RRS` and one version character, and the decoder picks
the reader for that version. Databases keep blobs for years, so a version, once written, is
read forever: a new layout gets a new version and a new reader beside the old ones, never a
change to an old reader. A blob from a newer retrorun is refused, saying so, rather than misread.

Version 1 (`RRS1`): zlib of a 4-byte little-endian header length, a JSON header
(`{"n": samples, "columns": [[name, dtype], ...]}`) and the columns' bytes in header order.
Columns with nothing recorded are left out; values are float32, positions float64.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable

import numpy as np

from retrorun.errors import RetrorunError
from retrorun.formats.activity import STREAM_NAMES, FloatArray, Streams, make_streams

TAG_PREFIX = b"RRS"  # retrorun streams
CURRENT_VERSION = b"1"
# Our reasoning: float32 keeps 7 digits, plenty for speed, heart rate or altitude, but would
# round a latitude or longitude to about 1 m; positions stay float64.
_EXACT_COLUMNS = frozenset({"lat_deg", "lon_deg"})
# Our measurement: zlib level 1; level 6 is 8 % smaller and 6× slower to write.
_ZLIB_LEVEL = 1


class StreamsBlobError(RetrorunError, ValueError):
    """A streams blob this retrorun cannot read: not one at all, damaged, or from a newer one."""


def encode_streams(streams: Streams) -> bytes:
    """The recorded columns as one blob in the current version."""
    return TAG_PREFIX + CURRENT_VERSION + _encode_v1(streams)


def decode_streams(blob: bytes) -> Streams:
    """The columns back from a blob of any version this retrorun knows."""
    version = blob_version(blob)
    reader = _READERS.get(version)
    if reader is None:
        known = ", ".join(v.decode() for v in _READERS)
        raise StreamsBlobError(
            f"streams blob version {version.decode('latin-1')!r} is unknown here (this retrorun "
            f"reads version {known}): it was written by a newer retrorun; upgrade to read it"
        )
    try:
        return reader(blob[len(TAG_PREFIX) + 1 :])
    except (zlib.error, struct.error, ValueError, KeyError, TypeError) as error:
        raise StreamsBlobError(
            f"damaged streams blob (version {version.decode()}): {error}"
        ) from None


def blob_version(blob: bytes) -> bytes:
    """The version character of a blob (b"1"); refuses what is not a streams blob at all."""
    if len(blob) < len(TAG_PREFIX) + 1 or not blob.startswith(TAG_PREFIX):
        raise StreamsBlobError("not a retrorun streams blob")
    return blob[len(TAG_PREFIX) : len(TAG_PREFIX) + 1]


# --- version 1 --------------------------------------------------------------------------------


def _encode_v1(streams: Streams) -> bytes:
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
    return zlib.compress(payload, _ZLIB_LEVEL)


def _decode_v1(body: bytes) -> Streams:
    payload = zlib.decompress(body)
    (header_size,) = struct.unpack_from("<I", payload)
    header = json.loads(payload[4 : 4 + header_size])
    n, offset = int(header["n"]), 4 + header_size
    columns: dict[str, FloatArray] = {}
    for name, dtype in header["columns"]:
        size = n * np.dtype(dtype).itemsize
        columns[name] = np.frombuffer(payload, dtype, n, offset).astype(np.float64)
        offset += size
    return make_streams(n, **columns)


_READERS: dict[bytes, Callable[[bytes], Streams]] = {b"1": _decode_v1}
