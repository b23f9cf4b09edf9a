"""What every command needs: the API object for the chosen database, and today's date."""

from __future__ import annotations

import os
from datetime import date

import typer

from retrorun.api import Retrorun
from retrorun.errors import InvalidInput


def app_for(ctx: typer.Context) -> Retrorun:
    """Open the database chosen by --db / RETRORUN_DATABASE_URL (creating it if needed)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    if "api" not in root.obj:
        root.obj["api"] = Retrorun(root.obj.get("db"))
        ctx.call_on_close(root.obj["api"].close)
    api: Retrorun = root.obj["api"]
    return api


def today() -> date:
    """Today, or RETRORUN_TODAY (an ISO date) so scripts and tests can fix the day."""
    fixed = os.environ.get("RETRORUN_TODAY")
    return parse_date(fixed, "RETRORUN_TODAY") if fixed else date.today()


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date; use YYYY-MM-DD") from None
