"""`retrorun worker`: a job worker for a PostgreSQL database (procrastinate).

Large imports, reports rendered in the background and recomputed energy run here. Start as many
as the work needs, on any machines that reach the database (and the files folder). With SQLite
there is no separate worker: the same jobs run inside `retrorun serve`, so this refuses.
"""

from __future__ import annotations

from typing import Annotated

import typer

from retrorun.cli.context import ready_app, service_app
from retrorun.errors import InvalidInput


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


SQLITE_REFUSAL = (
    "retrorun worker needs PostgreSQL: with SQLite, background jobs run inside "
    "`retrorun serve` (give --db postgresql://… for separate job workers)"
)


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option(help="Jobs run at once by this worker (each in a thread).")
    ] = 1,
) -> None:
    """Run background jobs (imports, reports, energy) until stopped (Ctrl+C or SIGTERM)."""
    if not 1 <= concurrency <= 32:
        raise InvalidInput(f"--concurrency must be 1–32 (got {concurrency})")
    if service_app(ctx).engine.dialect.name != "postgresql":
        raise InvalidInput(SQLITE_REFUSAL)  # before any database check: none would help
    app = ready_app(ctx)
    from retrorun.jobs import postgres
    from retrorun.services.jobs import HANDLERS

    shown = app.engine.url.render_as_string(hide_password=True)
    typer.echo(f"retrorun worker on {shown}: {concurrency} at a time (Ctrl+C stops it)")
    postgres.run_worker(app, HANDLERS, concurrency)
    typer.echo("retrorun worker stopped")
