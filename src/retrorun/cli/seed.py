"""`retrorun seed practice`: fill a new database with a realistic practice, for benchmarks.

The work is `services.seed.seed_practice`; this parses the options, reports progress on stderr
and prints what was made and how long it took.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from retrorun.cli.context import ready_app, today
from retrorun.cli.output import console, error_console, new_table
from retrorun.errors import InvalidInput

seed_app = typer.Typer(
    help="Fill a new, empty database with made-up data (benchmarks, load tests, trying out).",
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    app.add_typer(seed_app, name="seed")


@seed_app.command("practice")
def practice(
    ctx: typer.Context,
    coaches: Annotated[
        int, typer.Option(help="Coaches (the first has the largest caseload).")
    ] = 20,
    athletes: Annotated[int, typer.Option(help="Athletes, each with an account.")] = 2000,
    years: Annotated[float, typer.Option(help="Years of history up to today.")] = 2.0,
    weeks: Annotated[
        int | None, typer.Option(help="Weeks of history instead of --years (2 or more).")
    ] = None,
    streams_share: Annotated[
        float, typer.Option(help="Share of completed sessions with a watch file, 0–1.")
    ] = 0.1,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same practice.")] = 1,
    password_stdin: Annotated[
        bool,
        typer.Option(help="Read the seeded users' password from standard input."),
    ] = False,
) -> None:
    """Seed a practice of coaches and athletes with plans, logs, decisions and watch files.

    Every seeded user gets the same password: `seeded-practice-only` unless --password-stdin
    gives another (a seeded database is for testing only). Refuses a database that has users.
    Run `retrorun init` (or `retrorun db upgrade`) on the new database first.
    """
    from retrorun.services.seed import SEED_PASSWORD, PracticeSize, seed_practice

    days = weeks * 7 if weeks is not None else round(years * 365)
    if days < 14:
        raise InvalidInput("the history must be at least 2 weeks (--weeks 2, --years 0.04)")
    size = PracticeSize(coaches, athletes, days, streams_share, seed)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else SEED_PASSWORD
    app = ready_app(ctx)
    started = time.perf_counter()

    def report(done: int, total: int, rows: dict[str, int]) -> None:
        seconds = time.perf_counter() - started
        written = sum(rows.values())
        error_console.print(
            f"{done:,} of {total:,} athletes, {written:,} rows written ({seconds:.0f} s)",
            highlight=False,
        )

    seeded = seed_practice(app, size, today(), password, report)
    table = new_table("table", "rows", title=f"Seeded in {seeded.seconds:.1f} s")
    for name, count in seeded.rows.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(
        f"History {seeded.first_day} to {seeded.today}. The busiest coach is "
        f"{seeded.busiest_coach} ({seeded.busiest_clients:,} clients); athletes are "
        f"athlete-0001@practice.example and on. Every user's password: {seeded.password}",
        highlight=False,
    )
