"""Finding activity files in folders, gzip files and zip archives, and refusing hostile ones.

Bombs are made here, small: a few hundred KiB of zip or gzip that claims or expands to tens of
MiB. Nothing is ever written outside the test's folder; member names that climb out are refused.
"""

from __future__ import annotations

import gzip
import io
import time
import zipfile
from pathlib import Path

import pytest

from retrorun.formats import archive
from retrorun.formats.archive import FoundFile, activity_format, count_files, walk

DATA = Path(__file__).resolve().parents[1] / "data"
FIT = (DATA / "garmin-fenix-5-walk.fit").read_bytes()
GPX = (DATA / "missing_hr.gpx").read_bytes()
ZEROS = b"\0" * (40 * 2**20)  # 40 MiB that deflate to about 40 KiB: a 1 000:1 bomb


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


def test_damaged_gzip_files_are_refused(tmp_path: Path) -> None:
    whole = gzip.compress(GPX)
    (tmp_path / "cut.gpx.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "plain.gpx.gz").write_bytes(GPX)  # not gzip at all
    found = _by_path(list(walk([tmp_path])))
    assert "damaged gzip" in (found[str(tmp_path / "cut.gpx.gz")].reason or "")
    assert "damaged gzip" in (found[str(tmp_path / "plain.gpx.gz")].reason or "")


def test_a_gzip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(gzip.compress(ZEROS, 9))
    assert bomb.stat().st_size < 100_000
    (found,) = walk([bomb])
    assert found.data is None and "decompression bomb" in (found.reason or "")


def test_a_gzip_bomb_is_refused_at_the_size_cap_without_filling_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 2**20)
    monkeypatch.setattr(archive, "MAX_RATIO", 10**9)  # only the cap can stop it now
    bomb = tmp_path / "bomb.gpx.gz"
    bomb.write_bytes(gzip.compress(ZEROS, 9))
    (found,) = walk([bomb])
    assert "larger than 1.0 MiB" in (found.reason or "")


def test_a_strava_export_layout(tmp_path: Path) -> None:
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
    found = list(walk([export]))
    assert [f.path for f in found] == [
        f"{export}!activities/1.fit.gz",
        f"{export}!activities/2.gpx",
    ]
    assert [f.data for f in found] == [FIT, GPX]
    assert count_files([export]) == 2


def test_a_garmin_export_keeps_its_fit_files_in_a_zip_inside(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("123_ACTIVITY.fit", FIT)
        zf.writestr("124_ACTIVITY.fit", FIT[:-1] + b"x")
    part = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
    export = _zip(tmp_path / "garmin.zip", {part: inner.getvalue(), "DI_CONNECT/x.json": b"{}"})
    found = list(walk([export]))
    assert [f.path for f in found] == [
        f"{export}!{part}!123_ACTIVITY.fit",
        f"{export}!{part}!124_ACTIVITY.fit",
    ]
    assert found[0].data == FIT


def test_a_zip_three_deep_is_not_opened(tmp_path: Path) -> None:
    deepest = io.BytesIO()
    with zipfile.ZipFile(deepest, "w") as zf:
        zf.writestr("a.fit", FIT)
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as zf:
        zf.writestr("deepest.zip", deepest.getvalue())
    outer = _zip(tmp_path / "outer.zip", {"middle.zip": middle.getvalue()})
    (found,) = walk([outer])
    assert found.path == f"{outer}!middle.zip!deepest.zip"
    assert "zip inside a zip inside a zip" in (found.reason or "")


def test_a_zip_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"huge.gpx": ZEROS, "ok.fit": FIT})
    assert bomb.stat().st_size < 200_000
    started = time.perf_counter()
    found = _by_path(list(walk([bomb])))
    assert time.perf_counter() - started < 0.5  # refused from the declared sizes, not inflated
    assert "decompression bomb" in (found[f"{bomb}!huge.gpx"].reason or "")
    assert found[f"{bomb}!ok.fit"].data == FIT


def test_a_member_larger_than_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    big = _zip(tmp_path / "big.zip", {"big.fit": FIT}, zipfile.ZIP_STORED)
    (found,) = walk([big])
    assert "declares 5.1 KiB, more than 1000 bytes" in (found.reason or "")


def test_the_archive_total_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", len(FIT) * 2)
    many = _zip(tmp_path / "many.zip", {f"{i}.fit": FIT for i in range(3)})
    found = list(walk([many]))
    assert [f.data is not None for f in found] == [True, True, False]
    assert "expands to more than" in (found[2].reason or "")


@pytest.mark.parametrize(
    "name", ["../../evil.fit", "/etc/evil.gpx", "a/../../evil.tcx", "C:/x.fit", "..\\x.gpx"]
)
def test_member_names_that_climb_out_are_refused(tmp_path: Path, name: str) -> None:
    traversal = _zip(tmp_path / "traversal.zip", {name: FIT, "fine.fit": FIT})
    found = list(walk([traversal]))
    assert len(found) == 2
    assert "unsafe member name" in (found[0].reason or "") and found[0].data is None
    assert found[1].data == FIT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["traversal.zip"]  # nothing extracted


def test_a_damaged_member_is_refused_and_the_rest_read(tmp_path: Path) -> None:
    good = _zip(tmp_path / "x.zip", {"a.fit": FIT * 4, "b.gpx": GPX}, zipfile.ZIP_STORED)
    data = bytearray(good.read_bytes())
    data[100] ^= 0xFF  # inside a.fit's stored bytes: its CRC-32 no longer matches
    good.write_bytes(bytes(data))
    found = _by_path(list(walk([good])))
    assert "damaged zip member" in (found[f"{good}!a.fit"].reason or "")
    assert found[f"{good}!b.gpx"].data == GPX


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(GPX)
    (found,) = walk([fake])
    assert "not a readable zip archive" in (found.reason or "")
    assert count_files([fake]) == 1


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "secret.zip", {"a.fit": FIT}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flag_at] |= 0x01  # general purpose flag bit 0: encrypted
    path.write_bytes(bytes(data))
    (found,) = walk([path])
    assert "encrypted" in (found.reason or "")
