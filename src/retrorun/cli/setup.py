"""`retrorun init` and `retrorun profile`: the database and the person."""

from __future__ import annotations

from typing import Annotated

import typer

from retrorun.cli.context import app_for, service_app
from retrorun.cli.output import console, new_table, print_json
from retrorun.core.profile import Experience, Goal, ProfileChange, Units, parse_weekdays

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
    mass_kg: Annotated[float | None, typer.Option(help="Body mass in kg.")] = None,
    age: Annotated[int | None, typer.Option(help="Age in years.")] = None,
    experience: Annotated[Experience | None, typer.Option(help="Your running background.")] = None,
    goal: Annotated[
        Goal | None, typer.Option(help="Why you run backward; rehab gives 8 weeks.")
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="Training days a week, 1–7 (first profile: 3).")
    ] = None,
    weekdays: Annotated[
        str | None, typer.Option(help="Which days, e.g. mon,wed,fri (each day once).")
    ] = None,
    minutes: Annotated[
        int | None, typer.Option(help="Minutes you have per session, 15–180 (first profile: 30).")
    ] = None,
    treadmill: Annotated[
        bool | None,
        typer.Option("--treadmill/--no-treadmill", help="You can use a treadmill with handrails."),
    ] = None,
    track: Annotated[
        bool | None, typer.Option("--track/--no-track", help="You can use a level running track.")
    ] = None,
    partner: Annotated[
        bool | None,
        typer.Option("--partner/--no-partner", help="A partner can come to spot for you."),
    ] = None,
    sex: Annotated[
        str | None,
        typer.Option(help="female or male (heart-rate energy); none removes it."),
    ] = None,
    units: Annotated[Units | None, typer.Option(help="Display units.")] = None,
) -> None:
    """Set your profile; later runs change only the options given.

    The first time needs --mass-kg, --age, --experience and --goal. Plans already made stay as
    they are; when a change would shape a new plan differently, you are told.
    """
    change = ProfileChange(
        mass_kg=mass_kg,
        age_years=age,
        experience=experience,
        goal=goal,
        days_per_week=days,
        weekdays=parse_weekdays(weekdays) if weekdays is not None else None,
        minutes_per_session=minutes,
        has_treadmill=treadmill,
        has_track=track,
        has_partner=partner,
        sex=sex,
        units=units,
    )
    saved = app_for(ctx).change_profile(change)
    if saved.first:
        console.print("Profile saved. Next: retrorun screen", highlight=False)
    elif not saved.changes:
        console.print("Profile unchanged: every value given is the one stored.", highlight=False)
    else:
        words = ", ".join(str(c) for c in saved.changes)
        console.print(f"Profile changed: {words}.", highlight=False, soft_wrap=True)
    if saved.plan_changes:
        made_for = ", ".join(c.was for c in saved.plan_changes)
        console.print(
            f"Your plan was made for {made_for}: retrorun plan new --start YYYY-MM-DD "
            "makes one for your profile now.",
            highlight=False,
            soft_wrap=True,
        )


@profile_app.command("show")
def profile_show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
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
