"""The one value every activity file becomes: what was done, as arrays, with laps and totals.

FIT, GPX and TCX each have an importer (`from_fit` here, `gpx.parse_gpx`, `tcx.parse_tcx`) that
turns a file into an `Activity`; the importer stores only this, so nothing after it needs to
know which format a run came from. The XML helpers the GPX and TCX importers share live here
too: one place decides how hostile XML is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from lxml import etree

from retrorun.errors import InvalidInput
from retrorun.formats.fit import FitActivity

FloatArray = npt.NDArray[np.float64]

# gpxpy's Earth (WGS84 semi-major axis) and its flat-earth step below 0.2°, so our GPX totals
# are the ones gpxpy computes: one degree of latitude = 2π·6378.137 km / 360 = 111.319 km.
EARTH_RADIUS_M = 6_378_137.0
M_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_M / 360
HAVERSINE_FROM_DEG = 0.2  # gpxpy: points further apart than 0.2° use the haversine formula


class ImportRejected(InvalidInput):
    """A file that is not a whole, readable activity; the message names the file and why."""


@dataclass(frozen=True, eq=False)
class Streams:
    """Per-sample columns: element i of every array is the same moment. NaN = not recorded.

    `cadence_rpm` is cycles per minute as watches record it: for running and walking a cycle
    is a stride of both feet, so steps per minute are twice this.
    """

    time_s: FloatArray  # seconds from the activity's start
    distance_m: FloatArray  # cumulative
    speed_m_s: FloatArray
    altitude_m: FloatArray
    heart_rate_bpm: FloatArray
    cadence_rpm: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray

    def __len__(self) -> int:
        return int(self.time_s.size)


STREAM_NAMES: tuple[str, ...] = tuple(field.name for field in fields(Streams))


@dataclass(frozen=True)
class Lap:
    """One lap: when it began (seconds from the activity's start), how long and how far.

    `workout_step_index` is the watch workout step the lap was run for (FIT `wkt_step_index`),
    which is how a run recorded from a retrorun watch workout knows its backward laps.
    """

    start_s: float
    duration_s: float
    distance_m: float | None
    workout_step_index: int | None = None


@dataclass(frozen=True, eq=False)
class Activity:
    """A recorded activity, whatever file it came from. Times are UTC."""

    source_format: str  # "fit", "gpx" or "tcx"
    sport: str | None  # FIT sport names: "running", "walking", "cycling", ...
    start: datetime
    duration_s: float  # the device's timer (moving) time; elapsed time when it has none
    distance_m: float | None
    streams: Streams
    laps: tuple[Lap, ...] = ()
    sub_sport: str | None = None
    device_kcal: float | None = None  # what the device itself estimated, kept for comparison

    @property
    def elapsed_s(self) -> float:
        """From the first to the last sample, pauses included."""
        times = self.streams.time_s[np.isfinite(self.streams.time_s)]
        return float(times.max() - times.min()) if times.size else 0.0


def make_streams(n: int, **columns: FloatArray) -> Streams:
    """Streams of `n` samples; any column not given is all NaN."""
    unknown = set(columns) - set(STREAM_NAMES)
    if unknown:
        raise ValueError(f"unknown stream columns: {sorted(unknown)}")
    values = {name: columns.get(name, np.full(n, np.nan)) for name in STREAM_NAMES}
    for name, column in values.items():
        if column.shape != (n,):
            raise ValueError(f"stream {name} has shape {column.shape}, expected ({n},)")
    return Streams(**{name: np.asarray(column, np.float64) for name, column in values.items()})


# --- FIT --------------------------------------------------------------------------------------


def from_fit(fit: FitActivity) -> Activity:
    """The retrorun value of a decoded FIT activity (see `formats.fit.decode_fit`)."""
    if fit.file_type not in (None, "activity"):
        raise ImportRejected(f"a FIT {fit.file_type} file, not a recorded activity")
    if fit.start is None:
        raise ImportRejected("the FIT file has no start time: no session, record or file date")
    start_ts = fit.start.timestamp()
    records = fit.records
    streams = make_streams(
        len(records),
        time_s=records.timestamp_s - start_ts,
        distance_m=records.distance_m,
        speed_m_s=records.speed_m_s,
        altitude_m=records.altitude_m,
        heart_rate_bpm=records.heart_rate_bpm,
        cadence_rpm=records.cadence_rpm,
        lat_deg=records.lat_deg,
        lon_deg=records.lon_deg,
    )
    laps = tuple(
        Lap(
            start_s=(lap.start_time.timestamp() - start_ts) if lap.start_time else 0.0,
            duration_s=_first_number(lap.total_timer_time_s, lap.total_elapsed_time_s, 0.0),
            distance_m=lap.total_distance_m,
            workout_step_index=lap.wkt_step_index,
        )
        for lap in fit.laps
    )
    calories = [s.total_calories_kcal for s in fit.sessions if s.total_calories_kcal is not None]
    return Activity(
        source_format="fit",
        sport=fit.sport,
        sub_sport=fit.sub_sport,
        start=fit.start,
        duration_s=fit.duration_s or 0.0,
        distance_m=fit.distance_m,
        streams=streams,
        laps=laps,
        device_kcal=float(sum(calories)) if calories else None,
    )


def _first_number(*values: float | None) -> float:
    return next(float(v) for v in values if v is not None)


# --- shared by the XML formats ----------------------------------------------------------------


def parse_xml(data: bytes, what: str) -> etree._Element:
    """Parse GPX or TCX bytes, refusing what only an attack needs.

    Neither format uses a document type declaration, and a DTD is what carries entity
    expansion ("billion laughs") and external entities (XXE, reading local files or URLs). So
    the parser never expands or fetches entities, never touches the network, keeps libxml2's
    limits on depth and text size, and any file with a DOCTYPE is refused outright.
    """
    if _PROLOG_DOCTYPE.match(_prolog(data)):
        raise ImportRejected(_DOCTYPE_REFUSED.format(what=what))
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ImportRejected(f"not well-formed {what} XML: {error}") from None
    if root is None:
        raise ImportRejected(f"not a {what} file: it is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # one hidden past the first 64 KiB
        raise ImportRejected(_DOCTYPE_REFUSED.format(what=what))
    return root


_DOCTYPE_REFUSED = (
    "{what} with a DOCTYPE (entity declarations) is refused: {what} never needs one, and it is "
    "how entity-expansion (billion laughs) and external-entity (XXE) attacks work"
)
# A DOCTYPE can only come after the XML declaration, processing instructions and comments.
_PROLOG_DOCTYPE = re.compile(rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<!DOCTYPE", re.DOTALL)


def _prolog(data: bytes) -> bytes:
    """The start of the file as ASCII-compatible bytes (UTF-16 loses its zero bytes)."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].replace(b"\x00", b"")
    return head.removeprefix(b"\xef\xbb\xbf")


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def qualifier(root: etree._Element) -> Callable[[str], str]:
    """Turns a tag name into the root's namespace ('trkpt' → '{http://…/GPX/1/1}trkpt')."""
    namespace = etree.QName(root).namespace
    prefix = f"{{{namespace}}}" if namespace else ""
    return lambda name: prefix + name


def numbers(texts: list[str | None]) -> FloatArray:
    """Text values as floats; missing or unreadable ones are NaN."""
    try:
        return np.array([np.nan if t is None else t for t in texts], dtype=np.float64)
    except ValueError:
        return np.array([_number(t) for t in texts], dtype=np.float64)


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        return math.nan


def unix_seconds(texts: list[str | None], what: str) -> FloatArray:
    """ISO 8601 times ('2026-03-01T07:00:00Z', offsets allowed) as Unix seconds; NaN if missing.

    The common all-UTC 'Z' case is parsed by NumPy in one go; anything else one by one.
    """
    present = [t.strip() for t in texts if t is not None]
    if len(present) == len(texts) and all(t.endswith(("Z", "z")) for t in present):
        try:
            stamps = np.array([t[:-1] for t in present], dtype="datetime64[ms]")
            return stamps.astype(np.int64) / 1000.0
        except ValueError:
            pass  # an odd format: the careful way below names the bad value
    return np.array([_unix_seconds(t, what) for t in texts], dtype=np.float64)


def _unix_seconds(text: str | None, what: str) -> float:
    if text is None:
        return math.nan
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise ImportRejected(f"{what} time {text.strip()[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:  # GPX and TCX times are UTC; a time without offset means UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def track_distance_m(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Distance between consecutive points, computed as gpxpy does (2D, no elevation).

    A flat-earth step scaled by the cosine of the later point's latitude, and the haversine
    formula where the points are more than 0.2° apart. The first element is 0; a step to or from
    a point without a position is 0.
    """
    if lat_deg.size < 2:
        return np.zeros(lat_deg.size)
    lat1, lat2 = lat_deg[1:], lat_deg[:-1]  # gpxpy measures from each point back to the last
    lon1, lon2 = lon_deg[1:], lon_deg[:-1]
    d_lat = lat1 - lat2
    d_lon = (lon1 - lon2) * np.cos(np.radians(lat1))
    step = np.hypot(d_lat, d_lon) * M_PER_DEGREE
    far = (np.abs(lat1 - lat2) > HAVERSINE_FROM_DEG) | (np.abs(lon1 - lon2) > HAVERSINE_FROM_DEG)
    if far.any():
        step[far] = _haversine_m(lat1[far], lon1[far], lat2[far], lon2[far])
    return np.concatenate([[0.0], np.nan_to_num(step, nan=0.0)])


def _haversine_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    d_phi, d_lambda = phi1 - phi2, np.radians(lon1 - lon2)
    a = np.sin(d_phi / 2) ** 2 + np.sin(d_lambda / 2) ** 2 * np.cos(phi1) * np.cos(phi2)
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)), dtype=np.float64)


def start_of(unix_s: FloatArray, what: str) -> float:
    """The first recorded time; a file without any is a planned route, not a recorded activity."""
    known = unix_s[np.isfinite(unix_s)]
    if not known.size:
        raise ImportRejected(
            f"the {what} has no times: a planned route or course, not a recorded activity"
        )
    return float(known.min())


def utc(unix_s: float) -> datetime:
    return datetime.fromtimestamp(unix_s, tz=UTC)
