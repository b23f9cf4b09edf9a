"""`retrorun schema`: the JSON Schema of every document `--json` prints."""

from __future__ import annotations

from typing import Annotated

import typer

from retrorun.cli.output import console, print_json
from retrorun.errors import InvalidInput


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    name: Annotated[
        str | None, typer.Argument(help="A document, e.g. plan or history; all when left out.")
    ] = None,
    list_names: Annotated[bool, typer.Option("--list", help="Only list the documents.")] = False,
) -> None:
    """Print the JSON Schema (2020-12) of what `--json` prints, as scripts and the API see it."""
    from retrorun.services.schemas import DOCUMENTS, json_schema

    if list_names:
        for known in DOCUMENTS:
            console.print(known, highlight=False)
        return
    if name is None:
        print_json({known: json_schema(known) for known in DOCUMENTS})
        return
    if name not in DOCUMENTS:
        raise InvalidInput(f"no document {name!r}; one of: {', '.join(DOCUMENTS)}")
    print_json(json_schema(name))
