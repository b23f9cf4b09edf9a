"""`--db` as a new user tries it (issue 13, defect 9): a file that is no database, a mistyped
path, a folder that is not there, and output piped into `head`.

Only `init` and `db upgrade` (and `serve`, which migrates at start) create a database; every
other command on a missing one says so in one line and names `retrorun init`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.clirunner import (
    assert_one_line_error,
    command_env,
    new_database,
    run,
    run_subprocess,
)

from retrorun.core.screening import QUESTION_IDS

PROFILE = [
    *("profile", "set", "--mass-kg", "68", "--age", "41", "--experience", "regular-runner"),
    *("--goal", "knee-rehab", "--days", "3", "--minutes", "30", "--treadmill", "--track"),
]
DATA = Path(__file__).resolve().parents[1] / "data"

# Every command that reads or writes a person's data, with what it needs to get that far.
READ_AND_WRITE_COMMANDS = [
    ["history"],
    ["history", "--json"],
    ["plan", "show"],
    ["profile", "show"],
    ["session", "list"],
    ["activity", "list"],
    ["db", "status"],
    ["user", "list"],
    ["coach", "list"],
    ["import", str(DATA / "run.gpx")],
    PROFILE,
    ["plan", "new", "--start", "2026-12-01"],
    [*("log", "--date", "2026-11-20", "--minutes", "20", "--direction", "backward"),
     *("--mode", "walk", "--setting", "track", "--rpe", "3"),
     *("--pain-during", "0", "--pain-after", "0")],
]  # fmt: skip


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- a file that is not a database ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "args"),
    [
        ("x.db", b"x\n", ["init"]),
        ("x.db", b"x\n", ["db", "upgrade"]),
        ("notes.fit", (DATA / "garmin-fenix-5-run.fit").read_bytes(), ["plan", "show"]),
        ("notes.fit", (DATA / "garmin-fenix-5-run.fit").read_bytes(), ["history", "--json"]),
    ],
)
def test_a_file_that_is_not_a_database_is_one_line_and_left_as_it_was(
    tmp_path: Path, name: str, content: bytes, args: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run(path, *args)
    assert_one_line_error(result, f"{path} is not a SQLite database")
    assert path.read_bytes() == content
    assert _files(tmp_path) == [name]  # no lock file, no -wal or -shm beside it


def test_a_folder_given_as_the_database_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run(tmp_path, "history"), "is a folder")
    assert_one_line_error(run(tmp_path, "init"), "is a folder")
    assert _files(tmp_path) == []


# --- a mistyped path creates nothing ----------------------------------------------------------


@pytest.mark.parametrize("args", READ_AND_WRITE_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_on_a_missing_database_names_init_and_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    typo = tmp_path / "typo.db"
    result = run(typo, *args)
    assert_one_line_error(result, "run `retrorun init`")
    assert f"no database at {typo}" in result.err
    assert _files(tmp_path) == []


def test_a_database_without_tables_names_init(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")  # an empty file is an empty SQLite database
    assert_one_line_error(run(empty, "history"), "no retrorun tables yet: run `retrorun init`")


def test_init_and_db_upgrade_create_a_database_the_rest_then_use_it(tmp_path: Path) -> None:
    for creator in (["init"], ["db", "upgrade"]):
        db = tmp_path / f"{creator[-1]}.db"
        assert run(db, *creator).code == 0
        assert db.is_file()
        listed = run(db, "history", "--json")
        assert listed.code == 0 and listed.json() == []


def test_energy_without_a_database_asks_for_the_mass_and_creates_nothing(tmp_path: Path) -> None:
    energy = ["energy", "--direction", "backward", "--mode", "walk", "--speed-kmh", "3.4"]
    assert_one_line_error(run(tmp_path / "typo.db", *energy), "--mass-kg is required")
    assert _files(tmp_path) == []


# --- folders: only retrorun's own data folder is made -------------------------------------------


def test_init_refuses_a_folder_that_does_not_exist_and_makes_none(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    result = run(missing / "x.db", "init")
    assert_one_line_error(result, f"the folder {missing} does not exist")
    assert _files(tmp_path) == []


def test_a_first_time_user_gets_the_data_folder_from_init_and_from_nothing_else(
    tmp_path: Path,
) -> None:
    """In new processes, as scripts/try-cli.sh runs it: the default database's folder is
    retrorun's own, which `init` makes; a read before `init` makes nothing."""
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    before = run_subprocess(None, "history", env=home)
    assert before.code == 1 and "Traceback" not in before.err
    assert "run `retrorun init`" in before.err
    assert not (tmp_path / "data").exists()
    made = run_subprocess(None, "init", env=home)
    assert made.code == 0, made.err
    assert (tmp_path / "data" / "retrorun" / "retrorun.db").is_file()
    assert run_subprocess(None, "history", "--json", env=home).json() == []


# --- a closed pipe ends quietly ----------------------------------------------------------------


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("planned")
    answers = folder / "answers.json"
    answers.write_text("{" + ", ".join(f'"{q}": false' for q in QUESTION_IDS) + "}")
    db = new_database(folder / "me.db")
    for args in (PROFILE, ["screen", "--answers", str(answers)]):
        assert run(db, *args).code == 0, args
    assert run(db, "plan", "new", "--start", "2026-12-01").code == 0
    return db


def _into_a_closed_pipe(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`retrorun ARGS` writing into a pipe whose reader has already gone: every write fails,
    so the test does not depend on how fast a reader such as `head` closes."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "retrorun", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **command_env(db, "2026-11-25")},
            timeout=120,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "show"],  # Rich tables
        ["plan", "show", "--json"],  # JSON, written at once
        ["history"],  # a little output, still in the buffer at exit
        ["--help"],  # printed while the options are parsed
        ["plan", "show", "--help"],
    ],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly_with_0(planned: Path, args: list[str]) -> None:
    done = _into_a_closed_pipe(planned, *args)
    assert (done.returncode, done.stderr) == (0, "")


def test_plan_show_into_head_exits_0(planned: Path) -> None:
    """The issue's own words: `retrorun plan show | head -3`, with pipefail."""
    retrorun = f"{sys.executable} -m retrorun"
    for _ in range(3):
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {retrorun} plan show | head -3"],
            capture_output=True,
            text=True,
            env={**os.environ, **command_env(planned, "2026-11-25")},
            timeout=120,
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert len(done.stdout.splitlines()) == 3
