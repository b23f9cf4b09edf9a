"""Finding activity files in folders, gzip files and zip archives, and refusing hostile ones.

Bombs are made here, small: a few hundred KiB of zip or gzip that claims or expands to tens of
MiB. Nothing is ever written outside the test's folder; member names that climb out are refused.
Every file and archive test runs four ways: from disk (`walk`), and as an upload
(`walk_upload`) given as bytes, as a seekable file object and as a stream that cannot seek and
returns short reads, like a socket; all four must find the same files and refuse the same ones.
"""

from __future__ import annotations

import gzip
import io
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from retrorun.formats import archive
from retrorun.formats.archive import (
    FoundFile,
    Upload,
    activity_format,
    count_files,
    count_upload,
    walk,
    walk_upload,
)

DATA = Path(__file__).resolve().parents[1] / "data"
FIT = (DATA / "garmin-fenix-5-walk.fit").read_bytes()
GPX = (DATA / "missing_hr.gpx").read_bytes()
ZEROS = b"\0" * (40 * 2**20)  # 40 MiB that deflate to about 40 KiB: a 1 000:1 bomb
REAL_FILES = sorted(p.name for p in DATA.iterdir() if activity_format(p.name))
WAYS = ["disk", "bytes", "seekable", "stream"]


class Unseekable(io.RawIOBase):
    """A stream read once, front to back, in pieces of at most 1000 bytes (like a socket)."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), 1000, len(self.data) - self.at)
        buffer[:size] = self.data[self.at : self.at + size]
        self.at += size
        return size


def _upload(way: str, data: bytes) -> Upload:
    if way == "bytes":
        return data
    if way == "seekable":
        return io.BytesIO(data)
    return Unseekable(data)


def _walk(way: str, path: Path) -> list[FoundFile]:
    """What `walk` finds in the file at `path`, or `walk_upload` in its bytes under its name."""
    if way == "disk":
        return list(walk([path]))
    return list(walk_upload(str(path), _upload(way, path.read_bytes())))


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _by_path(found: list[FoundFile]) -> dict[str, FoundFile]:
    return {f.path: f for f in found}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("run.fit", "fit"),
        ("RUN.FIT.GZ", "fit"),
        ("a.b.gpx", "gpx"),
        ("x.tcx.gz", "tcx"),
        ("x.gz", None),
        ("notes.txt", None),
        ("fit", None),
    ],
)
def test_format_from_the_name(name: str, kind: str | None) -> None:
    assert activity_format(name) == kind


def test_a_folder_is_walked_for_activity_files_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a.fit").write_bytes(FIT)
    (tmp_path / "sub" / "b.gpx.gz").write_bytes(gzip.compress(GPX))
    (tmp_path / "notes.txt").write_text("not an activity")
    (tmp_path / ".hidden" / "c.fit").write_bytes(FIT)
    (tmp_path / "._d.fit").write_bytes(b"AppleDouble")
    found = list(walk([tmp_path]))
    assert [f.path for f in found] == [str(tmp_path / "a.fit"), str(tmp_path / "sub" / "b.gpx.gz")]
    assert found[0].data == FIT and found[1].data == GPX
    assert [f.format for f in found] == ["fit", "gpx"]
    assert count_files([tmp_path]) == 2


def test_files_named_on_the_command_line_are_reported_even_when_wrong(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    found = _by_path(list(walk([notes, tmp_path / "missing.fit", tmp_path / "missing.zip"])))
    assert "not an activity file" in (found[str(notes)].reason or "")
    assert found[str(tmp_path / "missing.fit")].reason == "no such file"
    assert found[str(tmp_path / "missing.zip")].reason == "no such file"
    assert all(f.data is None for f in found.values())


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", REAL_FILES)
def test_real_files_are_found_alike_on_disk_and_uploaded(
    tmp_path: Path, name: str, way: str
) -> None:
    data = (DATA / name).read_bytes()
    for path, content in ((tmp_path / name, data), (tmp_path / f"{name}.gz", gzip.compress(data))):
        path.write_bytes(content)
        assert _walk(way, path) == [FoundFile(str(path), activity_format(name), data)]


@pytest.mark.parametrize("way", WAYS)
def test_damaged_gzip_files_are_refused(tmp_path: Path, way: str) -> None:
    whole = gzip.compress(GPX)
    (tmp_path / "cut.gpx.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "plain.gpx.gz").write_bytes(GPX)  # not gzip at all
    for name in ("cut.gpx.gz", "plain.gpx.gz"):
        (found,) = _walk(way, tmp_path / name)
        assert found.data is None and "damaged gzip" in (found.reason or "")


@pytest.mark.parametrize("way", WAYS)
def test_a_gzip_bomb_is_refused_by_its_ratio(tmp_path: Path, way: str) -> None:
    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(gzip.compress(ZEROS, 9))
    assert bomb.stat().st_size < 100_000
    (found,) = _walk(way, bomb)
    assert found.data is None and "decompression bomb" in (found.reason or "")


@pytest.mark.parametrize("way", WAYS)
def test_a_gzip_bomb_is_refused_at_the_size_cap_without_filling_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 2**20)
    monkeypatch.setattr(archive, "MAX_RATIO", 10**9)  # only the cap can stop it now
    bomb = tmp_path / "bomb.gpx.gz"
    bomb.write_bytes(gzip.compress(ZEROS, 9))
    (found,) = _walk(way, bomb)
    assert "larger than 1.0 MiB" in (found.reason or "")


@pytest.mark.parametrize("way", WAYS)
def test_a_plain_file_larger_than_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.fit"
    big.write_bytes(FIT)
    (found,) = _walk(way, big)
    assert found.data is None and "the file is larger than 1000 bytes" in (found.reason or "")


@pytest.mark.parametrize("way", WAYS)
def test_a_strava_export_layout(tmp_path: Path, way: str) -> None:
    export = _zip(
        tmp_path / "export_123.zip",
        {
            "activities.csv": b"Activity ID,Activity Date\n",
            "activities/1.fit.gz": gzip.compress(FIT),
            "activities/2.gpx": GPX,
            "media/photo.jpg": b"\xff\xd8 jpeg",
            "__MACOSX/activities/._1.fit.gz": b"AppleDouble",
            "profile.jpg": b"jpeg",
        },
    )
    found = _walk(way, export)
    assert [f.path for f in found] == [
        f"{export}!activities/1.fit.gz",
        f"{export}!activities/2.gpx",
    ]
    assert [f.data for f in found] == [FIT, GPX]
    assert count_files([export]) == 2


@pytest.mark.parametrize("way", WAYS)
def test_a_garmin_export_keeps_its_fit_files_in_a_zip_inside(tmp_path: Path, way: str) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("123_ACTIVITY.fit", FIT)
        zf.writestr("124_ACTIVITY.fit", FIT[:-1] + b"x")
    part = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
    export = _zip(tmp_path / "garmin.zip", {part: inner.getvalue(), "DI_CONNECT/x.json": b"{}"})
    found = _walk(way, export)
    assert [f.path for f in found] == [
        f"{export}!{part}!123_ACTIVITY.fit",
        f"{export}!{part}!124_ACTIVITY.fit",
    ]
    assert found[0].data == FIT


@pytest.mark.parametrize("way", WAYS)
def test_a_zip_three_deep_is_not_opened(tmp_path: Path, way: str) -> None:
    deepest = io.BytesIO()
    with zipfile.ZipFile(deepest, "w") as zf:
        zf.writestr("a.fit", FIT)
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as zf:
        zf.writestr("deepest.zip", deepest.getvalue())
    outer = _zip(tmp_path / "outer.zip", {"middle.zip": middle.getvalue()})
    (found,) = _walk(way, outer)
    assert found.path == f"{outer}!middle.zip!deepest.zip"
    assert "zip inside a zip inside a zip" in (found.reason or "")


@pytest.mark.parametrize("way", WAYS)
def test_a_zip_bomb_is_refused_before_it_is_read(tmp_path: Path, way: str) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"huge.gpx": ZEROS, "ok.fit": FIT})
    assert bomb.stat().st_size < 200_000
    started = time.perf_counter()
    found = _by_path(_walk(way, bomb))
    assert time.perf_counter() - started < 0.5  # refused from the declared sizes, not inflated
    assert "decompression bomb" in (found[f"{bomb}!huge.gpx"].reason or "")
    assert found[f"{bomb}!ok.fit"].data == FIT


@pytest.mark.parametrize("way", WAYS)
def test_a_member_larger_than_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    big = _zip(tmp_path / "big.zip", {"big.fit": FIT}, zipfile.ZIP_STORED)
    (found,) = _walk(way, big)
    assert "declares 5.1 KiB, more than 1000 bytes" in (found.reason or "")


@pytest.mark.parametrize("way", WAYS)
def test_the_archive_total_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", len(FIT) * 2)
    many = _zip(tmp_path / "many.zip", {f"{i}.fit": FIT for i in range(3)})
    found = _walk(way, many)
    assert [f.data is not None for f in found] == [True, True, False]
    assert "expands to more than" in (found[2].reason or "")


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "name", ["../../evil.fit", "/etc/evil.gpx", "a/../../evil.tcx", "C:/x.fit", "..\\x.gpx"]
)
def test_member_names_that_climb_out_are_refused(tmp_path: Path, name: str, way: str) -> None:
    traversal = _zip(tmp_path / "traversal.zip", {name: FIT, "fine.fit": FIT})
    found = _walk(way, traversal)
    assert len(found) == 2
    assert "unsafe member name" in (found[0].reason or "") and found[0].data is None
    assert found[1].data == FIT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["traversal.zip"]  # nothing extracted


@pytest.mark.parametrize("way", WAYS)
def test_a_damaged_member_is_refused_and_the_rest_read(tmp_path: Path, way: str) -> None:
    good = _zip(tmp_path / "x.zip", {"a.fit": FIT * 4, "b.gpx": GPX}, zipfile.ZIP_STORED)
    data = bytearray(good.read_bytes())
    data[100] ^= 0xFF  # inside a.fit's stored bytes: its CRC-32 no longer matches
    good.write_bytes(bytes(data))
    found = _by_path(_walk(way, good))
    assert "damaged zip member" in (found[f"{good}!a.fit"].reason or "")
    assert found[f"{good}!b.gpx"].data == GPX


@pytest.mark.parametrize("way", WAYS)
def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path, way: str) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(GPX)
    (found,) = _walk(way, fake)
    assert found.path == str(fake) and found.data is None
    assert "not a readable zip archive" in (found.reason or "")
    assert count_files([fake]) == 1


@pytest.mark.parametrize("way", WAYS)
def test_an_encrypted_member_is_refused(tmp_path: Path, way: str) -> None:
    path = _zip(tmp_path / "secret.zip", {"a.fit": FIT}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flag_at] |= 0x01  # general purpose flag bit 0: encrypted
    path.write_bytes(bytes(data))
    (found,) = _walk(way, path)
    assert "encrypted" in (found.reason or "")


# --- uploads only -------------------------------------------------------------------------------


@pytest.mark.parametrize("way", ["bytes", "seekable", "stream"])
def test_an_upload_with_a_name_that_is_no_activity_is_refused(way: str) -> None:
    (found,) = walk_upload("notes.txt", _upload(way, b"hello"))
    assert found == FoundFile("notes.txt", None, None, found.reason)
    assert "not an activity file" in (found.reason or "")


@pytest.mark.parametrize("way", ["bytes", "seekable", "stream"])
def test_an_upload_is_never_written_to_a_temporary_file(
    monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload was written to a temporary file")

    for name in ("mkstemp", "mkdtemp", "TemporaryFile", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, refuse)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("in.fit", FIT)
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("a.fit.gz", gzip.compress(FIT))
        zf.writestr("part.zip", inner.getvalue())  # small: spooled in memory
    found = list(walk_upload("export.zip", _upload(way, export.getvalue())))
    assert [f.path for f in found] == ["export.zip!a.fit.gz", "export.zip!part.zip!in.fit"]
    assert [f.data for f in found] == [FIT, FIT]
    (single,) = walk_upload("b.gpx.gz", _upload(way, gzip.compress(GPX)))
    assert single.data == GPX


def test_a_seekable_upload_is_read_from_where_it_stands_and_left_open() -> None:
    upload = io.BytesIO(b"ignored header" + FIT)
    upload.seek(len(b"ignored header"))
    (found,) = walk_upload("run.fit", upload)
    assert found.data == FIT and not upload.closed


def test_a_zip_stream_that_cannot_seek_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_UNSEEKABLE_ZIP_BYTES", 1000)
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.fit", FIT)
    (found,) = walk_upload("export.zip", Unseekable(export.getvalue()))
    assert found.data is None and "at most 1000 bytes" in (found.reason or "")
    (found,) = walk_upload("export.zip", io.BytesIO(export.getvalue()))  # seekable: no cap
    assert found.data == FIT


def test_a_stream_that_fails_is_reported() -> None:
    class Failing(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            raise OSError("connection reset")

    (found,) = walk_upload("run.fit", Failing())
    assert found.data is None and "cannot read it: connection reset" in (found.reason or "")


def test_count_upload_looks_at_the_names_only(tmp_path: Path) -> None:
    export = _zip(tmp_path / "e.zip", {"a.fit": FIT, "b.gpx": GPX, "c.jpg": b"jpeg"})
    data = export.read_bytes()
    assert count_upload("e.zip", data) == 2
    seekable = io.BytesIO(data)
    assert count_upload("e.zip", seekable) == 2
    assert seekable.tell() == 0  # put back where it stood, for the walk
    assert len(list(walk_upload("e.zip", seekable))) == 2
    assert count_upload("e.zip", Unseekable(data)) == 1  # cannot look without reading it
    assert count_upload("run.fit", FIT) == 1
    assert count_upload("fake.zip", GPX) == 1
