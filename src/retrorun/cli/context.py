"""What every command needs: the application for the chosen database, who acts, and today.

The CLI acts as the local owner of its database, with no sign-in, on the training record "me",
as it always has. `--as EMAIL` acts as another user of the same database instead: whoever holds
the database file holds all its data anyway. Heavy modules (SQLAlchemy, the services) are
imported only when a command needs them, so `--help` and `energy` start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from retrorun.core.units import parse_date as parse_date
from retrorun.services.clock import now as now
from retrorun.services.clock import today as today

if TYPE_CHECKING:
    from retrorun.api import Retrorun
    from retrorun.services.access import Actor
    from retrorun.services.app import App, Scope


def _root_obj(ctx: typer.Context) -> dict[str, object]:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    obj: dict[str, object] = root.obj
    return obj


def service_app(ctx: typer.Context) -> App:
    """The App for the database chosen by --db / RETRORUN_DATABASE_URL (nothing migrated)."""
    from retrorun.services.app import App

    obj = _root_obj(ctx)
    if "app" not in obj:
        app = App(_text(obj.get("db")))
        obj["app"] = app
        ctx.find_root().call_on_close(app.close)
    found = obj["app"]
    assert isinstance(found, App)
    return found


def ready_app(ctx: typer.Context) -> App:
    """The App on a database ready to use, which this never creates.

    Only `init`, `db upgrade` and `serve` make a database: anywhere else a missing one is
    refused, naming `retrorun init`, so a mistyped `--db typo.db` leaves no empty file behind.
    """
    app = service_app(ctx)
    obj = _root_obj(ctx)
    if not obj.get("checked"):
        app.check_schema()
        obj["checked"] = True
    return app


def actor_for(ctx: typer.Context) -> Actor:
    """The local owner, or the user named by --as."""
    obj = _root_obj(ctx)
    if "actor" not in obj:
        app = ready_app(ctx)
        as_user = _text(obj.get("as"))
        obj["actor"] = app.actor_by_email(as_user) if as_user else app.local_owner()
    actor = obj["actor"]
    return actor  # type: ignore[return-value]


def app_for(ctx: typer.Context) -> Retrorun:
    """The acting person's own training record, ready for the athlete commands."""
    from retrorun.api import Retrorun

    obj = _root_obj(ctx)
    if "api" not in obj:
        obj["api"] = Retrorun(app=ready_app(ctx), actor=actor_for(ctx))
    api = obj["api"]
    assert isinstance(api, Retrorun)
    return api


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def athlete_scope(ctx: typer.Context, athlete: str | None) -> tuple[Scope, int]:
    """Who acts, and on whose training record: their own, or (`--athlete`) an athlete who linked
    them as coach or physio, named by the email or the id `retrorun coach list` shows.

    Whether the actor may read that record is the services' check, made on every call; a name
    no active link gives is refused exactly like an athlete who does not exist.
    """
    from retrorun.errors import InvalidInput, NotFound
    from retrorun.services import accounts

    scope = ready_app(ctx).scope(actor_for(ctx))
    own = scope.actor.athlete_id
    if athlete is None:
        if own is None:
            raise InvalidInput("name the athlete: --athlete EMAIL (see retrorun coach list)")
        return scope, own
    wanted = athlete.strip()
    if wanted.isdigit():
        return scope, int(wanted)
    if own is not None and (scope.actor.email or "").casefold() == wanted.casefold():
        return scope, own
    for link in accounts.links(scope):
        named = (link.athlete_name or "").casefold() == wanted.casefold()
        if named and link.status == "active" and link.athlete_id is not None:
            return scope, link.athlete_id
    raise NotFound(f"no athlete {wanted!r} among those you may see: see retrorun coach list")
