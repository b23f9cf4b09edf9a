"""Run the `retrorun` command as a user would: in-process for speed, or in a real subprocess.

`run()` calls the real entry point, `retrorun.cli.main.run`, inside Typer's CliRunner
isolation, so a call costs milliseconds instead of a fresh interpreter, yet goes through the
same parsing, the same one-line error handling and the same exit codes. `run_subprocess()`
starts `python -m retrorun`; keep it for the few tests about the process itself (start-up,
terminals, the default data folder, one whole-program run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from retrorun.cli import main, output

TODAY = "2026-11-25"

# Colour switches that a user's shell or CI may set. A pipe is never coloured, so in-process
# calls drop them too: tests compare plain text, whatever the machine they run on.
COLOUR_SWITCHES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def command_env(db: str | Path, today: str) -> dict[str, str]:
    """The variables every test call sets: the database, a fixed today and a wide screen."""
    return {"RETRORUN_DATABASE_URL": str(db), "RETRORUN_TODAY": today, "COLUMNS": "200"}


def run(db: str | Path, *args: str, today: str = TODAY, stdin: str = "") -> Result:
    """Run `retrorun ARGS` in this process, with stdout and stderr kept apart."""
    env: dict[str, str | None] = {**command_env(db, today), **dict.fromkeys(COLOUR_SWITCHES)}
    with (
        CliRunner().isolation(input=stdin, env=env) as (stdout, stderr, _),
        _argv(["retrorun", *args]),
    ):
        _fresh_consoles()
        code = _call_entry_point()
        sys.stdout.flush()
        sys.stderr.flush()
        return Result(code, _text(stdout.getvalue()), _text(stderr.getvalue()))


def run_subprocess(
    db: str | Path | None,
    *args: str,
    today: str = TODAY,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
) -> Result:
    """Run `python -m retrorun ARGS` in a new process: for tests about the process itself.

    `db=None` leaves RETRORUN_DATABASE_URL unset, so the program picks its default database.
    """
    full_env = {**os.environ, **command_env(db or "", today), **(env or {})}
    if db is None:
        del full_env["RETRORUN_DATABASE_URL"]
    done = subprocess.run(
        [sys.executable, "-m", "retrorun", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def _call_entry_point() -> int:
    """The exit code the interpreter would give for `main.run()`, traceback included."""
    try:
        main.run()
    except SystemExit as done:
        return _exit_code(done.code)
    except Exception:  # as Python would: the traceback on stderr, exit status 1
        traceback.print_exc()
        return 1
    return 0


def _exit_code(code: object) -> int:
    """SystemExit's code as the process status: None is 0, a message is printed and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@contextmanager
def _argv(argv: Sequence[str]) -> Iterator[None]:
    """Typer reads the arguments from sys.argv, as the installed script does."""
    saved = sys.argv
    sys.argv = list(argv)
    try:
        yield
    finally:
        sys.argv = saved


def _fresh_consoles() -> None:
    """Make the CLI's shared Rich consoles decide width and colour again, as a new process would.

    `retrorun.cli.output` builds them at import, when this process had another stdout and
    maybe another COLUMNS; built again here they see the call's captured streams and env.
    """
    output.console.reset()
    output.error_console.reset()


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


def new_database(path: Path) -> Path:
    """`retrorun init` on `path`, as a person starts: no other command creates a database."""
    result = run(path, "init")
    assert result.code == 0, result.err
    return path


def assert_one_line_error(result: Result, contains: str) -> None:
    assert result.code != 0, result.out
    assert "Traceback" not in result.err
    lines = [line for line in result.err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error:") and contains in lines[0], lines[0]


def log_args(day: str, minutes: str = "24", rpe: str = "4") -> list[str]:
    """`retrorun log` for a backward treadmill walk on `day`, as the tests log one."""
    return [
        *("log", "--date", day, "--minutes", minutes, "--direction", "backward"),
        *("--mode", "walk", "--setting", "treadmill-with-handrails", "--rpe", rpe),
        *("--pain-during", "2", "--pain-after", "1"),
    ]
