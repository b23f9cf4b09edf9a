"""`retrorun plan convert`: the article's first story through the CLI.

A runner with knee pain converts her 8-week half-marathon plan (every fixture format) to a
backward plan; the converted plan is her plan, so `export fit --week N` writes watch workouts
Garmin's SDK reads and `export ics` a calendar the strict `ical` parser reads. A bad file is
refused in one line and stores nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from garmin_fit_sdk import Decoder, Stream
from ical.calendar_stream import IcsCalendarStream
from tests.cli.clirunner import assert_one_line_error, new_database, run

from retrorun.core.screening import QUESTION_IDS

DATA = Path(__file__).resolve().parents[1] / "data" / "forward_plans"
FORMATS = [
    "half-marathon.txt",
    "half-marathon.csv",
    "half-marathon.ics",
    "half-marathon.tcx",
    "half-marathon-fit",
]
PROFILE = ["profile", "set", "--mass-kg", "62", "--age", "34", "--experience", "regular-runner"]
PROFILE += ["--days", "4", "--minutes", "45", "--treadmill", "--track", "--partner"]
TODAY = "2026-12-01"


def _ready(tmp_path: Path, goal: str = "knee-rehab") -> Path:
    db = new_database(tmp_path / "me.db")
    assert run(db, *PROFILE, "--goal", goal).code == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    assert run(db, "screen", "--answers", str(answers)).code == 0
    return db


def _fit_messages(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Garmin's SDK: an intact FIT file read without errors."""
    decoder = Decoder(Stream.from_file(str(path)))
    assert decoder.is_fit() and decoder.check_integrity()
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_converts_and_exports_to_watch_and_calendar(tmp_path: Path, name: str) -> None:
    db = _ready(tmp_path)
    made = run(db, "plan", "convert", str(DATA / name), "--mode", "all", "--json", today=TODAY)
    assert made.code == 0, made.err
    found = made.json()
    assert found["mode"] == "all" and found["block_weeks"] == 8
    assert found["start"] == "2026-12-08" and found["race_date"] == "2027-01-31"
    assert len(found["converted"]) == 32 and len(found["plan"]["sessions"]) == 32
    assert [c["title"] for c in found["converted"] if c["free_text"]] == ["Fartlek"]
    assert {c["treatment"] for c in found["converted"]} == {"capped", "race"}
    plan = run(db, "plan", "show", "--json").json()
    assert plan["sessions"] == found["plan"]["sessions"]  # stored as the active plan
    week1 = plan["sessions"][:4]
    assert all(
        s["mode"] == "walk" for w in week1 for s in w["steps"] if s["direction"] == "backward"
    )
    folder = tmp_path / "week5"
    exported = run(db, "export", "fit", "--week", "5", "-o", str(folder), today=TODAY)
    assert exported.code == 0, exported.err
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == [
        "2027-01-05.fit",
        "2027-01-07.fit",
        "2027-01-09.fit",
        "2027-01-10.fit",
    ]
    for path in files:
        messages = _fit_messages(path)
        assert messages["file_id_mesgs"][0]["type"] == "workout"
        names = {step.get("wkt_step_name") for step in messages["workout_step_mesgs"]}
        assert {"WARM UP", "BACK L", "COOL DOWN"} <= names
    # Backward running goes by heart rate on the watch: the plan's own for the long run
    # (135-150 bpm), bpm written plus 100 as FIT's workout_hr type asks.
    long_run = _fit_messages(files[-1])["workout_step_mesgs"]
    hearts = {
        (s["custom_target_heart_rate_low"], s["custom_target_heart_rate_high"])
        for s in long_run
        if s.get("target_type") == "heart_rate"
    }
    assert hearts == {(235, 250)}
    calendar = tmp_path / "plan.ics"
    assert run(db, "export", "ics", "-o", str(calendar), today=TODAY).code == 0
    parsed = IcsCalendarStream.calendar_from_ics(calendar.read_text())
    assert len(parsed.events) == 32
    assert parsed.events[0].summary == "Week 1: Intervals, backward on treadmill-with-handrails"


def test_the_summary_lists_free_text_capped_race_and_left_out(tmp_path: Path) -> None:
    db = _ready(tmp_path)
    shown = run(db, "plan", "convert", str(DATA / "half-marathon.csv"), "--mode", "all")
    assert shown.code == 0, shown.err
    out = shown.out
    assert "Converted 32 runs of half-marathon.csv into your plan from 2026-12-08" in out
    assert "Free text, read as an easy run (check these) (1):" in out
    assert "Thu 2026-12-31 Fartlek: Free text, read as an easy run of 35:00" in out
    assert "Capped (what this week does not allow yet is left out) (31):" in out
    assert "Tue 2026-12-08 Intervals: 10:00 backward of 19:48, 9:48 left out" in out
    assert "Race (1):\n  Sun 2027-01-31 Race 21.1 km" in out
    assert "Rest days: 8, kept as rest." in out
    assert "Wed 2026-12-16 Strength: not a run: do it as your plan says" in out
    why = run(db, "session", "show", "--date", "2026-12-08")
    assert "Week 1 is a walk week" in why.out and "Backward time held to 10:00" in why.out


def test_mix_mode_splits_and_lists_the_splits(tmp_path: Path) -> None:
    db = _ready(tmp_path, goal="muscle-balance")
    path = str(DATA / "half-marathon.txt")
    shown = run(db, "plan", "convert", path, "--mode", "mix", "--backward-days", "1")
    assert shown.code == 0, shown.err
    assert "Split (part backward, the rest forward as written) (8):" in shown.out
    assert "Sat 2026-12-12 Easy run: 10:00 backward, 30:00 forward" in shown.out
    assert "Forward as written: 23 runs." in shown.out


def test_all_mode_brings_forward_running_back_before_the_race(tmp_path: Path) -> None:
    db = _ready(tmp_path, goal="fitness")
    path = str(DATA / "half-marathon-fit")
    made = run(db, "plan", "convert", path, "--mode", "all", "--weeks", "5", "--json")
    assert made.code == 0, made.err
    found = made.json()
    assert found["block_weeks"] == 5 and len(found["plan"]["plan"]["weeks"]) == 8
    forward = [c["date"] for c in found["converted"] if c["treatment"] == "forward"]
    assert forward == [
        "2027-01-16",
        "2027-01-23",
        "2027-01-24",
        "2027-01-26",
        "2027-01-28",
        "2027-01-30",
    ]
    words = run(db, "plan", "convert", path, "--mode", "all", "--weeks", "5").out
    assert "Forward again after the block (only while pain allows) (6):" in words


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "all", "--backward-days", "2"], "--backward-days is for --mode mix"),
        (["--mode", "mix", "--backward-days", "4"], "1–3 backward sessions a week"),
        (["--mode", "all", "--weeks", "6"], "leave out --weeks"),
        (["--mode", "all", "--start", "soon"], "--start 'soon' is not a date"),
        (["--mode", "all", "--race", "2027-02-30"], "--race '2027-02-30' is not a date"),
    ],
)
def test_bad_options_are_one_line_errors_and_store_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = _ready(tmp_path)
    result = run(db, "plan", "convert", str(DATA / "half-marathon.txt"), *args)
    assert_one_line_error(result, message)
    assert "plan new" in run(db, "plan", "show").err  # still no plan


def test_a_bad_file_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    db = _ready(tmp_path)
    assert run(db, "plan", "convert", str(DATA / "half-marathon.txt"), "--mode", "all").code == 0
    before = run(db, "plan", "show", "--json").json()
    bad = tmp_path / "plan.csv"
    bad.write_text("date,title\n12/08/2026,Easy\n")
    result = run(db, "plan", "convert", str(bad), "--mode", "all")
    assert_one_line_error(result, "plan.csv line 2: date '12/08/2026' is not YYYY-MM-DD")
    assert run(db, "plan", "show", "--json").json() == before
    missing = run(db, "plan", "convert", str(tmp_path / "nothing.fit"), "--mode", "all")
    assert_one_line_error(missing, "no such file or folder")


def test_conversion_needs_a_screening_and_clearance(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    assert run(db, *PROFILE, "--goal", "knee-rehab").code == 0
    path = str(DATA / "half-marathon.txt")
    assert_one_line_error(run(db, "plan", "convert", path, "--mode", "all"), "retrorun screen")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**dict.fromkeys(QUESTION_IDS, False), "chest_pain": True}))
    assert run(db, "screen", "--answers", str(answers)).code == 0
    refused = run(db, "plan", "convert", path, "--mode", "all")
    assert_one_line_error(refused, "--cleared-by-doctor")
    cleared = run(db, "plan", "convert", path, "--mode", "all", "--cleared-by-doctor", "--json")
    assert cleared.code == 0, cleared.err
    assert cleared.json()["plan"]["plan"]["cleared_by_doctor"] is True


def test_help_and_schema(tmp_path: Path) -> None:
    helped = run(tmp_path / "none.db", "plan", "convert", "--help")
    assert helped.code == 0 and "FIT workouts" in helped.out and "--backward-days" in helped.out
    schema = run(tmp_path / "none.db", "schema", "conversion")
    assert schema.code == 0 and schema.json()["title"] == "retrorun conversion"
