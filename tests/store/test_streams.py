"""The streams blob: a round trip, blobs written by earlier versions, and versions not known."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from retrorun.errors import RetrorunError
from retrorun.formats.activity import STREAM_NAMES, make_streams
from retrorun.store.streams import (
    CURRENT_VERSION,
    StreamsBlobError,
    blob_version,
    decode_streams,
    encode_streams,
)

# Written by retrorun 2026-11 (importing.encode_streams, before the codec had its own module)
# for 3 samples: time 0, 1, 2.5 s; latitude 45.123456789, 45.2, 1.0; heart rate 120, NaN, 131;
# distance 0, 2.5, 6.25 m. Databases hold blobs like this one; they must read forever.
RRS1_BLOB = bytes.fromhex(
    "525253317801cb636060a856ca53b25230d651504acecf29cdcd2b06f2a2a3954a327353e38b9580c2366926"
    "4ab13a0ad14a2999c5258979c9a9f1b928c219a9894525f1458925a9f14905a852398925f129a9e910e5164a"
    "b1b1b5400b81a0c19e8141c101cc04d32780ec0f4e0c0c07ea1918989d37cd999d77b6dfcd61d64c107083aa"
    "fb600f003cee2fa1"
)


def test_a_round_trip_keeps_positions_exact_and_leaves_out_empty_columns() -> None:
    streams = make_streams(
        3,
        time_s=np.array([0.0, 1.0, 2.5]),
        lat_deg=np.array([45.123456789012, 45.2, 1.0]),
        speed_m_s=np.array([1.1, np.nan, 2.25]),
    )
    blob = encode_streams(streams)
    assert blob_version(blob) == CURRENT_VERSION
    back = decode_streams(blob)
    assert len(back) == 3
    assert back.time_s.tolist() == [0.0, 1.0, 2.5]
    assert back.lat_deg.tolist() == [45.123456789012, 45.2, 1.0]  # float64: exact
    assert np.allclose(back.speed_m_s, [1.1, np.nan, 2.25], equal_nan=True)  # float32
    assert np.isnan(back.heart_rate_bpm).all()
    header = zlib.decompress(blob[4:])
    assert b"heart_rate_bpm" not in header and b"speed_m_s" in header


def test_an_empty_activity_round_trips() -> None:
    back = decode_streams(encode_streams(make_streams(0)))
    assert len(back) == 0
    assert all(getattr(back, name).size == 0 for name in STREAM_NAMES)


def test_a_blob_written_by_version_1_still_decodes() -> None:
    assert RRS1_BLOB.startswith(b"RRS1")
    streams = decode_streams(RRS1_BLOB)
    assert streams.time_s.tolist() == [0.0, 1.0, 2.5]
    assert streams.lat_deg.tolist() == [45.123456789, 45.2, 1.0]
    assert np.array_equal(streams.heart_rate_bpm, [120.0, np.nan, 131.0], equal_nan=True)
    assert streams.distance_m.tolist() == [0.0, 2.5, 6.25]
    assert np.isnan(streams.speed_m_s).all() and np.isnan(streams.lon_deg).all()


def test_the_encoder_still_writes_version_1_readable_by_the_version_1_reader() -> None:
    again = encode_streams(decode_streams(RRS1_BLOB))
    assert again[:4] == b"RRS1"
    assert zlib.decompress(again[4:]) == zlib.decompress(RRS1_BLOB[4:])  # the same layout


def test_an_unknown_version_is_refused_saying_so() -> None:
    newer = b"RRS2" + RRS1_BLOB[4:]
    with pytest.raises(StreamsBlobError, match=r"version '2' is unknown.*newer retrorun"):
        decode_streams(newer)


@pytest.mark.parametrize("blob", [b"nope", b"", b"RRS", b"PK\x03\x04"])
def test_what_is_not_a_streams_blob_is_refused(blob: bytes) -> None:
    with pytest.raises(ValueError, match="not a retrorun streams blob"):
        decode_streams(blob)


def test_a_damaged_blob_is_refused_as_a_retrorun_error() -> None:
    damaged = RRS1_BLOB[:-6]
    with pytest.raises(RetrorunError, match=r"damaged streams blob \(version 1\)"):
        decode_streams(damaged)
