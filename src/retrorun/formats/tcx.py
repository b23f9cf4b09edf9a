"""TCX activities (Garmin Training Center, Garmin Connect and Strava exports) as an `Activity`.

Read with lxml as each element is parsed, like GPX, for the same reasons (tcxreader builds an
object per point; a whole tree costs many times a file of short elements). The totals are the
file's own: the sum of its laps' `TotalTimeSeconds` and `DistanceMeters`, which is what the
device counted; the tests compare them with tcxreader.
"""

from __future__ import annotations

import numpy as np

from retrorun.core import limits
from retrorun.formats.activity import (
    MAX_DEPTH,
    MAX_TEXT_PIECES,
    Activity,
    FloatArray,
    ImportRejected,
    Lap,
    Samples,
    XmlReader,
    checked,
    make_streams,
    plausible_metres,
    plausible_seconds,
    read_xml,
    reordered,
    take,
    time_order,
    too_deep,
    track_distance_m,
    unix_seconds,
    usable_positions,
    usable_times,
    utc,
)

SPORTS = {"running": "running", "biking": "cycling", "other": "generic"}
_NUMBERS = ("lat", "lon", "ele", "distance", "hr", "cad", "speed")
_SLOTS = {name: slot for slot, name in enumerate((*_NUMBERS, "time"))}  # a trackpoint's row
# Trackpoint fields by local name; `Value` inside a trackpoint only ever belongs to HeartRateBpm.
# RunCadence and Speed come from the ActivityExtension (TPX), in any namespace.
_FIELDS = {
    "Time": "time",
    "LatitudeDegrees": "lat",
    "LongitudeDegrees": "lon",
    "AltitudeMeters": "ele",
    "DistanceMeters": "distance",
    "Value": "hr",
    "Cadence": "cad",
    "RunCadence": "cad",  # strides per minute like FIT cadence
    "Speed": "speed",  # m/s
}
_ANY_NAMESPACE = frozenset({"RunCadence", "Speed"})
_LAP_TOTALS = {"TotalTimeSeconds": 0, "DistanceMeters": 1, "Calories": 2}  # a lap's row
_LAP_START = 3
# What an element is to the reader (the first of a tag's kind).
_OTHER, _ACTIVITIES, _ACTIVITY, _LAP, _TRACKPOINT, _FIELD = range(6)
_ROLES = {"Activities": _ACTIVITIES, "Activity": _ACTIVITY, "Lap": _LAP, "Trackpoint": _TRACKPOINT}


def parse_tcx(data: bytes) -> Activity:
    """The laps and trackpoints of the file's activities, in file order, as one activity."""
    reader = _TcxReader()
    read_xml(data, reader)
    if not reader.activities:
        raise ImportRejected("the TCX has no activity (a course or a workout file?)")
    points = reader.points
    unix_s = points.unix_s()
    impossible, notes = usable_times(unix_s, "trackpoints")
    lap_starts = unix_seconds([lap[_LAP_START] for lap in reader.laps], "TCX lap")
    notes += usable_times(lap_starts, "laps")[1]  # such a lap starts with the activity
    known = np.concatenate([unix_s[np.isfinite(unix_s)], lap_starts[np.isfinite(lap_starts)]])
    if not known.size:
        raise ImportRejected("the TCX has no times: a course, not a recorded activity")
    start = float(known.min())
    columns = {name: points.column(name) for name in _NUMBERS}
    if impossible.any():  # skipped whole
        kept = np.flatnonzero(~impossible)
        unix_s = unix_s[kept]
        columns = {name: column[kept] for name, column in columns.items()}
    columns["lat"], columns["lon"], off_globe = usable_positions(columns["lat"], columns["lon"])
    notes += off_globe
    order = time_order(unix_s, np.zeros(unix_s.size, np.int64))
    if order is not None:
        notes.append(reordered(unix_s.size, order.size, "trackpoints"))
        unix_s = unix_s[order]
        columns = {name: take(column, order) for name, column in columns.items()}
    keep = np.isfinite(unix_s)
    distance_m = columns["distance"]
    if np.isnan(distance_m).all() and np.isfinite(columns["lat"]).any():  # from positions
        distance_m = np.cumsum(track_distance_m(columns["lat"], columns["lon"]))
    streams = make_streams(
        int(keep.sum()),
        time_s=(unix_s - start)[keep],
        distance_m=distance_m[keep],
        speed_m_s=columns["speed"][keep],
        altitude_m=columns["ele"][keep],
        heart_rate_bpm=columns["hr"][keep],
        cadence_rpm=columns["cad"][keep],
        lat_deg=columns["lat"][keep],
        lon_deg=columns["lon"][keep],
    )
    laps = _laps(reader.laps, lap_starts - start)
    elapsed = float(unix_s[keep].max() - unix_s[keep].min()) if keep.any() else 0.0
    activity = Activity(
        source_format="tcx",
        sport=reader.sport(),
        start=utc(start),
        duration_s=sum(lap.duration_s for lap in laps) if laps else elapsed,
        distance_m=_total_distance_m(laps, distance_m),
        streams=streams,
        laps=tuple(laps),
        device_kcal=_calories(reader.laps),
        notes=tuple(notes),
    )
    return checked(activity, samples_distance_m=_last(distance_m))


class _TcxReader(XmlReader):
    """Collects the laps of `Activities/Activity` and the trackpoints inside them.

    A field counts only inside its trackpoint (at any depth there); a lap's totals are its own
    first `TotalTimeSeconds`, `DistanceMeters` and `Calories` children, and its `StartTime`.
    The sport is the first activity's `Sport`.
    """

    what = "TCX"
    root_name = "TrainingCenterDatabase"

    def __init__(self) -> None:
        super().__init__()
        self.points = Samples(_NUMBERS, "trackpoints", "TCX")
        self.laps: list[list[str | None]] = []  # [seconds, metres, kcal, start] texts
        self.activities = 0
        self.first_sport: str | None = None
        self.in_activities = False  # inside the root's <Activities>
        self.in_activity = False  # inside one of its <Activity>
        self.lap: list[str | None] | None = None
        self.row: list[str | None] | None = None  # the trackpoint being read
        self.point_depth = 0
        self.slot = -1  # the field whose text is being collected (-1: none)
        self.slot_depth = 0
        self.text: list[str] = []

    def classify(self, name: str, ours: bool) -> tuple[int, int, int]:
        """(role, slot in a trackpoint's row, slot in a lap's row); -1: not one."""
        if ours and name in _ROLES:
            return _ROLES[name], -1, -1
        field = (
            _SLOTS[_FIELDS[name]] if name in _FIELDS and (ours or name in _ANY_NAMESPACE) else -1
        )
        total = _LAP_TOTALS.get(name, -1) if ours else -1
        return (_FIELD if max(field, total) >= 0 else _OTHER), field, total

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(self.what)
        if self.slot >= 0:
            return  # a field has no fields inside
        role, field, total = self.kinds.get(tag) or self.kind(tag)
        if self.row is not None:
            if field >= 0:
                self.slot, self.slot_depth = field, self.depth
        elif role == _TRACKPOINT and self.lap is not None:
            self.row = [None] * (len(_NUMBERS) + 1)
            self.point_depth = self.depth
        elif total >= 0 and self.lap is not None and self.depth == 5:
            self.slot, self.slot_depth = total, self.depth
        elif role == _LAP and self.in_activity and self.depth == 4:
            self._start_lap(attrib)
        elif role == _ACTIVITY and self.in_activities and self.depth == 3:
            self.in_activity = True
            self.activities += 1
            if self.activities == 1:
                self.first_sport = attrib.get("Sport")
        elif role == _ACTIVITIES and self.depth == 2:
            self.in_activities = True

    def _start_lap(self, attrib: dict[str, str]) -> None:
        if len(self.laps) >= limits.MAX_LAPS:
            raise ImportRejected(
                f"more than {limits.MAX_LAPS:,} laps: more than any device records in one "
                "activity; refused"
            )
        self.lap = [None, None, None, attrib.get("StartTime")]
        self.laps.append(self.lap)

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
        elif depth == 4:
            self.lap = None
        elif depth == 3:
            self.in_activity = False
        elif depth == 2:
            self.in_activities = False

    def _field_read(self) -> None:
        text = "".join(self.text)
        self.text.clear()
        if self.row is not None:
            self.row[self.slot] = text  # the last one counts, as in the file's order
        elif self.lap is not None and self.lap[self.slot] is None:
            self.lap[self.slot] = text  # a lap's first such child counts
        self.slot = -1

    def sport(self) -> str | None:
        sport = (self.first_sport or "").strip().lower()
        return SPORTS.get(sport, sport) or None


def _laps(laps: list[list[str | None]], starts_s: FloatArray) -> list[Lap]:
    """The laps with the totals a device could have measured (impossible ones: unknown)."""
    return [
        Lap(
            start_s=float(start) if np.isfinite(start) else 0.0,
            duration_s=plausible_seconds(_float(lap[_LAP_TOTALS["TotalTimeSeconds"]])) or 0.0,
            distance_m=plausible_metres(_float(lap[_LAP_TOTALS["DistanceMeters"]])),
        )
        for lap, start in zip(laps, starts_s.tolist(), strict=True)
    ]


def _total_distance_m(laps: list[Lap], distance_m: FloatArray) -> float | None:
    lap_distances = [lap.distance_m for lap in laps if lap.distance_m is not None]
    if lap_distances:
        return float(sum(lap_distances))
    return _last(distance_m)


def _last(distance_m: FloatArray) -> float | None:
    finite = distance_m[np.isfinite(distance_m)]
    return float(finite.max()) if finite.size else None


def _calories(laps: list[list[str | None]]) -> float | None:
    values = [_float(lap[_LAP_TOTALS["Calories"]]) for lap in laps]
    known = [value for value in values if value is not None]
    return float(sum(known)) if known else None


def _float(text: str | None) -> float | None:
    """A lap value; empty is unknown (`<DistanceMeters></DistanceMeters>`), text refuses."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ImportRejected(f"TCX lap value {text.strip()[:40]!r} is not a number") from None
    return value if np.isfinite(value) else None
