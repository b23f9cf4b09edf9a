"""`retrorun export fit`: a session (or a week of them) as a FIT workout for a Garmin watch."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrorun.cli.context import app_for, parse_date, today
from retrorun.cli.output import console
from retrorun.errors import InvalidInput
from retrorun.formats.output_file import check_extension, write_atomically

if TYPE_CHECKING:
    from retrorun.api import Retrorun

FIT_HELP = (
    "Write a FIT workout that a Garmin watch runs step by step.\n\n"
    "Each backward step becomes 1-minute steps named BACK L / BACK R, so the watch beeps when "
    "to switch the shoulder you look over. A FIT workout file holds one workout, so --week "
    "writes one YYYY-MM-DD.fit per session into the folder given by -o (made if missing). "
    "Copy the files to the watch's GARMIN/NewFiles folder, or import them in Garmin Connect."
)


def register(export_app: typer.Typer) -> None:
    """Add this export's command to `retrorun export`."""
    export_app.command("fit", help=FIT_HELP)(export_fit)


def export_fit(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="A .fit file for one session; with --week (or an existing folder), a folder "
            "that gets one YYYY-MM-DD.fit per session.",
        ),
    ],
    day: Annotated[
        str | None, typer.Option("--date", help="The session's day, YYYY-MM-DD (default today).")
    ] = None,
    week: Annotated[
        int | None, typer.Option(help="Every session of this plan week, one file each.")
    ] = None,
) -> None:
    """Write a FIT workout for a Garmin watch (the command's help is FIT_HELP)."""
    from retrorun.formats.fit_workout import workout_name, workout_to_fit  # Garmin's SDK: slow

    api = app_for(ctx)
    if day is not None and week is not None:
        raise InvalidInput("give --date or --week, not both")
    if week is None and not output.is_dir():
        check_extension(output, ("fit",))
        session, timeline = api.session(parse_date(day) if day else today())
        write_atomically(output, workout_to_fit(session, timeline))
        console.print(f"Wrote {output} ({workout_name(session)})", highlight=False)
        return
    if output.suffix.lower() == ".fit" or (output.exists() and not output.is_dir()):
        raise InvalidInput(f"{output}: with --week, -o is a folder for YYYY-MM-DD.fit files")
    dates = _week_dates(api, week) if week is not None else [parse_date(day) if day else today()]
    files: dict[str, bytes] = {}
    for when in dates:
        session, timeline = api.session(when)
        files[f"{session.date.isoformat()}.fit"] = workout_to_fit(session, timeline)
    _write_all(output, files)
    console.print(f"Wrote {len(files)} workout file(s) to {output}", highlight=False)


def _week_dates(api: Retrorun, week: int) -> list[date]:
    plan = api.plan()
    if not 1 <= week <= len(plan.weeks):
        raise InvalidInput(f"the plan has weeks 1–{len(plan.weeks)} (asked for week {week})")
    return [session.date for session in plan.weeks[week - 1].sessions]


def _write_all(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file, or none: on a failure the files already written are removed."""
    made_folder = not folder.exists()
    if made_folder:
        if not folder.parent.is_dir():
            raise InvalidInput(f"cannot write {folder}: folder {folder.parent} does not exist")
        try:
            folder.mkdir()
        except OSError as error:
            raise InvalidInput(f"cannot write {folder}: {error.strerror}") from None
    written: list[Path] = []
    try:
        for name, data in files.items():
            write_atomically(folder / name, data)
            written.append(folder / name)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if made_folder:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
