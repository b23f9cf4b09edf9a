"""GPX and TCX activities written as plain templated XML, for the import tests and benchmark.

The values come from `fit_factory.run_samples`, the same source the FIT files use, so a GPX, a
TCX and a FIT file of one run can be compared with each other.
"""

from __future__ import annotations

from datetime import datetime

import fit_factory as ff

GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="retrorun test" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
    "<metadata><time>{start}</time></metadata>\n<trk><name>{name}</name><type>{sport}</type>\n"
)
GPX_POINT = (
    '<trkpt lat="{lat:.7f}" lon="{lon:.7f}"><ele>{ele:.1f}</ele><time>{time}</time>'
    "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
    "<gpxtpx:cad>{cad}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
)
TCX_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
    '<Activities><Activity Sport="{sport}"><Id>{start}</Id>\n'
)
TCX_LAP = (
    '<Lap StartTime="{start}"><TotalTimeSeconds>{seconds:.1f}</TotalTimeSeconds>'
    "<DistanceMeters>{distance:.2f}</DistanceMeters><Calories>{kcal}</Calories>"
    "<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n"
)
TCX_POINT = (
    "<Trackpoint><Time>{time}</Time><Position><LatitudeDegrees>{lat:.7f}</LatitudeDegrees>"
    "<LongitudeDegrees>{lon:.7f}</LongitudeDegrees></Position>"
    "<AltitudeMeters>{ele:.1f}</AltitudeMeters><DistanceMeters>{distance:.2f}</DistanceMeters>"
    "<HeartRateBpm><Value>{hr}</Value></HeartRateBpm><Extensions><ns3:TPX>"
    "<ns3:Speed>{speed:.3f}</ns3:Speed><ns3:RunCadence>{cad}</ns3:RunCadence></ns3:TPX>"
    "</Extensions></Trackpoint>\n"
)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx_activity(
    n_points: int = 3600, start: datetime = ff.START, sport: str = "running", segments: int = 1
) -> bytes:
    """A 1 Hz GPX track with elevation, heart rate and cadence (Garmin's extension)."""
    samples = ff.run_samples(n_points, start)
    parts = [GPX_HEAD.format(start=_iso(start), name="retro run", sport=sport)]
    cut = max(1, len(samples) // segments)
    for index, sample in enumerate(samples):
        if index % cut == 0 and (index // cut) < segments:
            parts.append("</trkseg>\n<trkseg>\n" if index else "<trkseg>\n")
        parts.append(
            GPX_POINT.format(
                lat=sample.lat_deg,
                lon=sample.lon_deg,
                ele=sample.altitude_m,
                time=_iso(sample.time),
                hr=sample.heart_rate_bpm,
                cad=sample.cadence_rpm,
            )
        )
    parts.append("</trkseg>\n</trk>\n</gpx>\n")
    return "".join(parts).encode()


def tcx_activity(
    n_points: int = 3600, start: datetime = ff.START, lap_every_s: int = 600, sport: str = "Running"
) -> bytes:
    """A 1 Hz TCX activity with laps, distance, heart rate, speed and run cadence."""
    samples = ff.run_samples(n_points, start)
    parts = [TCX_HEAD.format(sport=sport, start=_iso(start))]
    for first in range(0, len(samples), lap_every_s):
        lap = samples[first : first + lap_every_s]
        before = samples[first - 1].distance_m if first else 0.0
        parts.append(
            TCX_LAP.format(
                start=_iso(lap[0].time),
                seconds=float(len(lap)),
                distance=lap[-1].distance_m - before,
                kcal=len(lap) // 6,
            )
        )
        parts.extend(
            TCX_POINT.format(
                time=_iso(s.time),
                lat=s.lat_deg,
                lon=s.lon_deg,
                ele=s.altitude_m,
                distance=s.distance_m,
                hr=s.heart_rate_bpm,
                speed=s.speed_m_s,
                cad=s.cadence_rpm,
            )
            for s in lap
        )
        parts.append("</Track></Lap>\n")
    parts.append("</Activity></Activities></TrainingCenterDatabase>\n")
    return "".join(parts).encode()
