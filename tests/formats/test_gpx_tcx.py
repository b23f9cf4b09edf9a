"""GPX and TCX importers against gpxpy and tcxreader, on real files and written ones.

The oracles: gpxpy's own length (2D) and duration for GPX; tcxreader and the file's own lap
totals for TCX. Hostile XML (entity expansion, external entities) must be refused quickly,
without expanding or fetching anything.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import activity_factory as af
import fit_factory as ff
import gpxpy
import numpy as np
import pytest
from lxml import etree
from tcxreader.tcxreader import TCXReader

from retrorun.formats.activity import ImportRejected, track_distance_m
from retrorun.formats.gpx import parse_gpx
from retrorun.formats.tcx import parse_tcx

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_GPX = ["run.gpx", "missing_hr.gpx", "run_gpxtpx.gpx", "cerknicko-jezero.gpx"]
REAL_TCX = ["test.tcx", "no_hr.tcx", "sup_activity_1.tcx"]
TPX = "{http://www.garmin.com/xmlschemas/TrackPointExtension/v1}hr"


def _gpxpy_heart_rates(gpx: gpxpy.gpx.GPX) -> list[float]:
    """Each point's heart rate as gpxpy reads it (its extensions are ElementTree elements)."""
    rates = []
    for point, *_ in gpx.walk():
        found = [e.text for ext in point.extensions for e in ext.iter(TPX)]
        rates.append(float(found[0]) if found and found[0] else np.nan)
    return rates


# --- GPX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_GPX)
def test_real_gpx_totals_are_gpxpys(name: str) -> None:
    data = (DATA / name).read_bytes()
    oracle = gpxpy.parse(data.decode())
    activity = parse_gpx(data)
    assert activity.distance_m == pytest.approx(oracle.length_2d(), rel=1e-12)
    assert activity.duration_s == oracle.get_duration()
    assert activity.start == oracle.get_time_bounds().start_time
    points = [point for point, *_ in oracle.walk()]
    assert len(activity.streams) == len(points)
    assert np.allclose(activity.streams.lat_deg, [p.latitude for p in points])
    assert np.allclose(activity.streams.altitude_m, [p.elevation for p in points])
    times = [(p.time - activity.start).total_seconds() for p in points]
    assert np.array_equal(activity.streams.time_s, times)
    assert activity.source_format == "gpx" and activity.laps == ()


def test_gpx_heart_rate_lands_on_the_right_points() -> None:
    """missing_hr.gpx has heart rate on 9 of 16 points: each value on its own point."""
    data = (DATA / "missing_hr.gpx").read_bytes()
    expected = _gpxpy_heart_rates(gpxpy.parse(data.decode()))
    assert sum(np.isfinite(expected)) == 9
    assert np.array_equal(parse_gpx(data).streams.heart_rate_bpm, expected, equal_nan=True)


def test_gpx_heart_rate_on_every_point_of_a_real_run() -> None:
    data = (DATA / "run_gpxtpx.gpx").read_bytes()
    streams = parse_gpx(data).streams
    assert np.array_equal(streams.heart_rate_bpm, _gpxpy_heart_rates(gpxpy.parse(data.decode())))


def test_written_gpx_keeps_every_value_and_no_distance_between_segments() -> None:
    data = af.gpx_activity(600, segments=3)
    activity = parse_gpx(data)
    samples = ff.run_samples(600)
    streams = activity.streams
    assert np.array_equal(streams.heart_rate_bpm, [s.heart_rate_bpm for s in samples])
    assert np.array_equal(streams.cadence_rpm, [s.cadence_rpm for s in samples])
    assert np.array_equal(streams.time_s, np.arange(600.0))
    assert activity.sport == "running" and activity.start == ff.START
    oracle = gpxpy.parse(data.decode())
    assert len(oracle.tracks[0].segments) == 3
    assert activity.distance_m == pytest.approx(oracle.length_2d(), rel=1e-12)
    assert activity.duration_s == oracle.get_duration() == 597  # three segments, two gaps
    assert streams.distance_m[-1] == pytest.approx(activity.distance_m)


def test_gpx_times_with_offsets_and_fractions() -> None:
    gpx = b"""<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
    <trk><trkseg>
    <trkpt lat="45.0" lon="7.0"><time>2026-03-01T09:00:00.500+02:00</time></trkpt>
    <trkpt lat="45.0001" lon="7.0"><time>2026-03-01T07:00:02.500Z</time></trkpt>
    </trkseg></trk></gpx>"""
    activity = parse_gpx(gpx)
    assert activity.start == datetime(2026, 3, 1, 7, 0, 0, 500_000, tzinfo=UTC)
    assert activity.duration_s == 2.0
    assert activity.streams.time_s.tolist() == [0.0, 2.0]


def test_points_without_time_are_left_out_of_the_streams_but_not_the_distance() -> None:
    gpx = b"""<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
    <trkpt lat="45.0" lon="7.0"><time>2026-03-01T07:00:00Z</time></trkpt>
    <trkpt lat="45.001" lon="7.0"></trkpt>
    <trkpt lat="45.002" lon="7.0"><time>2026-03-01T07:01:00Z</time></trkpt>
    </trkseg></trk></gpx>"""
    activity = parse_gpx(gpx)
    assert len(activity.streams) == 2
    assert activity.distance_m == pytest.approx(gpxpy.parse(gpx.decode()).length_2d())


def test_flat_earth_distance_switches_to_haversine_beyond_a_fifth_of_a_degree() -> None:
    lat = np.array([45.0, 45.1, 46.0])
    lon = np.array([7.0, 7.0, 7.0])
    steps = track_distance_m(lat, lon)
    expected = [
        gpxpy.geo.distance(45.0, 7.0, None, 45.1, 7.0, None),
        gpxpy.geo.distance(45.1, 7.0, None, 46.0, 7.0, None),
    ]
    assert steps[1:] == pytest.approx(expected, rel=1e-12)


# --- TCX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_TCX)
def test_real_tcx_totals_match_tcxreader_and_the_laps(name: str) -> None:
    path = DATA / name
    oracle = TCXReader().read(str(path), only_gps=False)
    activity = parse_tcx(path.read_bytes())
    assert activity.distance_m == pytest.approx(oracle.distance)
    assert len(activity.laps) == len(oracle.laps)
    assert len(activity.streams) == len(oracle.trackpoints)
    assert activity.start.replace(tzinfo=None) == oracle.start_time
    assert activity.elapsed_s == oracle.duration
    assert activity.device_kcal == oracle.calories
    laps = etree.parse(str(path)).xpath("//*[local-name()='Lap']")
    seconds = [float(lap.xpath("string(*[local-name()='TotalTimeSeconds'])")) for lap in laps]
    assert activity.duration_s == pytest.approx(sum(seconds))  # the device's own timer time
    for ours, theirs, lap in zip(activity.laps, oracle.laps, laps, strict=True):
        assert ours.distance_m == pytest.approx(theirs.distance)
        started = datetime.fromisoformat(lap.get("StartTime"))
        assert activity.start + timedelta(seconds=ours.start_s) == started


def test_tcx_heart_rate_and_speed_per_trackpoint() -> None:
    oracle = TCXReader().read(str(DATA / "sup_activity_1.tcx"), only_gps=False)
    streams = parse_tcx((DATA / "sup_activity_1.tcx").read_bytes()).streams
    assert streams.heart_rate_bpm.tolist() == [p.hr_value for p in oracle.trackpoints]
    assert streams.speed_m_s.tolist() == [p.tpx_ext["Speed"] for p in oracle.trackpoints]
    no_hr = parse_tcx((DATA / "no_hr.tcx").read_bytes()).streams
    assert len(no_hr) == 384 and np.isnan(no_hr.heart_rate_bpm).all()


def test_written_tcx_keeps_every_value() -> None:
    activity = parse_tcx(af.tcx_activity(1800, lap_every_s=600))
    samples = ff.run_samples(1800)
    streams = activity.streams
    assert len(activity.laps) == 3 and activity.duration_s == 1800
    assert [lap.start_s for lap in activity.laps] == [0, 600, 1200]
    assert activity.distance_m == pytest.approx(samples[-1].distance_m)
    assert streams.speed_m_s.tolist() == [s.speed_m_s for s in samples]
    assert streams.cadence_rpm.tolist() == [s.cadence_rpm for s in samples]
    assert streams.heart_rate_bpm.tolist() == [s.heart_rate_bpm for s in samples]
    assert activity.sport == "running"


def test_long_files_are_read_quickly() -> None:
    """An hour at 1 Hz is read well within the import budget (60 ms a file in the benchmark)."""
    gpx, tcx = af.gpx_activity(3600), af.tcx_activity(3600)
    for parse, data in ((parse_gpx, gpx), (parse_tcx, tcx)):
        started = time.perf_counter()
        assert len(parse(data).streams) == 3600
        assert time.perf_counter() - started < 1.0


# --- refused -----------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&lol9;</name><trkseg>
<trkpt lat="45" lon="7"><time>2026-03-01T07:00:00Z</time></trkpt></trkseg></trk></gpx>
"""


def xxe(target: Path, root: str = "gpx") -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY secret SYSTEM "file://{target}">]>\n'
        f'<{root} version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
        "<name>&secret;</name><trkseg><trkpt lat='45' lon='7'>"
        "<time>2026-03-01T07:00:00Z</time></trkpt></trkseg></trk></" + root + ">"
    ).encode()


def test_billion_laughs_is_refused_fast_without_expanding() -> None:
    started = time.perf_counter()
    with pytest.raises(ImportRejected, match="DOCTYPE"):
        parse_gpx(BILLION_LAUGHS)
    with pytest.raises(ImportRejected, match="DOCTYPE"):
        parse_tcx(BILLION_LAUGHS.replace(b"gpx", b"TrainingCenterDatabase"))
    assert time.perf_counter() - started < 1.0


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    with pytest.raises(ImportRejected, match="DOCTYPE") as refused:
        parse_gpx(xxe(secret))
    assert "TOP SECRET" not in str(refused.value)
    external_dtd = b'<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/x.dtd"><gpx/>'
    with pytest.raises(ImportRejected, match="DOCTYPE"):
        parse_gpx(external_dtd)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not well-formed|empty"),
        (b"<gpx><trk>", "not well-formed"),
        (b"\x00\x01garbage", "not well-formed"),
        (b'<kml xmlns="http://www.opengis.net/kml/2.2"/>', "root element is <kml>"),
        (
            b'<gpx xmlns="http://www.topografix.com/GPX/1/1">'
            b'<rte><rtept lat="1" lon="2"/></rte></gpx>',
            "no track points",
        ),
        (
            b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="1" lon="2"/></trkseg></trk></gpx>',
            "no times",
        ),
        (
            b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="1" lon="2">'
            b"<time>yesterday</time></trkpt></trkseg></trk></gpx>",
            "'yesterday' is not an ISO 8601 time",
        ),
    ],
)
def test_bad_gpx_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ImportRejected, match=message):
        parse_gpx(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<TrainingCenterDatabase>", "not well-formed"),
        (b"<gpx/>", "root element is <gpx>"),
        (
            b'<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
            b'TrainingCenterDatabase/v2"><Courses/></TrainingCenterDatabase>',
            "no activity",
        ),
        (
            b'<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
            b'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Lap>'
            b"<TotalTimeSeconds>ten</TotalTimeSeconds><Track><Trackpoint><Time>"
            b"2026-03-01T07:00:00Z</Time></Trackpoint></Track></Lap></Activity></Activities>"
            b"</TrainingCenterDatabase>",
            "'ten' is not a number",
        ),
    ],
)
def test_bad_tcx_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ImportRejected, match=message):
        parse_tcx(data)


def test_a_truncated_real_file_is_refused() -> None:
    data = (DATA / "test.tcx").read_bytes()
    with pytest.raises(ImportRejected, match="not well-formed"):
        parse_tcx(data[: len(data) // 2])


def test_deep_nesting_is_refused() -> None:
    deep = b"<gpx>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</gpx>"
    with pytest.raises(ImportRejected, match="not well-formed"):
        parse_gpx(deep)


def test_the_start_is_the_files_utc_time() -> None:
    """GPX timestamps are UTC: a start on 23:30Z stays on that UTC date."""
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    activity = parse_gpx(af.gpx_activity(60, start=late))
    assert activity.start == late and activity.start.date().day == 1
