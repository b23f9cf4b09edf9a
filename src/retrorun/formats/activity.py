"""The one value every activity file becomes: what was done, as arrays, with laps and totals.

FIT, GPX and TCX each have an importer (`from_fit` here, `gpx.parse_gpx`, `tcx.parse_tcx`) that
turns a file into an `Activity`; the importer stores only this, so nothing after it needs to
know which format a run came from. The XML helpers the GPX and TCX importers share live here
too: one place decides how hostile XML is refused.

So do the plausibility rules every importer applies before an `Activity` leaves it: impossible
positions and times are dropped, samples out of time order are put back in order, and a total
no device could have measured (negative, non-finite, longer than a week, faster than anything
moves) gives way to what the samples say, or leaves the value unknown. What was repaired or
skipped is said in `Activity.notes`; a file with nothing usable left is refused with the reason.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt
from lxml import etree

from retrorun.core import limits
from retrorun.errors import InvalidInput
from retrorun.formats.fit import FitActivity, FitLap

if TYPE_CHECKING:
    from lxml.etree import ParserTarget

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

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
    notes: tuple[str, ...] = ()  # what was repaired or skipped while reading the file

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
    if len(fit.laps) > limits.MAX_LAPS:
        raise ImportRejected(_too_many(len(fit.laps), limits.MAX_LAPS, "laps"))
    records = fit.records
    unix_s = np.array(records.timestamp_s, dtype=np.float64)  # our own copy, changed in place
    missing = int(np.isnan(unix_s).sum())
    _, notes = usable_times(unix_s, "records")
    time_s = np.subtract(unix_s, fit.start.timestamp(), out=unix_s)
    lat, lon, off_globe = usable_positions(records.lat_deg, records.lon_deg)
    notes += off_globe
    columns = {
        "time_s": time_s,
        "distance_m": records.distance_m,
        "speed_m_s": records.speed_m_s,
        "altitude_m": records.altitude_m,
        "heart_rate_bpm": records.heart_rate_bpm,
        "cadence_rpm": records.cadence_rpm,
        "lat_deg": lat,
        "lon_deg": lon,
    }
    order = time_order(time_s, np.zeros(time_s.size, np.int64))
    if order is not None:
        notes.append(reordered(time_s.size, order.size, "records"))
        columns = {name: take(column, order) for name, column in columns.items()}
    elif not np.isfinite(time_s).all():  # the records skipped above, and any without a time
        keep = np.flatnonzero(np.isfinite(time_s))
        columns = {name: take(column, keep) for name, column in columns.items()}
    if missing:
        notes.append(f"{missing:,} records without a time left out")
    streams = make_streams(len(columns["time_s"]), **columns)
    laps = tuple(_fit_lap(lap, fit.start.timestamp()) for lap in fit.laps)
    calories = [s.total_calories_kcal for s in fit.sessions if s.total_calories_kcal is not None]
    activity = Activity(
        source_format="fit",
        sport=fit.sport,
        sub_sport=fit.sub_sport,
        start=fit.start,
        duration_s=_session_total(fit, "total_timer_time_s", "total_elapsed_time_s"),
        distance_m=_session_total(fit, "total_distance_m"),
        streams=streams,
        laps=laps,
        device_kcal=float(sum(calories)) if calories else None,
        notes=tuple(notes),
    )
    return checked(activity, samples_distance_m=_last_distance(streams.distance_m))


def _fit_lap(lap: FitLap, start_ts: float) -> Lap:
    start_s = (lap.start_time.timestamp() - start_ts) if lap.start_time else 0.0
    seconds = plausible_seconds(lap.total_timer_time_s)
    if seconds is None:
        seconds = plausible_seconds(lap.total_elapsed_time_s)
    return Lap(
        start_s=start_s if abs(start_s) <= limits.LONGEST_ACTIVITY_S else 0.0,
        duration_s=seconds or 0.0,
        distance_m=plausible_metres(lap.total_distance_m),
        workout_step_index=lap.wkt_step_index,
    )


def _session_total(fit: FitActivity, *names: str) -> float:
    """The sessions' total of the first field any session has, as the device counted it;
    NaN when none has one, which `checked` then takes from the records."""
    for name in names:
        values = [getattr(s, name) for s in fit.sessions if getattr(s, name) is not None]
        if values:
            return math.fsum(values)
    return math.nan


def _last_distance(distance_m: FloatArray) -> float | None:
    finite = distance_m[np.isfinite(distance_m)]
    return float(finite.max()) if finite.size else None


# --- shared by the XML formats ----------------------------------------------------------------


class XmlReader:
    """A parser target: lxml calls `start`, `data` and `end` as it reads, and builds no tree.

    A whole tree costs libxml2 well over 100 bytes an element, so a file of short elements
    (`<a/>` is four bytes) took thirty times its size; a reader keeps only what it needs, and
    its memory is what it keeps. A reader refuses a file by raising `ImportRejected`. These
    methods run for every element of a file, so a reader works out what a tag means once
    (`classify`, kept in `kinds`) and keeps the per-element work to a lookup and a compare.
    """

    what = "XML"  # the format, as reasons name it: "GPX"
    root_name = ""  # the root element's local name

    def __init__(self) -> None:
        self.depth = 0  # elements open now; the root is at depth 1
        self.prefix: str | None = None  # the root's namespace as "{uri}": the format's own tags
        self.kinds: dict[str, tuple[int, int, int]] = {}

    def kind(self, tag: str) -> tuple[int, int, int]:
        """What a tag is to this reader, worked out the first time it is seen (the root's
        tag is the first, and is checked)."""
        if self.prefix is None:
            self.prefix = tag[: tag.rfind("}") + 1]
            if local_name(tag) != self.root_name:
                raise ImportRejected(
                    f"not a {self.what} file: the root element is <{local_name(tag)}>"
                )
        if len(self.kinds) == MAX_TAG_NAMES:  # libxml2 keeps every name it meets, for good
            raise ImportRejected(
                f"more than {MAX_TAG_NAMES:,} different element names: not a {self.what} file a "
                "device or app writes; refused"
            )
        kind = self.kinds[tag] = self.classify(local_name(tag), tag.startswith(self.prefix))
        return kind

    def classify(self, name: str, ours: bool) -> tuple[int, int, int]:
        """(role, slot, slot): what the reader does with an element of this local name, in
        the format's namespace (`ours`) or another."""
        raise NotImplementedError

    def doctype(self, name: str | None, public_id: str | None, system_url: str | None) -> None:
        raise ImportRejected(_DOCTYPE_REFUSED.format(what=self.what))

    def close(self) -> None:
        """The end of the document: what was read stays on the reader."""


# libxml2's own limit without XML_PARSE_HUGE, which it does not apply to text fed to a target:
# GPX and TCX nest about 8 deep.
MAX_DEPTH = 256
# Our choice: a field's value is one short text; libxml2 hands text over in pieces of up to a
# few KiB, and more pieces than this are kept no more (a megabyte-long <time> is no time).
MAX_TEXT_PIECES = 8


def too_deep(what: str) -> ImportRejected:
    return ImportRejected(f"not well-formed {what} XML: elements nested over {MAX_DEPTH} deep")


# Our choice: GPX and TCX files use a few dozen element names (11 to 40 in tests/data); a file
# of millions of different ones grew libxml2's name dictionary by 55 bytes a name.
MAX_TAG_NAMES = 1000


def read_xml(data: bytes, reader: XmlReader) -> None:
    """Feed GPX or TCX bytes to a reader, refusing what only an attack needs.

    Neither format uses a document type declaration, and a DTD is what carries entity
    expansion ("billion laughs") and external entities (XXE, reading local files or URLs). So
    the parser never expands or fetches entities, never touches the network, and any file
    with a DOCTYPE is refused outright (also one hidden past the first 64 KiB, which reaches
    the reader's `doctype`). libxml2 does not apply its depth limit to text fed to a reader,
    so the readers do (`MAX_DEPTH`), and keep no more than `MAX_TEXT_PIECES` of a value.
    """
    what = reader.what
    if _PROLOG_DOCTYPE.match(_prolog(data)):
        raise ImportRejected(_DOCTYPE_REFUSED.format(what=what))
    if not data or data.isspace():  # (strip() would copy the whole file)
        raise ImportRejected(f"not a {what} file: it is empty")
    parser = etree.XMLParser(
        target=cast("ParserTarget[None]", reader),  # the methods it leaves out lxml skips
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:  # fed in pieces: a reader's refusal then stops libxml2 too, which `fromstring` does not
        for at in range(0, len(data), _FEED_BYTES):
            parser.feed(data[at : at + _FEED_BYTES])
        parser.close()
    except etree.XMLSyntaxError as error:
        raise ImportRejected(f"not well-formed {what} XML: {error}") from None


_FEED_BYTES = 2**16  # our choice: small next to any file, large enough to cost nothing


def local_name(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


class Samples:
    """Values per sample as a reader finds them, in typed arrays of 8 bytes a value (a float in
    a list costs 32, a time's text about 70).

    The texts of `_CHUNK` samples at most wait to be read as numbers and times, all at once
    (`numbers`, `unix_seconds`: one NumPy call per column rather than one per value), so no
    file's memory holds all its values as text. `add` refuses more than `limits.MAX_SAMPLES`
    samples, so a reader's memory is capped.
    """

    def __init__(self, names: Sequence[str], what: str, format_name: str) -> None:
        self.names = tuple(names)
        self.what = what  # "points", "trackpoints": for the refusal
        self.format_name = format_name  # "GPX", "TCX": for a time that is not one
        self.count = 0
        self.waiting: list[list[str | None]] = []  # rows not read yet
        self.arrays = [array("d") for _ in (*self.names, "time")]  # Unix seconds last

    def __len__(self) -> int:
        return self.count

    def add(self, row: list[str | None]) -> None:
        """One sample: the texts of its numbers, in `names` order, then of its time."""
        if self.count >= limits.MAX_SAMPLES:
            raise ImportRejected(_too_many(self.count + 1, limits.MAX_SAMPLES, self.what))
        self.count += 1
        self.waiting.append(row)
        if len(self.waiting) >= _CHUNK:
            self._read_waiting()

    def _read_waiting(self) -> None:
        if not self.waiting:
            return
        *texts, times = (list(column) for column in zip(*self.waiting, strict=True))
        for values, column in zip(self.arrays, texts, strict=False):
            values.frombytes(numbers(column).tobytes())
        self.arrays[-1].frombytes(unix_seconds(times, self.format_name).tobytes())
        self.waiting = []

    def unix_s(self) -> FloatArray:
        """Every sample's time in Unix seconds (NaN: none), as a NumPy array of our own."""
        self._read_waiting()
        return np.array(self.arrays[-1], dtype=np.float64)

    def column(self, name: str) -> FloatArray:
        """A column as a NumPy array sharing the typed array's memory (read once, at the end)."""
        self._read_waiting()
        return np.frombuffer(self.arrays[self.names.index(name)], dtype=np.float64)


_CHUNK = 2**14  # our choice: a few MiB of texts at most, and still one NumPy call a column


def numbers(texts: list[str | None]) -> FloatArray:
    """Text values as floats; missing or unreadable ones are NaN."""
    try:
        return np.array([math.nan if t is None else t for t in texts], dtype=np.float64)
    except ValueError:
        return np.array([_number(t) for t in texts], dtype=np.float64)


def _too_many(count: int, cap: int, what: str) -> str:
    return f"more than {cap:,} {what}: more than any device records in one activity; refused"


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


def _number(text: str | None) -> float:
    """A text as a number; missing or unreadable: NaN."""
    try:
        return float(text)  # type: ignore[arg-type]  # None is a TypeError, caught: NaN
    except (TypeError, ValueError):
        return math.nan


def unix_seconds(texts: list[str | None], what: str) -> FloatArray:
    """ISO 8601 times ('2026-03-01T07:00:00Z', offsets allowed) as Unix seconds; NaN if missing.

    The common all-UTC 'Z' case is parsed by NumPy in one go; anything else one by one. A time
    in a year Python cannot hold (0, 10000) is read as -inf, for `usable_times` to skip.
    """
    present = [t.strip() for t in texts if t is not None]
    if len(present) == len(texts) and all(t.endswith(("Z", "z")) for t in present):
        bodies = [t[:-1] for t in present]
        if _plain_times("\n".join(bodies)):
            try:
                stamps = np.array(bodies, dtype="datetime64[ms]")
                return stamps.astype(np.int64) / 1000.0
            except (ValueError, OverflowError):
                pass  # an odd format: the careful way below names the bad value
    return np.array([_unix_seconds(t, what) for t in texts], dtype=np.float64)


def _plain_times(joined: str) -> bool:
    """Dates and times of day only, one a line: what NumPy reads as UTC without a warning (on
    anything else, an offset or a stray letter, it warns about zones, then drops them)."""
    return _PLAIN_TIMES.fullmatch(joined) is not None


# Possessive (*+): a plain * keeps a backtracking record per line, 560 bytes a time.
_PLAIN_TIMES = re.compile(r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:\n|\Z))*+")


# An ISO 8601 date whose year datetime cannot hold: year 0, or five digits and more.
_YEAR_OUT_OF_RANGE = re.compile(r"\s*(?:[+-]?0000|[+-]?\d{5,})-\d\d-\d\d")


def _unix_seconds(text: str | None, what: str) -> float:
    if text is None:
        return math.nan
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        if _YEAR_OUT_OF_RANGE.match(text):
            return -math.inf  # a time, but in no year a recording has: `usable_times` skips it
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


# --- plausibility: repair what can be, refuse what cannot --------------------------------------

# our choice (from core.limits): the farthest anyone goes in the longest activity at the fastest
# recorded speed; a lap or total beyond it is a damaged field.
MAX_DISTANCE_M = limits.LONGEST_ACTIVITY_S * limits.MAX_RECORDED_SPEED_M_S
# What a recorded sample can hold: the ranges of FIT's own fields (the format watches record
# natively, whose sensors also fill GPX and TCX files); beyond is damage, read as not recorded.
_SAMPLE_RANGES = {
    "distance_m": (0.0, MAX_DISTANCE_M),
    "speed_m_s": (0.0, limits.MAX_RECORDED_SPEED_M_S),
    "altitude_m": (-500.0, 12_607.0),  # FIT altitude: uint16 / 5 − 500 m; every place on Earth
    "heart_rate_bpm": (0.0, 254.0),  # FIT heart_rate: uint8, 255 being its invalid value
    "cadence_rpm": (0.0, 255.0),  # FIT cadence: uint8 plus fractional_cadence (< 1)
}


def plausible_seconds(value: float | None) -> float | None:
    """A duration a device could have measured (0 to a week), else None."""
    if value is None or not 0 <= value <= limits.LONGEST_ACTIVITY_S:  # NaN fails too
        return None
    return float(value)


def plausible_metres(value: float | None) -> float | None:
    """A distance a device could have measured (0 to `MAX_DISTANCE_M`), else None."""
    if value is None or not 0 <= value <= MAX_DISTANCE_M:
        return None
    return float(value)


def usable_times(unix_s: FloatArray, what: str) -> tuple[BoolArray, list[str]]:
    """The samples whose time no recording can have (made NaN in place), and a note.

    Outside `limits.EARLIEST_RECORDED_UNIX_S`…`LATEST_RECORDED_UNIX_S` a time is a clock never
    set or a damaged field (±inf: a year no calendar here holds); further than half the longest
    activity from the median time, it is a clock that jumped (a GPS week-number rollover puts
    times 19.6 years off), as the rest of the samples then say when the activity really was.
    Such samples are skipped whole; a sample without a time (NaN) is not counted here.
    """
    given = ~np.isnan(unix_s)
    with np.errstate(invalid="ignore"):
        impossible = given & ~(
            (unix_s >= limits.EARLIEST_RECORDED_UNIX_S) & (unix_s <= limits.LATEST_RECORDED_UNIX_S)
        )
    if (given & ~impossible).any():
        median = float(np.median(unix_s[given & ~impossible]))
        with np.errstate(invalid="ignore"):
            impossible |= np.abs(unix_s - median) > limits.LONGEST_ACTIVITY_S / 2
    unix_s[impossible] = np.nan
    skipped = int(impossible.sum())
    return impossible, [f"{skipped:,} {what} at impossible times skipped"] if skipped else []


def usable_positions(
    lat_deg: FloatArray, lon_deg: FloatArray
) -> tuple[FloatArray, FloatArray, list[str]]:
    """The positions with those off the globe (latitude beyond ±90°, longitude beyond ±180°,
    or only one of the two) left out; the columns themselves when all are fine.

    An infinite coordinate is given and off the globe too: one beside a missing other (a
    latitude of a thousand digits, no longitude) must go, or the distance takes its cosine."""
    with np.errstate(invalid="ignore"):
        off = ~((np.abs(lat_deg) <= 90) & (np.abs(lon_deg) <= 180))
    dropped = int((off & ~(np.isnan(lat_deg) & np.isnan(lon_deg))).sum())
    if not dropped:
        return lat_deg, lon_deg, []
    note = f"{dropped:,} {'position' if dropped == 1 else 'positions'} off the globe left out"
    return np.where(off, np.nan, lat_deg), np.where(off, np.nan, lon_deg), [note]


def time_order(unix_s: FloatArray, segment: IntArray) -> IntArray | None:
    """The samples with a time, in time order within each segment, when any is out of order.

    None when the times already run forward (the usual case: nothing is copied). Otherwise
    samples without a time are left out, as they cannot be placed.
    """
    finite = np.isfinite(unix_s)
    times, segments = unix_s[finite], segment[finite]
    backward = (np.diff(times) < 0) & (segments[1:] == segments[:-1])
    if not backward.any():
        return None
    index = np.flatnonzero(finite)
    return index[np.lexsort((times, segments))]


def reordered(samples: int, kept: int, what: str) -> str:
    """The note for samples put back in time order (`time_order`)."""
    note = f"{what} out of time order put back in order"
    return note if kept == samples else f"{note}; {samples - kept:,} without a time left out"


def take(column: FloatArray, index: IntArray) -> FloatArray:
    """`column[index]`, keeping a column of one repeated NaN (no memory) as one."""
    if column.strides == (0,):
        return np.broadcast_to(column[:1], index.shape)
    return column[index]


def plausible_streams(streams: Streams) -> tuple[Streams, list[str]]:
    """Samples outside what a device can record (`_SAMPLE_RANGES`) read as not recorded."""
    columns = {name: getattr(streams, name) for name in STREAM_NAMES}
    notes = []
    for name, (low, high) in _SAMPLE_RANGES.items():
        column = columns[name]
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(column) & ~((column >= low) & (column <= high))
        count = int(bad.sum())
        if count:
            columns[name] = np.where(bad, np.nan, column)
            notes.append(f"{count:,} impossible {name.rsplit('_', 1)[0].replace('_', ' ')} values")
    if not notes:
        return streams, []
    return make_streams(len(streams), **columns), [f"left out: {', '.join(notes)}"]


def checked(activity: Activity, *, samples_distance_m: float | None) -> Activity:
    """The activity with every total a device could have measured, or refused.

    A duration that is impossible (negative, NaN, longer than a week) gives way to the span of
    the samples; with no usable span the file is refused. A distance that is impossible, or
    faster than anything moves over that time, gives way to `samples_distance_m` (what the
    samples add up to), else it is unknown; an impossible energy of the device's is unknown.
    Each reader makes its laps plausible itself (`plausible_seconds`, `plausible_metres`),
    before it adds them up.
    """
    streams, notes = plausible_streams(activity.streams)
    duration_s = plausible_seconds(activity.duration_s)
    elapsed_s = plausible_seconds(_span(streams.time_s))
    if duration_s is None and math.isnan(activity.duration_s):  # the file does not say
        duration_s = elapsed_s or 0.0
    if duration_s is None:
        if elapsed_s is None:
            raise ImportRejected(
                f"the activity's duration ({activity.duration_s:g} s) is impossible and its "
                "samples do not say how long it lasted"
            )
        notes.append(f"the duration ({activity.duration_s:g} s) is impossible: from the samples")
        duration_s = elapsed_s
    distance_m = _plausible_distance(activity.distance_m, max(duration_s, elapsed_s or 0.0))
    if distance_m is None:
        distance_m = _plausible_distance(samples_distance_m, max(duration_s, elapsed_s or 0.0))
        if activity.distance_m is not None and not math.isnan(activity.distance_m):
            notes.append(f"the distance ({activity.distance_m:g} m) is impossible")
    kcal = activity.device_kcal
    if kcal is not None and not 0 <= kcal <= limits.MAX_DEVICE_KCAL:
        notes.append(f"the device's energy ({kcal:g} kcal) is impossible")
        kcal = None
    return replace(
        activity,
        duration_s=duration_s,
        distance_m=distance_m,
        streams=streams,
        device_kcal=kcal,
        notes=(*activity.notes, *notes),
    )


def _plausible_distance(distance_m: float | None, seconds: float) -> float | None:
    """A distance no faster than `limits.MAX_RECORDED_SPEED_M_S` over `seconds`."""
    metres = plausible_metres(distance_m)
    if metres is None or metres > seconds * limits.MAX_RECORDED_SPEED_M_S:
        return None
    return metres


def _span(time_s: FloatArray) -> float | None:
    finite = time_s[np.isfinite(time_s)]
    return float(finite.max() - finite.min()) if finite.size else None
