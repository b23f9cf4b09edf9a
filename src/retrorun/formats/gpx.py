"""GPX tracks (phones, Strava, Garmin Connect) as an `Activity`.

Read with lxml rather than gpxpy: gpxpy builds a Python object per point and took 0.21 s for a
one-hour track, four times the whole import budget per file. lxml hands each element to a small
reader as it parses (`activity.XmlReader`) and no tree is built, so memory holds only the
points' values however the file is laid out. Totals are computed exactly as gpxpy does (its 2D
length and its per-segment duration), and the tests check them against gpxpy itself.

Heart rate and cadence come from the usual extensions (Garmin's TrackPointExtension `hr`/`cad`,
and the `heartrate`/`cadence` names other apps write), whatever their namespace.
"""

from __future__ import annotations

import numpy as np

from retrorun.formats.activity import (
    MAX_DEPTH,
    MAX_TEXT_PIECES,
    Activity,
    FloatArray,
    ImportRejected,
    IntArray,
    Samples,
    XmlReader,
    checked,
    make_streams,
    read_xml,
    reordered,
    start_of,
    take,
    time_order,
    too_deep,
    track_distance_m,
    usable_positions,
    usable_times,
    utc,
)

# `trk/type` as Garmin Connect, Strava and phone apps write it. Strava's older exports use its
# own unpublished numbers (9 = run, as its GPX files show; 1 ride, 4 hike, 10 walk as commonly
# decoded); anything else is kept as written, in lower case.
SPORTS = {
    "running": "running",
    "run": "running",
    "9": "running",
    "walking": "walking",
    "walk": "walking",
    "10": "walking",
    "hiking": "hiking",
    "hike": "hiking",
    "4": "hiking",
    "cycling": "cycling",
    "biking": "cycling",
    "ride": "cycling",
    "1": "cycling",
}
_NUMBERS = ("lat", "lon", "ele", "speed", "hr", "cad")
_TIME = len(_NUMBERS)  # a point's row: its numbers' texts in `_NUMBERS` order, then its time
_SLOTS = {name: slot for slot, name in enumerate((*_NUMBERS, "time"))}
# A point's own children, by local name, and the extension values inside its <extensions>.
_CHILD_FIELDS = {"ele": "ele", "time": "time", "speed": "speed"}  # GPX 1.0 has <speed>
_EXTENSION_FIELDS = {
    "speed": "speed",
    "hr": "hr",
    "heartrate": "hr",
    "cad": "cad",
    "cadence": "cad",
}
# What an element is to the reader (the first of a tag's kind); the format's own tags only.
_OTHER, _POINT, _SEGMENT, _TRACK, _TYPE, _EXTENSIONS, _FIELD = range(7)
_ROLES = {"trkpt": _POINT, "trkseg": _SEGMENT, "trk": _TRACK, "type": _TYPE}
_TYPE_SLOT = 99  # collecting the track's <type>, not a point's field


def parse_gpx(data: bytes) -> Activity:
    """The track points of all tracks and segments, in file order, as one activity.

    No distance is counted between segments (a device starts a new one after a pause or a
    lost fix), and the duration is the sum of the segments' durations, as gpxpy counts them.
    Points out of time order are put back in order within their segment first.
    """
    reader = _GpxReader()
    read_xml(data, reader)
    points = reader.points
    if len(points) == 0:
        raise ImportRejected("the GPX has no track points (a route or waypoints only?)")
    unix_s = points.unix_s()
    impossible, notes = usable_times(unix_s, "points")
    columns = {name: points.column(name) for name in _NUMBERS}
    segment = reader.segment_of_points()
    if impossible.any():  # skipped whole, from the distance too
        kept = np.flatnonzero(~impossible)
        unix_s, segment = unix_s[kept], segment[kept]
        columns = {name: column[kept] for name, column in columns.items()}
    start = start_of(unix_s, "GPX")
    columns["lat"], columns["lon"], off_globe = usable_positions(columns["lat"], columns["lon"])
    notes += off_globe
    order = time_order(unix_s, segment)
    if order is not None:
        notes.append(reordered(len(unix_s), order.size, "points"))
        unix_s, segment = unix_s[order], segment[order]
        columns = {name: take(column, order) for name, column in columns.items()}
    firsts = np.flatnonzero(np.diff(segment, prepend=segment[0] - 1))
    steps = track_distance_m(columns["lat"], columns["lon"])
    steps[firsts] = 0.0
    keep = np.isfinite(unix_s)  # a point without a time cannot be placed in the streams
    streams = make_streams(
        int(keep.sum()),
        time_s=(unix_s - start)[keep],
        distance_m=np.cumsum(steps)[keep],
        speed_m_s=columns["speed"][keep],
        altitude_m=columns["ele"][keep],
        heart_rate_bpm=columns["hr"][keep],
        cadence_rpm=columns["cad"][keep],
        lat_deg=columns["lat"][keep],
        lon_deg=columns["lon"][keep],
    )
    activity = Activity(
        source_format="gpx",
        sport=reader.sport(),
        start=utc(start),
        duration_s=_duration_s(unix_s, segment),
        distance_m=float(steps.sum()),
        streams=streams,
        notes=tuple(notes),
    )
    return checked(activity, samples_distance_m=None)


class _GpxReader(XmlReader):
    """Collects each track point's position and fields, and where each segment begins.

    A field counts only inside its track point: `ele`, `time` and GPX 1.0's `speed` must be
    its children, and extension values must come inside its `extensions` (at any depth there,
    whatever their namespace). The sport is the first track's first `type`.
    """

    what = "GPX"
    root_name = "gpx"

    def __init__(self) -> None:
        super().__init__()
        self.points = Samples(_NUMBERS, "points", "GPX")
        self.segment_starts: list[int] = []
        self.row: list[str | None] | None = None  # the point being read
        self.point_depth = 0  # the open point's depth
        self.in_extensions = False  # inside the open point's <extensions>
        self.slot = -1  # the field whose text is being collected (-1: none)
        self.slot_depth = 0
        self.text: list[str] = []
        self.tracks = 0
        self.sport_text: str | None = None

    def classify(self, name: str, ours: bool) -> tuple[int, int, int]:
        """(role, slot as a point's child, slot inside its extensions); -1: not a field."""
        if ours and name == "extensions":
            return _EXTENSIONS, -1, -1
        if ours and name in _ROLES:
            return _ROLES[name], -1, -1
        child = _SLOTS[_CHILD_FIELDS[name]] if ours and name in _CHILD_FIELDS else -1
        inside = _SLOTS[_EXTENSION_FIELDS[name]] if name in _EXTENSION_FIELDS else -1
        return (_FIELD if max(child, inside) >= 0 else _OTHER), child, inside

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(self.what)
        role, child, inside = self.kinds.get(tag) or self.kind(tag)
        if role == _POINT:
            self.row = [attrib.get("lat"), attrib.get("lon"), None, None, None, None, None]
            self.point_depth, self.in_extensions, self.slot = self.depth, False, -1
        elif self.row is not None:
            if self.slot < 0:
                self._in_point(role, child, inside)
        elif role == _SEGMENT:
            if not self.segment_starts or self.segment_starts[-1] != len(self.points):
                self.segment_starts.append(len(self.points))  # (an empty one starts nothing)
        elif role == _TRACK and self.depth == 2:
            self.tracks += 1
        elif role == _TYPE and self.depth == 3 and self.tracks == 1 and self.sport_text is None:
            self.slot, self.slot_depth = _TYPE_SLOT, self.depth

    def _in_point(self, role: int, child: int, inside: int) -> None:
        if self.depth == self.point_depth + 1:
            if role == _EXTENSIONS:
                self.in_extensions = True
            elif child >= 0:
                self.slot, self.slot_depth = child, self.depth
        elif self.in_extensions and inside >= 0:
            self.slot, self.slot_depth = inside, self.depth

    def data(self, text: str) -> None:
        if self.slot >= 0 and self.depth == self.slot_depth and len(self.text) < MAX_TEXT_PIECES:
            self.text.append(text)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.slot >= 0:
            if depth == self.slot_depth:
                self._field_read()
        elif self.row is not None:
            if depth == self.point_depth:
                self.points.add(self.row)
                self.row = None
            elif depth == self.point_depth + 1:
                self.in_extensions = False

    def _field_read(self) -> None:
        text = "".join(self.text)
        self.text.clear()
        if self.slot == _TYPE_SLOT:
            self.sport_text = text
        elif self.row is not None:
            self.row[self.slot] = text
        self.slot = -1

    def sport(self) -> str | None:
        kind = (self.sport_text or "").strip().lower()
        return SPORTS.get(kind, kind) if kind else None

    def segment_of_points(self) -> IntArray:
        """Each point's segment number (points before any <trkseg> are segment 0)."""
        count = len(self.points)
        marks = np.zeros(count, dtype=np.int64)
        starts = [start for start in self.segment_starts if start < count]  # not empty ones
        np.add.at(marks, starts, 1)
        return np.cumsum(marks)


def _duration_s(unix_s: FloatArray, segment: IntArray) -> float:
    """Sum over segments of last time − first time (gpxpy's `get_duration`)."""
    known = np.isfinite(unix_s)
    times, segments = unix_s[known], segment[known]
    if times.size == 0:
        return 0.0
    ends = np.flatnonzero(np.diff(segments))
    firsts = np.concatenate([[0], ends + 1])
    lasts = np.concatenate([ends, [times.size - 1]])
    spans = times[lasts] - times[firsts]
    return float(spans[spans > 0].sum())
