"""From a file's bytes to an Activity: the right reader by name, every refusal an ImportRejected."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from retrorun.formats.activity import Activity, ImportRejected
from retrorun.formats.archive import FoundFile, activity_format
from retrorun.formats.dispatch import parse_activity, parse_bytes

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FILES = sorted(p.name for p in DATA.iterdir() if activity_format(p.name))


def _same(a: Activity, b: Activity) -> bool:
    return (
        a.source_format == b.source_format
        and a.start == b.start
        and a.duration_s == b.duration_s
        and a.distance_m == b.distance_m
        and a.laps == b.laps
        and np.array_equal(a.streams.time_s, b.streams.time_s, equal_nan=True)
    )


@pytest.mark.parametrize("name", REAL_FILES)
def test_each_real_file_is_read_by_its_format(name: str) -> None:
    data = (DATA / name).read_bytes()
    activity = parse_activity(FoundFile(name, activity_format(name), data))
    assert activity.source_format == activity_format(name)
    assert _same(parse_bytes(name, data), activity)
    assert _same(parse_bytes(f"{name}.GZ", gzip.compress(data)), activity)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.txt", b"hello", "not an activity file"),
        ("export.zip", b"PK\x05\x06" + bytes(18), "a zip archive holds many files"),
        ("run.fit", b"not a fit file at all", "FIT"),
        ("run.gpx", b"<gpx><trk>", "GPX"),
        ("run.tcx", b"\x00\x01", "TCX"),
        ("run.fit.gz", b"not gzip", "damaged gzip"),
    ],
)
def test_what_cannot_be_read_is_rejected_saying_why(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ImportRejected, match=reason):
        parse_bytes(name, data)


def test_a_found_file_that_was_refused_is_rejected_with_its_reason() -> None:
    with pytest.raises(ImportRejected, match="a decompression bomb"):
        parse_activity(
            FoundFile("x.fit.gz", "fit", None, "expands 1,000 times: a decompression bomb")
        )
    with pytest.raises(ImportRejected, match="not a FIT, GPX or TCX file"):
        parse_activity(FoundFile("x.csv", None, b"a,b"))
