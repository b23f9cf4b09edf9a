"""`retrorun plan why`: the progression engine's decision on what a knee-rehab runner logged.

Three weeks of a rehab block through the CLI: steady sessions progress; a pain flare steps back;
next-morning pain not given is asked for and holds the plan, never taken as zero; a fall on the
treadmill keeps the next sessions there.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.cli.clirunner import new_database, run

from retrorun.core.screening import QUESTION_IDS

START = date(2026, 11, 2)  # a Monday
PROFILE = ["profile", "set", "--mass-kg", "68", "--age", "41", "--experience", "regular-runner"]
PROFILE += ["--goal", "knee-rehab", "--days", "3", "--minutes", "30", "--treadmill", "--track"]


def _planned(tmp_path: Path) -> tuple[Path, list[date]]:
    db = new_database(tmp_path / "me.db")
    assert run(db, *PROFILE).code == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    assert run(db, "screen", "--answers", str(answers)).code == 0
    made = run(db, "plan", "new", "--start", START.isoformat(), "--json", today="2026-11-01")
    assert made.code == 0, made.err
    return db, [date.fromisoformat(s["date"]) for s in made.json()["sessions"]]


def _log(db: Path, day: date, *, during: int = 2, morning: int | None = 0, **more: str) -> None:
    args = ["log", "--date", day.isoformat(), "--minutes", "10", "--direction", "backward"]
    args += ["--mode", "walk", "--setting", "treadmill-with-handrails", "--rpe", "3"]
    args += ["--pain-during", str(during), "--pain-after", "1"]
    if morning is not None:
        args += ["--pain-next-morning", str(morning)]
    for name, value in more.items():
        args += [f"--{name}", value]
    result = run(db, *args, today=(day + timedelta(days=1)).isoformat())
    assert result.code == 0, result.err


def _why(db: Path, today: date) -> dict[str, object]:
    result = run(db, "plan", "why", "--json", today=today.isoformat())
    assert result.code == 0, result.err
    found: dict[str, object] = result.json()
    return found


def test_steady_sessions_progress_and_a_flare_steps_back(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    for day in days[:6]:
        _log(db, day)
    today = days[5] + timedelta(days=1)
    steady = _why(db, today)
    assert steady["verdict"] == "progress"
    assert steady["rehab"] is True and steady["pain_ceiling"] == 5
    assert steady["sessions_read"] == 6
    assert steady["weekly_backward_minutes"] == [30, 30]
    assert steady["walk_test_due"] is True  # no 3-metre backward walk on record
    _log(db, days[6], during=7)
    flare = _why(db, days[6] + timedelta(days=1))
    assert flare["verdict"] == "step back"
    assert flare["reasons"] == [
        "pain during was 7/10, above 5/10",
        "pain during rose week on week (2.0 → 3.7)",  # (2 + 2 + 7) / 3 against 2
    ]
    words = run(db, "plan", "why", today=(days[6] + timedelta(days=1)).isoformat())
    assert "step back" in words.out and "pain during was 7/10, above 5/10" in words.out


def test_next_morning_pain_not_given_is_asked_for_and_holds(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    _log(db, days[0])
    _log(db, days[1], morning=None)
    today = days[1] + timedelta(days=2)
    found = _why(db, today)
    assert found["verdict"] == "hold"
    assert found["ask_next_morning"] == [days[1].isoformat()]
    shown = run(db, "plan", "why", today=today.isoformat()).out
    assert f"retrorun log --date {days[1]} --pain-next-morning N" in shown


def test_a_fall_keeps_the_next_sessions_on_the_treadmill(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    _log(db, days[0], falls="1")
    found = _why(db, days[0] + timedelta(days=1))
    assert found["setting_limit"] == "the treadmill"
    assert found["setting_reason"] == "a fall in the last session: back to the treadmill"


def test_a_missed_week_steps_back(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    for day in days[:3]:
        _log(db, day)
    found = _why(db, START + timedelta(weeks=2, days=1))  # week 2 had nothing done
    assert found["verdict"] == "step back"
    assert found["missed_weeks"] == [2]


def test_plan_why_needs_a_plan(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    assert run(db, *PROFILE).code == 0
    result = run(db, "plan", "why")
    assert result.code != 0 and "plan new" in result.err
