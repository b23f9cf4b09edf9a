"""A new user's first weeks: changing the profile, logging once a day, energy from the profile.

Each test is a finding from a multi-week trial: a value that was silently reset, ignored or
counted twice before.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from tests.cli.clirunner import assert_one_line_error, new_database, run

from retrorun.cli import logbook
from retrorun.cli.main import app
from retrorun.core.screening import QUESTION_IDS

FIRST = ["profile", "set", "--mass-kg", "68", "--age", "41", "--experience", "regular-runner"]
FIRST += ["--goal", "knee-rehab", "--weekdays", "tue,thu,sat", "--minutes", "40"]
FIRST += ["--treadmill", "--track", "--partner", "--sex", "female", "--units", "imperial"]
WALK = ["log", "--date", "2026-12-02", "--minutes", "25", "--distance-km", "1.8"]
WALK += ["--direction", "backward", "--mode", "walk", "--setting", "treadmill-with-handrails"]
WALK += ["--rpe", "4", "--pain-during", "2", "--pain-after", "1"]
LOG_DAY = "2026-12-03"  # the day after WALK's date


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with a full first profile (every option given)."""
    path = new_database(tmp_path / "me.db")
    result = run(path, *FIRST)
    assert result.code == 0 and "Profile saved" in result.out, result.err
    return path


def _profile(db: Path) -> dict[str, object]:
    data: dict[str, object] = run(db, "profile", "show", "--json").json()
    return data


def _with_plan(db: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    assert run(db, "screen", "--answers", str(answers)).code == 0
    assert run(db, "plan", "new", "--start", "2026-12-01").code == 0


# --- 1. profile set changes only what is given ------------------------------------------------


def test_profile_set_again_changes_only_the_options_given(db: Path) -> None:
    before = _profile(db)
    result = run(db, "profile", "set", "--mass-kg", "70", "--no-partner")
    assert result.code == 0, result.err
    assert "Profile changed: mass 68 → 70 kg, partner yes → no." in result.out
    assert _profile(db) == {**before, "mass_kg": 70, "has_partner": False}
    kept = _profile(db)
    assert kept["has_treadmill"] is True and kept["has_track"] is True
    assert kept["sex"] == "female" and kept["units"] == "imperial"
    assert kept["weekdays"] == ["tue", "thu", "sat"] and kept["minutes_per_session"] == 40


def test_profile_set_with_nothing_new_says_so(db: Path) -> None:
    result = run(db, "profile", "set", "--mass-kg", "68", "--treadmill")
    assert result.code == 0 and "Profile unchanged" in result.out


def test_a_first_profile_needs_mass_age_experience_and_goal(tmp_path: Path) -> None:
    db = new_database(tmp_path / "new.db")
    result = run(db, "profile", "set", "--mass-kg", "68", "--experience", "regular-runner")
    assert_one_line_error(result, "missing --age, --goal")
    assert_one_line_error(run(db, "profile", "show"), "set your profile first")


def test_a_change_that_shapes_the_plan_suggests_a_new_one(db: Path, tmp_path: Path) -> None:
    no_plan_yet = run(db, "profile", "set", "--minutes", "45")
    assert no_plan_yet.code == 0 and "plan new" not in no_plan_yet.out
    _with_plan(db, tmp_path)
    shaping = run(db, "profile", "set", "--no-partner", "--mass-kg", "69")
    assert shaping.code == 0, shaping.err
    assert "Profile changed: mass 68 → 69 kg, partner yes → no." in shaping.out
    assert "Your plan was made for partner yes: retrorun plan new --start" in shaping.out
    body_only = run(
        db, "profile", "set", "--mass-kg", "72", "--age", "42", "--sex", "male", "--units", "metric"
    )
    assert body_only.code == 0 and "plan new" not in body_only.out


# --- 2. contradictory or repeated options are refused ------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weekdays", "mon,mon,tue"], "mon is named twice in 'mon,mon,tue'"),
        (["--days", "2", "--weekdays", "mon,wed,fri"], "--days 2 disagrees with --weekdays"),
    ],
)
def test_contradictory_training_days_are_refused(db: Path, args: list[str], message: str) -> None:
    before = _profile(db)
    assert_one_line_error(run(db, "profile", "set", *args), message)
    assert _profile(db) == before


def test_screen_list_with_answers_is_refused(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    db = tmp_path / "x.db"
    result = run(db, "screen", "--answers", str(answers), "--list")
    assert_one_line_error(result, "--list only shows the questions and saves nothing")
    assert "--answers" in result.err
    assert_one_line_error(run(db, "screen", "--list", "--cleared-by-doctor"), "--cleared-by-doctor")


# --- 3. one log a day unless you mean it; the next morning only once it has come ---------------


def _logs(db: Path) -> list[dict[str, object]]:
    items: list[dict[str, object]] = run(db, "history", "--json").json()
    return items


def test_the_same_log_twice_is_refused_without_a_terminal(db: Path) -> None:
    assert run(db, *WALK, today=LOG_DAY).code == 0
    again = run(db, *WALK, today=LOG_DAY)
    assert_one_line_error(
        again, "you already logged 25 min backward walk on 2026-12-02; give --force"
    )
    assert len(_logs(db)) == 1
    forced = run(db, *WALK, "--force", "--json", today=LOG_DAY)
    assert forced.code == 0, forced.err
    assert len(_logs(db)) == 2


@pytest.mark.parametrize(("answer", "count"), [("y\n", 2), ("n\n", 1), ("\n", 1)])
def test_on_a_terminal_a_second_log_is_asked_about(
    db: Path, monkeypatch: pytest.MonkeyPatch, answer: str, count: int
) -> None:
    assert run(db, *WALK, today=LOG_DAY).code == 0
    monkeypatch.setattr(logbook, "_can_ask", lambda: True)
    result = run(db, *WALK, today=LOG_DAY, stdin=answer)
    assert result.code == 0, result.err
    assert "You already logged 25 min backward walk on 2026-12-02. Log another? [y/N]" in result.out
    assert ("Nothing logged." in result.out) is (count == 1)
    assert len(_logs(db)) == count


def test_a_real_terminal_is_asked(db: Path) -> None:
    """In a pseudo-terminal, as a person would meet it: the question, then a second log."""
    assert run(db, *WALK, today=LOG_DAY).code == 0
    env = {**os.environ, "RETRORUN_DATABASE_URL": str(db), "RETRORUN_TODAY": LOG_DAY}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "retrorun", *WALK],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    answered = False
    while process.poll() is None and time.monotonic() < deadline:
        try:
            output += os.read(leader, 4096)
        except OSError:
            break
        if not answered and b"[y/N]" in output:
            os.write(leader, b"y\n")
            answered = True
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0 and answered, output.decode()
    assert len(_logs(db)) == 2


def test_pain_next_morning_with_a_log_dated_today_is_refused(db: Path) -> None:
    today = WALK[2]
    result = run(db, *WALK, "--pain-next-morning", "1", today=today)
    assert_one_line_error(
        result, "pain the next morning of 2026-12-02 can be given from 2026-12-03"
    )
    assert _logs(db) == []


def test_the_next_morning_still_completes_the_log(db: Path) -> None:
    assert run(db, *WALK, today="2026-12-02").code == 0
    done = run(db, "log", "--date", "2026-12-02", "--pain-next-morning", "2", today=LOG_DAY)
    assert done.code == 0, done.err
    (entry,) = _logs(db)
    assert entry["pain_next_morning"] == 2
    extra = run(db, "log", "--date", "2026-12-02", "--pain-next-morning", "2", "--force")
    assert_one_line_error(extra, "--force would be ignored")


# --- red flags: kept with the log, read back, and added the next morning ------------------------


def test_red_flags_are_logged_and_read_back_in_the_history(db: Path) -> None:
    assert run(db, *WALK, today=LOG_DAY).code == 0  # no red flag
    flagged = [*WALK[:2], "2026-12-03", *WALK[3:], "--falls", "1"]
    flagged += ["--red-flag", "swelling", "--red-flag", "fall-injury", "--red-flag", "swelling"]
    said = run(db, *flagged, today=LOG_DAY)
    assert said.code == 0, said.err
    assert "Red flag: an injury in a fall, swelling. Red flags pause your plan: see your " in (
        said.out
    )
    assert "clinician" in said.out
    plain, hurt = _logs(db)
    assert plain["red_flags"] == []
    assert hurt["red_flags"] == ["fall-injury", "swelling"] and hurt["falls"] == 1
    another = [*WALK[:2], "2026-12-01", *WALK[3:], "--red-flag", "sharp-pain", "--json"]
    written = run(db, *another, today=LOG_DAY)
    assert written.json()["red_flags"] == ["sharp-pain"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--red-flag", "sore"], "red flag 'sore' is not one of sharp-pain, rising-pain,"),
        (["--red-flag", "fall-injury"], "an injury in a fall needs the fall counted"),
        (["--red-flag", "fall-injury", "--falls", "0"], "give falls 1 or more (got 0)"),
    ],
)
def test_a_wrong_red_flag_is_refused_in_one_line_and_nothing_stored(
    db: Path, extra: list[str], message: str
) -> None:
    assert_one_line_error(run(db, *WALK, *extra, today=LOG_DAY), message)
    assert _logs(db) == []


def test_a_red_flag_of_the_next_morning_is_added_to_that_days_log(db: Path) -> None:
    assert run(db, *WALK, "--red-flag", "sharp-pain", today="2026-12-02").code == 0
    morning = ["log", "--date", "2026-12-02", "--pain-next-morning", "3"]
    done = run(db, *morning, "--red-flag", "swelling", "--json", today=LOG_DAY)
    assert done.code == 0, done.err
    assert done.json() == {
        "id": 1,
        "matched_plan": False,
        "updated": True,
        "red_flags": ["sharp-pain", "swelling"],
    }
    (entry,) = _logs(db)
    assert entry["pain_next_morning"] == 3
    assert entry["red_flags"] == ["sharp-pain", "swelling"]
    said = run(db, *morning, "--red-flag", "swelling", today=LOG_DAY)
    assert "Red flag: swelling. Red flags pause your plan" in said.out


def test_a_log_kept_before_red_flags_were_asked_reads_as_none(db: Path) -> None:
    """Logs stored before migration 0006 hold NULL: read as no red flag, not as an error."""
    import sqlite3

    assert run(db, *WALK, "--red-flag", "swelling", today=LOG_DAY).code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE session_logs SET red_flags = NULL")
    (entry,) = _logs(db)
    assert entry["red_flags"] == []


# --- 4. energy takes the mass from the profile --------------------------------------------------

ENERGY = ["energy", "--direction", "backward", "--mode", "walk", "--speed-kmh", "3.4"]


def test_energy_without_mass_uses_the_profile(db: Path) -> None:
    human = run(db, *ENERGY)
    assert human.code == 0, human.err
    assert "mass 68 kg from your profile" in human.out
    from_profile = run(db, *ENERGY, "--json").json()
    given = run(db, *ENERGY, "--mass-kg", "68", "--json").json()
    assert from_profile == given and given["mass_kg"] == 68
    assert "from your profile" not in run(db, *ENERGY, "--mass-kg", "68").out


def test_energy_without_mass_or_profile_still_asks_for_it(tmp_path: Path) -> None:
    assert_one_line_error(run(tmp_path / "new.db", *ENERGY), "--mass-kg is required")


# --- 5. help ------------------------------------------------------------------------------------

OWN_COMMANDS = [("profile", "show"), ("screen",), ("log",), ("history",), ("energy",)]


@pytest.mark.parametrize("path", OWN_COMMANDS, ids=" ".join)
def test_every_json_option_says_what_it_is_for(path: tuple[str, ...]) -> None:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    (option,) = [p for p in command.params if "--json" in p.opts]
    assert option.help == "Print JSON for scripts."
