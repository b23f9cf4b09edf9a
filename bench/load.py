"""Load test: a seeded practice served by 4 web workers and 2 job workers on 127.0.0.1, with 50
simulated people (locust) for a bounded time.

    pip install -e '.[bench]'      # locust
    .venv/bin/python bench/load.py [--minutes 10] [--users 50] [--url URL] [--keep]
                                   [--web-workers 4] [--job-workers 2] [--out DIR]
                                   [--postgres CONNINFO] [--athletes 2000] [--coaches 20]

Without `--url`, a fresh PostgreSQL database is made on the `--postgres` server, seeded with
`retrorun seed practice` (2,000 athletes, 20 coaches, two years) and dropped at the end unless
`--keep`. The test writes into the practice (logs, imports, jobs, audit rows): give `--url` only
a practice made for testing.

Then, each its own process: `retrorun serve --workers 4` on a free port of 127.0.0.1 only, two
`retrorun worker` processes (when this retrorun has the command), and locust headless with
`bench/load/locustfile.py`: 50 users, spawned 5 a second, for `--minutes`. The users are the
seed's: athletes reading their plan, today and their history, logging sessions (the days of
the last four weeks they have not logged yet), completing the next morning's pain, importing
the watch files of their sessions (FIT files made here beforehand, as the demo's watch records
them) and zip archives of them as background jobs; coaches signing in with the seed's
password, reading their caseload (API and page), their clients' pages and asking for a
client's report as a background job. Athletes use a personal API token made here for each.

Reported: per request kind, requests, failures, p50, p95 and max (locust's CSV, written to
`--out` with its HTML report), and the server's own errors. Exits 1 on any failed request, any
failed job, any request the server logged as failed, or a process that died.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select

from practice_db import (
    busiest_coach,
    coach_routes,
    fresh_database,
    practice_today,
    routes_of,
    seed,
)
from retrorun.core.log import LogEntry, validate_log
from retrorun.core.serialize import timeline_from_stored, workout_from_dict
from retrorun.core.workout import Direction, Mode
from retrorun.errors import InvalidInput
from retrorun.formats.fit_activity import activity_fit
from retrorun.services import tokens
from retrorun.services.app import App
from retrorun.services.demo import DEFAULT_SPEED_M_S, session_recording
from retrorun.services.seed import SEED_PASSWORD, PracticeSize
from retrorun.store.models import (
    AthleteRow,
    CoachLinkRow,
    LogRow,
    PlannedSessionRow,
    PlanRow,
    UserRow,
)
from retrorun.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).parent / "load" / "locustfile.py"
POSTGRES_DEFAULT = os.environ.get(
    "RETRORUN_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
LOG_WINDOW_DAYS = 28  # athletes log the sessions of the last four weeks they have not logged
# What a minute of the test uses up (50 users: 100 files and 14 archives in our first minute,
# with a third more for margin): files are made beforehand, never while the test measures.
IMPORTS_PER_MINUTE = 135
ARCHIVES_PER_MINUTE = 20
FILES_PER_ARCHIVE = 3
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30
SERVER_FAILURE = "failed (request id"  # what `web.app._guard` logs for a request that crashed


# --- what the simulated people do -----------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """A planned session of an active plan, not logged yet: something to log or to import."""

    athlete: int
    day: date
    workout: dict[str, Any]
    timeline: dict[str, Any] | None
    imperial: bool


def sessions_to_do(app: App, today: date) -> list[Session]:
    """The planned sessions of the last four weeks (today included) that have no log, of
    athletes whose plan is not paused."""
    first = today - timedelta(days=LOG_WINDOW_DAYS - 1)
    logged = select(LogRow.id).where(
        LogRow.athlete_id == PlanRow.athlete_id, LogRow.date == PlannedSessionRow.date
    )
    query = (
        select(
            PlanRow.athlete_id,
            PlannedSessionRow.date,
            PlannedSessionRow.workout,
            PlannedSessionRow.timeline,
            AthleteRow.units,
        )
        .join(PlanRow, PlanRow.id == PlannedSessionRow.plan_id)
        .join(AthleteRow, AthleteRow.id == PlanRow.athlete_id)
        .where(
            PlanRow.active,
            PlanRow.paused_on.is_(None),
            PlannedSessionRow.status == "planned",
            and_(PlannedSessionRow.date >= first, PlannedSessionRow.date <= today),
            ~logged.exists(),
        )
        .order_by(PlanRow.athlete_id, PlannedSessionRow.date)
    )
    with app.transaction() as db:
        return [
            Session(athlete, day, workout, timeline, units == "imperial")
            for athlete, day, workout, timeline, units in db.execute(query)
        ]


def log_body(session: Session, today: date, rng: random.Random) -> dict[str, Any] | None:
    """The log a person sends for the session (the API's `LogIn`), or None if the service
    would refuse it (the test counts refusals as failures, so none is sent)."""
    workout = workout_from_dict(session.workout)
    backward = [step for step in workout.steps if step.is_backward]
    minutes = max(round(workout.duration_s / 60) + rng.choice((-2, 0, 0, 1)), 1)
    metres = sum(
        (s.duration_s or 0) * (s.speed_m_s or DEFAULT_SPEED_M_S[(s.direction, s.mode)])
        for s in workout.steps
    )
    during = rng.choice((0, 1, 1, 2, 2, 3))
    entry = LogEntry(
        date=session.day,
        minutes=minutes,
        direction=Direction.BACKWARD if backward else Direction.FORWARD,
        mode=Mode.RUN if any(s.mode is Mode.RUN for s in backward) or not backward else Mode.WALK,
        setting=(backward or list(workout.steps))[0].setting,
        rpe=rng.choice((3, 4, 4, 5)),
        pain_during=during,
        pain_after=max(0, during + rng.choice((-1, 0, 0, 1))),
        distance_km=round(metres * minutes * 60 / workout.duration_s / 1000, 2),
        stumbles=rng.choice((0, 0, 0, 1)),
        steadiness=rng.choice((3, 4, 4, 5)),
    )
    try:
        validate_log(entry, today)
    except InvalidInput:
        return None
    body = {
        "date": entry.date.isoformat(),
        "minutes": entry.minutes,
        "direction": entry.direction.value,
        "mode": entry.mode.value,
        "setting": entry.setting.value,
        "rpe": entry.rpe,
        "pain_during": entry.pain_during,
        "pain_after": entry.pain_after,
        "distance_km": entry.distance_km,
        "stumbles": entry.stumbles,
        "steadiness": entry.steadiness,
    }
    if rng.random() < 0.5:  # a log written offline, sent when the phone is back online
        body["client_ref"] = f"load-{uuid.uuid4().hex[:16]}"
    return body


def watch_file(session: Session) -> bytes:
    """The FIT file the athlete's watch records for the session (as the demo's watch does)."""
    workout = workout_from_dict(session.workout)
    timeline = timeline_from_stored(session.timeline, workout, session.imperial)
    laps, beats = session_recording(session.day, workout, timeline)
    start = datetime.combine(session.day, clock_time(18, 5), UTC)
    return activity_fit(start, laps, beats.__getitem__)


def write_watch_files(sessions: list[Session], folder: Path) -> list[Path]:
    """The watch files of these sessions, made in parallel before the test starts."""
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        files = list(pool.map(watch_file, sessions, chunksize=8))
    paths = []
    for session, data in zip(sessions, files, strict=True):
        path = folder / f"{session.athlete}-{session.day.isoformat()}-retro.fit"
        path.write_bytes(data)
        paths.append(path)
    return paths


def plan_the_people(app: App, today: date, minutes: float, folder: Path) -> dict[str, Any]:
    """Who the simulated users are, with their tokens, and the work they share out: logs to
    send, files and archives to import (each used once). Written to the locust config."""
    rng = random.Random(1)
    sessions = sessions_to_do(app, today)
    for_archives = archive_sessions(sessions, int(ARCHIVES_PER_MINUTE * minutes) + 2)
    archived = {(s.athlete, s.day) for s in for_archives}
    rest = [s for s in sessions if (s.athlete, s.day) not in archived]
    rng.shuffle(rest)
    imports_wanted = int(IMPORTS_PER_MINUTE * minutes) + 10
    for_imports, for_logs = rest[:imports_wanted], rest[imports_wanted:]
    started = time.perf_counter()
    import_files = write_watch_files(for_imports + for_archives, folder)
    print(f"made {len(import_files):,} watch files in {time.perf_counter() - started:.1f} s")
    token_of = athlete_tokens(app, {s.athlete for s in sessions})
    imports = [
        {"token": token_of[s.athlete], "file": str(path)}
        for s, path in zip(for_imports, import_files, strict=False)
    ]
    archives = zip_archives(for_archives, import_files[len(for_imports) :], token_of, folder)
    logs = []
    for session in for_logs:
        body = log_body(session, today, rng)
        if body is not None:
            logs.append({"token": token_of[session.athlete], "body": body})
    readers = [{"athlete": a, "token": t} for a, t in sorted(token_of.items())]
    return {
        "today": today.isoformat(),
        "password": SEED_PASSWORD,
        "athletes": readers,
        "coaches": coaches(app, today),
        "logs": logs,
        "imports": imports,
        "archives": archives,
        "routes": routes(app),
    }


def archive_sessions(sessions: list[Session], archives: int) -> list[Session]:
    """A few sessions each of `archives` athletes (those with that many to do)."""
    by_athlete: dict[int, list[Session]] = {}
    for session in sessions:
        by_athlete.setdefault(session.athlete, []).append(session)
    chosen = [found[:FILES_PER_ARCHIVE] for found in by_athlete.values()]
    chosen = [found for found in chosen if len(found) == FILES_PER_ARCHIVE]
    random.Random(2).shuffle(chosen)
    return [session for found in chosen[:archives] for session in found]


def zip_archives(
    sessions: list[Session], paths: list[Path], token_of: dict[int, str], folder: Path
) -> list[dict[str, str]]:
    """Export archives of a few watch files each, one athlete's, imported as background jobs."""
    by_athlete: dict[int, list[Path]] = {}
    for session, path in zip(sessions, paths, strict=True):
        by_athlete.setdefault(session.athlete, []).append(path)
    archives = []
    for athlete, files in by_athlete.items():
        archive = folder / f"{athlete}-export-{uuid.uuid4().hex[:8]}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as written:
            for path in files:
                written.write(path, path.name)
        archives.append({"token": token_of[athlete], "file": str(archive)})
    return archives


def athlete_tokens(app: App, athletes: set[int]) -> dict[int, str]:
    """A personal API token for each athlete (as a phone app would hold)."""
    now = datetime.now(UTC)
    with app.transaction() as db:
        users = dict(
            db.execute(
                select(UserRow.athlete_id, UserRow.id).where(UserRow.athlete_id.in_(athletes))
            ).all()
        )
    return {
        athlete: tokens.new_api_token(app.scope(app.actor(users[athlete])), "load test", now)[1]
        for athlete in athletes
        if athlete in users
    }


def coaches(app: App, today: date) -> list[dict[str, Any]]:
    """Every coach with their active clients, the busiest first (two simulated users read it)."""
    busiest = busiest_coach(app)
    now = datetime.now(UTC)
    with app.transaction() as db:
        links = db.execute(
            select(CoachLinkRow.coach_id, CoachLinkRow.athlete_id, UserRow.email)
            .join(UserRow, UserRow.id == CoachLinkRow.coach_id)
            .where(CoachLinkRow.status == "active")
            .order_by(CoachLinkRow.coach_id, CoachLinkRow.athlete_id)
        ).all()
    found: dict[int, dict[str, Any]] = {}
    for coach, athlete, email in links:
        entry = found.setdefault(coach, {"email": email, "clients": []})
        entry["clients"].append(athlete)
    for coach, entry in found.items():
        scope = app.scope(app.actor(coach))
        entry["token"] = tokens.new_api_token(scope, "load test", now)[1]
    ordered = [found[busiest.user_id]] + [e for c, e in found.items() if c != busiest.user_id]
    return ordered


def routes(app: App) -> dict[str, Any]:
    """The coach routes this retrorun has (pages and API), and whether it has background jobs."""
    web = create_app(app)
    caseloads, clients = coach_routes(web.routes)
    paths = {route.path for route in routes_of(web.routes)}
    return {"caseload": caseloads, "client": clients, "jobs": "/api/v1/imports/jobs" in paths}


# --- the processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def has_worker_command() -> bool:
    found = subprocess.run(
        [str(BIN / "retrorun"), "worker", "--help"], capture_output=True, check=False
    )
    return found.returncode == 0


@contextmanager
def process(
    name: str, command: list[str], env: dict[str, str], out: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process of its own group, stopped (TERM, then KILL) when the block ends."""
    log = open(out / f"{name}.log", "wb")  # noqa: SIM115 (closed below)
    started = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield started
    finally:
        stop(started)
        log.close()


def stop(started: subprocess.Popen[bytes]) -> None:
    if started.poll() is not None:
        return
    os.killpg(started.pid, signal.SIGTERM)
    try:
        started.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(started.pid, signal.SIGKILL)
        started.wait()


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"retrorun serve stopped at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"retrorun serve did not answer within {START_TIMEOUT_S} s")


# --- the run --------------------------------------------------------------------------------


def run(url: str, args: argparse.Namespace, out: Path) -> int:
    app = App(url)
    try:
        app.check_schema()
        today = practice_today(app, args.today)
        started = time.perf_counter()
        config = plan_the_people(app, today, args.minutes, out / "files")
        print(
            f"today {today}: {len(config['athletes']):,} athletes and {len(config['coaches'])} "
            f"coaches with tokens, {len(config['logs']):,} logs to send, "
            f"{len(config['imports']):,} files and {len(config['archives']):,} archives to "
            f"import ({time.perf_counter() - started:.1f} s to prepare)"
        )
    finally:
        app.close()
    (out / "config.json").write_text(json.dumps(config))
    return serve_and_load(url, args, out, today)


def serve_and_load(url: str, args: argparse.Namespace, out: Path, today: date) -> int:
    port = free_port()
    env = {
        **os.environ,
        "RETRORUN_DATABASE_URL": url,
        "RETRORUN_TODAY": today.isoformat(),
        "RETRORUN_FILES_FOLDER": str(out / "jobs-files"),
        "LOAD_CONFIG": str(out / "config.json"),
    }
    (out / "jobs-files").mkdir(exist_ok=True)
    retrorun = str(BIN / "retrorun")
    with ExitStack() as stack:
        serve = [retrorun, "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = stack.enter_context(
            process("serve", [*serve, "--workers", str(args.web_workers)], env, out)
        )
        workers = []
        if has_worker_command():
            for number in range(args.job_workers):
                workers.append(
                    stack.enter_context(
                        process(f"worker-{number + 1}", [retrorun, "worker"], env, out)
                    )
                )
        else:
            print("this retrorun has no `retrorun worker`: jobs wait unused")
        wait_until_up(port, server)
        print(
            f"serving on 127.0.0.1:{port} with {args.web_workers} web workers and "
            f"{len(workers)} job workers; {args.users} users for {args.minutes:g} min"
        )
        locust = run_locust(port, args, env, out)
        died = [p for p in (server, *workers) if p.poll() is not None]
    return report(out, locust, died)


def run_locust(port: int, args: argparse.Namespace, env: dict[str, str], out: Path) -> int:
    """locust headless, its own process, bounded in users and time, against loopback only."""
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{round(args.minutes * 60)}s",
        "--stop-timeout",
        "30",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(out / "locust"),
        "--html",
        str(out / "locust.html"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with open(out / "locust.log", "wb") as log:
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    return done.returncode


def report(out: Path, locust_code: int, died: list[subprocess.Popen[bytes]]) -> int:
    rows = list(csv.DictReader((out / "locust_stats.csv").open()))
    width = max(len(row["Name"]) for row in rows) + len(" (total)")
    print(
        f"{'request':<{width}}  {'count':>7}  {'fails':>5}  {'p50 ms':>7}  {'p95 ms':>7}"
        f"  {'max ms':>7}  {'req/s':>6}"
    )
    failures = 0
    for row in rows:
        name = f"{row['Type']} {row['Name']}".strip() if row["Name"] != "Aggregated" else "(total)"
        failures += int(row["Failure Count"]) if row["Name"] != "Aggregated" else 0
        print(
            f"{name:<{width}}  {int(row['Request Count']):>7,}  {int(row['Failure Count']):>5}"
            f"  {row['50%']:>7}  {row['95%']:>7}  {float(row['Max Response Time']):>7.0f}"
            f"  {float(row['Requests/s']):>6.1f}"
        )
    server_errors = sum(
        path.read_text(errors="replace").count(SERVER_FAILURE) for path in out.glob("*.log")
    )
    return verdict(out, failures, server_errors, locust_code, died)


def verdict(out: Path, failures: int, server_errors: int, locust_code: int, died: list[Any]) -> int:
    problems = []
    if failures:
        problems.append(f"{failures} failed requests (see {out / 'locust_failures.csv'})")
    if server_errors:
        problems.append(f"{server_errors} requests the server logged as failed (see {out}/*.log)")
    if died:
        problems.append(f"{len(died)} server or worker processes died (see {out}/*.log)")
    if locust_code not in (0, 1):  # 1: locust's own exit for failed requests, counted above
        problems.append(f"locust exited with {locust_code} (see {out / 'locust.log'})")
    if problems:
        print("LOAD TEST FAILED:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"no errors; locust's report: {out / 'locust.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (10; 1 to try)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="users started a second")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--url", help="a seeded practice for testing (default: seed a new one)")
    parser.add_argument("--postgres", default=POSTGRES_DEFAULT, help="the server (libpq conninfo)")
    parser.add_argument("--today", type=date.fromisoformat, help="default: after the last log")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument(
        "--out", type=Path, help="locust's CSV and HTML, logs (default: a temp dir)"
    )
    parser.add_argument("--coaches", type=int, default=20)
    parser.add_argument("--athletes", type=int, default=2000)
    parser.add_argument("--years", type=float, default=2.0)
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 60 or not 1 <= args.users <= 200:
        parser.error("--minutes must be 0–60 and --users 1–200: the test is bounded")
    if not (BIN / "locust").exists():
        parser.error("locust is not installed: pip install -e '.[bench]'")
    out = args.out or Path(tempfile.mkdtemp(prefix="retrorun-load-"))
    (out / "files").mkdir(parents=True, exist_ok=True)
    print(f"results in {out}")
    if args.url:
        return run(args.url, args, out)
    size = PracticeSize(args.coaches, args.athletes, round(args.years * 365))
    today = args.today or date.today()
    with fresh_database(args.postgres, args.keep, "retrorun_load") as url:
        seed(url, size, today)
        args.today = today
        return run(url.replace("postgresql+psycopg://", "postgresql://", 1), args, out)


if __name__ == "__main__":
    raise SystemExit(main())
