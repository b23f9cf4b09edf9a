"""`retrorun coach caseload | show | note | notes` and `retrorun audit`: the coach's caseload.

A coach sees their clients, who needs them first and why (`coach caseload`), one client's page
(`coach show`), and writes notes the client reads or keeps private (`coach note`). A client
reads every read and change their coaches made of their data (`retrorun audit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from retrorun.cli.accounts import JsonOption, coach_app
from retrorun.cli.context import actor_for, athlete_scope, ready_app, today
from retrorun.cli.output import console, new_table, print_json

if TYPE_CHECKING:
    from rich.table import Table

    from retrorun.core.caseload import CaseloadRow
    from retrorun.services.caseload import ClientPage, Note

# Pain 0–10 as a bar of eight heights; a week with nothing logged is a dot.
SPARK = "▁▂▃▄▅▆▇█"
AthleteArgument = Annotated[
    str, typer.Argument(help="The client's email or id (see retrorun coach list).")
]


def register(app: typer.Typer) -> None:
    """`coach caseload`, `coach show`, `coach note` and `coach notes` join `coach_app` as they
    are defined; `audit` is a command of its own."""
    app.command("audit")(audit)


@coach_app.command("caseload")
def coach_caseload(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option(help="Only clients whose name or email holds this.")
    ] = None,
    attention: Annotated[
        bool, typer.Option("--attention", help="Only clients who need you.")
    ] = False,
    page: Annotated[int, typer.Option(help="Which page, from 1.")] = 1,
    per_page: Annotated[int, typer.Option(help="Clients a page, 1–200.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """As a coach: your clients, who needs you first and why (paused or red flags, pain rising,
    next-morning pain missing, missed sessions, a stage change, new imports)."""
    from retrorun.services import caseload

    scope = ready_app(ctx).scope(actor_for(ctx))
    found = caseload.caseload(
        scope,
        today(),
        search=search,
        needs_attention_only=attention,
        page=page,
        per_page=per_page,
    )
    if as_json:
        from retrorun.services.schemas import caseload_json

        print_json(caseload_json(found))
        return
    console.print(
        f"{found.total} clients, page {found.page} of {found.pages}, on {found.today}",
        highlight=False,
    )
    if found.rows:
        console.print(_caseload_table(found.rows))


def _caseload_table(rows: Sequence[CaseloadRow]) -> Table:
    table = new_table("client", "stage", "setting", "2 wk", "6 wk", "pain", "last", "needs you")
    for row in rows:
        client = row.client
        stage = client.stage
        limit = stage.setting_limit if stage is not None else None
        table.add_row(
            client.email or client.name,
            stage.words if stage is not None else "no plan",
            limit.words if limit is not None else "as planned",
            _percent(client.recent.ratio),
            _percent(client.longer.ratio),
            sparkline(client.pain_during_weeks),
            client.last_session.isoformat() if client.last_session else "-",
            "; ".join(reason.words for reason in row.reasons) or "-",
        )
    return table


def _percent(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.0%}"


def sparkline(weeks: Sequence[float | None]) -> str:
    """Weekly mean pain (0–10), oldest first, as small bars; "·" for a week with no log."""
    return "".join(
        "·" if pain is None else SPARK[min(len(SPARK) - 1, round(pain / 10 * (len(SPARK) - 1)))]
        for pain in weeks
    )


@coach_app.command("show")
def coach_show(ctx: typer.Context, athlete: AthleteArgument, as_json: JsonOption = False) -> None:
    """As a coach: one client's page: what needs you, this plan week, recent sessions, the
    latest decisions with their reasons, the pause, and your notes."""
    from retrorun.services import caseload

    scope, athlete_id = athlete_scope(ctx, athlete)
    page = caseload.client(scope, athlete_id, today())
    if as_json:
        from retrorun.services.schemas import client_json

        print_json(client_json(page))
        return
    _print_page(page)


def _print_page(page: ClientPage) -> None:
    lines = [f"{page.email or page.name} (athlete {page.athlete_id}) on {page.today}"]
    if page.row is not None:
        lines += [f"  needs you: {reason.words}" for reason in page.row.reasons]
    if page.paused is not None:
        lines.append(f"Paused since {page.paused.since}: {page.paused.reason}")
    week = page.plan_week
    if week is None:
        lines.append("No plan yet.")
    else:
        lines.append(f"Plan week {week.week.number} of {week.week_count}:")
        lines += [
            f"  {s.date} {s.workout.title} ({s.status}"
            + (f", {s.origin}: {s.reason}" if s.reason else "")
            + ")"
            for s in week.records
        ]
    lines.append(
        f"Pain ceiling {page.pain_limits.pain_ceiling}/10, "
        f"usual morning pain {page.pain_limits.usual_pain}/10"
    )
    lines.append(f"Logged in the last weeks: {len(page.history.logged)} sessions")
    lines += [
        f"  {item.entry.date} {item.entry.minutes:g} min, pain {item.entry.pain_during}/"
        f"{item.entry.pain_after}/{_or_dash(item.entry.pain_next_morning)}"
        for item in page.history.logged
    ]
    for decision in page.decisions[:3]:
        reasons = "; ".join(str(r) for r in decision.document.get("reasons", ()))
        lines.append(f"Decided {decision.made_on}: {decision.document.get('verdict')}: {reasons}")
    lines += [_note_line(note) for note in page.notes]
    console.print("\n".join(lines), highlight=False, markup=False)


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def _note_line(note: Note) -> str:
    private = ", private" if note.private else ""
    return f"Note {note.created_at.date()} by {note.author_email}{private}: {note.text}"


@coach_app.command("note")
def coach_note(
    ctx: typer.Context,
    athlete: AthleteArgument,
    text: Annotated[str, typer.Argument(help="The note.")],
    private: Annotated[
        bool, typer.Option("--private", help="Only you see it (not the client).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """As a coach: write a note on a client, which the client reads (or, --private, only you)."""
    from retrorun.services import caseload

    scope, athlete_id = athlete_scope(ctx, athlete)
    note = caseload.add_note(scope, athlete_id, text, private)
    if as_json:
        from retrorun.services.schemas import note_json

        print_json(note_json(note))
        return
    who = "only you see it" if note.private else "the client sees it"
    console.print(f"Note {note.id} kept: {who}.", highlight=False)


@coach_app.command("notes")
def coach_notes(
    ctx: typer.Context,
    athlete: Annotated[
        str | None,
        typer.Argument(help="As a coach: the client's email or id. An athlete: leave it out."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The notes on a client: your coaches' shared notes on you, or (a coach) the shared ones
    and your own private ones."""
    from retrorun.services import caseload

    scope, athlete_id = athlete_scope(ctx, athlete)
    found = caseload.notes(scope, athlete_id)
    if as_json:
        from retrorun.services.schemas import notes_json

        print_json(notes_json(found))
        return
    if not found:
        console.print("No notes.")
    for note in found:
        console.print(_note_line(note), highlight=False, markup=False)


def audit(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="The latest N, 1–1000.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Who read or changed your data: every read and change your coaches made, newest first."""
    from retrorun.errors import InvalidInput
    from retrorun.services import caseload

    if actor_for(ctx).athlete_id is None:
        raise InvalidInput("the audit log is an athlete's: what their coaches read and changed")
    scope, athlete_id = athlete_scope(ctx, None)
    entries = caseload.audit_log(scope, athlete_id, limit)
    if as_json:
        from retrorun.services.schemas import audit_json

        print_json(audit_json(entries))
        return
    if not entries:
        console.print("No coach has read or changed your data.")
        return
    table = new_table("when", "who", "did", "what")
    for entry in entries:
        table.add_row(entry.at.strftime("%Y-%m-%d %H:%M"), entry.who, entry.action, entry.words)
    console.print(table)
