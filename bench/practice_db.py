"""What the practice benchmarks share: a fresh PostgreSQL database seeded with a practice, the
coach with the largest caseload, the day the practice calls today, and the app's routes.

Imported by `bench/caseload.py` and `bench/load.py` (run as scripts, so this folder is on the
path).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from starlette.routing import BaseRoute, Route

from retrorun.services.app import App
from retrorun.services.seed import PracticeSize, Seeded, seed_practice
from retrorun.store.models import CoachLinkRow, LogRow, UserRow


@contextmanager
def fresh_database(conninfo: str, keep: bool, prefix: str) -> Iterator[str]:
    """A new PostgreSQL database with a unique name (its SQLAlchemy URL); dropped afterwards
    unless kept."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    user, host, port = (
        info.get("user", "postgres"),
        info.get("host", "127.0.0.1"),
        info.get("port", "5432"),
    )
    password = f":{info['password']}" if info.get("password") else ""
    try:
        yield f"postgresql+psycopg://{user}{password}@{host}:{port}/{name}"
    finally:
        if keep:
            print(f"kept the database {name}")
        else:
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def seed(url: str, size: PracticeSize, today: date) -> Seeded:
    """Migrate the new database and seed the practice (`retrorun seed practice`), printing what
    it made and how long it took."""
    app = App(url)
    try:
        app.upgrade()
        seeded = seed_practice(app, size, today)
    finally:
        app.close()
    counts = ", ".join(f"{table} {count:,}" for table, count in seeded.rows.items())
    print(f"seeded the practice in {seeded.seconds:.1f} s: {counts}")
    return seeded


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@dataclass(frozen=True)
class Busiest:
    user_id: int
    email: str
    clients: int


def busiest_coach(app: App) -> Busiest:
    """The coach with the most active clients (the seed's first coach)."""
    with app.transaction() as db:
        clients = func.count(CoachLinkRow.id)
        found = db.execute(
            select(CoachLinkRow.coach_id, clients)
            .where(CoachLinkRow.status == "active")
            .group_by(CoachLinkRow.coach_id)
            .order_by(clients.desc(), CoachLinkRow.coach_id)
            .limit(1)
        ).first()
        if found is None:
            raise SystemExit("the database has no coach with clients: seed a practice first")
        email = db.scalar(select(UserRow.email).where(UserRow.id == found[0]))
    return Busiest(int(found[0]), str(email), int(found[1]))


def practice_today(app: App, wanted: date | None) -> date:
    """`wanted`, else the day after the latest log: the seed's today, whenever it was seeded."""
    if wanted is not None:
        return wanted
    with app.transaction() as db:
        latest = db.scalar(select(func.max(LogRow.date)))
    if latest is None:
        raise SystemExit("the database holds no logs: seed a practice first")
    day: date = latest + timedelta(days=1)
    return day


def routes_of(routes: Iterable[BaseRoute]) -> Iterator[Route]:
    """Every route, those of included routers too (FastAPI 0.165 keeps an included router as one
    entry holding the router; none of ours is included under a further prefix)."""
    for route in routes:
        if isinstance(route, Route):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from routes_of(included.routes)


def coach_routes(routes: Iterable[BaseRoute]) -> tuple[list[str], list[str]]:
    """The GET routes of the coach's caseload and of a client's page (pages and API), as the
    app has them now: paths holding "caseload" without parameters, and `.../clients/{id}`."""
    caseloads, clients = [], []
    for route in routes_of(routes):
        if "GET" not in (route.methods or ()):
            continue
        if "caseload" in route.path and "{" not in route.path:
            caseloads.append(route.path)
        elif re.fullmatch(r".*/clients/\{\w+\}", route.path):
            clients.append(route.path)
    return caseloads, clients
