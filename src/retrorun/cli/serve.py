"""`retrorun serve`: the web app, on this machine or for a practice.

The schema is migrated once, in this process, before any worker starts (the migration takes a
lock, so several `serve` processes on one PostgreSQL database are safe too). With --workers N,
uvicorn starts N worker processes that each build the app from RETRORUN_DATABASE_URL.
Background jobs run in this process on SQLite (a runner thread); on PostgreSQL they are for
`retrorun worker` processes, unless --jobs-inline runs a worker in each web worker too.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from retrorun.cli.context import service_app
from retrorun.errors import InvalidInput


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (PostgreSQL for more than one).")
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option(
            help="Serve a separate demo database with a knee-rehab runner and their coach."
        ),
    ] = False,
    proxy: Annotated[
        bool,
        typer.Option(help="Behind a reverse proxy: trust its X-Forwarded-* headers."),
    ] = False,
    jobs_inline: Annotated[
        bool,
        typer.Option(
            help="PostgreSQL: also run background jobs in this process (usually `retrorun "
            "worker` does). With SQLite they always run here."
        ),
    ] = False,
) -> None:
    """Serve the web app (the address is printed); migrations are applied at start."""
    import uvicorn

    if not 1 <= port <= 65535:
        raise InvalidInput(f"--port must be 1–65535 (got {port})")
    if not 1 <= workers <= 64:
        raise InvalidInput(f"--workers must be 1–64 (got {workers})")
    if demo:
        _use_demo_database(ctx)
    app = service_app(ctx)
    if workers > 1 and not app.url.startswith("postgresql"):
        raise InvalidInput("several workers need PostgreSQL: give --db postgresql://…")
    app.upgrade()
    if demo:
        _seed_demo(app)
    run_jobs = jobs_inline or not app.url.startswith("postgresql")
    typer.echo(f"retrorun is at http://{_shown_host(host)}:{port}/  (Ctrl+C stops it)")
    typer.echo(_jobs_line(run_jobs))
    os.environ["RETRORUN_DATABASE_URL"] = app.url
    os.environ["RETRORUN_JOBS_INLINE"] = "1" if run_jobs else "0"
    allowed = "*" if proxy else None
    if workers == 1:
        from retrorun.web.app import create_app

        uvicorn.run(
            create_app(app, run_jobs=run_jobs),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=proxy,
            forwarded_allow_ips=allowed,
        )
    else:
        app.close()
        uvicorn.run(
            "retrorun.web.app:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=proxy,
            forwarded_allow_ips=allowed,
        )


def _jobs_line(run_jobs: bool) -> str:
    if run_jobs:
        return "Background jobs (large imports, reports) run in this process."
    return "Background jobs wait for a job worker: start `retrorun worker` (or use --jobs-inline)."


def _shown_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _use_demo_database(ctx: typer.Context) -> None:
    """The demo never touches the person's own database: it has a file of its own."""
    from pathlib import Path

    from platformdirs import user_data_dir

    root = ctx.find_root()
    root.obj = root.obj or {}
    root.obj["db"] = str(Path(user_data_dir("retrorun")) / "retrorun-demo.db")


def _seed_demo(app: object) -> None:
    from retrorun.services.app import App
    from retrorun.services.clock import today
    from retrorun.services.demo import seed_demo

    assert isinstance(app, App)
    demo = seed_demo(app, today())
    typer.echo(
        f"Demo: sign in as {demo.athlete_email} (the runner) or {demo.coach_email} (their "
        f"coach), password {demo.password}"
    )
