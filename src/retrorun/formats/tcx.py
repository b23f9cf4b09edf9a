"""TCX activities (Garmin Training Center, Garmin Connect and Strava exports) as an `Activity`.

Parsed with lxml, like GPX, for the same reason (tcxreader builds an object per point). The
totals are the file's own: the sum of its laps' `TotalTimeSeconds` and `DistanceMeters`, which
is what the device counted; the tests compare them with tcxreader.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from lxml import etree

from retrorun.formats.activity import (
    Activity,
    FloatArray,
    ImportRejected,
    Lap,
    local_name,
    make_streams,
    numbers,
    parse_xml,
    qualifier,
    track_distance_m,
    unix_seconds,
    utc,
)

SPORTS = {"running": "running", "biking": "cycling", "other": "generic"}
# Trackpoint fields by tag; `Value` inside a trackpoint only ever belongs to HeartRateBpm.
_SLOTS = {
    "Time": 0,
    "LatitudeDegrees": 1,
    "LongitudeDegrees": 2,
    "AltitudeMeters": 3,
    "DistanceMeters": 4,
    "Value": 5,
    "Cadence": 6,
    "RunCadence": 6,  # ActivityExtension TPX, strides per minute like FIT cadence
    "Speed": 7,  # ActivityExtension TPX, m/s
}
_NAMES = ("time", "lat", "lon", "ele", "distance", "hr", "cad", "speed")


def parse_tcx(data: bytes) -> Activity:
    """The laps and trackpoints of the file's activities, in file order, as one activity."""
    root = parse_xml(data, "TCX")
    if local_name(root) != "TrainingCenterDatabase":
        raise ImportRejected(f"not a TCX file: the root element is <{local_name(root)}>")
    q = qualifier(root)
    activities = root.findall(f"{q('Activities')}/{q('Activity')}")
    if not activities:
        raise ImportRejected("the TCX has no activity (a course or a workout file?)")
    laps = [lap for activity in activities for lap in activity.iterchildren(q("Lap"))]
    columns = _read_trackpoints(laps, q)
    unix_s = unix_seconds(columns["time"], "TCX")
    lap_starts = unix_seconds([lap.get("StartTime") for lap in laps], "TCX lap")
    known = np.concatenate([unix_s[np.isfinite(unix_s)], lap_starts[np.isfinite(lap_starts)]])
    if not known.size:
        raise ImportRejected("the TCX has no times: a course, not a recorded activity")
    start = float(known.min())
    keep = np.isfinite(unix_s)
    lat, lon = numbers(columns["lat"]), numbers(columns["lon"])
    distance_m = numbers(columns["distance"])
    if np.isnan(distance_m).all() and np.isfinite(lat).any():  # no distances: from positions
        distance_m = np.cumsum(track_distance_m(lat, lon))
    streams = make_streams(
        int(keep.sum()),
        time_s=(unix_s - start)[keep],
        distance_m=distance_m[keep],
        speed_m_s=numbers(columns["speed"])[keep],
        altitude_m=numbers(columns["ele"])[keep],
        heart_rate_bpm=numbers(columns["hr"])[keep],
        cadence_rpm=numbers(columns["cad"])[keep],
        lat_deg=lat[keep],
        lon_deg=lon[keep],
    )
    lap_values = _laps(laps, lap_starts - start, q)
    elapsed = float(unix_s[keep].max() - unix_s[keep].min()) if keep.any() else 0.0
    duration = sum(lap.duration_s for lap in lap_values) if lap_values else elapsed
    return Activity(
        source_format="tcx",
        sport=_sport(activities[0]),
        start=utc(start),
        duration_s=duration,
        distance_m=_total_distance_m(lap_values, distance_m),
        streams=streams,
        laps=tuple(lap_values),
        device_kcal=_calories(laps, q),
    )


def _read_trackpoints(
    laps: list[etree._Element], q: Callable[[str], str]
) -> dict[str, list[str | None]]:
    """The text of each trackpoint's fields, one pass over each lap's elements."""
    point_tag = q("Trackpoint")
    slots = {q(name): slot for name, slot in _SLOTS.items()}
    slots.update({f"{{*}}{name}": _SLOTS[name] for name in ("RunCadence", "Speed")})
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    for lap in laps:
        inside = False
        for element in lap.iter(point_tag, *slots):
            tag: str = element.tag  # type: ignore[assignment]  # always str for elements
            if tag == point_tag:
                row = [None] * len(_NAMES)
                rows.append(row)
                inside = True
            elif inside:  # a lap's own totals come before its track, so never land here
                slot = slots.get(tag)
                if slot is None:
                    slot = _SLOTS[tag[tag.rfind("}") + 1 :]]
                row[slot] = element.text
    if not rows:
        return {name: [] for name in _NAMES}
    columns = zip(_NAMES, zip(*rows, strict=True), strict=True)
    return {name: list(column) for name, column in columns}


def _laps(laps: list[etree._Element], starts_s: FloatArray, q: Callable[[str], str]) -> list[Lap]:
    return [
        Lap(
            start_s=float(start) if np.isfinite(start) else 0.0,
            duration_s=_float(lap.findtext(q("TotalTimeSeconds"))) or 0.0,
            distance_m=_float(lap.findtext(q("DistanceMeters"))),
        )
        for lap, start in zip(laps, starts_s.tolist(), strict=True)
    ]


def _total_distance_m(laps: list[Lap], distance_m: FloatArray) -> float | None:
    lap_distances = [lap.distance_m for lap in laps if lap.distance_m is not None]
    if lap_distances:
        return float(sum(lap_distances))
    finite = distance_m[np.isfinite(distance_m)]
    return float(finite.max()) if finite.size else None


def _calories(laps: list[etree._Element], q: Callable[[str], str]) -> float | None:
    values = [_float(lap.findtext(q("Calories"))) for lap in laps]
    known = [value for value in values if value is not None]
    return float(sum(known)) if known else None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ImportRejected(f"TCX lap value {text.strip()[:40]!r} is not a number") from None
    return value if np.isfinite(value) else None


def _sport(activity: etree._Element) -> str | None:
    sport = (activity.get("Sport") or "").strip().lower()
    return SPORTS.get(sport, sport) or None
