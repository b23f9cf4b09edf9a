"""`retrorun log` and `retrorun history`: what was actually done."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from retrorun.cli.context import app_for, parse_date, today
from retrorun.cli.output import console, new_table, print_json
from retrorun.core.log import AlreadyLogged, LogEntry, red_flags_named
from retrorun.core.profile import Units
from retrorun.core.progression import RedFlag
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.errors import InvalidInput

if TYPE_CHECKING:
    from retrorun.services.logs import LoggedSession
    from retrorun.store.activities import StoredActivity


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("history")(history)


def log(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The day, YYYY-MM-DD.")],
    minutes: Annotated[float | None, typer.Option(help="Minutes done.")] = None,
    direction: Annotated[Direction | None, typer.Option(help="Mostly backward or forward.")] = None,
    mode: Annotated[Mode | None, typer.Option(help="Walk or run.")] = None,
    setting: Annotated[Setting | None, typer.Option(help="Where.")] = None,
    rpe: Annotated[int | None, typer.Option(help="Effort 0–10.")] = None,
    pain_during: Annotated[int | None, typer.Option(help="Pain during, 0–10.")] = None,
    pain_after: Annotated[int | None, typer.Option(help="Pain after, 0–10.")] = None,
    distance_km: Annotated[float | None, typer.Option(help="Distance in km.")] = None,
    pain_next_morning: Annotated[
        int | None,
        typer.Option(help="Pain the next morning, 0–10; alone, it completes that day's log."),
    ] = None,
    with_partner: Annotated[bool, typer.Option(help="A partner spotted for you.")] = False,
    notes: Annotated[str, typer.Option(help="Anything worth remembering.")] = "",
    stumbles: Annotated[int | None, typer.Option(help="Stumbles in the session.")] = None,
    falls: Annotated[int | None, typer.Option(help="Falls in the session.")] = None,
    steadiness: Annotated[
        int | None, typer.Option(help="How sure on your feet: 1 very unsure … 5 completely sure.")
    ] = None,
    red_flag: Annotated[
        list[str] | None,
        typer.Option(
            "--red-flag",
            help="A red flag, once for each: sharp-pain, rising-pain (kept rising during the "
            "session), swelling, fall-injury (an injury in a fall; needs --falls 1 or more). "
            "Any of them pauses the plan: see your clinician (physio or doctor) before you "
            "train again. With --pain-next-morning alone, added to that day's log.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Log it even when that day already has a log.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Log a session you did (refused, with the reason, if a value is impossible).

    A day already logged is asked about on a terminal, and refused without one unless --force.
    The next morning, `retrorun log --date D --pain-next-morning N` alone adds that morning's
    pain to the session logged on D.
    """
    session_options = {
        "--minutes": minutes,
        "--direction": direction,
        "--mode": mode,
        "--setting": setting,
        "--rpe": rpe,
        "--pain-during": pain_during,
        "--pain-after": pain_after,
    }
    given = [name for name, value in session_options.items() if value is not None]
    flags = red_flags_named(red_flag or ())
    if not given and pain_next_morning is not None:
        extras = {
            "--distance-km": distance_km is not None,
            "--with-partner": with_partner,
            "--notes": bool(notes),
            "--stumbles": stumbles is not None,
            "--falls": falls is not None,
            "--steadiness": steadiness is not None,
            "--force": force,
        }
        ignored = [name for name, was_given in extras.items() if was_given]
        if ignored:
            raise InvalidInput(
                "only --pain-next-morning completes the log already there; "
                + ", ".join(ignored)
                + " would be ignored: give the whole session to log a new one"
            )
        _complete(ctx, parse_date(day), pain_next_morning, flags, as_json)
        return
    missing = [name for name, value in session_options.items() if value is None]
    if missing:
        raise InvalidInput(
            "to log a session give " + ", ".join(missing) + " (or only --pain-next-morning "
            "to complete the session already logged that day)"
        )
    assert minutes is not None and direction and mode and setting
    assert rpe is not None and pain_during is not None and pain_after is not None
    entry = LogEntry(
        date=parse_date(day),
        minutes=minutes,
        direction=direction,
        mode=mode,
        setting=setting,
        rpe=rpe,
        pain_during=pain_during,
        pain_after=pain_after,
        distance_km=distance_km,
        pain_next_morning=pain_next_morning,
        with_partner=with_partner,
        notes=notes,
        stumbles=stumbles,
        falls=falls,
        steadiness=steadiness,
        red_flags=flags,
    )
    logged = _add(ctx, entry, force)
    if logged is None:
        console.print("Nothing logged.")
        return
    if as_json:
        from retrorun.services.schemas import log_written_json

        print_json(log_written_json(logged.id, logged.matched_plan, red_flags=flags))
        return
    where = (
        "counted toward the planned session"
        if logged.matched_plan
        else "no session was planned that day"
    )
    console.print(f"Logged {minutes:g} min on {entry.date.isoformat()} ({where}).")
    _warn_red_flags(flags)


def _warn_red_flags(flags: frozenset[RedFlag]) -> None:
    """Said after the log, never only in JSON: a red flag is what a person must act on."""
    if not flags:
        return
    console.print(
        f"Red flag: {', '.join(sorted(flags))}. Red flags pause your plan: see your clinician "
        "(physio or doctor) before you train again. `retrorun plan why` says what the plan "
        "does now.",
        highlight=False,
        soft_wrap=True,
    )


def _add(ctx: typer.Context, entry: LogEntry, force: bool) -> LoggedSession | None:
    """Log the entry; for a day already logged, ask on a terminal (None: the answer was no)."""
    api = app_for(ctx)
    try:
        return api.add_log(entry, today(), force=force)
    except AlreadyLogged as already:
        if not _can_ask():
            raise
        question = f"You already logged {already.what} on {already.day.isoformat()}. Log another?"
        if not typer.confirm(question, default=False):
            return None
    return api.add_log(entry, today(), force=True)


def _can_ask() -> bool:
    """A person at a terminal can answer a question; a script cannot."""
    return sys.stdin.isatty()


def _complete(
    ctx: typer.Context,
    day: date,
    pain_next_morning: int,
    flags: frozenset[RedFlag],
    as_json: bool,
) -> None:
    """Add the next morning's pain (and red flags that showed overnight) to the log of `day`."""
    item = app_for(ctx).complete_log(day, pain_next_morning, today(), flags)
    if as_json:
        from retrorun.services.schemas import log_written_json

        print_json(
            log_written_json(
                item.id, item.matched_plan, updated=True, red_flags=item.entry.red_flags
            )
        )
        return
    console.print(
        f"Pain the next morning after {day.isoformat()}: {pain_next_morning}/10, added to the log."
    )
    _warn_red_flags(flags)


def history(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Everything you logged or imported, oldest first (`source`: log or import)."""
    api = app_for(ctx)
    items = api.history()
    imported = api.activities()
    profile = api.profile_or_none()
    units = profile.units if profile is not None else Units.METRIC
    if as_json:
        from retrorun.services.schemas import history_json

        print_json(history_json(items, imported, units))
        return
    table = new_table("date", "what", "min", "km", "RPE", "pain d/a/m", "plan")
    rows = [(item.entry.date, _log_row(item)) for item in items]
    rows += [(a.start_date, _imported_row(a)) for a in imported]
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        table.add_row(*row)
    console.print(table)


def _log_row(item: LoggedSession) -> list[str]:
    e = item.entry
    morning = "-" if e.pain_next_morning is None else str(e.pain_next_morning)
    return [
        e.date.isoformat(),
        f"{e.direction.value} {e.mode.value} ({e.setting.value})"
        + (f", with import #{item.activity_id}" if item.activity_id is not None else ""),
        f"{e.minutes:g}",
        "-" if e.distance_km is None else f"{e.distance_km:g}",
        str(e.rpe),
        f"{e.pain_during}/{e.pain_after}/{morning}",
        "yes" if item.matched_plan else "",
    ]


def _imported_row(a: StoredActivity) -> list[str]:
    return [
        a.start_date.isoformat(),
        f"{a.direction or 'direction unknown'} {a.sport or ''} (imported #{a.id})",
        f"{a.duration_s / 60:.0f}",
        "-" if a.distance_m is None else f"{a.distance_m / 1000:.2f}",
        "-",
        "-",
        "yes" if a.matched_plan else "",
    ]
