"""Shared printing for CLI commands: JSON for scripts, Rich for people, one-line errors."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console

if TYPE_CHECKING:
    from rich.table import Table

console = Console()
error_console = Console(stderr=True)


def new_table(*columns: str, **options: Any) -> Table:
    """A Rich table; rich.table is imported here, on first use, to keep start-up fast."""
    from rich.table import Table

    return Table(*columns, **options)


def print_json(data: Any) -> None:
    """Print stable, sorted JSON on stdout (scripts parse this; keep keys stable)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit non-zero; never a traceback."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(code)
