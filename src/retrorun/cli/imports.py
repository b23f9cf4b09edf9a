"""`retrorun import` and `retrorun activity`: watch and phone files in, and what they were."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrorun.cli.context import app_for
from retrorun.cli.output import console, error_console, new_table, print_json
from retrorun.core.profile import Units
from retrorun.core.workout import Direction
from retrorun.errors import InvalidInput

if TYPE_CHECKING:  # the database and the file parsers, which --help does not need
    from rich.progress import TaskID
    from rich.table import Table

    from retrorun.importing import ImportResult
    from retrorun.store.activities import StoredActivity

activity_app = typer.Typer(
    help="Imported activities: list them, show one, mark its direction.", rich_markup_mode=None
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
TABLE_UP_TO = 25  # more imported files than this get only the summary line
# Our choice: room for a Strava export's "12345678901.fit.gz" or a Garmin "…_1234567890.fit".
FILE_NAME_WIDTH = 24

IMPORT_HELP = """Import activities recorded by a watch or phone.

PATHS are FIT, GPX or TCX files (each may be gzipped, e.g. run.fit.gz), folders, and zip
archives such as a Strava or Garmin bulk export. Each file is stored once (by content), matched
to the planned session of its day (the UTC date of its start) and given an energy estimate.
Damaged or hostile files are refused with the reason and add nothing; the others go on.
The table and the summary go to stdout; refusals and energy warnings to stderr.

Exit status: 0 when every file was imported or already present, 1 when any was rejected.
"""


def register(app: typer.Typer) -> None:
    app.command("import", help=IMPORT_HELP)(import_command)
    app.add_typer(activity_app, name="activity")


def import_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or zip archives.")],
    direction: Annotated[
        Direction | None,
        typer.Option(help="Mark every imported activity backward or forward."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    api = app_for(ctx)
    with _ImportProgress(enabled=error_console.is_terminal) as progress:
        results = api.import_files(
            paths, direction=direction.value if direction else None, progress=progress.update
        )
    if not results:
        raise InvalidInput("no FIT, GPX or TCX files found in " + ", ".join(map(str, paths)))
    if as_json:
        from retrorun.services.schemas import import_json

        print_json(import_json(results))
    else:
        _print_import(results)
    if any(result.status == "rejected" for result in results):
        raise typer.Exit(1)


class _ImportProgress:
    """A Rich progress bar on stderr: files, records per second and time left."""

    def __init__(self, enabled: bool) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} files"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=error_console.rich,
            transient=True,
            disable=not enabled,
        )
        self.task: TaskID | None = None
        self.samples = 0
        self.started = time.perf_counter()

    def __enter__(self) -> _ImportProgress:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def update(self, result: ImportResult, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("import", total=total, rate="")
        self.samples += result.samples
        per_s = self.samples / max(time.perf_counter() - self.started, 1e-9)
        rate = f"{per_s:,.0f} records/s"
        self.progress.update(self.task, completed=done, total=total, rate=rate)


def _print_import(results: list[ImportResult]) -> None:
    """The table and the summary on stdout; rejections and warnings on stderr, as errors go,
    so a script reading stdout gets the results and a person still sees what went wrong."""
    imported = [r.activity for r in results if r.activity is not None]
    if 0 < len(imported) <= TABLE_UP_TO:
        console.print(activity_table(imported))
    counts = {s: sum(r.status == s for r in results) for s in ("imported", "duplicate", "rejected")}
    console.print(
        f"Imported {counts['imported']}, already present {counts['duplicate']}, "
        f"rejected {counts['rejected']}.",
        highlight=False,
    )
    for result in results:
        if result.status == "rejected":
            _warn(f"  rejected {result.path}: {result.reason}")
        elif result.activity is not None and result.activity.notes:
            _warn(f"  repaired {result.path}: {'; '.join(result.activity.notes)}")
    no_energy = {a.energy_model for a in imported if a.kcal is None and a.energy_model}
    for reason in sorted(no_energy):
        _warn(f"Energy not estimated: {reason}.")


def _warn(line: str) -> None:
    error_console.print(line, markup=False, highlight=False, soft_wrap=True)


def short_file_name(path: str, width: int = FILE_NAME_WIDTH) -> str:
    """The file's own name, without its folders or the archive it came in, so rows can be told
    apart in a narrow table; a long name keeps its start (often a date) and its end (a number,
    the extension), which is where names differ."""
    name = path.rpartition("!")[2].replace("\\", "/").rpartition("/")[2] or path
    if len(name) <= width:
        return name
    tail = (width - 1) // 2
    return f"{name[: width - 1 - tail]}…{name[-tail:]}"


def activity_table(activities: list[StoredActivity]) -> Table:
    table = new_table(
        "id", "file", "start (UTC)", "sport", "min", "km", "laps", "direction", "back min"
    )
    table.add_column("kcal")
    table.add_column("plan")
    for a in activities:
        table.add_row(
            str(a.id),
            short_file_name(a.source_path),
            a.start.strftime("%Y-%m-%d %H:%M"),
            a.sport or "-",
            f"{a.duration_s / 60:.1f}",
            "-" if a.distance_m is None else f"{a.distance_m / 1000:.2f}",
            str(len(a.laps)),
            a.direction or "unknown",
            f"{a.backward_s / 60:.1f}",
            "-" if a.kcal is None else f"{a.kcal:.0f}",
            "yes" if a.matched_plan else "",
        )
    return table


@activity_app.command("list")
def activity_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Imported activities, oldest first."""
    api = app_for(ctx)
    activities = api.activities()
    if as_json:
        from retrorun.services.schemas import activities_document

        print_json(activities_document(activities, Units.METRIC))
    elif activities:
        console.print(activity_table(activities))
    else:
        console.print("No imported activities yet: retrorun import PATH")


@activity_app.command("show")
def activity_show(
    ctx: typer.Context,
    activity_id: Annotated[int, typer.Argument(help="The id from `retrorun activity list`.")],
    as_json: JsonOption = False,
) -> None:
    """One imported activity with its laps and their directions."""
    _print_activity(app_for(ctx).activity(activity_id), as_json)


@activity_app.command("mark")
def activity_mark(
    ctx: typer.Context,
    activity_id: Annotated[int, typer.Argument(help="The id from `retrorun activity list`.")],
    direction: Annotated[Direction, typer.Option(help="Backward or forward.")],
    lap: Annotated[
        list[int] | None,
        typer.Option(help="Only this lap (0 is the first); repeat for several. Default: all."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Mark an imported activity, or some of its laps, backward or forward."""
    activity = app_for(ctx).set_activity_direction(activity_id, direction.value, lap or None)
    _print_activity(activity, as_json)


def _print_activity(activity: StoredActivity, as_json: bool) -> None:
    if as_json:
        from retrorun.services.schemas import activity_document

        print_json(activity_document(activity, Units.METRIC, laps=True))
        return
    console.print(activity_table([activity]))
    if activity.laps:
        laps = new_table("lap", "start min", "min", "km", "workout step", "direction")
        for lap in activity.laps:
            laps.add_row(
                str(lap.index),
                f"{lap.start_s / 60:.1f}",
                f"{lap.duration_s / 60:.1f}",
                "-" if lap.distance_m is None else f"{lap.distance_m / 1000:.2f}",
                "-" if lap.workout_step_index is None else str(lap.workout_step_index),
                lap.direction or "unknown",
            )
        console.print(laps)
    if activity.energy_model:
        console.print(f"Energy: {activity.energy_model}", markup=False, highlight=False)
