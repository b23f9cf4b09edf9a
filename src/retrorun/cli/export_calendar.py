"""`retrorun export ics`: the planned sessions as a calendar file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from retrorun.cli.context import app_for
from retrorun.cli.output import console
from retrorun.core.profile import Units
from retrorun.errors import InvalidInput
from retrorun.formats.output_file import check_extension, write_atomically

MAX_ALARM_MINUTES = 7 * 24 * 60


ICS_HELP = (
    "Write your planned sessions as an iCalendar file, one event per session.\n\n"
    "Each event has the workout's title, its steps, form cues, partner set-up and estimated "
    "energy, and a reminder. Sessions have no time of day, so events are all-day unless you "
    "give --time. Event UIDs come from you, the plan's start date and the session date: "
    "importing the file again updates the events rather than doubling them. A new plan with "
    "another start date gets new UIDs, so delete the old plan's events in your calendar."
)


def register(export_app: typer.Typer) -> None:
    """Add this export's command to `retrorun export`."""
    export_app.command("ics", help=ICS_HELP)(export_ics)


def export_ics(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The calendar file to write (.ics).")
    ],
    weeks: Annotated[
        int | None, typer.Option(help="Only the first N weeks of the plan (default all).")
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(
            "--time",
            help="Start time HH:MM (your local time) for timed events; "
            "default: all-day events, reminded at 18:00 the evening before.",
        ),
    ] = None,
    alarm_minutes: Annotated[
        int, typer.Option(help="With --time: remind this many minutes before the start.")
    ] = 30,
) -> None:
    """Write the plan as a calendar file (the command's help is ICS_HELP)."""
    from retrorun.formats.ics import CalendarSession, plan_to_ics  # icalendar: slow to import

    check_extension(output, ("ics",))
    when = _parse_time(start_time) if start_time is not None else None
    if not 0 <= alarm_minutes <= MAX_ALARM_MINUTES:
        raise InvalidInput(f"--alarm-minutes must be 0–{MAX_ALARM_MINUTES} (got {alarm_minutes})")
    api = app_for(ctx)
    plan = api.plan()
    if weeks is not None and not 1 <= weeks <= len(plan.weeks):
        raise InvalidInput(f"the plan has weeks 1–{len(plan.weeks)} (asked for {weeks} weeks)")
    chosen = [s for s in plan.sessions if weeks is None or s.week <= weeks]
    entries = [CalendarSession(s, api.timeline(s), api.session_cost(s)) for s in chosen]
    data = plan_to_ics(
        entries,
        athlete=api.athlete,
        plan_start=plan.start,
        stamp=datetime.now(UTC).replace(microsecond=0),
        start_time=when,
        alarm_minutes=alarm_minutes,
        imperial=api.profile().units is Units.IMPERIAL,
    )
    write_atomically(output, data)
    console.print(f"Wrote {output} ({len(entries)} sessions)", highlight=False)


def _parse_time(text: str) -> time:
    """HH:MM only: no seconds and no time zone (events are in the person's local time)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise InvalidInput(f"--time {text!r} is not a time of day; use HH:MM")
