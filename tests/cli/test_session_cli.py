"""`session show`, `plan show` and `go` on one treadmill plan: the findings of a user's trial.

A session read three ways must give one time, every treadmill step its belt speed, and an
easy jog must not be costed as a hard run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.cli.clirunner import run

from retrorun.core.plan import EASY_FORWARD_JOG_M_S
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.units import format_duration, kmh_from_m_s

# The trial's set-up: knee rehab on a treadmill, no track, no partner.
PROFILE = [
    *("profile", "set", "--mass-kg", "68", "--age", "41", "--experience", "regular-runner"),
    *("--goal", "knee-rehab", "--days", "3", "--minutes", "30", "--treadmill", "--no-track"),
    "--no-partner",
]
# Other ways of writing time that one session used to show beside m:ss.
OTHER_TIME_FORMS = re.compile(r"\b\d+(\.\d+)? ?(min|s)\b|\b\d+\.\d+ backward")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trial")
    answers = folder / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    db = folder / "me.db"
    for args in (
        ["init"],
        PROFILE,
        ["screen", "--answers", str(answers)],
        ["plan", "new", "--start", "2026-12-01"],
    ):
        assert run(db, *args).code == 0, args
    return db


def _week4_jog_session(db: Path) -> dict[str, Any]:
    """The first week-4 session with a forward jog: the trial's "forward run, 1 min, RPE 2"."""
    sessions = run(db, "plan", "show", "--week", "4", "--json").json()["sessions"]
    return next(
        s
        for s in sessions
        if any(st["direction"] == "forward" and st["mode"] == "run" for st in s["steps"])
    )


def test_every_treadmill_step_has_its_speed_in_json(db: Path) -> None:
    session = _week4_jog_session(db)
    shown = run(db, "session", "show", "--date", session["date"], "--json").json()
    steps = shown["steps"]
    assert {step["setting"] for step in steps} == {"treadmill-with-handrails"}
    for step in steps:
        assert step["speed_m_s"] is not None and "speed_kmh" in step, step
    jog = next(s for s in steps if s["direction"] == "forward" and s["mode"] == "run")
    assert jog["speed_m_s"] == EASY_FORWARD_JOG_M_S
    assert jog["speed_kmh"] == pytest.approx(round(kmh_from_m_s(EASY_FORWARD_JOG_M_S), 2))
    assert any("Belt at 7.6 kilometres an hour" in cue["text"] for cue in shown["timeline"])


def test_an_easy_jog_is_not_the_hardest_step(db: Path) -> None:
    """The trial: `session show` called the RPE-2 jog "10.6 MET (vigorous)", from a typical
    2.8 m/s run assumed for a step with no speed."""
    day = _week4_jog_session(db)["date"]
    shown = run(db, "session", "show", "--date", day, "--json").json()
    assert shown["energy"]["assumptions"] == []  # every step at its own belt speed
    per_minute = {
        (s["direction"], s["mode"]): s["kcal"] * 60 / s["duration_s"] for s in shown["steps"]
    }
    assert per_minute[("forward", "run")] < per_minute[("backward", "run")]
    assert "10.6 MET" not in run(db, "session", "show", "--date", day).out


def test_one_session_shows_one_time_everywhere(db: Path) -> None:
    """The trial saw "24 min, of which 11.5 backward", 24.5 in the plan, 24:30 in `go` and
    "210 s" in a step: every place now says m:ss."""
    session = _week4_jog_session(db)
    day = session["date"]
    total, backward = format_duration(session["duration_s"]), format_duration(session["backward_s"])
    shown = run(db, "session", "show", "--date", day).out
    assert f"Time {total}, of which {backward} backward" in shown
    planned = run(db, "plan", "show", "--week", "4").out
    row = next(line for line in planned.splitlines() if day in line)
    assert total in row and backward in row
    played = run(db, "go", "--date", day, "--speed", "10000", today=day).out
    assert f"you did {total} of {total}" in played
    odd = [s for s in session["steps"] if s["duration_s"] % 60]
    assert odd, "a step of whole minutes and seconds shows the format best"
    assert all(format_duration(s["duration_s"]) in s["description"] for s in odd)
    for text in (shown, planned, played, *(s["description"] for s in session["steps"])):
        assert not OTHER_TIME_FORMS.search(text), OTHER_TIME_FORMS.search(text)
