"""`retrorun plan` and `retrorun session`: the program and the day's workout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from retrorun.cli.context import app_for, athlete_scope, parse_date, today
from retrorun.cli.output import console, new_table, print_json
from retrorun.core.profile import Units
from retrorun.core.units import format_duration
from retrorun.core.workout import Setting
from retrorun.errors import InvalidInput

if TYPE_CHECKING:  # the plan generator and the energy model are not needed to print help
    from retrorun.core.plan import Plan
    from retrorun.core.session_cost import SessionCost
    from retrorun.core.timeline import Timeline
    from retrorun.core.workout import Session
    from retrorun.services.app import Scope

plan_app = typer.Typer(help="Make and read your plan.", rich_markup_mode=None)
session_app = typer.Typer(help="A day's session and its cue timeline.", rich_markup_mode=None)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AthleteOption = Annotated[
    str | None,
    typer.Option(
        "--athlete",
        help="As a coach: the client's email or id (see retrorun coach list); yours if left out.",
    ),
]
WeekOption = Annotated[
    int, typer.Option("--week", help="The plan week whose session it takes (1 to the last).")
]
ChangeReasonOption = Annotated[
    str,
    typer.Option(help="Why: the athlete reads it on their plan (with your name, as their coach)."),
]


def _whose(ctx: typer.Context, athlete: str | None) -> tuple[Scope, int]:
    """Your own plan, or (`--athlete`) a client's, whose link the services check."""
    if athlete is None:
        api = app_for(ctx)
        return api.scope, api.athlete_id
    return athlete_scope(ctx, athlete)


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
    if as_json:
        from retrorun.services.schemas import plan_json

        print_json(plan_json(plan, api.profile().units))
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
        from retrorun.services.schemas import plan_json

        data = plan_json(plan, api.profile().units)
        if week is not None:
            data["sessions"] = [s for s in data["sessions"] if s["week"] == week]
        print_json(data)
        return
    paused = api.pause_state()
    if paused is not None:
        console.print(
            f"Paused since {paused.since.isoformat()}: {paused.reason}. See your clinician; then "
            "`retrorun plan resume --reason TEXT` (you or your coach).",
            highlight=False,
        )
    _print_plan(plan, week)


@plan_app.command("why")
def plan_why(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="Decide as on this day (YYYY-MM-DD; today).")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="The decisions kept after each session, newest first.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Why the upcoming sessions are what they are: progress, hold, step back or pause.

    The progression engine reads your logs (pain during, after and the next morning, stumbles,
    falls, how steady you felt) and your backward minutes, and says what it decides and why.
    """
    from retrorun.services.schemas import decision_json, decisions_json

    api = app_for(ctx)
    if history:
        stored = decisions_json(api.decisions())
        if as_json:
            print_json(stored)
            return
        if not stored:
            console.print("No decision yet: one is made after each logged session.")
        for data in stored:
            _print_decision(data)
        return
    data = decision_json(api.why(parse_date(day) if day else today()))
    if as_json:
        print_json(data)
        return
    _print_decision(data)


@plan_app.command("resume")
def plan_resume(
    ctx: typer.Context,
    reason: Annotated[
        str, typer.Option(help="Why it goes on (e.g. what the clinician said); the plan keeps it.")
    ],
    athlete: AthleteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Resume a plan paused after a red flag (yours, or a client's). It restarts one step
    lower."""
    from retrorun.services import adaptation

    scope, athlete_id = _whose(ctx, athlete)
    changes = adaptation.resume(scope, athlete_id, reason, today())
    _print_plan_changes(changes, "The plan goes on, one step lower.", as_json)


@plan_app.command("step-back")
def plan_step_back(
    ctx: typer.Context,
    reason: ChangeReasonOption,
    athlete: AthleteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Step the plan back: this week's and next week's upcoming sessions one step easier, left
    as you set them by later decisions."""
    from retrorun.services import adaptation

    scope, athlete_id = _whose(ctx, athlete)
    changes = adaptation.step_back(scope, athlete_id, reason, today())
    _print_plan_changes(changes, "Stepped back.", as_json)


@plan_app.command("stage")
def plan_stage(
    ctx: typer.Context,
    week: WeekOption,
    setting: Annotated[
        str,
        typer.Option(help="Where backward steps may happen from now on: treadmill, track or path."),
    ],
    reason: ChangeReasonOption,
    athlete: AthleteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put the plan at another stage: this week's and next week's upcoming sessions take week
    N's session, and backward steps stay where --setting allows; the progression engine goes on
    from there and leaves these sessions as you set them."""
    from retrorun.services import adaptation

    limit = adaptation.limit_named(setting)
    scope, athlete_id = _whose(ctx, athlete)
    changes = adaptation.set_stage(scope, athlete_id, week, limit, reason, today())
    _print_plan_changes(changes, f"The plan is at week {week}'s sessions, {limit.words}.", as_json)


def _print_plan_changes(changes: list[Any], done: str, as_json: bool) -> None:
    from retrorun.services.schemas import plan_changes_json

    if as_json:
        print_json(plan_changes_json(changes))
        return
    console.print(done, highlight=False)
    _print_changes(plan_changes_json(changes)["changes"])


@plan_app.command("limits")
def plan_limits(
    ctx: typer.Context,
    pain_ceiling: Annotated[
        int | None,
        typer.Option(help="The most pain during a session that is still fine, 0–10 (5 at first)."),
    ] = None,
    usual_pain: Annotated[
        int | None,
        typer.Option(help="Pain on an ordinary morning before the block began, 0–10 (0 at first)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show or set the pain limits the progression engine decides by (your clinician's)."""
    from retrorun.services.schemas import pain_limits_json

    api = app_for(ctx)
    changing = pain_ceiling is not None or usual_pain is not None
    limits = api.set_pain_limits(pain_ceiling, usual_pain) if changing else api.pain_limits()
    if as_json:
        print_json(pain_limits_json(limits))
        return
    console.print(
        f"Pain during a session up to {limits.pain_ceiling}/10 is fine; an ordinary morning's "
        f"pain is {limits.usual_pain}/10.",
        highlight=False,
    )


def _print_decision(data: dict[str, Any]) -> None:
    console.print(
        f"After {data['date']}: {data['verdict']} ({data['rules_version']}).", highlight=False
    )
    for reason in data["reasons"]:
        console.print(f"  - {reason}", highlight=False)
    if "paused_since" in data:
        console.print(
            f"The plan is paused since {data['paused_since']}: see your clinician, then "
            "`retrorun plan resume --reason TEXT` (you or your coach).",
            highlight=False,
        )
    _print_changes(data.get("changes", []))
    console.print(f"Where: {data['setting_reason']}.", highlight=False)
    for day in data["ask_next_morning"]:
        console.print(
            f"Next-morning pain still to give for {day}: "
            f"retrorun log --date {day} --pain-next-morning N",
            highlight=False,
        )
    if data["walk_test_due"]:
        console.print("The 3-metre backward walk test is due.", highlight=False)
    weeks = ", ".join(f"{m:g}" for m in data["weekly_backward_minutes"])
    ratio = data["acute_chronic"]
    load = "not yet four weeks" if ratio is None else f"{ratio:.2f}"
    console.print(
        f"Backward minutes, last {len(data['weekly_backward_minutes'])} rolling weeks: {weeks}. "
        f"Acute:chronic {load} ({data['acute_chronic_note']}).",
        highlight=False,
        soft_wrap=True,
    )


def _print_changes(changes: list[dict[str, Any]]) -> None:
    for change in changes:
        console.print(
            f"  {change['date']} (session {change['session_id']}): {change['change']}",
            highlight=False,
            soft_wrap=True,
        )


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
        from retrorun.services.schemas import session_json

        print_json(session_json(session, timeline, cost, api.profile().units))
        return
    _print_session(session, timeline, cost, api.profile().units is Units.IMPERIAL)


ReasonOption = Annotated[
    str, typer.Option(help="Why: the athlete and their coach see it with the session.")
]


def _planned_on(ctx: typer.Context, day: str) -> int:
    """The id of the session of the current plan on that day (skipped ones included)."""
    api = app_for(ctx)
    return _session_on(api.scope, api.athlete_id, day)


def _session_on(scope: Scope, athlete_id: int, day: str) -> int:
    """The id of the session of this athlete's current plan on that day (skipped included)."""
    from retrorun.services import plans

    when = parse_date(day)
    for record in plans.planned_sessions(scope, athlete_id):
        if record.date == when:
            return record.id
    raise InvalidInput(f"no session of the current plan is on {when.isoformat()}")


@session_app.command("list")
def session_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every session of the current plan: status, version, and where it came from and why."""
    records = app_for(ctx).planned_sessions()
    if as_json:
        from retrorun.services.schemas import planned_sessions_json

        print_json(planned_sessions_json(records))
        return
    table = new_table("id", "date", "session", "status", "version", "origin", "reason")
    for r in records:
        table.add_row(
            str(r.id),
            r.date.strftime("%a %Y-%m-%d"),
            r.workout.title,
            r.status,
            str(r.version),
            r.origin if r.origin != "generated" else f"generated ({r.rules_version})",
            r.reason or "",
        )
    console.print(table)


@session_app.command("move")
def session_move(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The session's day, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option(help="The new day, YYYY-MM-DD (not in the past).")],
    reason: ReasonOption,
    athlete: AthleteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move an upcoming session (yours, or a client's) to another free day."""
    from retrorun.services import plans

    scope, athlete_id = _whose(ctx, athlete)
    session_id = _session_on(scope, athlete_id, day)
    to_day = parse_date(to, "--to")
    record = plans.move_session(scope, athlete_id, session_id, to_day, reason, today())
    _print_record(record, f"Moved to {record.date.isoformat()}", as_json)


@session_app.command("skip")
def session_skip(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The session's day, YYYY-MM-DD.")],
    reason: ReasonOption,
    athlete: AthleteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take an upcoming session (yours, or a client's) out of the plan; it stays on record as
    skipped, with why."""
    from retrorun.services import plans

    scope, athlete_id = _whose(ctx, athlete)
    session_id = _session_on(scope, athlete_id, day)
    record = plans.skip_session(scope, athlete_id, session_id, reason, today())
    _print_record(record, "Skipped", as_json)


@session_app.command("edit")
def session_edit(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The session's day, YYYY-MM-DD.")],
    reason: ReasonOption,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    setting: Annotated[
        Setting | None, typer.Option(help="Where the backward steps happen.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change an upcoming session: its title, or where its backward steps happen."""
    if title is None and setting is None:
        raise InvalidInput("give --title or --setting (or both) to change")
    api = app_for(ctx)
    record = api.edit_session(
        _planned_on(ctx, day), reason, today(), title=title, backward_setting=setting
    )
    _print_record(record, "Changed", as_json)


@session_app.command("replace")
def session_replace(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The session's day, YYYY-MM-DD.")],
    week: WeekOption,
    reason: ChangeReasonOption,
    setting: Annotated[
        str | None,
        typer.Option(
            help="Where its backward steps may happen: treadmill, track or path "
            "(default: where the plan allows now)."
        ),
    ] = None,
    athlete: AthleteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put week N's session in an upcoming session (yours, or a client's); it keeps its day,
    and a skipped one is planned again."""
    from retrorun.services import adaptation

    limit = None if setting is None else adaptation.limit_named(setting)
    scope, athlete_id = _whose(ctx, athlete)
    session_id = _session_on(scope, athlete_id, day)
    change = adaptation.replace_with_step(
        scope, athlete_id, session_id, week, limit, reason, today()
    )
    _print_plan_changes([change], "Replaced.", as_json)


@session_app.command("versions")
def session_versions(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The session's day, YYYY-MM-DD.")],
    as_json: JsonOption = False,
) -> None:
    """Every version of a session, with the steps and the exact cue timeline each had."""
    api = app_for(ctx)
    versions = api.session_versions(_planned_on(ctx, day))
    if as_json:
        from retrorun.services.schemas import session_versions_json

        profile = api.profile_or_none()
        print_json(session_versions_json(versions, profile.units if profile else Units.METRIC))
        return
    table = new_table("version", "date", "session", "status", "origin", "reason", "cues")
    for v in versions:
        r = v.session
        table.add_row(
            str(v.version),
            r.date.isoformat(),
            r.workout.title,
            r.status,
            r.origin,
            r.reason or "",
            str(len(v.timeline.cues)),
        )
    console.print(table)


def _print_record(record: Any, done: str, as_json: bool) -> None:
    if as_json:
        from retrorun.services.schemas import planned_session_json

        print_json(planned_session_json(record))
        return
    console.print(
        f"{done}: session {record.id}, {record.workout.title} "
        f"({record.status}, version {record.version}).",
        highlight=False,
    )


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
    table = new_table("week", "date", "session", "time", "backward")
    for week in plan.weeks:
        if only_week is not None and week.number != only_week:
            continue
        for session in week.sessions:
            workout = session.workout
            table.add_row(
                str(week.number),
                session.date.strftime("%a %Y-%m-%d"),
                workout.title,
                format_duration(workout.duration_s),
                format_duration(workout.backward_s),
            )
    console.print(table)


def _print_session(session: Session, timeline: Timeline, cost: SessionCost, imperial: bool) -> None:
    workout = session.workout
    console.print(f"[bold]{session.date.strftime('%A %Y-%m-%d')}: {workout.title}[/]")
    console.print(
        f"Time {format_duration(workout.duration_s)}, of which "
        f"{format_duration(workout.backward_s)} backward",
        highlight=False,
    )
    console.print(cost_words(cost))
    for note in workout.notes:
        console.print(f"• {note}")
    if workout.spotting:
        console.print(f"• {workout.spotting}")
    steps = new_table("#", "step", "setting")
    for index, step in enumerate(workout.steps, 1):
        steps.add_row(str(index), step.describe(imperial), step.setting.value)
    console.print(steps)
    cues = new_table("time", "cue", "words")
    for cue in timeline.cues:
        cues.add_row(format_duration(cue.t_s), cue.kind.value, cue.text)
    console.print(cues)
