"""Hostile files at the format level: damaged archives, files built to exhaust memory, odd paths.

Each test reproduces a defect an outside adversarial test found (issue 13): an exception that
escaped the archive walk, a decoder that used hundreds of times the file's size in memory, a
FIFO that blocked the import forever, a symlink followed out of the folder, NumPy warnings on the
terminal. A hostile file must end as an activity or as a refusal with its reason, cheaply.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import raw_fit as rf

from retrorun.core import limits
from retrorun.formats import archive
from retrorun.formats.activity import Activity, ImportRejected
from retrorun.formats.archive import FoundFile, count_files, count_upload, walk, walk_upload
from retrorun.formats.dispatch import parse_activity, parse_bytes
from retrorun.formats.fit import FitDecodeError, decode_fit

DATA = Path(__file__).resolve().parents[1] / "data"
GPX = (DATA / "run.gpx").read_bytes()
START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
T0 = rf.fit_time(START)
TIMESTAMP_ONLY = [(253, rf.UINT32)]


# --- defect 2: damaged zip archives -----------------------------------------------------------


def _zip(members: dict[str, tuple[bytes, int]]) -> bytes:
    """A zip of {name: (content, compression)}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, (content, method) in members.items():
            zf.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def _corrupt_member_data(data: bytes, name: str) -> bytes:
    """The zip with the middle of `name`'s compressed data overwritten."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    header = info.header_offset
    name_size, extra_size = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_size + extra_size
    middle = start + info.compress_size // 2
    return data[:middle] + bytes(64) + data[middle + 64 :]


def _walk_all_ways(name: str, data: bytes, tmp_path: Path) -> list[list[FoundFile]]:
    """The archive walked from disk, and as an upload from bytes and from a file object."""
    path = tmp_path / name
    path.write_bytes(data)
    return [list(walk([path])), list(walk_upload(name, data)), list(walk_upload(name, io.BytesIO(data)))]


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, zipfile.ZIP_DEFLATED], ids=["bzip2", "lzma", "deflate"]
)
def test_a_member_with_corrupt_compressed_data_is_refused_and_the_rest_read(
    tmp_path: Path, method: int
) -> None:
    noise = os.urandom(40_000)  # does not compress: the corruption lands in real stream data
    data = _zip({"a.gpx": (GPX, method), "bad.gpx": (GPX + noise, method), "c.gpx": (GPX, method)})
    damaged = _corrupt_member_data(data, "bad.gpx")
    for found in _walk_all_ways("export.zip", damaged, tmp_path):
        assert [f.path.split("!")[1] for f in found] == ["a.gpx", "bad.gpx", "c.gpx"]
        assert found[0].data == found[2].data == GPX
        assert found[1].data is None and "damaged zip member" in (found[1].reason or "")
    assert count_files([tmp_path / "export.zip"]) == 3


def _directory_offset_declared_beyond(data: bytes, extra: int) -> bytes:
    """The zip's end record declaring its central directory `extra` bytes further than it is.

    zipfile takes the difference for data prepended to the archive (a self-extractor) and
    moves every member's local header back by it, so the first member's seek is negative.
    """
    at = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, at + 16)
    return data[: at + 16] + struct.pack("<I", offset + extra) + data[at + 20 :]


def test_a_directory_offset_that_makes_a_seek_negative_refuses_the_members(
    tmp_path: Path,
) -> None:
    data = _zip({"a.gpx": (GPX, zipfile.ZIP_DEFLATED), "b.gpx": (GPX, zipfile.ZIP_DEFLATED)})
    bad = _directory_offset_declared_beyond(data, 100_000)
    for found in _walk_all_ways("export.zip", bad, tmp_path):
        assert [f.data for f in found] == [None, None]
        assert all("damaged zip member" in (f.reason or "") for f in found)
    assert count_files([tmp_path / "export.zip"]) == 2


def _version_needed(data: bytes, version: int) -> bytes:
    """The zip with every central-directory entry asking for `version` (99 is "9.9")."""
    out = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<H", out, at + 6, version)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def test_an_unsupported_zip_version_refuses_the_archive_with_its_reason(tmp_path: Path) -> None:
    bad = _version_needed(_zip({"a.gpx": (GPX, zipfile.ZIP_DEFLATED)}), 99)
    for found in _walk_all_ways("export.zip", bad, tmp_path):
        (refused,) = found
        assert refused.data is None and "zip file version 9.9" in (refused.reason or "")
    assert count_files([tmp_path / "export.zip"]) == 1
    assert count_upload("export.zip", bad) == 1


def test_a_damaged_zip_inside_a_zip_is_refused_and_the_rest_read(tmp_path: Path) -> None:
    inner = _version_needed(_zip({"a.gpx": (GPX, zipfile.ZIP_DEFLATED)}), 99)
    data = _zip({"inner.zip": (inner, zipfile.ZIP_STORED), "b.gpx": (GPX, zipfile.ZIP_DEFLATED)})
    for found in _walk_all_ways("export.zip", data, tmp_path):
        assert found[0].data is None and "damaged zip inside" in (found[0].reason or "")
        assert found[1].data == GPX


# --- defect 3: memory bounded by design -------------------------------------------------------


def _one_byte_records(total_bytes: int, *, compressed: bool) -> bytes:
    """A valid FIT file of records with no fields: one byte each (a normal or compressed header).

    Compressed headers carry a time each (the low 5 bits, counting on from the full timestamp
    before them), so those are records with a time; normal ones are records with nothing.
    """
    body = rf.definition(0, rf.FILE_ID, rf.FILE_ID_FIELDS) + rf.data(0, rf.FILE_ID_FIELDS, [4, T0])
    body += rf.definition(0, rf.RECORD, TIMESTAMP_ONLY) + rf.data(0, TIMESTAMP_ONLY, [T0])
    body += rf.definition(1, rf.RECORD, [])
    count = max(0, total_bytes - len(body))
    if compressed:
        heads = bytes(0x80 | 1 << 5 | (T0 + 1 + i) & 0x1F for i in range(32))
        body += (heads * (count // 32 + 1))[:count]
    else:
        body += b"\x01" * count
    return rf.fit_file(body)


def _peak_bytes(action: Callable[[], object]) -> tuple[int, object]:
    """Peak memory traced while `action` runs (NumPy reports its arrays to tracemalloc)."""
    tracemalloc.start()
    try:
        try:
            outcome: object = action()
        except Exception as error:  # the refusal is the outcome
            outcome = error
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("compressed", [False, True], ids=["normal", "compressed"])
def test_one_byte_records_beyond_the_cap_are_refused_cheaply(compressed: bool) -> None:
    """2 MiB of one-byte records is 2 million records: today's decoder needed ~640 MiB."""
    data = _one_byte_records(2 * 2**20, compressed=compressed)
    peak, outcome = _peak_bytes(lambda: decode_fit(data))
    assert isinstance(outcome, FitDecodeError)
    assert f"more than {limits.MAX_SAMPLES:,} records" in str(outcome)
    assert peak < 3 * len(data)


def test_records_at_the_cap_decode_in_a_small_multiple_of_the_file() -> None:
    data = _one_byte_records(limits.MAX_SAMPLES + 60, compressed=True)
    peak, outcome = _peak_bytes(lambda: parse_activity(FoundFile("x.fit", "fit", data)))
    assert isinstance(outcome, Activity), outcome
    assert len(outcome.streams) == limits.MAX_SAMPLES
    assert outcome.streams.time_s[-1] == limits.MAX_SAMPLES - 1
    assert peak < 40 * len(data)  # the time column alone is 8 bytes a record


def _laps(count: int) -> bytes:
    records = [(T0 + i, i * 100, 120) for i in range(60)]
    laps = [[T0 + 1 + i, T0 + i, 1000, 100, 0] for i in range(count)]
    return rf.activity(START, records, laps)


def test_a_file_of_more_laps_than_any_device_records_is_refused() -> None:
    data = _laps(limits.MAX_LAPS + 1)
    with pytest.raises(ImportRejected, match=f"more than {limits.MAX_LAPS:,} laps"):
        parse_activity(FoundFile("laps.fit", "fit", data))
    assert len(parse_activity(FoundFile("laps.fit", "fit", _laps(limits.MAX_LAPS))).laps) == limits.MAX_LAPS


def test_a_gpx_of_more_points_than_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    point = b'<trkpt lat="45" lon="7"><time>2026-03-01T07:00:00Z</time></trkpt>'
    head = b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
    data = head + point * (limits.MAX_SAMPLES + 1) + b"</trkseg></trk></gpx>"
    with pytest.raises(ImportRejected, match=f"more than {limits.MAX_SAMPLES:,} points"):
        parse_bytes("big.gpx", data)


def test_a_tcx_of_more_laps_than_the_cap_is_refused() -> None:
    lap = b'<Lap StartTime="2026-03-01T07:00:00Z"><TotalTimeSeconds>1</TotalTimeSeconds></Lap>'
    data = (
        b'<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        b'<Activities><Activity Sport="Running">'
        + lap * (limits.MAX_LAPS + 1)
        + b"</Activity></Activities></TrainingCenterDatabase>"
    )
    with pytest.raises(ImportRejected, match=f"more than {limits.MAX_LAPS:,} laps"):
        parse_bytes("laps.tcx", data)


_RSS_PROBE = """
import resource, sys
from pathlib import Path
from retrorun.formats.dispatch import parse_bytes
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    parse_bytes(Path(sys.argv[1]).name, data)
except Exception as error:
    print(type(error).__name__, error, file=sys.stderr)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def _rss_growth(path: Path) -> int:
    """How far parsing the file raised the peak resident memory of a fresh process (bytes)."""
    done = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(done.stdout.split()[-1])


def test_xml_full_of_elements_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Eight MiB of `<a/>` is two million elements: a whole tree of them took about 300 MiB."""
    junk = b"<a/>" * (2 * 2**20)
    path = tmp_path / "junk.gpx"
    path.write_bytes(GPX.replace(b"<trk>", b"<metadata>" + junk + b"</metadata><trk>", 1))
    assert _rss_growth(path) < 2 * path.stat().st_size


# --- defect 11: paths that are not plain files, and NumPy's warnings --------------------------


def _within(seconds: float, found: Callable[[], list[FoundFile]]) -> list[FoundFile]:
    """Run the walk in a thread; fail instead of hanging when it blocks."""
    result: list[list[FoundFile]] = []
    thread = threading.Thread(target=lambda: result.append(found()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"the walk blocked for more than {seconds} s"
    return result[0]


@pytest.mark.parametrize("name", ["x.gpx", "x.fit.gz", "x.zip"])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    (found,) = _within(5, lambda: list(walk([fifo])))
    assert found.data is None and "not a regular file" in (found.reason or "")
    assert count_files([fifo]) == 1


def test_the_folder_walk_does_not_follow_links_out_of_the_folder(tmp_path: Path) -> None:
    outside, folder = tmp_path / "outside", tmp_path / "runs"
    outside.mkdir()
    folder.mkdir()
    (outside / "secret.gpx").write_bytes(GPX)
    (outside / "more").mkdir()
    (outside / "more" / "deep.gpx").write_bytes(GPX)
    (folder / "mine.gpx").write_bytes(GPX)
    (folder / "link.gpx").symlink_to(outside / "secret.gpx")
    (folder / "linked-folder").symlink_to(outside / "more")
    (folder / "alias.gpx").symlink_to(folder / "mine.gpx")  # inside the folder: fine
    names = [Path(f.path).name for f in walk([folder])]
    assert names == ["alias.gpx", "mine.gpx"]
    assert count_files([folder]) == 2


def _hostile_numbers() -> Iterator[tuple[str, bytes]]:
    head = b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
    points = [(1e308, -1e308), (-1e308, 1e308), (45.0, 7.0)]
    rows = b"".join(
        f'<trkpt lat="{a}" lon="{o}"><time>2026-03-01T07:00:0{i}Z</time><ele>{a}</ele>'
        f"<speed>{o}</speed></trkpt>".encode()
        for i, (a, o) in enumerate(points)
    )
    yield "huge.gpx", head + rows + b"</trkseg></trk></gpx>"
    yield "huge.tcx", (
        b'<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        b'<Activities><Activity Sport="Running"><Lap StartTime="2026-03-01T07:00:00Z">'
        b"<TotalTimeSeconds>1e308</TotalTimeSeconds><DistanceMeters>1e308</DistanceMeters>"
        b"</Lap><Lap StartTime=\"2026-03-01T07:00:01Z\"><TotalTimeSeconds>1e308</TotalTimeSeconds>"
        b"<DistanceMeters>1e308</DistanceMeters><Track><Trackpoint><Time>2026-03-01T07:00:01Z</Time>"
        b"<DistanceMeters>-1e308</DistanceMeters></Trackpoint><Trackpoint>"
        b"<Time>2026-03-01T07:00:02Z</Time><DistanceMeters>1e308</DistanceMeters></Trackpoint>"
        b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    )
    record_fields = [(253, rf.FLOAT64), (5, rf.FLOAT64), (0, rf.SINT32)]
    records = [(-1e308, -1e308, -(2**31) + 1), (1e308, 1e308, 2**31 - 1), (T0, 0.0, 0)]
    yield "huge.fit", rf.activity(START, records, record_fields=record_fields)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", [name for name, _ in _hostile_numbers()])
def test_extreme_numbers_raise_no_numpy_warning(name: str) -> None:
    data = dict(_hostile_numbers())[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            activity = parse_bytes(name, data)
        except ImportRejected:
            return
    assert activity.duration_s < limits.LONGEST_ACTIVITY_S
    assert activity.distance_m is None or activity.distance_m < 1e9

