"""`retrorun plan why`: the progression engine's decision on what a knee-rehab runner logged.

Three weeks of a rehab block through the CLI: steady sessions progress; a pain flare steps back;
next-morning pain not given is asked for and holds the plan, never taken as zero; a fall on the
treadmill keeps the next sessions there.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
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


def test_a_red_flag_in_the_log_pauses_the_plan(tmp_path: Path) -> None:
    """Logged through `retrorun log`, read by the real service: the engine sees the flag."""
    db, days = _planned(tmp_path)
    for day in days[:2]:
        _log(db, day)
    _log(db, days[2], **{"red-flag": "sharp-pain", "falls": "1"})
    today = days[2] + timedelta(days=1)
    found = run(db, "plan", "why", "--json", today=today.isoformat()).json()
    assert found["verdict"] == "pause"
    assert "sharp pain reported: see your clinician first" in found["reasons"]
    sessions = found["inputs"]["sessions"]
    assert [s["red_flags"] for s in sessions] == [[], [], ["sharp-pain"]]
    kept = run(db, "plan", "why", "--history", "--json").json()
    assert kept[0]["verdict"] == "pause"  # the decision kept after that log
    # Swelling noticed the next morning, added with that morning's pain: still paused, for both.
    morning = ["log", "--date", days[2].isoformat(), "--pain-next-morning", "2"]
    assert run(db, *morning, "--red-flag", "swelling", today=today.isoformat()).code == 0
    after = run(db, "plan", "why", "--json", today=today.isoformat()).json()
    assert after["verdict"] == "pause"
    for flag in ("sharp pain", "swelling"):
        assert f"{flag} reported: see your clinician first" in after["reasons"]


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


# --- the decision kept after each session -------------------------------------------------------


def test_each_logged_session_and_next_morning_keeps_a_decision(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    _log(db, days[0])
    _log(db, days[1], morning=None)
    done = run(
        db,
        "log",
        "--date",
        days[1].isoformat(),
        "--pain-next-morning",
        "4",
        today=(days[1] + timedelta(days=1)).isoformat(),
    )
    assert done.code == 0, done.err
    kept = run(db, "plan", "why", "--history", "--json").json()
    assert [d["date"] for d in kept] == [
        (days[1] + timedelta(days=1)).isoformat(),  # after the next-morning pain, newest first
        (days[1] + timedelta(days=1)).isoformat(),
        (days[0] + timedelta(days=1)).isoformat(),
    ]
    assert [d["verdict"] for d in kept] == ["hold", "hold", "progress"]
    assert kept[1]["reasons"] == [f"next-morning pain not given yet for {days[1]}"]
    latest = kept[0]
    assert latest["reasons"][0].startswith("pain had not settled by the next morning")
    assert [s["pain_next_morning"] for s in latest["inputs"]["sessions"]] == [0, 4]
    assert latest["rules_version"] == "progression-rules-2026.12.01"
    shown = run(db, "plan", "why", "--history").out
    assert shown.count("After ") == 3


def test_no_decision_is_kept_without_a_plan(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    assert run(db, *PROFILE).code == 0
    _log(db, START)
    assert run(db, "plan", "why", "--history", "--json").json() == []
    assert "No decision yet" in run(db, "plan", "why", "--history").out


# --- the athlete's pain limits -------------------------------------------------------------------


def test_a_clinicians_lower_ceiling_steps_back_sooner(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    _log(db, days[0], during=4)
    today = days[0] + timedelta(days=1)
    assert _why(db, today)["verdict"] == "progress"
    limits = run(db, "plan", "limits", "--pain-ceiling", "3", "--json")
    assert limits.json() == {"pain_ceiling": 3, "usual_pain": 0}
    assert _why(db, today)["verdict"] == "step back"
    assert run(db, "plan", "limits").out.startswith("Pain during a session up to 3/10 is fine")


def test_a_usual_morning_pain_is_settled(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    _log(db, days[0], morning=3)
    today = days[0] + timedelta(days=2)
    assert _why(db, today)["verdict"] == "hold"
    run(db, "plan", "limits", "--usual-pain", "3")
    assert _why(db, today)["verdict"] == "progress"


def test_impossible_pain_limits_are_refused_and_nothing_changes(tmp_path: Path) -> None:
    db, _ = _planned(tmp_path)
    refused = run(db, "plan", "limits", "--pain-ceiling", "11")
    assert refused.code != 0 and "pain ceiling must be 0–10 (got 11)" in refused.err
    assert run(db, "plan", "limits", "--json").json() == {"pain_ceiling": 5, "usual_pain": 0}


# --- the 3-metre backward walk test ------------------------------------------------------------


def test_a_slow_walk_test_keeps_the_treadmill_or_track(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    today = days[0] + timedelta(days=1)
    added = run(
        db,
        "steadiness",
        "add",
        "--seconds",
        "6.1",
        "--date",
        days[0].isoformat(),
        "--json",
        today=today.isoformat(),
    )
    assert added.json() == {"date": days[0].isoformat(), "seconds": 6.1}
    found = _why(db, today)
    assert found["walk_test_due"] is False
    assert found["setting_limit"] == "the treadmill or track"  # never a path after this
    assert found["setting_reason"].startswith("the 3-metre backward walk took 6.1 s")
    assert found["inputs"]["walk_tests"] == [{"date": days[0].isoformat(), "seconds": 6.1}]
    shown = run(db, "steadiness", "list", today=today.isoformat()).out
    assert "6.1" in shown and "over the 5.5 s cut-off" in shown


def test_impossible_walk_tests_are_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    db, _ = _planned(tmp_path)
    for args, says in (
        (["--seconds", "0.1"], "takes 0.5–120 s (got 0.1)"),
        (["--seconds", "nan"], "takes 0.5–120 s"),
        (["--seconds", "5", "--date", "2027-01-01"], "in the future"),
    ):
        refused = run(db, "steadiness", "add", *args)
        assert refused.code != 0 and says in refused.err, (args, refused.err)
    assert run(db, "steadiness", "list", "--json").json() == []


def test_the_timed_test_needs_a_terminal(tmp_path: Path) -> None:
    db, _ = _planned(tmp_path)
    refused = run(db, "steadiness", "test")
    assert refused.code != 0 and "retrorun steadiness add --seconds S" in refused.err


def test_the_timed_test_counts_down_then_times_from_go_to_the_line() -> None:
    from retrorun.cli.steadiness import time_walk

    said: list[str] = []
    pauses: list[float] = []
    ticks = iter([100.0, 105.3])
    seconds = time_walk(said.append, said.append, lambda: next(ticks), pauses.append)
    assert seconds == pytest.approx(5.3)
    assert pauses == [1.0, 1.0, 1.0]
    assert said[2:5] == ["3…", "2…", "1…"]
    assert said[5] == "Go: walk backward at your usual pace."
    assert said[6] == "Press Enter as your heels cross the 3-metre line."


# --- a paused plan, resumed ------------------------------------------------------------------


def test_a_paused_plan_has_no_session_until_resumed_one_step_lower(tmp_path: Path) -> None:
    db, days = _planned(tmp_path)
    for day in days[:6]:
        _log(db, day)
    _log(db, days[6], during=7)  # week 3: a step back to week 2's sessions
    _log(db, days[7], during=8)  # twice above the ceiling: paused
    today = days[7] + timedelta(days=1)
    words = run(db, "plan", "why", today=today.isoformat()).out
    assert f"The plan is paused since {today}" in words and "plan resume" in words
    shown = run(db, "plan", "show", "--week", "3", today=today.isoformat()).out
    assert shown.startswith(f"Paused since {today}: pain during above 5/10 in two sessions")
    refused = run(db, "session", "show", "--date", days[8].isoformat(), today=today.isoformat())
    assert refused.code != 0 and f"the plan is paused since {today}" in refused.err
    assert "see your clinician" in refused.err
    no_reason = run(db, "plan", "resume", "--reason", " ", today=today.isoformat())
    assert no_reason.code != 0 and "a reason has 1–2000 characters" in no_reason.err
    resumed = run(
        db, "plan", "resume", "--reason", "physio: go on", "--json", today=today.isoformat()
    )
    assert resumed.code == 0, resumed.err
    changes = resumed.json()["changes"]
    assert changes and {c["step"] for c in changes} == {1}
    assert all(
        c["change"].startswith("step back, week 1's session: resumed after a pause")
        for c in changes
    )
    shown = run(db, "session", "show", "--date", days[8].isoformat(), today=today.isoformat())
    assert shown.code == 0 and "Week 1" in shown.out
    again = run(db, "plan", "resume", "--reason", "again", today=today.isoformat())
    assert again.code != 0 and "the plan is not paused" in again.err
