"""`retrorun screen`: the pre-participation questions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from retrorun.cli.context import app_for, today
from retrorun.cli.output import console, new_table, print_json
from retrorun.core.screening import QUESTIONS
from retrorun.errors import InvalidInput


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)


def screen(
    ctx: typer.Context,
    list_questions: Annotated[
        bool, typer.Option("--list", help="List the questions with their ids.")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option(help="A JSON file {question id: true|false}; no questions asked."),
    ] = None,
    cleared_by_doctor: Annotated[
        bool, typer.Option(help="A doctor has cleared you for this program.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Answer the screening questions (PAR-Q+ and balance) before a plan is made."""
    if list_questions:
        _refuse_with_list(answers, cleared_by_doctor)
        _list(as_json)
        return
    given = _read_answers(answers) if answers else _ask()
    screening = app_for(ctx).screen(given, today(), cleared=cleared_by_doctor)
    if as_json:
        from retrorun.services.schemas import screening_json

        print_json(screening_json(screening))
    elif screening.needs_clearance and not screening.cleared_by_doctor:
        console.print(
            "You answered yes to: " + ", ".join(screening.yes_answers) + ".\n"
            "Check with your doctor before you start. Once cleared, make your plan with "
            "retrorun plan new --start YYYY-MM-DD --cleared-by-doctor"
        )
    else:
        console.print("Screening saved. Next: retrorun plan new --start YYYY-MM-DD")


def _refuse_with_list(answers: Path | None, cleared_by_doctor: bool) -> None:
    """--list only shows the questions; an option that would save answers must not be ignored."""
    ignored = [
        name
        for name, given in (
            ("--answers", answers is not None),
            ("--cleared-by-doctor", cleared_by_doctor),
        )
        if given
    ]
    if ignored:
        raise InvalidInput(
            "--list only shows the questions and saves nothing; leave out "
            f"{' and '.join(ignored)}, or leave out --list to save your answers"
        )


def _list(as_json: bool) -> None:
    if as_json:
        from retrorun.services.schemas import questions_json

        print_json(questions_json())
        return
    table = new_table("id", "question")
    for q in QUESTIONS:
        table.add_row(q.id, q.text)
    console.print(table)


def _read_answers(path: Path) -> dict[str, bool]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} must hold one JSON object {{question id: true|false}}")
    return data


def _ask() -> dict[str, bool]:
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask the questions; use --answers FILE.json")
    console.print("Answer each question yes or no.\n")
    return {q.id: typer.confirm(q.text, default=None) for q in QUESTIONS}
