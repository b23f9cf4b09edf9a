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
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import raw_fit as rf

from retrorun.core import limits
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
    return [
        list(walk([path])),
        list(walk_upload(name, data)),
        list(walk_upload(name, io.BytesIO(data))),
    ]


@pytest.mark.parametrize(
    "method",
    [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, zipfile.ZIP_DEFLATED],
    ids=["bzip2", "lzma", "deflate"],
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


def _one_byte_records(records: int, *, compressed: bool) -> bytes:
    """A valid FIT file of `records` records, all but the first with no fields: one byte each.

    The first record carries a full timestamp; the others have a normal header (records with
    nothing in them) or a compressed-timestamp header, whose low 5 bits give each a time one
    second after the one before.
    """
    body = rf.definition(0, rf.FILE_ID, rf.FILE_ID_FIELDS) + rf.data(0, rf.FILE_ID_FIELDS, [4, T0])
    body += rf.definition(0, rf.RECORD, TIMESTAMP_ONLY) + rf.data(0, TIMESTAMP_ONLY, [T0])
    body += rf.definition(1, rf.RECORD, [])
    count = records - 1
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
    """900,000 one-byte records (0.9 MB): the decoder used to need 320 bytes a record.

    Refused on counting: until the cap is passed, a compressed header's offset and time bits
    (17 bytes) are all that is kept of each record, and nothing of records in a run.
    """
    data = _one_byte_records(limits.MAX_SAMPLES * 3 // 2, compressed=compressed)
    peak, outcome = _peak_bytes(lambda: decode_fit(data))
    assert isinstance(outcome, FitDecodeError)
    assert f"more than {limits.MAX_SAMPLES:,} records" in str(outcome)
    assert peak < 20 * limits.MAX_SAMPLES


def test_records_at_the_cap_are_read_in_under_100_bytes_a_record() -> None:
    """The most records a file may hold, each one byte with only its time: the worst ratio of
    memory to file size there is, as every record needs its 8-byte time and offset."""
    data = _one_byte_records(limits.MAX_SAMPLES, compressed=True)
    peak, outcome = _peak_bytes(lambda: parse_activity(FoundFile("x.fit", "fit", data)))
    assert isinstance(outcome, Activity), outcome
    assert len(outcome.streams) == limits.MAX_SAMPLES
    assert outcome.streams.time_s[-1] == limits.MAX_SAMPLES - 1
    assert peak < 100 * limits.MAX_SAMPLES


def _laps(count: int) -> bytes:
    records = [(T0 + i, i * 100, 120) for i in range(60)]
    laps = [[T0 + 1 + i, T0 + i, 1000, 100, 0] for i in range(count)]
    return rf.activity(START, records, laps)


def test_a_file_of_more_laps_than_any_device_records_is_refused() -> None:
    data = _laps(limits.MAX_LAPS + 1)
    with pytest.raises(ImportRejected, match=f"more than {limits.MAX_LAPS:,} laps"):
        parse_activity(FoundFile("laps.fit", "fit", data))
    assert (
        len(parse_activity(FoundFile("laps.fit", "fit", _laps(limits.MAX_LAPS))).laps)
        == limits.MAX_LAPS
    )


def test_a_chain_of_more_fit_files_than_any_device_writes_is_refused() -> None:
    """Empty FIT files are 16 bytes: 3.2 MB of them took 22 s and 440 MB to decode."""
    empty = rf.fit_file(b"")
    chained = rf.activity(START, [(T0, 0, 120)]) + empty * limits.MAX_SESSIONS
    started = time.perf_counter()
    with pytest.raises(FitDecodeError, match=f"more than {limits.MAX_SESSIONS} FIT files chained"):
        decode_fit(chained + empty * 200_000)
    assert time.perf_counter() - started < 1.0
    assert len(decode_fit(chained[: -len(empty)]).records) == 1


def test_a_gpx_of_more_points_than_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SAMPLES", 1000)  # read when a file is read: a quick test
    point = b'<trkpt lat="45" lon="7"><time>2026-03-01T07:00:00Z</time></trkpt>'
    head = b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
    data = head + point * 1001 + b"</trkseg></trk></gpx>"
    with pytest.raises(ImportRejected, match="more than 1,000 points"):
        parse_bytes("big.gpx", data)
    assert len(parse_bytes("big.gpx", data.replace(point, b"", 1)).streams) == 1000


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
import sys
from pathlib import Path
from retrorun.formats.dispatch import parse_bytes


def peak():  # this process's own peak (ru_maxrss would keep the parent's: Linux passes it on)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) * 1024


data = Path(sys.argv[1]).read_bytes()
before = peak()
try:
    parse_bytes(Path(sys.argv[1]).name, data)
except Exception as error:
    print(type(error).__name__, error, file=sys.stderr)
print(peak() - before)
"""


def _rss_growth(path: Path) -> int:
    """How far parsing the file raised the peak resident memory of a fresh process (bytes)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("the peak memory of a process is read from Linux's /proc")
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


def test_xml_of_millions_of_different_names_is_refused_early(tmp_path: Path) -> None:
    """Two million names `<t0/>`, `<t1/>`…: 21 MB that grew memory by 470 MB (a tag cache and
    libxml2's dictionary of names, which keeps them for good)."""
    names = b"".join(b"<t%d/>" % i for i in range(2_000_000))
    path = tmp_path / "names.gpx"
    path.write_bytes(GPX.replace(b"<trk>", b"<metadata>" + names + b"</metadata><trk>", 1))
    with pytest.raises(ImportRejected, match="more than 1,000 different element names"):
        parse_bytes("names.gpx", path.read_bytes())
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
    lap = (
        '<Lap StartTime="2026-03-01T07:00:0{i}Z"><TotalTimeSeconds>1e308</TotalTimeSeconds>'
        "<DistanceMeters>1e308</DistanceMeters><Track>{points}</Track></Lap>"
    )
    point = "<Trackpoint><Time>2026-03-01T07:00:0{i}Z</Time><DistanceMeters>{m}</DistanceMeters>"
    points = "".join(point.format(i=i, m=m) + "</Trackpoint>" for i, m in ((1, -1e308), (2, 1e308)))
    yield (
        "huge.tcx",
        (
            '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            '<Activities><Activity Sport="Running">'
            + lap.format(i=0, points="")
            + lap.format(i=1, points=points)
            + "</Activity></Activities></TrainingCenterDatabase>"
        ).encode(),
    )
    record_fields = [(253, rf.FLOAT64), (5, rf.FLOAT64), (0, rf.SINT32)]
    records = [(-1e308, -1e308, -(2**31) + 1), (1e308, 1e308, 2**31 - 1), (T0, 0.0, 0)]
    yield "huge.fit", rf.activity(START, records, record_fields=record_fields)
    for i, odd in enumerate(("2026-03-01T07M00:00Z", "2026-03-01T07:00:00000Z")):  # fuzzing found
        yield (
            f"odd-time-{i}.gpx",
            head
            + f"<trkpt lat='1' lon='1'><time>{odd}</time>".encode()
            + (b"</trkpt></trkseg></trk></gpx>"),
        )


@pytest.mark.filterwarnings("error")  # NumPy's RuntimeWarning and UserWarning among them
@pytest.mark.parametrize("name", [name for name, _ in _hostile_numbers()])
def test_extreme_numbers_raise_no_numpy_warning(name: str) -> None:
    data = dict(_hostile_numbers())[name]
    try:
        activity = parse_bytes(name, data)
    except ImportRejected:
        return
    assert activity.duration_s < limits.LONGEST_ACTIVITY_S
    assert activity.distance_m is None or activity.distance_m < 1e9
