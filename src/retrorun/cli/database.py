"""`retrorun db`: the database schema, migrated only when asked."""

from __future__ import annotations

from typing import Annotated

import typer

from retrorun.cli.context import service_app
from retrorun.cli.output import console, print_json

db_app = typer.Typer(help="The database: its schema and migrations.", rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Migrate the database to this version's schema (safe when several processes start)."""
    app = service_app(ctx)
    before, after = app.upgrade()
    if as_json:
        from retrorun.services.schemas import upgrade_json

        print_json(upgrade_json(_shown(app.url), before, after))
    elif before == after:
        console.print(f"Schema {after} is current: {_shown(app.url)}", highlight=False)
    else:
        console.print(f"Schema {before or 'none'} → {after}: {_shown(app.url)}", highlight=False)


@db_app.command("status")
def db_status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Which schema the database has, and whether `retrorun db upgrade` is needed."""
    from retrorun.store.database import HEAD_REVISION, current_revision

    app = service_app(ctx)
    current = current_revision(app.engine)
    data = {"url": _shown(app.url), "schema": current, "needed": HEAD_REVISION}
    if as_json:
        print_json({**data, "up_to_date": current == HEAD_REVISION})
        return
    state = "up to date" if current == HEAD_REVISION else "run `retrorun db upgrade`"
    console.print(
        f"{data['url']}: schema {current or 'none'}, this retrorun needs {HEAD_REVISION} ({state})",
        highlight=False,
    )


def _shown(url: str) -> str:
    """The URL with any password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
