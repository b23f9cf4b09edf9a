"""Hostile and odd values on their way into the database, on SQLite and PostgreSQL alike.

Each file here once stopped a whole import with a traceback on PostgreSQL (a value too long or
too large for its column), was stored silently on SQLite, or was imported with impossible totals.
Every value must be repaired or refused before the database sees it, the same way on both
backends, and one bad file must never stop the files after it.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
import raw_fit as rf

from retrorun.api import Retrorun
from retrorun.importing import ImportResult
from retrorun.store.activities import StoredActivity

DATA = Path(__file__).resolve().parents[1] / "data"
START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
T0 = rf.fit_time(START)
GPX_HEAD = '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk>'


def _gpx(
    points: list[tuple[float, float, str]], *, sport: str = "running", tail: str = ""
) -> bytes:
    """A GPX track of (lat, lon, time) points in one segment, then `tail` inside the track."""
    rows = "".join(f'<trkpt lat="{a}" lon="{o}"><time>{t}</time></trkpt>' for a, o, t in points)
    return f"{GPX_HEAD}<type>{sport}</type><trkseg>{rows}</trkseg>{tail}</trk></gpx>".encode()


def _iso(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _line(n: int, step_s: float = 1.0) -> list[tuple[float, float, str]]:
    """`n` points heading north, about 1.1 m apart, `step_s` apart in time."""
    return [(45.0 + i * 1e-5, 7.0, _iso(i * step_s)) for i in range(n)]


def _import(database: str, tmp_path: Path, files: dict[str, bytes]) -> list[ImportResult]:
    """Import the files in the order given, then a known-good file after them."""
    paths = []
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        paths.append(tmp_path / name)
    results = Retrorun(database).import_files([*paths, DATA / "run.gpx"])
    assert results[-1].status == "imported", results[-1].reason  # the file after is imported
    return results[:-1]


def _imported(result: ImportResult) -> StoredActivity:
    assert result.status == "imported", result.reason
    assert result.activity is not None
    return result.activity


# --- defect 1: values that do not fit their column --------------------------------------------


def test_a_gpx_type_longer_than_the_column_is_clamped(database: str, tmp_path: Path) -> None:
    long_type = "backward running on the treadmill at the clinic, wk3"  # 52 characters
    (result,) = _import(database, tmp_path, {"long.gpx": _gpx(_line(5), sport=long_type)})
    stored = _imported(result)
    assert stored.sport == long_type[:40]
    assert Retrorun(database).activity(stored.id).sport == long_type[:40]


@pytest.mark.parametrize("base_type", [rf.UINT32, rf.UINT64], ids=["uint32", "uint64"])
def test_a_workout_step_index_beyond_any_workout_is_unknown(
    database: str, tmp_path: Path, base_type: int
) -> None:
    """FIT's wkt_step_index is a uint16 message index: 2^31 is no step of any workout."""
    lap_fields = [*rf.LAP_FIELDS[:-1], (71, base_type)]
    laps = [[T0 + 60, T0, 60_000, 10_000, 2**31 + 5], [T0 + 120, T0 + 60, 60_000, 10_000, 1]]
    records = [(T0 + i, i * 100, 120) for i in range(120)]
    fit = rf.activity(START, records, laps, lap_fields=lap_fields)
    (result,) = _import(database, tmp_path, {"laps.fit": fit})
    stored = _imported(result)
    assert [lap.workout_step_index for lap in stored.laps] == [None, 1]


def test_a_float64_sport_is_no_sport(database: str, tmp_path: Path) -> None:
    session_fields = [(253, rf.UINT32), (2, rf.UINT32), (5, rf.FLOAT64), (8, rf.UINT32)]
    records = [(T0 + i, i * 100, 120) for i in range(60)]
    fit = rf.activity(
        START, records, session=[T0 + 60, T0, 1e300, 60_000], session_fields=session_fields
    )
    (result,) = _import(database, tmp_path, {"sport.fit": fit})
    assert _imported(result).sport is None


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_stored(database: str, tmp_path: Path) -> None:
    name = os.fsdecode(b"run-\xff\xfe.gpx")  # undecodable bytes become lone surrogates
    (result,) = _import(database, tmp_path, {name: _gpx(_line(5))})
    stored = _imported(result)
    assert stored.source_path.endswith("run-\ufffd\ufffd.gpx")


# --- defect 7: valid files rejected -----------------------------------------------------------


def test_a_gpx_ending_with_an_empty_segment_is_imported(database: str, tmp_path: Path) -> None:
    gpx = _gpx(_line(11), tail="<trkseg></trkseg>")
    (result,) = _import(database, tmp_path, {"empty-segment.gpx": gpx})
    stored = _imported(result)
    assert stored.duration_s == 10 and stored.samples == 11


@pytest.mark.parametrize("year", ["10000", "0000"])
def test_a_point_in_an_impossible_year_is_skipped(database: str, tmp_path: Path, year: str) -> None:
    points = [*_line(11), (45.1, 7.0, f"{year}-01-01T00:00:00Z")]
    (result,) = _import(database, tmp_path, {f"year-{year}.gpx": _gpx(points)})
    stored = _imported(result)
    assert stored.samples == 11 and stored.duration_s == 10
    assert stored.start == START
    assert stored.notes == ("1 points at impossible times skipped",)


def test_a_tcx_lap_with_an_empty_distance_keeps_the_rest(database: str, tmp_path: Path) -> None:
    tcx = (DATA / "test.tcx").read_bytes()
    first = tcx.index(b"<DistanceMeters>")
    end = tcx.index(b"</DistanceMeters>", first)
    emptied = tcx[:first] + b"<DistanceMeters></DistanceMeters>" + tcx[end + 17 :]
    (result, good) = _import(database, tmp_path, {"empty.tcx": emptied, "whole.tcx": tcx})
    stored, whole = _imported(result), _imported(good)
    assert stored.laps[0].distance_m is None
    assert stored.laps[1:] == whole.laps[1:]
    assert stored.samples == whole.samples


# --- defect 8: impossible values --------------------------------------------------------------


def test_negative_lap_times_and_distances_are_unknown(database: str, tmp_path: Path) -> None:
    lap = (
        '<Lap StartTime="{start}"><TotalTimeSeconds>{seconds}</TotalTimeSeconds>'
        "<DistanceMeters>{metres}</DistanceMeters><Track>{points}</Track></Lap>"
    )
    point = "<Trackpoint><Time>{time}</Time><DistanceMeters>{m}</DistanceMeters></Trackpoint>"
    laps = [
        lap.format(
            start=_iso(60 * k),
            seconds=seconds,
            metres=metres,
            points="".join(point.format(time=_iso(60 * k + i), m=k * 100 + i) for i in range(60)),
        )
        for k, (seconds, metres) in enumerate([(60, 100), (-60, -100)])
    ]
    tcx = (
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="Running"><Id>{_iso(0)}</Id>{"".join(laps)}</Activity>'
        "</Activities></TrainingCenterDatabase>"
    ).encode()
    (result,) = _import(database, tmp_path, {"negative.tcx": tcx})
    stored = _imported(result)
    assert [(lap.duration_s, lap.distance_m) for lap in stored.laps] == [(60, 100), (0, None)]
    assert stored.duration_s == 60 and stored.distance_m == 100


def test_a_latitude_of_999_is_no_position(database: str, tmp_path: Path) -> None:
    points = _line(11)
    points[5] = (999.0, 7.0, points[5][2])
    (result,) = _import(database, tmp_path, {"lat.gpx": _gpx(points)})
    stored = _imported(result)
    assert stored.distance_m is not None and stored.distance_m < 12  # not 1.9 million km
    assert stored.samples == 11
    assert stored.notes == ("1 position off the globe left out",)


def test_shuffled_points_are_put_back_in_time_order(database: str, tmp_path: Path) -> None:
    points = _line(100)
    shuffled = points[::2] + points[1::2]  # every other point, then the rest
    (result, good) = _import(
        database, tmp_path, {"shuffled.gpx": _gpx(shuffled), "ordered.gpx": _gpx(points)}
    )
    stored, ordered = _imported(result), _imported(good)
    assert stored.duration_s == ordered.duration_s == 99
    assert stored.distance_m == pytest.approx(ordered.distance_m)
    assert stored.distance_m == pytest.approx(110, abs=1)
    assert stored.notes == ("points out of time order put back in order",)


@pytest.mark.parametrize("total_s", [1e305, -3600.0], ids=["1e305", "negative"])
def test_an_impossible_session_time_gives_way_to_the_records(
    database: str, tmp_path: Path, total_s: float
) -> None:
    session_fields = [(253, rf.UINT32), (2, rf.UINT32), (5, rf.ENUM), (8, rf.FLOAT64)]
    records = [(T0 + i, i * 100, 120) for i in range(61)]
    fit = rf.activity(
        START, records, session=[T0 + 60, T0, 1, total_s], session_fields=session_fields
    )
    (result,) = _import(database, tmp_path, {"total.fit": fit})
    stored = _imported(result)
    assert stored.duration_s == 60


def test_an_impossible_session_distance_gives_way_to_the_records(
    database: str, tmp_path: Path
) -> None:
    session_fields = [(253, rf.UINT32), (2, rf.UINT32), (5, rf.ENUM), (9, rf.SINT32)]
    records = [(T0 + i, i * 100, 120) for i in range(61)]
    fit = rf.activity(
        START, records, session=[T0 + 60, T0, 1, -5000], session_fields=session_fields
    )
    (result,) = _import(database, tmp_path, {"distance.fit": fit})
    assert _imported(result).distance_m == 60


def test_a_file_whose_times_cannot_be_repaired_is_rejected(database: str, tmp_path: Path) -> None:
    points = [(45.0, 7.0, "0000-01-01T00:00:00Z"), (45.1, 7.0, "10000-01-01T00:00:00Z")]
    (result,) = _import(database, tmp_path, {"no-times.gpx": _gpx(points)})
    assert result.status == "rejected"
    assert "no times" in (result.reason or "")


@pytest.mark.filterwarnings("error::RuntimeWarning", "error::UserWarning")
def test_extreme_numbers_are_imported_without_numpy_warnings(database: str, tmp_path: Path) -> None:
    """Every step of the import (the energy estimate too) meets only plausible numbers."""
    huge = [(45.0 + i * 1e-5, 7.0, _iso(i)) for i in range(20)]
    gpx = _gpx(huge).replace(b"</time>", b"</time><ele>1e308</ele><speed>-1e308</speed>")
    records = [(T0 + i, (2**32 - 2) if i % 2 else 0, 255 - (i % 2)) for i in range(60)]
    (result,) = _import(
        database, tmp_path, {"huge.gpx": gpx, "huge.fit": rf.activity(START, records)}
    )[:1]
    assert "could not be read" not in (result.reason or "")
