"""`retrorun init` and `retrorun profile`: the database and the person."""

from __future__ import annotations

from typing import Annotated

import typer

from retrorun.cli.context import app_for, service_app
from retrorun.cli.output import console, new_table, print_json
from retrorun.core.profile import (
    Experience,
    Goal,
    Profile,
    Units,
    parse_weekdays,
    weekdays_for,
)

profile_app = typer.Typer(
    help="Your profile: body, running background, goal, time, equipment.", rich_markup_mode=None
)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(profile_app, name="profile")


def init(ctx: typer.Context) -> None:
    """Create the local database (SQLite in your data folder, or the one --db names).

    Also migrates an older database to this version's schema, as `retrorun db upgrade` does.
    """
    service_app(ctx).upgrade()
    api = app_for(ctx)
    console.print(f"Database ready: {api.url}")
    console.print("Next: retrorun profile set --help")


@profile_app.command("set")
def profile_set(
    ctx: typer.Context,
    mass_kg: Annotated[float, typer.Option(help="Body mass in kg.")],
    age: Annotated[int, typer.Option(help="Age in years.")],
    experience: Annotated[Experience, typer.Option(help="Your running background.")],
    goal: Annotated[Goal, typer.Option(help="Why you run backward; rehab gives 8 weeks.")],
    days: Annotated[int, typer.Option(help="Training days a week (1–7).")] = 3,
    weekdays: Annotated[
        str | None, typer.Option(help="Which days, e.g. mon,wed,fri (overrides the default).")
    ] = None,
    minutes: Annotated[int, typer.Option(help="Minutes you have per session (15–180).")] = 30,
    treadmill: Annotated[
        bool, typer.Option(help="You can use a treadmill with handrails.")
    ] = False,
    track: Annotated[bool, typer.Option(help="You can use a level running track.")] = False,
    partner: Annotated[bool, typer.Option(help="A partner can come to spot for you.")] = False,
    sex: Annotated[str | None, typer.Option(help="female or male (heart-rate energy).")] = None,
    units: Annotated[Units, typer.Option(help="Display units.")] = Units.METRIC,
) -> None:
    """Set your profile (replaces the previous one; plans already made stay as they are)."""
    chosen_days = parse_weekdays(weekdays) if weekdays else weekdays_for(days)
    profile = Profile(
        mass_kg=mass_kg,
        age_years=age,
        experience=experience,
        goal=goal,
        weekdays=chosen_days,
        minutes_per_session=minutes,
        has_treadmill=treadmill,
        has_track=track,
        has_partner=partner,
        sex=sex,
        units=units,
    )
    app_for(ctx).set_profile(profile)
    console.print("Profile saved. Next: retrorun screen")


@profile_app.command("show")
def profile_show(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Show your profile."""
    from retrorun.services.schemas import profile_json

    data = profile_json(app_for(ctx).profile())
    if as_json:
        print_json(data)
        return
    table = new_table(show_header=False)
    for key, value in data.items():
        table.add_row(key.replace("_", " "), _words(value))
    console.print(table)


def _words(value: object) -> str:
    """A profile value as a person reads it: mon, wed, fri; yes; not given."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "not given" if value is None else str(value)
