"""The command line through its real entry point: a new user's first plan and session."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer
from tests.cli.clirunner import assert_one_line_error, new_database, run, run_subprocess

from retrorun.cli.main import app
from retrorun.core.screening import QUESTION_IDS

if TYPE_CHECKING:
    from typer._click import Command  # Typer vendors Click; its Command lives only there

PROFILE = [
    "profile",
    "set",
    "--mass-kg",
    "68",
    "--age",
    "41",
    "--experience",
    "regular-runner",
    "--goal",
    "knee-rehab",
    "--days",
    "3",
    "--minutes",
    "30",
    "--treadmill",
    "--track",
    "--partner",
]


def _answers(tmp_path: Path, **yes: bool) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**dict.fromkeys(QUESTION_IDS, False), **yes}))
    return str(path)


@pytest.fixture
def ready_db(tmp_path: Path) -> Path:
    db = tmp_path / "me.db"
    assert run(db, "init").code == 0
    assert run(db, *PROFILE).code == 0
    assert run(db, "screen", "--answers", _answers(tmp_path)).code == 0
    return db


def test_knee_rehab_plan_json_is_eight_safe_walking_first_weeks(ready_db: Path) -> None:
    result = run(ready_db, "plan", "new", "--start", "2026-12-01", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert len(data["plan"]["weeks"]) == 8
    walk_weeks = data["plan"]["walk_weeks"]
    assert walk_weeks == 3  # 2 for a regular runner, one more for rehab
    sessions = data["sessions"]
    assert len(sessions) == 24
    for session in sessions:
        assert {"date", "steps", "week"} <= session.keys()
        for step in session["steps"]:
            assert {"direction", "mode", "setting", "duration_s"} <= step.keys()
            assert step["direction"] in ("backward", "forward")
            assert step["mode"] in ("walk", "run")
            if session["week"] <= walk_weeks and step["direction"] == "backward":
                assert step["mode"] == "walk"
            if session["week"] <= 2:
                assert step["setting"] in ("treadmill-with-handrails", "track")
    assert run(ready_db, "plan", "show", "--json").json() == data


def test_session_show_json_has_the_timeline_with_shoulder_cues(ready_db: Path) -> None:
    run(ready_db, "plan", "new", "--start", "2026-12-01")
    for day in ("2026-12-02", "2027-01-13"):
        data = run(ready_db, "session", "show", "--date", day, "--json").json()
        assert data["date"] == day
        timeline = data["timeline"]
        assert all({"t_s", "kind", "text"} <= cue.keys() for cue in timeline)
        start = 0
        for index, step in enumerate(data["steps"]):
            cues = [c for c in timeline if c["step_index"] == index and c["kind"] == "shoulder"]
            if step["direction"] == "backward":
                expected = list(range(start + 60, start + step["duration_s"], 60))
                assert [c["t_s"] for c in cues] == expected
            else:
                assert cues == []
            start += step["duration_s"]
        assert timeline[-1]["kind"] == "done" and timeline[-1]["t_s"] == start


def test_session_show_defaults_to_today(ready_db: Path) -> None:
    run(ready_db, "plan", "new", "--start", "2026-12-01")
    result = run(ready_db, "session", "show", today="2026-12-02")
    assert result.code == 0 and "Look over your left shoulder" in result.out
    assert_one_line_error(
        run(ready_db, "session", "show", today="2026-12-03"), "no session planned on 2026-12-03"
    )


def test_human_plan_and_week_views(ready_db: Path) -> None:
    out = run(ready_db, "plan", "new", "--start", "2026-12-01").out
    assert "knee-rehab, 8 weeks" in out and "Wed 2026-12-02" in out
    week2 = run(ready_db, "plan", "show", "--week", "2").out
    assert "2026-12-09" in week2 and "2026-12-02" not in week2
    assert_one_line_error(run(ready_db, "plan", "show", "--week", "9"), "weeks 1–8")


def test_plan_refused_until_screening_and_clearance(tmp_path: Path) -> None:
    db = new_database(tmp_path / "x.db")
    run(db, *PROFILE)
    assert_one_line_error(run(db, "plan", "new", "--start", "2026-12-01"), "retrorun screen")
    run(db, "screen", "--answers", _answers(tmp_path, heart_condition=True))
    assert_one_line_error(run(db, "plan", "new", "--start", "2026-12-01"), "--cleared-by-doctor")
    cleared = run(db, "plan", "new", "--start", "2026-12-01", "--cleared-by-doctor", "--json")
    assert cleared.code == 0 and cleared.json()["plan"]["cleared_by_doctor"] is True


def test_log_and_history(ready_db: Path) -> None:
    run(ready_db, "plan", "new", "--start", "2026-12-01")
    log = [
        "log",
        "--date",
        "2026-12-02",
        "--minutes",
        "25",
        "--distance-km",
        "1.8",
        "--direction",
        "backward",
        "--mode",
        "walk",
        "--setting",
        "treadmill-with-handrails",
        "--rpe",
        "4",
        "--pain-during",
        "2",
        "--pain-after",
        "1",
        "--pain-next-morning",
        "1",
        "--with-partner",
        "--notes",
        "steady",
    ]
    result = run(ready_db, *log, today="2026-12-03")
    assert result.code == 0 and "counted toward the planned session" in result.out
    history = run(ready_db, "history", "--json").json()
    assert len(history) == 1
    entry = history[0]
    assert entry["date"] == "2026-12-02" and entry["duration_s"] == 1500
    assert entry["distance_m"] == 1800 and entry["matched_plan"] is True
    assert entry["pain_next_morning"] == 1 and entry["with_partner"] is True
    assert "2026-12-02" in run(ready_db, "history").out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--minutes", "-5"], "minutes"),
        (["--pain-during", "11"], "pain during must be 0–10"),
        (["--date", "2027-01-01"], "in the future"),
        (["--date", "2026-13-01"], "not a date"),
        (["--minutes", "3"], "nobody can backward walk"),
        (["--setting", "road"], "road"),
        (["--minutes", "abc"], "Invalid value for '--minutes'"),
    ],
)
def test_bad_logs_are_one_line_errors_and_store_nothing(
    ready_db: Path, change: list[str], message: str
) -> None:
    base = {
        "--date": "2026-12-02",
        "--minutes": "25",
        "--distance-km": "1.8",
        "--direction": "backward",
        "--mode": "walk",
        "--setting": "track",
        "--rpe": "4",
        "--pain-during": "2",
        "--pain-after": "1",
    }
    base.update(dict(zip(change[::2], change[1::2], strict=True)))
    args = [item for pair in base.items() for item in pair]
    result = run(ready_db, "log", *args, today="2026-12-03")
    assert_one_line_error(result, message)
    assert run(ready_db, "history", "--json").json() == []


def test_screen_list_json_has_every_question_id(tmp_path: Path) -> None:
    data = run(tmp_path / "x.db", "screen", "--list", "--json").json()
    assert [q["id"] for q in data] == list(QUESTION_IDS)
    assert sum(q["group"] == "par-q+" for q in data) == 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a"]', "one JSON object"),
        ('{"heart_condition": "yes"}', "missing"),
        ('{"bogus": true}', "unknown"),
    ],
)
def test_bad_answer_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(content)
    db = new_database(tmp_path / "x.db")
    assert_one_line_error(run(db, "screen", "--answers", str(path)), message)


def test_screen_without_a_terminal_asks_for_a_file(tmp_path: Path) -> None:
    assert_one_line_error(run(tmp_path / "x.db", "screen"), "--answers")


def test_screen_asks_interactively_in_a_terminal(tmp_path: Path) -> None:
    """Answer the questions in a real pseudo-terminal, one 'n' per question."""
    db = new_database(tmp_path / "x.db")
    env = {**os.environ, "RETRORUN_DATABASE_URL": str(db), "RETRORUN_TODAY": "2026-11-25"}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "retrorun", "screen"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    answered = 0
    while process.poll() is None and time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        output += chunk
        while output.count(b"[y/n]") > answered:
            os.write(leader, b"n\n")
            answered += 1
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, output.decode()
    assert answered == len(QUESTION_IDS)
    assert b"Screening saved" in output


def test_unknown_database_url_is_one_line(tmp_path: Path) -> None:
    result = run("postgresql://nobody@127.0.0.1:1/none", "plan", "show")
    assert_one_line_error(result, "cannot open the database")


def _every_command(
    command: Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Command]]:
    """The command and, for a group, every command under it, depth first."""
    yield path, command
    if isinstance(command, typer.core.TyperGroup):
        for name, sub in command.commands.items():
            yield from _every_command(sub, (*path, name))


def test_every_command_has_help(tmp_path: Path) -> None:
    """Walk the tree Typer builds, so a command added later is checked without a list to keep."""
    found = dict(_every_command(typer.main.get_command(app)))
    assert {(), ("energy",), ("plan", "new"), ("export", "ics"), ("activity", "mark")} <= set(found)
    for path, command in found.items():
        name = " ".join(("retrorun", *path))
        assert (command.help or "").strip(), f"{name} has no help text"
        result = run(tmp_path / "x.db", *path, "--help")
        assert result.code == 0 and "Usage" in result.out, (name, result.err)


def test_session_show_gives_the_estimated_cost(ready_db: Path) -> None:
    run(ready_db, "plan", "new", "--start", "2026-12-01")
    data = run(ready_db, "session", "show", "--date", "2026-12-02", "--json").json()
    energy = data["energy"]
    assert energy["kcal"] == pytest.approx(sum(step["kcal"] for step in data["steps"]), abs=0.5)
    assert energy["kcal"] > energy["kcal_if_forward_same_speed"] > 0
    assert energy["intensity"] in ("light", "moderate", "vigorous")
    human = run(ready_db, "session", "show", "--date", "2026-12-02").out
    assert "Estimated cost: about" in human and "than the same steps forward" in human


def test_default_database_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    """In a new process: where the default goes is decided from the environment at start."""
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    result = run_subprocess(None, "init", env=home)
    assert result.code == 0, result.err
    assert (tmp_path / "data" / "retrorun" / "retrorun.db").is_file()


def test_db_option_selects_the_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    assert run(tmp_path / "unused.db", "--db", str(other), "init").code == 0
    result = run(tmp_path / "unused.db", "--db", str(other), *PROFILE)
    assert result.code == 0
    assert other.is_file() and not (tmp_path / "unused.db").exists()


def test_a_database_folder_that_cannot_exist_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert_one_line_error(run(blocker / "sub" / "x.db", "init"), "does not exist")


def test_the_whole_program_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """End to end, each step a new process, as a user's shell runs it (psycopg included)."""
    assert run_subprocess(postgres_url, "init").code == 0
    assert run_subprocess(postgres_url, *PROFILE).code == 0
    assert run_subprocess(postgres_url, "screen", "--answers", _answers(tmp_path)).code == 0
    plan = run_subprocess(postgres_url, "plan", "new", "--start", "2026-12-01", "--json")
    assert plan.code == 0, plan.err
    assert len(plan.json()["plan"]["weeks"]) == 8
    session = run_subprocess(postgres_url, "session", "show", "--date", "2026-12-02", "--json")
    assert session.json()["timeline"][-1]["kind"] == "done"
