"""`retrorun export`: a session or a plan as an audio cue track, a watch workout or a calendar."""

from __future__ import annotations

import typer

from retrorun.cli import export_audio, export_calendar, export_watch

export_app = typer.Typer(
    help="Export sessions: audio cue track, watch workout, calendar.", rich_markup_mode=None
)


def register(app: typer.Typer) -> None:
    for group in (export_audio, export_watch, export_calendar):
        group.register(export_app)
    app.add_typer(export_app, name="export")
