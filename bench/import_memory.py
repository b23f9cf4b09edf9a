"""Peak memory of importing the worst files the caps allow, each in a fresh process.

    .venv/bin/python bench/import_memory.py [--keep DIR] [--src SRC] [--only NAME …]

The files are built to be as hard on memory as the import's caps let them be (`core.limits`:
604,800 samples, 10,000 laps, 100 sessions; a FIT file 2,419,200 messages; 100 MiB a file),
plus the files issue 13 reported. Each is imported by `Retrorun.import_files` into a fresh
SQLite file in a child process, which reports its own peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`, Python and every library included) and the same
figure just before the import, once everything is imported (the interpreter's baseline).
`--src` runs another checkout's `src` folder (say, the code before a change) on the same files.
Not a test: building the files takes a minute and 350 MB of disk.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "formats"))

import raw_fit as rf  # noqa: E402  (a test helper, found through the path above)

START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
T0 = rf.fit_time(START)
MAX_SAMPLES, MAX_LAPS, MAX_SESSIONS = 604_800, 10_000, 100  # core.limits, kept apart for --src
MAX_MESSAGES = 4 * MAX_SAMPLES  # formats.fit.MAX_MESSAGES
MAX_FILE_BYTES = 100 * 2**20  # formats.archive.MAX_FILE_BYTES

# Every record field the decoder reads (formats.fit._RECORD_FIELDS): 45 bytes a record.
RECORD_FIELDS = [
    (253, rf.UINT32),
    (0, rf.SINT32),
    (1, rf.SINT32),
    (2, rf.UINT16),
    (3, rf.UINT8),
    (4, rf.UINT8),
    (5, rf.UINT32),
    (6, rf.UINT16),
    (7, rf.UINT16),
    (39, rf.UINT16),
    (40, rf.UINT16),
    (41, rf.UINT16),
    (53, rf.UINT8),
    (73, rf.UINT32),
    (78, rf.UINT32),
    (83, rf.UINT16),
    (84, rf.UINT16),
    (85, rf.UINT16),
]


def _iso(seconds: int) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def fit_every_field() -> bytes:
    """The most records, each with every field; the most laps and sessions."""
    body = bytearray(rf.definition(0, rf.FILE_ID, rf.FILE_ID_FIELDS))
    body += rf.data(0, rf.FILE_ID_FIELDS, [4, T0]) + rf.definition(1, rf.RECORD, RECORD_FIELDS)
    pack = struct.Struct("<B" + "".join(rf._CODES[base] for _, base in RECORD_FIELDS)).pack
    lat = round(45.07 * 2**31 / 180)
    for i in range(MAX_SAMPLES):  # 2.5 m a second; the running dynamics of a watch
        position = (lat + i % 500, 91_000_000 + i % 700, 3700, 120 + i % 50, 80, i * 250)
        dynamics = (2500, 200, 700, 3800, 2600, 64, 2500, 3700, 700, 5000, 9000)
        body += pack(1, T0 + i, *position, *dynamics)
    every = MAX_SAMPLES // MAX_LAPS
    body += rf.definition(2, rf.LAP, rf.LAP_FIELDS)
    for k in range(MAX_LAPS):
        lap = [T0 + (k + 1) * every, T0 + k * every, every * 1000, every * 250, k % 3]
        body += rf.data(2, rf.LAP_FIELDS, lap)
    body += rf.definition(3, rf.SESSION, rf.SESSION_FIELDS)
    leg = MAX_SAMPLES // MAX_SESSIONS
    for _ in range(MAX_SESSIONS):
        body += rf.data(3, rf.SESSION_FIELDS, [T0 + MAX_SAMPLES, T0, 1, leg * 1000, leg * 250])
    return rf.fit_file(bytes(body))


def fit_most_messages() -> bytes:
    """The most messages, one byte each: compressed-timestamp records and empty events."""
    stamp = [(253, rf.UINT32)]
    body = bytearray(rf.definition(0, rf.FILE_ID, rf.FILE_ID_FIELDS))
    body += rf.data(0, rf.FILE_ID_FIELDS, [4, T0])
    body += rf.definition(0, rf.RECORD, stamp) + rf.data(0, stamp, [T0])
    body += rf.definition(1, rf.RECORD, []) + rf.definition(2, 21, [])  # 21: event
    moment = T0
    for i in range(MAX_MESSAGES - 10):
        record = i % 4 == 0 and i // 4 < MAX_SAMPLES - 1
        moment += 1 if record else 0
        body.append(0x80 | (1 if record else 2) << 5 | moment & 0x1F)
    return rf.fit_file(bytes(body))


def gpx_most_points() -> bytes:
    """The most points, each with every field, padded to the file cap with empty elements
    (which a tree of the whole file would hold, at over 100 bytes each)."""
    head = '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n'
    tail = "</trkseg></trk></gpx>\n"

    def point(i: int, junk: str = "") -> str:
        return (
            f'<trkpt lat="45.{i % 9973}" lon="7.{i % 9967}"><ele>{i % 9}</ele>'
            f"<time>{_iso(i)}</time><extensions><hr>{120 + i % 50}</hr><cad>{80 + i % 9}</cad>"
            f"<speed>2.{i % 9}</speed>{junk}</extensions></trkpt>\n"
        )

    room = MAX_FILE_BYTES - 4 * 2**20 - len(head) - len(tail) - MAX_SAMPLES * len(point(0))
    junk = "<a/>" * (room // MAX_SAMPLES // 4)
    return (head + "".join(point(i, junk) for i in range(MAX_SAMPLES)) + tail).encode()


def tcx_most_trackpoints() -> bytes:
    """As many trackpoints with every field as fit the file cap, in the most laps."""
    namespace = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    head = f'<TrainingCenterDatabase xmlns="{namespace}"><Activities><Activity Sport="Running">\n'
    tail = "</Activity></Activities></TrainingCenterDatabase>\n"

    def point(i: int) -> str:
        return (
            f"<Trackpoint><Time>{_iso(i)}</Time><Position><LatitudeDegrees>45.{i % 9973}"
            f"</LatitudeDegrees><LongitudeDegrees>7.{i % 9967}</LongitudeDegrees></Position>"
            f"<AltitudeMeters>{i % 9}</AltitudeMeters><DistanceMeters>{i * 2}</DistanceMeters>"
            f"<HeartRateBpm><Value>{120 + i % 50}</Value></HeartRateBpm><Cadence>80</Cadence>"
            "<Speed>2</Speed></Trackpoint>\n"
        )

    room = MAX_FILE_BYTES - 2**20 - len(head) - len(tail) - MAX_LAPS * 160
    every = min(MAX_SAMPLES, room // len(point(100_000))) // MAX_LAPS
    parts = [head]
    for k in range(MAX_LAPS):
        parts.append(
            f'<Lap StartTime="{_iso(k * every)}"><TotalTimeSeconds>{every}</TotalTimeSeconds>'
            f"<DistanceMeters>{every * 2}</DistanceMeters><Calories>1</Calories><Track>\n"
        )
        parts += [point(i) for i in range(k * every, (k + 1) * every)]
        parts.append("</Track></Lap>\n")
    return "".join([*parts, tail]).encode()


def gpx_one_long_attribute() -> bytes:
    """One attribute as long as the file cap allows: read whole before anyone can refuse it
    (libxml2 keeps its limits off for text fed to a reader)."""
    head = b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="'
    tail = b'" lon="1"><time>2026-03-01T07:00:00Z</time></trkpt></trkseg></trk></gpx>'
    return head + b"1" * (MAX_FILE_BYTES - 2**20) + tail


def issue_gpx_440k() -> bytes:
    """Issue 13's GPX: 440,000 points in about 100 MB."""
    head = '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n'
    rows = [
        f'<trkpt lat="{45.07 + i % 500 * 1e-6:.7f}" lon="{7.68 + i % 700 * 1e-6:.7f}">'
        f"<ele>{240 + i % 9}.0</ele><time>{_iso(i)}</time><extensions><hr>{120 + i % 50}</hr>"
        f"<cad>80</cad><note>{'x' * 72}</note></extensions></trkpt>\n"
        for i in range(440_000)
    ]
    return (head + "".join(rows) + "</trkseg></trk></gpx>\n").encode()


def issue_fit_one_byte_records() -> bytes:
    """Issue 13's FIT: 10 MB of records with no fields, one byte each."""
    stamp = [(253, rf.UINT32)]
    body = rf.definition(0, rf.FILE_ID, rf.FILE_ID_FIELDS) + rf.data(0, rf.FILE_ID_FIELDS, [4, T0])
    body += rf.definition(0, rf.RECORD, stamp) + rf.data(0, stamp, [T0])
    body += rf.definition(1, rf.RECORD, [])
    return rf.fit_file(body + b"\x01" * (10_000_000 - len(body)))


def issue_fit_200k_laps() -> bytes:
    """Issue 13's FIT of 200,000 laps."""
    records = [(T0 + i, i * 100, 120) for i in range(600)]
    laps = [[T0 + 1 + i % 600, T0 + i % 600, 1000, 100, 0] for i in range(200_000)]
    return rf.activity(START, records, laps)


FILES: dict[str, Callable[[], bytes]] = {
    "fit-every-field.fit": fit_every_field,
    "fit-most-messages.fit": fit_most_messages,
    "gpx-most-points.gpx": gpx_most_points,
    "tcx-most-trackpoints.tcx": tcx_most_trackpoints,
    "gpx-one-long-attribute.gpx": gpx_one_long_attribute,
    "issue-gpx-440k-points.gpx": issue_gpx_440k,
    "issue-fit-10mb-one-byte-records.fit": issue_fit_one_byte_records,
    "issue-fit-200k-laps.fit": issue_fit_200k_laps,
}

_CHILD = """
import resource, sys
from retrorun.api import Retrorun
api = Retrorun(sys.argv[2])
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
(result,) = api.import_files([sys.argv[1]])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(baseline * 1024, peak * 1024, result.status, (result.reason or "")[:70])
"""


def measure(path: Path, src: Path, folder: Path) -> str:
    database = folder / "memory.db"
    for leftover in folder.glob("memory.db*"):
        leftover.unlink()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(database)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    baseline, peak, status, *reason = done.stdout.strip().split(maxsplit=3)
    size = path.stat().st_size
    above = int(peak) - int(baseline)
    return (
        f"{path.name:38} {size / 2**20:6.1f} MiB  peak {int(peak) / 1e6:6.0f} MB  "
        f"(+{above / 1e6:4.0f} MB = {above / size:5.1f}× the file)  {status} {' '.join(reason)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the files here, or reuse them")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the code to measure")
    parser.add_argument("--only", nargs="*", default=list(FILES), choices=list(FILES))
    parser.add_argument("--build", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:  # in a child: Linux keeps a parent's peak memory in the processes it starts
        name, path = args.build
        Path(path).write_bytes(FILES[name]())
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="retrorun-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in args.only:
        path = folder / name
        if not path.exists():
            subprocess.run([sys.executable, __file__, "--build", name, str(path)], check=True)
        print(measure(path, args.src.resolve(), folder), flush=True)


if __name__ == "__main__":
    main()
