"""A new user's eight-week trial, scripted through the CLI on SQLite and on PostgreSQL.

A 41-year-old, 72 kg runner with knee pain, a treadmill and a partner: screened, planned, every
session logged and completed the next morning, a watch file imported, every export made. Each
step checks that none of the trial's findings comes back (issue: the CLI as a new user meets it).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from tests.cli.clirunner import assert_one_line_error, run

from retrorun.core.screening import QUESTION_IDS

DATA = Path(__file__).resolve().parents[1] / "data"
START = date(2026, 12, 7)


def _profile(db: str) -> None:
    made = run(
        db,
        "profile",
        "set",
        "--mass-kg",
        "72",
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
        "--partner",
        "--sex",
        "female",
    )
    assert made.code == 0, made.err


def _log(db: str, day: date, *extra: str, today: date | None = None) -> object:
    return run(
        db,
        "log",
        "--date",
        day.isoformat(),
        "--minutes",
        "24",
        "--distance-km",
        "1.5",
        "--direction",
        "backward",
        "--mode",
        "walk",
        "--setting",
        "treadmill-with-handrails",
        "--rpe",
        "4",
        "--pain-during",
        "3",
        "--pain-after",
        "2",
        *extra,
        today=(today or day).isoformat(),
    )


def test_an_eight_week_trial(database: str, tmp_path: Path) -> None:
    db = database
    assert run(db, "init").code == 0
    _profile(db)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    assert_one_line_error(run(db, "screen", "--answers", str(answers), "--list"), "--list")
    assert run(db, "screen", "--answers", str(answers)).code == 0
    plan = run(db, "plan", "new", "--start", START.isoformat(), "--json", today="2026-12-01")
    assert plan.code == 0, plan.err
    sessions = plan.json()["sessions"]
    assert len(sessions) == 24

    # Every treadmill step has its belt speed; time reads m:ss, never "210 s".
    for step in (s for session in sessions for s in session["steps"]):
        if step["setting"] == "treadmill-with-handrails":
            assert step["speed_m_s"] and step["speed_kmh"], step
        assert not re.search(r"\b\d+ s\b", step["description"]), step["description"]
    notes = " ".join(plan.json()["plan"]["notes"])
    assert "track" not in notes  # the runner has no track: the notes never send them to one

    # A later profile change keeps the treadmill, partner and sex, and says what changed.
    changed = run(db, "profile", "set", "--mass-kg", "73")
    assert changed.code == 0 and "72 → 73" in changed.out, changed.out
    shown = run(db, "profile", "show", "--json").json()
    assert (shown["has_treadmill"], shown["has_partner"], shown["sex"]) == (True, True, "female")
    assert "True" not in run(db, "profile", "show").out  # words, not Python values
    assert_one_line_error(run(db, "profile", "set", "--weekdays", "mon,mon,tue"), "mon")
    assert_one_line_error(
        run(db, "profile", "set", "--days", "2", "--weekdays", "mon,wed,fri"), "--days"
    )

    # Eight weeks: each session logged on its day, its pain completed the next morning.
    for session in sessions:
        day = date.fromisoformat(session["date"])
        assert_one_line_error(_log(db, day, "--pain-next-morning", "1"), "next morning")
        logged = _log(db, day)
        assert logged.code == 0, logged.err
        morning = run(
            db,
            "log",
            "--date",
            day.isoformat(),
            "--pain-next-morning",
            "1",
            today=(day + timedelta(days=1)).isoformat(),
        )
        assert morning.code == 0, morning.err
    first = date.fromisoformat(sessions[0]["date"])
    assert_one_line_error(_log(db, first, today=START + timedelta(days=60)), "--force")
    history = run(db, "history", "--json").json()
    assert len(history) == 24 and all(h["pain_next_morning"] == 1 for h in history)

    # The session's header, its steps and the plan table tell one time.
    week4 = next(s for s in sessions if s["week"] == 4)
    human = run(db, "session", "show", "--date", week4["date"]).out
    total = f"{week4['duration_s'] // 60}:{week4['duration_s'] % 60:02d}"
    assert total in human
    shown4 = run(db, "session", "show", "--date", week4["date"], "--json").json()
    jog = [s for s in shown4["steps"] if s["direction"] == "forward" and s["mode"] == "run"]
    assert jog and shown4["energy"]["peak_met"] < 10.6

    # Energy takes the mass from the profile.
    energy = run(db, "energy", "--direction", "backward", "--mode", "walk", "--speed-kmh", "3.4")
    assert energy.code == 0 and "from your profile" in energy.out, energy.err

    # Import: a table naming each file, duplicates with a reason, rejections on stderr.
    broken = tmp_path / "broken.fit"
    broken.write_bytes(b"not a fit file at all")
    imported = run(db, "import", str(DATA / "run.gpx"), str(broken))
    assert imported.code == 1
    assert "run.gpx" in imported.out and "broken.fit" in imported.err
    again = run(db, "import", "--json", str(DATA / "run.gpx")).json()
    assert again[0]["status"] == "duplicate" and "already imported" in again[0]["reason"]
    assert again[0]["id"] == again[0]["activity_id"]

    # Every export, the calendar in the profile's units.
    assert run(db, "profile", "set", "--units", "imperial").code == 0
    ics = tmp_path / "plan.ics"
    assert run(db, "export", "ics", "-o", str(ics)).code == 0
    text = ics.read_text()
    assert "mph" in text and "km/h" not in text
    watch = tmp_path / "watch"
    assert run(db, "export", "fit", "--week", "4", "-o", str(watch)).code == 0
    assert len(list(watch.glob("*.fit"))) == 3
    assert run(Path("unused.db"), "--version").out.startswith("retrorun ")
