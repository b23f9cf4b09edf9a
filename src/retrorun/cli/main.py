"""The `retrorun` command: a thin layer that parses options, calls the API and prints."""

from __future__ import annotations

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

# Command groups register themselves here (one module per group).
from retrorun.cli import energy as _energy  # noqa: E402

_energy.register(app)


def run() -> None:
    """Entry point: turn every user-facing error into one line and a non-zero exit."""
    try:
        app(prog_name="retrorun")
    except RetrorunError as error:
        fail(str(error))
