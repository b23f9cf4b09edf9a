"""`retrorun plan convert`: your own forward plan as a backward retrorun plan."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retrorun.cli.context import app_for, parse_date
from retrorun.cli.output import console, print_json
from retrorun.cli.plans import JsonOption, plan_app
from retrorun.core.units import format_duration

if TYPE_CHECKING:  # the converter is not needed to print help
    from retrorun.core.convert import Conversion


class Mode(StrEnum):
    """The converter's modes, as the option takes them (core.convert.ConvertMode)."""

    ALL = "all"
    MIX = "mix"


CONVERT_HELP = (
    "Convert your own forward running plan into a backward plan, and make it your plan.\n\n"
    "PATH is a file or a folder of files: FIT workouts (dated by their file name, "
    "2026-12-08-intervals.fit), TCX workouts, an iCalendar export, CSV (date, title, duration, "
    "distance, description) or plain text (a line 'YYYY-MM-DD Title', then its steps, e.g. "
    "'10m warm-up', '6x 400mtr hard / 90s easy', '40m easy'). Words that cannot be read as "
    "steps become a free-text session, listed below.\n\n"
    "--mode all: every run backward (the rehab prescription), walking the first weeks, then "
    "forward running back week by week after the block, up to the race. --mode mix: the "
    "easiest runs of each week backward (--backward-days, at most 3), the rest forward. "
    "Sessions keep your plan's time, not its distance; what a week does not allow yet is "
    "capped (all) or done forward (mix), and the reason is shown."
)


def register(app: typer.Typer) -> None:
    """Add `convert` to `retrorun plan` (the `plan` group is registered by cli.plans)."""
    plan_app.command("convert", help=CONVERT_HELP)(plan_convert)


def plan_convert(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A plan file, or a folder of them.")],
    mode: Annotated[Mode, typer.Option(help="all: every run backward; mix: some a week.")],
    backward_days: Annotated[
        int | None, typer.Option(help="With --mode mix: backward sessions a week (1–3).")
    ] = None,
    weeks: Annotated[
        int | None, typer.Option(help="Weeks of the backward block (4–52; rehab is always 8).")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: your plan's first run).")
    ] = None,
    race: Annotated[
        str | None, typer.Option(help="Race day, YYYY-MM-DD (default: a workout called a race).")
    ] = None,
    cleared_by_doctor: Annotated[
        bool, typer.Option(help="A doctor has cleared you (needed after any 'yes').")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Convert a forward plan (the command's help is CONVERT_HELP)."""
    from retrorun.core.convert import ConvertMode
    from retrorun.formats.forward_plan import read_forward_plan
    from retrorun.services.conversion import ConversionRequest, convert

    forward = read_forward_plan(path)  # a bad file stops here: nothing is stored
    request = ConversionRequest(
        mode=ConvertMode(mode.value),
        start=parse_date(start, "--start") if start else None,
        weeks=weeks,
        backward_days=backward_days,
        race=parse_date(race, "--race") if race else None,
        cleared=cleared_by_doctor,
    )
    api = app_for(ctx)
    conversion = convert(api.scope, api.athlete_id, forward, request)
    if as_json:
        from retrorun.services.schemas import conversion_json

        print_json(conversion_json(conversion, api.profile().units))
        return
    print_conversion(conversion, path.name)


def print_conversion(conversion: Conversion, source: str) -> None:
    """The plan made, then every free-text, capped, split and left-out workout, with why."""
    from retrorun.core.convert import REST_DAY, Treatment

    plan = conversion.plan
    runs = len(conversion.sessions)
    console.print(
        f"[bold]Converted {runs} runs of {source}[/] into your plan from "
        f"{plan.start.isoformat()}: {conversion.mode.value}, {len(plan.weeks)} weeks "
        f"(backward block {conversion.block_weeks}, walking only in weeks 1–{plan.walk_weeks}).",
        soft_wrap=True,
    )
    for note in (*plan.notes, *conversion.reading_notes):
        console.print(f"• {note}", highlight=False, soft_wrap=True)
    free = [c for c in conversion.sessions if c.free_text]
    _section(
        "Free text, read as an easy run (check these)",
        [f"{_day(c.date)} {c.title}: {c.reasons[0]}" for c in free],
    )
    _section(
        "Capped (what this week does not allow yet is left out)",
        [
            f"{_day(c.date)} {c.title}: {format_duration(c.backward_s)} backward of "
            f"{format_duration(c.source_s)}, {format_duration(c.left_out_s)} left out"
            for c in conversion.sessions
            if c.treatment is Treatment.CAPPED
        ],
    )
    _section(
        "Split (part backward, the rest forward as written)",
        [
            f"{_day(c.date)} {c.title}: {format_duration(c.backward_s)} backward, "
            f"{format_duration(c.forward_s)} forward"
            for c in conversion.sessions
            if c.treatment is Treatment.SPLIT
        ],
    )
    forward = [c for c in conversion.sessions if c.treatment is Treatment.FORWARD]
    if conversion.mode.value == "mix":
        console.print(f"Forward as written: {len(forward)} runs.", highlight=False)
    else:
        _section(
            "Forward again after the block (only while pain allows)",
            [f"{_day(c.date)} {c.title}" for c in forward],
        )
    _section(
        "Race",
        [f"{_day(c.date)} {c.title}" for c in conversion.sessions if c.treatment is Treatment.RACE],
    )
    rest = [x for x in conversion.left_out if x.reason == REST_DAY]
    if rest:
        console.print(f"Rest days: {len(rest)}, kept as rest.", highlight=False)
    _section(
        "Left out",
        [f"{_day(x.date)} {x.title}: {x.reason}" for x in conversion.left_out if x not in rest],
    )
    console.print(
        "Each session says why it is what it is: retrorun plan show, retrorun session show "
        "--date D; on a watch: retrorun export fit --week N -o folder/.",
        highlight=False,
        soft_wrap=True,
    )


def _section(heading: str, lines: list[str]) -> None:
    if not lines:
        return
    console.print(f"[bold]{heading}[/] ({len(lines)}):")
    for line in lines:
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def _day(day: date) -> str:
    return day.strftime("%a %Y-%m-%d")
