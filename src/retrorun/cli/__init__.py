"""The retrorun command line (Typer + Rich)."""
