"""Benchmark: import a bulk-export archive of 1,000 one-hour activities into a fresh SQLite file.

    .venv/bin/python bench/import_archive.py [--activities N] [--keep DIR] [--json]

The archive is laid out like a Strava bulk export: `activities/<n>.fit.gz`, `.gpx.gz` and
`.tcx.gz` in turn (a third each), every one a different day's one-hour run at 1 Hz with
position, altitude, heart rate and cadence (FIT: written by garmin-fit-sdk's Encoder with laps
every 10 minutes and the running dynamics a Garmin watch records; GPX and TCX: templated XML,
TCX with laps and speed). Generating it is not measured; `--keep DIR` keeps it for the next run.

The import runs in a fresh child process, through `Retrorun.import_files` (what `retrorun import`
calls), with a profile (so energy is estimated, by heart rate) and a 52-week plan (so activities
are matched to planned sessions, and FIT laps to workout steps). Measured there: wall time of
the import call, and peak memory as the child's own peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`, which includes Python and every imported library).

Target on the 2-core reference machine: under 60 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "formats"))

import activity_factory  # noqa: E402  (test helpers, found through the path above)
import fit_factory  # noqa: E402

TARGET_SECONDS = 60.0
TARGET_MB = 500.0
FIRST_DAY = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)  # a Monday, the plan's first day
FORMATS = ("fit", "gpx", "tcx")


def activity_bytes(index: int) -> tuple[str, bytes]:
    """The index-th activity: its name in the archive and its gzipped bytes."""
    start = FIRST_DAY + timedelta(days=index)
    kind = FORMATS[index % 3]
    if kind == "fit":
        data = fit_factory.sdk_activity(3600, start=start, developer_fields=False)
    elif kind == "gpx":
        data = activity_factory.gpx_activity(3600, start=start)
    else:
        data = activity_factory.tcx_activity(3600, start=start)
    return f"activities/{1_000_000 + index}.{kind}.gz", gzip.compress(data, 6)


def make_archive(path: Path, count: int) -> None:
    """Write the export zip (members stored: they are gzipped already, as in Strava's)."""
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        members = pool.map(activity_bytes, range(count), chunksize=8)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("activities.csv", "Activity ID,Activity Date\n")
            for name, data in members:
                archive.writestr(name, data)


def run_import(archive: Path, database: Path) -> dict[str, Any]:
    """In this (fresh) process: set up the athlete, import, and measure the import alone."""
    from retrorun.api import Retrorun
    from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
    from retrorun.core.screening import QUESTION_IDS

    api = Retrorun(str(database))
    api.set_profile(
        Profile(
            68,
            41,
            Experience.REGULAR,
            Goal.FITNESS,
            weekdays_for(3),
            45,
            True,
            True,
            True,
            sex="female",
        )
    )
    api.screen(dict.fromkeys(QUESTION_IDS, False), date(2025, 1, 1))
    api.new_plan(FIRST_DAY.date(), weeks=52)
    started = time.perf_counter()
    results = api.import_files([archive])
    seconds = time.perf_counter() - started
    statuses = {
        s: sum(r.status == s for r in results) for s in ("imported", "duplicate", "rejected")
    }
    activities = api.activities()
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "files": len(results),
        "statuses": statuses,
        "records": sum(r.samples for r in results),
        "matched_plan": sum(a.matched_plan for a in activities),
        "with_backward_laps": sum(a.backward_s > 0 for a in activities),
        "with_kcal": sum(a.kcal is not None for a in activities),
        "database_mb": database.stat().st_size / 2**20,
        "rejections": [(r.path, r.reason) for r in results if r.status == "rejected"][:5],
    }


def measure(folder: Path, count: int) -> dict[str, Any]:
    archive = folder / f"export-{count}.zip"
    generated_s = 0.0
    if not archive.exists():
        started = time.perf_counter()
        make_archive(archive, count)
        generated_s = time.perf_counter() - started
    database = folder / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(archive), str(database)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    result: dict[str, Any] = json.loads(child.stdout)
    result.update(
        activities=count,
        archive_mb=archive.stat().st_size / 2**20,
        generated_s=generated_s,
        files_per_s=result["files"] / result["seconds"],
        records_per_s=result["records"] / result["seconds"],
        target_met=result["seconds"] < TARGET_SECONDS and result["peak_rss_mb"] < TARGET_MB,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000, help="how many (1000)")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the archive in this folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_import(*args.child)))
        return 0
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = measure(args.keep, args.activities)
    else:
        with tempfile.TemporaryDirectory(prefix="retrorun-import-bench-") as folder:
            result = measure(Path(folder), args.activities)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_result(result)
    return 0 if result["statuses"]["imported"] == args.activities and result["target_met"] else 1


def print_result(r: dict[str, Any]) -> None:
    s = r["statuses"]
    print(
        f"import archive: {r['activities']:,} one-hour activities (FIT/GPX/TCX, gzipped, "
        f"{r['archive_mb']:.0f} MB zip) into a fresh SQLite file"
    )
    print(
        f"  {r['seconds']:.1f} s wall ({r['files_per_s']:.1f} files/s, "
        f"{r['records_per_s']:,.0f} records/s), peak RSS {r['peak_rss_mb']:.0f} MB, "
        f"database {r['database_mb']:.0f} MB"
    )
    print(
        f"  imported {s['imported']}, duplicate {s['duplicate']}, rejected {s['rejected']}; "
        f"matched to the plan {r['matched_plan']}, with backward laps {r['with_backward_laps']}, "
        f"with kcal {r['with_kcal']}"
    )
    met = "met" if r["target_met"] else "NOT met"
    print(f"  target < {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB: {met}")
    for path, reason in r["rejections"]:
        print(f"  rejected {path}: {reason}")


if __name__ == "__main__":
    raise SystemExit(main())
