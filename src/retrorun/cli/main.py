"""The `retrorun` command: a thin layer that parses options, calls the API and prints."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from retrorun.cli.output import fail, reader_gone
from retrorun.errors import RetrorunError

if TYPE_CHECKING:
    from typer._click.core import Context as ClickContext  # Typer vendors Click


class RetrorunGroup(TyperGroup):
    """The root command: a closed pipe ends any command quietly.

    Click turns a broken pipe into exit status 1 before `run` could see it, so it is caught
    here, around every command.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: ClickContext | None = None,
        **extra: Any,
    ) -> ClickContext:
        try:  # `retrorun --help` prints while its options are parsed
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            reader_gone()

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            reader_gone()


app = typer.Typer(
    name="retrorun",
    cls=RetrorunGroup,
    help="Backward (retro) running: screening, a safe plan, guided sessions, logs and energy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain Click help: Rich's help formatter (markdown, syntax highlighting) doubles the time
    # `retrorun --help` takes to start (bench/startup.py).
    rich_markup_mode=None,
)


def _print_version(wanted: bool) -> None:
    """`--version`: read from the installed package's metadata, only when asked, so start-up
    pays nothing for it."""
    if wanted:
        from importlib.metadata import version

        typer.echo(f"retrorun {version('retrorun')}")
        raise typer.Exit()


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
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="EMAIL",
            help="Act as this user of the database (default: its local owner, no sign-in).",
        ),
    ] = None,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            expose_value=False,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Backward (retro) running: screening, a safe plan, guided sessions, logs and energy."""
    ctx.obj = {"db": db, "as": as_user}


# Command groups register themselves here (one module per group).
from retrorun.cli import (  # noqa: E402
    accounts,
    caseload,
    convert,
    database,
    energy,
    export,
    go,
    imports,
    logbook,
    plans,
    report,
    schema,
    screening,
    seed,
    serve,
    setup,
    steadiness,
    worker,
)

for group in (
    setup,
    database,
    accounts,
    caseload,
    screening,
    plans,
    convert,
    go,
    export,
    logbook,
    imports,
    energy,
    steadiness,
    report,
    schema,
    serve,
    worker,
    seed,
):
    group.register(app)


def run() -> None:
    """Entry point: turn every user-facing error (ours or a bad option) into one line."""
    try:
        code = app(prog_name="retrorun", standalone_mode=False)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, not at exit
    except BrokenPipeError:
        reader_gone()
    except RetrorunError as error:
        fail(str(error))
    except typer.TyperException as error:  # a bad option or value, from Typer's parser
        if not error.format_message():  # help was shown instead (no arguments given)
            raise SystemExit(error.exit_code) from None
        context = getattr(error, "ctx", None)
        hint = f" (see: {context.command_path} --help)" if context is not None else ""
        fail(f"{error.format_message()}{hint}", code=error.exit_code)
    except typer.Abort:
        fail("stopped", code=130)
    raise SystemExit(code if isinstance(code, int) else 0)
