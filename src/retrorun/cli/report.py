"""`retrorun report`: the therapist's report, as a PDF or an HTML file, or its numbers as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retrorun.cli.context import athlete_scope, today
from retrorun.cli.output import console, print_json
from retrorun.core.report import DEFAULT_WEEKS, MAX_WEEKS, Report
from retrorun.errors import InvalidInput
from retrorun.formats.output_file import check_extension, write_atomically

REPORT_HELP = (
    "Write a report for your physical therapist or coach: a PDF or an HTML page.\n\n"
    "For the last N weeks (this week counts as one): sessions of the plan due and done, "
    "backward and forward minutes per week, pain during and the next morning for each session "
    "against its minutes, what the progression engine decided and why, stumbles and falls, the "
    "3-metre backward walk times and energy, as charts and tables. The format follows the "
    "file's extension (.pdf or .html); a file already there is replaced. A linked coach or "
    "physio names the athlete with --athlete. --json prints the same numbers for scripts "
    "(retrorun schema report)."
)


def register(app: typer.Typer) -> None:
    app.command("report", help=REPORT_HELP)(report)


def report(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The file to write: report.pdf or report.html."),
    ] = None,
    weeks: Annotated[
        int, typer.Option(help=f"How many weeks, 1–{MAX_WEEKS}, up to today.")
    ] = DEFAULT_WEEKS,
    athlete: Annotated[
        str | None,
        typer.Option(
            metavar="EMAIL_OR_ID",
            help="As a coach or physio: the athlete's email or id (see retrorun coach list).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's numbers as JSON.")
    ] = False,
) -> None:
    """Make the report (the command's help is REPORT_HELP)."""
    from retrorun.services.report import report as make_report

    if output is None and not as_json:
        raise InvalidInput("give the file to write: -o report.pdf or -o report.html (or --json)")
    kind = check_extension(output, ("pdf", "html")) if output is not None else None
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"--weeks must be 1–{MAX_WEEKS} (got {weeks})")
    scope, athlete_id = athlete_scope(ctx, athlete)
    found = make_report(scope, athlete_id, today(), weeks)
    if output is not None:
        write_atomically(output, _render(found, kind))
    if as_json:
        from retrorun.services.schemas import report_json

        print_json(report_json(found))
        return
    console.print(
        f"Wrote {output}: {found.athlete}, {len(found.weeks)} weeks from "
        f"{found.first.isoformat()} to {found.last.isoformat()}",
        highlight=False,
    )


def _render(found: Report, kind: str | None) -> bytes:
    from retrorun.formats.report import report_html, report_pdf

    if kind == "pdf":
        return report_pdf(found)
    return report_html(found).encode("utf-8")
