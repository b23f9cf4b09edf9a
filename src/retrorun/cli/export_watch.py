"""Placeholder: this export is being built."""

import typer


def register(export_app: typer.Typer) -> None:
    """Add this export's command to `retrorun export`."""
