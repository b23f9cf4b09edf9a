"""`retrorun energy`: placeholder until the energy model lands."""

import typer


def register(app: typer.Typer) -> None:
    """Add the energy command to the app."""
