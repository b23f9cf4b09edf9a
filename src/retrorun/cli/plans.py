"""`retrorun plan` and `retrorun session`: the program and the day's workout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from retrorun.cli.context import app_for, parse_date, today
from retrorun.cli.output import console, print_json
from retrorun.core.plan import Plan
from retrorun.core.profile import Units
from retrorun.core.serialize import plan_to_dict, session_to_dict, timeline_to_list
from retrorun.core.timeline import Timeline
from retrorun.core.workout import Session
from retrorun.errors import InvalidInput

if TYPE_CHECKING:  # the energy model behind it is not needed to print help
    from retrorun.core.session_cost import SessionCost

plan_app = typer.Typer(help="Make and read your plan.")
session_app = typer.Typer(help="A day's session and its cue timeline.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
    app.add_typer(session_app, name="session")


@plan_app.command("new")
def plan_new(
    ctx: typer.Context,
    start: Annotated[str, typer.Option(help="First day of the plan, YYYY-MM-DD.")],
    weeks: Annotated[
        int | None, typer.Option(help="Length in weeks (4–52; rehab is always 8).")
    ] = None,
    cleared_by_doctor: Annotated[
        bool, typer.Option(help="A doctor has cleared you (needed after any 'yes').")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Make a new plan from your profile and screening (earlier plans and logs are kept)."""
    api = app_for(ctx)
    plan = api.new_plan(parse_date(start, "start"), weeks, cleared=cleared_by_doctor)
    units = api.profile().units
    if as_json:
        print_json(plan_to_dict(plan, units))
        return
    _print_plan(plan, None)


@plan_app.command("show")
def plan_show(
    ctx: typer.Context,
    week: Annotated[int | None, typer.Option(help="Only this week.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show your plan, week by week."""
    api = app_for(ctx)
    plan = api.plan()
    if week is not None and not 1 <= week <= len(plan.weeks):
        raise InvalidInput(f"the plan has weeks 1–{len(plan.weeks)} (asked for week {week})")
    if as_json:
        data = plan_to_dict(plan, api.profile().units)
        if week is not None:
            data["sessions"] = [s for s in data["sessions"] if s["week"] == week]
        print_json(data)
        return
    _print_plan(plan, week)


@session_app.command("show")
def session_show(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="The day, YYYY-MM-DD (default today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a day's workout and its full cue timeline."""
    api = app_for(ctx)
    when = parse_date(day) if day else today()
    session, timeline = api.session(when)
    cost = api.session_cost(session)
    if as_json:
        print_json(session_json(session, timeline, cost, api.profile().units))
        return
    _print_session(session, timeline, cost, api.profile().units is Units.IMPERIAL)


def session_json(
    session: Session, timeline: Timeline, cost: SessionCost, units: Units
) -> dict[str, Any]:
    data = session_to_dict(session, units)
    for step, kcal in zip(data["steps"], cost.step_kcal, strict=True):
        step["kcal"] = round(kcal, 1)
    data["energy"] = cost_to_dict(cost)
    data["timeline"] = timeline_to_list(timeline)
    return data


def cost_to_dict(cost: SessionCost) -> dict[str, Any]:
    return {
        "kcal": round(cost.kcal, 1),
        "kcal_if_forward_same_speed": round(cost.kcal_if_forward, 1),
        "peak_met": round(cost.peak_met, 2),
        "intensity": cost.intensity,
        "assumptions": list(cost.assumptions),
    }


def cost_words(cost: SessionCost) -> str:
    """The session's cost in a sentence, saying which comparison it is."""
    extra = (cost.kcal / cost.kcal_if_forward - 1) * 100 if cost.kcal_if_forward else 0.0
    comparison = f"{abs(extra):.0f} % {'more' if extra >= 0 else 'less'}"
    return (
        f"Estimated cost: about {cost.kcal:.0f} kcal, {comparison} than the same steps forward "
        f"at the same speeds; hardest step {cost.peak_met:.1f} MET ({cost.intensity})."
    )


def _print_plan(plan: Plan, only_week: int | None) -> None:
    console.print(
        f"[bold]Plan from {plan.start.isoformat()}[/] ({plan.goal.value}, "
        f"{len(plan.weeks)} weeks; walking only in weeks 1–{plan.walk_weeks})"
    )
    for note in plan.notes:
        console.print(f"• {note}")
    table = Table("week", "date", "session", "minutes", "backward min")
    for week in plan.weeks:
        if only_week is not None and week.number != only_week:
            continue
        for session in week.sessions:
            workout = session.workout
            table.add_row(
                str(week.number),
                session.date.strftime("%a %Y-%m-%d"),
                workout.title,
                f"{workout.duration_s / 60:g}",
                f"{workout.backward_s / 60:g}",
            )
    console.print(table)


def _print_session(session: Session, timeline: Timeline, cost: SessionCost, imperial: bool) -> None:
    workout = session.workout
    console.print(f"[bold]{session.date.strftime('%A %Y-%m-%d')}: {workout.title}[/]")
    console.print(f"{workout.duration_s // 60} min, of which {workout.backward_s / 60:g} backward")
    console.print(cost_words(cost))
    for note in workout.notes:
        console.print(f"• {note}")
    if workout.spotting:
        console.print(f"• {workout.spotting}")
    steps = Table("#", "step", "setting")
    for index, step in enumerate(workout.steps, 1):
        steps.add_row(str(index), step.describe(imperial), step.setting.value)
    console.print(steps)
    cues = Table("time", "cue", "words")
    for cue in timeline.cues:
        minutes, seconds = divmod(cue.t_s, 60)
        cues.add_row(f"{minutes:02d}:{seconds:02d}", cue.kind.value, cue.text)
    console.print(cues)
