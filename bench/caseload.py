"""Benchmark: the coach's caseload and a client's page in a seeded practice on PostgreSQL.

    .venv/bin/python bench/caseload.py [--url URL] [--requests 50] [--postgres CONNINFO]
                                       [--coaches 20] [--athletes 2000] [--years 2]
                                       [--streams-share 0.1] [--seed 1] [--keep]

Without `--url`, a fresh PostgreSQL database (a unique name on the `--postgres` server) is
migrated and seeded with `retrorun seed practice`'s practice (timed, its rows shown), and dropped
at the end unless `--keep`. With `--url`, a practice seeded earlier is read (and written: each
request records the coach's look in the audit log, as it would in use).

Measured, through the whole ASGI app in this process (starlette's TestClient, as
`bench/web_pages.py`): every GET route of the app whose path holds "caseload" (the coach's page
and the API), and every client route (`.../clients/{id}`), as the coach with the largest
caseload (300 clients in the default practice), with a browser session for pages and a personal
API token for the API. Client pages are asked for the clients of the caseload's first page in
turn. Beside them, the service calls themselves (`caseload.caseload`, `caseload.client`) and the
client's own plan and history pages. After a warm-up each is asked `--requests` times; the table
gives p50, p95 and max of the wall time (this process, including the test client's small
overhead) and the median CPU time of this process.

Then every SQL statement of one `caseload()` call and one `client()` call (caught with a
SQLAlchemy `before_cursor_execute` event) is run again under EXPLAIN (ANALYZE, BUFFERS), in a
transaction rolled back afterwards, and printed with a one-line summary: time, buffers, the
indexes used, and any sequential scan of a table of more than a few thousand rows, which is
marked.

Target (the issue's): p95 under 100 ms for the caseload and client routes. Exits 1 when one is
missed, naming it.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy import event, select, text
from starlette.routing import BaseRoute
from starlette.testclient import TestClient

from practice_db import (
    busiest_coach,
    coach_routes,
    fresh_database,
    practice_today,
    seed,
    sqlalchemy_url,
)
from retrorun.services import caseload, tokens
from retrorun.services.app import App, Settings
from retrorun.services.seed import PracticeSize
from retrorun.store.models import UserRow
from retrorun.web.app import create_app
from retrorun.web.auth import COOKIE

TARGET_P95_MS = 100.0
WARM_UP_REQUESTS = 5
CLIENTS_IN_TURN = 10  # client pages cycle through the caseload's most urgent clients
# An index scan in a plan, of any kind: plain, index-only, backward, bitmap.
INDEX_USED = r"Index (?:Only )?Scan (?:Backward )?using (\w+)|Bitmap Index Scan on (\w+)"
BIG_TABLE_ROWS = 5000  # a sequential scan of a table this large is marked in the plans
POSTGRES_DEFAULT = os.environ.get(
    "RETRORUN_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)


@dataclass(frozen=True)
class Timing:
    name: str
    targeted: bool
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float


@dataclass(frozen=True)
class Practice:
    """Who the requests are made as, and about whom."""

    today: date
    coach_user: int
    coach_email: str
    clients: int
    turn: list[int]  # athlete ids of the caseload's most urgent clients


# --- the database ---------------------------------------------------------------------------


def practice(app: App, wanted_today: date | None) -> Practice:
    """The coach with the most active clients, today, and the clients whose pages are read."""
    coach = busiest_coach(app)
    today = practice_today(app, wanted_today)
    os.environ["RETRORUN_TODAY"] = today.isoformat()  # what the pages call today
    scope = app.scope(app.actor(coach.user_id))
    first = caseload.caseload(scope, today, per_page=CLIENTS_IN_TURN)
    turn = [row.client.athlete_id for row in first.rows]
    return Practice(today, coach.user_id, coach.email, coach.clients, turn)


# --- the requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    name: str
    targeted: bool
    paths: list[str]  # asked in turn
    api: bool  # with the API token (else the browser session)
    as_client: bool = False  # as the client (their own pages), not as the coach


def requests_for(web_routes: list[BaseRoute], found: Practice) -> list[Request]:
    """The caseload and client routes the app has now, and the client's own pages."""
    found_requests = [Request("GET /healthz (client overhead)", False, ["/healthz"], False)]
    caseloads, clients = coach_routes(web_routes)
    for path in caseloads:
        found_requests.append(Request(f"GET {path}", True, [path], path.startswith("/api/")))
    for path in clients:
        paths = [re.sub(r"\{[a-z_]+\}", str(athlete), path) for athlete in found.turn]
        name = f"GET {path} ({len(paths)} clients in turn)"
        found_requests.append(Request(name, True, paths, path.startswith("/api/")))
    for page in ("/plan", "/history"):
        name = f"GET {page} (as the most urgent client)"
        found_requests.append(Request(name, True, [page], False, as_client=True))
    return found_requests


Probe = Callable[[int], object]  # one timed request (or call) in round n


def measure(app: App, found: Practice, requests: int) -> list[Timing]:
    """Each route, and the two service calls, `requests` times after a warm-up, taking turns."""
    web = create_app(app)
    found_requests = requests_for(web.routes, found)
    with TestClient(web, follow_redirects=False) as client:
        probes = route_probes(app, client, found, found_requests) | service_calls(app, found)
        walls: dict[str, list[float]] = {name: [] for name in probes}
        cpus: dict[str, list[float]] = {name: [] for name in probes}
        for round_number in range(WARM_UP_REQUESTS + requests):
            for name, probe in probes.items():
                wall, cpu = _timed(partial(probe, round_number))
                if round_number >= WARM_UP_REQUESTS:
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    targeted = {r.name: r.targeted for r in found_requests}
    return [timing(name, targeted.get(name, True), walls[name], cpus[name]) for name in walls]


def route_probes(
    app: App, client: TestClient, found: Practice, found_requests: list[Request]
) -> dict[str, Probe]:
    """A probe per route: as the coach (or the client), with a session or an API token."""
    now = datetime.now(UTC)
    coach = app.actor(found.coach_user)
    cookies = {
        False: tokens.start_session(app, coach, now).token,
        True: tokens.start_session(app, app.actor(_user_of(app, found.turn[0])), now).token,
    }
    token = tokens.new_api_token(app.scope(coach), "bench", now)[1]
    bearer = {"Authorization": f"Bearer {token}"}
    return {
        request.name: partial(_get, client, request, cookies[request.as_client], bearer)
        for request in found_requests
    }


def service_calls(app: App, found: Practice) -> dict[str, Probe]:
    """The service calls the routes make, without the web around them."""
    return {
        f"caseload.caseload() ({found.clients} clients)": partial(_caseload, app, found),
        "caseload.client()": partial(_client, app, found),
    }


def _caseload(app: App, found: Practice, _round: int) -> object:
    return caseload.caseload(app.scope(app.actor(found.coach_user)), found.today)


def _client(app: App, found: Practice, round_number: int) -> object:
    athlete = found.turn[round_number % len(found.turn)]
    return caseload.client(app.scope(app.actor(found.coach_user)), athlete, found.today)


def _user_of(app: App, athlete: int) -> int:
    with app.transaction() as db:
        user = db.scalar(select(UserRow.id).where(UserRow.athlete_id == athlete))
    if user is None:
        raise SystemExit(f"athlete {athlete} has no user")
    return int(user)


def _get(
    client: TestClient,
    request: Request,
    cookie: str,
    bearer: dict[str, str],
    round_number: int,
) -> None:
    path = request.paths[round_number % len(request.paths)]
    client.cookies.set(COOKIE, cookie)
    response = client.get(path, headers=bearer if request.api else None)
    if response.status_code != 200:
        raise SystemExit(
            f"{request.name}: {path}: HTTP {response.status_code}: {response.text[:500]}"
        )


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000


def timing(name: str, targeted: bool, walls: list[float], cpus: list[float]) -> Timing:
    p95 = statistics.quantiles(walls, n=100, method="inclusive")[94]
    return Timing(
        name, targeted, statistics.median(walls), p95, max(walls), statistics.median(cpus)
    )


# --- the query plans ------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any


def statements_of(app: App, call: Callable[[], object]) -> list[Statement]:
    """Every statement `call` sends to the database, with its parameters."""
    caught: list[Statement] = []

    def catch(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        caught.append(Statement(statement, parameters))

    event.listen(app.engine, "before_cursor_execute", catch)
    try:
        call()
    finally:
        event.remove(app.engine, "before_cursor_execute", catch)
    return caught


def explain(app: App, statements: list[Statement]) -> list[tuple[Statement, list[str]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement, in one transaction rolled back after
    (ANALYZE runs the statement, and the caseload writes its audit rows)."""
    plans = []
    with app.engine.connect() as connection, connection.begin() as transaction:
        for statement in statements:
            if not statement.sql.lstrip().upper().startswith(("SELECT", "WITH", "INSERT")):
                continue
            parameters = statement.parameters
            if (
                isinstance(parameters, list | tuple)
                and parameters
                and isinstance(parameters[0], dict)
            ):
                parameters = parameters[0]  # an executemany: the plan of one row
            found = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, parameters
            )
            plans.append((statement, [row[0] for row in found]))
        transaction.rollback()
    return plans


def big_tables(app: App) -> set[str]:
    with app.transaction() as db:
        rows = db.execute(
            text("SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE n_live_tup > :n"),
            {"n": BIG_TABLE_ROWS},
        )
        return {str(name) for name, _ in rows}


def print_plans(title: str, plans: list[tuple[Statement, list[str]]], big: set[str]) -> list[str]:
    """Each plan in full after a one-line summary; returns the sequential scans of big tables."""
    print(f"== {title}: {len(plans)} statements ==")
    scans: list[str] = []
    total_ms = 0.0
    for number, (statement, lines) in enumerate(plans, 1):
        plan = "\n".join(lines)
        indexes = sorted({scan or bitmap for scan, bitmap in re.findall(INDEX_USED, plan)})
        seq = sorted({t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in big})
        took = re.search(r"Execution Time: ([\d.]+) ms", plan)
        first = " ".join(statement.sql.split())[:90]
        marked = f"  SEQUENTIAL SCAN OF {', '.join(seq)}" if seq else ""
        print(f"-- {number}. {first}…")
        total_ms += float(took.group(1)) if took else 0.0
        seconds = f"{took.group(1)} ms" if took else "?"
        print(f"   => {seconds}; indexes: {', '.join(indexes) or 'none'}{marked}")
        scans.extend(f"{title} statement {number}: {t}" for t in seq)
        print("   " + plan.replace("\n", "\n   "))
    print(f"== {title}: {total_ms:.1f} ms of execution in the database, all statements ==\n")
    return scans


def query_plans(app: App, found: Practice) -> list[str]:
    """The plans of one caseload and one client page; returns the big sequential scans."""
    big = big_tables(app)
    scans: list[str] = []
    for name, call in service_calls(app, found).items():
        plans = explain(app, statements_of(app, partial(call, 0)))
        scans += print_plans(name, plans, big)
    return scans


# --- the report -----------------------------------------------------------------------------


def print_table(timings: list[Timing]) -> None:
    width = max(len(t.name) for t in timings)
    print(f"{'route':<{width}}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  {'CPU p50':>7}")
    for t in timings:
        mark = "  MISSED" if t.targeted and t.p95_ms >= TARGET_P95_MS else ""
        print(
            f"{t.name:<{width}}  {t.p50_ms:7.1f}  {t.p95_ms:7.1f}  {t.max_ms:7.1f}"
            f"  {t.cpu_p50_ms:7.1f}{mark}"
        )
    print()


def run(url: str, args: argparse.Namespace) -> int:
    app = App(url, Settings(password_profile="cheapest"))
    try:
        if app.engine.dialect.name != "postgresql":
            raise SystemExit("the caseload benchmark runs on PostgreSQL: give a postgresql:// URL")
        app.check_schema()
        found = practice(app, args.today)
        print(
            f"today {found.today}; coach {found.coach_email} with {found.clients} clients; "
            f"client pages for athletes {found.turn}"
        )
        scans = query_plans(app, found)
        before = os.getloadavg()[0]
        timings = measure(app, found, args.requests)
        print(f"load average (1 min) {before:.1f} before measuring, {os.getloadavg()[0]:.1f} after")
    finally:
        app.close()
    print_table(timings)
    return verdict(timings, scans)


def verdict(timings: list[Timing], scans: list[str]) -> int:
    missed = [t for t in timings if t.targeted and t.p95_ms >= TARGET_P95_MS]
    if scans:
        print("sequential scans of large tables (not indexed):", *scans, sep="\n  ")
    if missed:
        print(f"target p95 < {TARGET_P95_MS:.0f} ms NOT met by:", file=sys.stderr)
        for t in missed:
            print(f"  {t.name}: p95 {t.p95_ms:.1f} ms", file=sys.stderr)
        return 1
    print(f"target p95 < {TARGET_P95_MS:.0f} ms met by every caseload and client route")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a seeded practice to read (default: seed a new one)")
    parser.add_argument("--postgres", default=POSTGRES_DEFAULT, help="the server (libpq conninfo)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests a route (50)")
    parser.add_argument("--today", type=date.fromisoformat, help="default: after the last log")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--coaches", type=int, default=20)
    parser.add_argument("--athletes", type=int, default=2000)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--streams-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.requests < 2:
        parser.error("--requests must be at least 2 (50 for the issue's p95)")
    if args.url:
        return run(sqlalchemy_url(args.url), args)
    size = PracticeSize(
        args.coaches, args.athletes, round(args.years * 365), args.streams_share, args.seed
    )
    today = args.today or date.today()
    with fresh_database(args.postgres, args.keep, "retrorun_caseload") as url:
        seed(url, size, today)
        args.today = today
        return run(url, args)


if __name__ == "__main__":
    raise SystemExit(main())
