"""Run the real `retrorun` entry point in a subprocess, as a user or a script would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(db: str | Path, *args: str, today: str = "2026-11-25", stdin: str = "") -> Result:
    env = {
        **os.environ,
        "RETRORUN_DATABASE_URL": str(db),
        "RETRORUN_TODAY": today,
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "retrorun", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(result: Result, contains: str) -> None:
    assert result.code != 0, result.out
    assert "Traceback" not in result.err
    lines = [line for line in result.err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error:") and contains in lines[0], lines[0]
