"""Shared printing for CLI commands: JSON for scripts, Rich for people, one-line errors."""

from __future__ import annotations

import io
import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


class LazyConsole:
    """A Rich console made on first use.

    Importing Rich's console costs about a third of what `retrorun --help` takes to start, and
    help, errors from the option parser and `--json` output never need it.
    """

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr
        self._console: Console | None = None

    @property
    def rich(self) -> Console:
        """The Rich console itself, for Rich objects that want one (Live, Progress)."""
        if self._console is None:
            self._console = _quiet_on_broken_pipe(stderr=self.stderr)
        return self._console

    def reset(self) -> None:
        """Decide width and colour again on next use (a test running many commands in one
        process needs each to see its own streams, as a new process would)."""
        self._console = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)


def _quiet_on_broken_pipe(stderr: bool) -> Console:
    """A Rich console that ends quietly with 0 when its reader goes away (Rich's own exits 1)."""
    from rich.console import Console

    class QuietConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            reader_gone()

    return QuietConsole(stderr=stderr)


def reader_gone() -> NoReturn:
    """stdout's reader closed the pipe (`retrorun plan show | head -3`): it has read all it
    wanted, so stop without a word and exit 0.

    stdout is pointed at /dev/null first, so that Python's own flush at exit does not meet the
    closed pipe again and print "Exception ignored ... BrokenPipeError".
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):  # not a real file (a test's buffer)
        pass
    raise SystemExit(0)


console = LazyConsole()
error_console = LazyConsole(stderr=True)


def new_table(*columns: str, **options: Any) -> Table:
    """A Rich table; rich.table is imported here, on first use, to keep start-up fast."""
    from rich.table import Table

    return Table(*columns, **options)


def print_json(data: Any) -> None:
    """Print stable, sorted JSON on stdout (scripts parse this; keep keys stable).

    NaN and infinity are not JSON: refusing them here (allow_nan=False) means a new path that
    lets one through fails loudly instead of printing what no script can parse.
    """
    text = json.dumps(data, indent=2, sort_keys=True, default=str, allow_nan=False)
    sys.stdout.write(text + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit non-zero; never a traceback."""
    error_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(code)
