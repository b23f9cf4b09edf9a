"""The `retrorun` command: a thin layer that parses options, calls the API and prints."""

from __future__ import annotations

from typing import Annotated

import typer

from retrorun.cli.output import fail
from retrorun.errors import RetrorunError

app = typer.Typer(
    name="retrorun",
    help="Backward (retro) running: screening, a safe plan, guided sessions, logs and energy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="RETRORUN_DATABASE_URL",
            help="Database: a SQLite file path or a URL such as postgresql://user@host/db.",
        ),
    ] = None,
) -> None:
    """Backward (retro) running: screening, a safe plan, guided sessions, logs and energy."""
    ctx.obj = {"db": db}


# Command groups register themselves here (one module per group).
from retrorun.cli import energy, logbook, plans, screening, setup  # noqa: E402

for group in (setup, screening, plans, logbook, energy):
    group.register(app)


def run() -> None:
    """Entry point: turn every user-facing error into one line and a non-zero exit."""
    try:
        app(prog_name="retrorun")
    except RetrorunError as error:
        fail(str(error))
