"""Start-up: `retrorun --help` and `retrorun energy` must not load the heavy packages.

The database (SQLAlchemy, Alembic, psycopg), the file parsers (lxml) and NumPy cost most of a
second to import; commands that need none of them must not pay for them. Each check is a new
process, since this one has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "alembic", "numpy", "lxml", "psycopg", "pydantic")
ENERGY = ["energy", "--direction", "backward", "--mode", "walk", "--speed-kmh", "3.4"]
ENERGY += ["--mass-kg", "68"]

# Runs the real entry point with the given arguments, then lists the top-level packages loaded.
PROBE = """
import json, sys
from retrorun.cli.main import run
sys.argv = ["retrorun", *sys.argv[1:]]
try:
    run()
except SystemExit as done:
    code = done.code
loaded = sorted({name.partition(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def loaded_by(*args: str) -> set[str]:
    """The packages `retrorun ARGS` has imported by the time it exits (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), done.stderr
    return set(report["loaded"])


@pytest.fixture(scope="module")
def help_modules() -> set[str]:
    return loaded_by("--help")


@pytest.fixture(scope="module")
def energy_modules() -> set[str]:
    return loaded_by(*ENERGY)


@pytest.mark.parametrize("package", HEAVY)
def test_help_loads_no_heavy_package(help_modules: set[str], package: str) -> None:
    assert package not in help_modules


# Typer 0.29 checks every option value through a pydantic TypeAdapter, so a command that runs
# cannot avoid pydantic; only --help can.
ENERGY_HEAVY = [name for name in HEAVY if name != "pydantic"]


@pytest.mark.parametrize("package", ENERGY_HEAVY)
def test_energy_loads_no_heavy_package(energy_modules: set[str], package: str) -> None:
    assert package not in energy_modules
