"""`retrorun import` and `retrorun activity` through the real entry point, as a user runs them."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

from tests.cli.clirunner import assert_one_line_error, new_database, run

DATA = Path(__file__).resolve().parents[1] / "data"
IMPORTED_KEYS = {
    "path",
    "status",
    "activity_id",
    "id",
    "sport",
    "start",
    "date",
    "duration_s",
    "distance_m",
    "laps",
    "backward_s",
    "kcal",
}


def _export(tmp_path: Path) -> Path:
    """A small Strava-like export: one good FIT, one good TCX, one damaged FIT, a photo."""
    fit = (DATA / "garmin-fenix-5-run.fit").read_bytes()
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities/1.fit.gz", gzip.compress(fit))
        zf.writestr("activities/2.tcx", (DATA / "test.tcx").read_bytes())
        zf.writestr("activities/3.fit", fit[:-40])
        zf.writestr("media/photo.jpg", b"\xff\xd8")
    return path


def test_import_json_reports_every_file_and_exits_1_on_a_rejection(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    result = run(db, "import", "--json", str(_export(tmp_path)), str(DATA / "run.gpx"))
    assert result.code == 1, result.err
    files = result.json()
    assert [f["status"] for f in files] == ["imported", "imported", "rejected", "imported"]
    for entry in files:
        if entry["status"] == "imported":
            assert entry.keys() >= IMPORTED_KEYS
    fit, tcx, broken, gpx = files
    assert fit["path"].endswith("export.zip!activities/1.fit.gz")
    assert fit["sport"] == "running" and fit["laps"] == 1 and fit["start"].endswith("+00:00")
    assert tcx["distance_m"] == 4689.24 and tcx["laps"] == 3
    assert "truncated FIT file" in broken["reason"] and "activity_id" not in broken
    assert gpx["backward_s"] == 0 and gpx["kcal"] is None  # no profile, no direction yet
    again = run(db, "import", "--json", str(DATA / "run.gpx"))
    assert again.code == 0
    assert again.json() == [
        {
            "path": str(DATA / "run.gpx"),
            "status": "duplicate",
            "reason": f"already imported as activity {gpx['id']}",
            "activity_id": gpx["id"],
            "id": gpx["id"],
        }
    ]


def test_import_for_people_prints_a_summary_with_reasons(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    result = run(db, "import", "--direction", "backward", str(_export(tmp_path)))
    assert result.code == 1
    assert "Imported 2, already present 0, rejected 1." in result.out
    assert "rejected " in result.err and "3.fit: truncated FIT file" in result.err
    assert "backward" in result.out
    clean = run(db, "import", str(DATA / "missing_hr.gpx"))
    assert clean.code == 0 and "Imported 1, already present 0, rejected 0." in clean.out


def test_mark_an_activity_backward_afterwards(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    (imported,) = run(db, "import", "--json", str(DATA / "test.tcx")).json()
    activity_id = str(imported["activity_id"])
    listed = run(db, "activity", "list", "--json").json()
    assert [a["id"] for a in listed] == [imported["activity_id"]]
    assert listed[0]["direction"] is None and listed[0]["laps"] == 3
    marked = run(db, "activity", "mark", activity_id, "--direction", "backward", "--lap", "1")
    assert marked.code == 0 and "mixed" in marked.out
    shown = run(db, "activity", "show", activity_id, "--json").json()
    assert [lap["direction"] for lap in shown["lap_list"]] == [None, "backward", None]
    assert shown["backward_s"] == shown["lap_list"][1]["duration_s"]
    whole = run(db, "activity", "mark", activity_id, "--direction", "backward", "--json").json()
    assert whole["direction"] == "backward" and whole["backward_s"] == whole["duration_s"]
    assert whole["direction_source"] == "user"


def test_history_shows_logs_and_imports_with_their_source(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    run(db, "import", str(DATA / "run.gpx"))
    logged = run(
        db,
        "log",
        "--date",
        "2026-11-20",
        "--minutes",
        "20",
        "--direction",
        "backward",
        "--mode",
        "walk",
        "--setting",
        "track",
        "--rpe",
        "3",
        "--pain-during",
        "0",
        "--pain-after",
        "0",
    )
    assert logged.code == 0, logged.err
    history = run(db, "history", "--json").json()
    assert [entry["source"] for entry in history] == ["import", "log"]  # 2012 before 2026
    imported, log = history
    assert imported["date"] == "2012-10-24" and imported["distance_m"] == 3102.0
    assert {"rpe", "pain_during", "setting", "matched_plan"} <= log.keys()
    assert "imported #" in run(db, "history").out


def test_activity_errors_are_one_line(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    assert_one_line_error(
        run(db, "activity", "mark", "7", "--direction", "backward"), "no imported"
    )
    assert_one_line_error(run(db, "activity", "show", "7"), "retrorun activity list")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run(db, "import", str(tmp_path / "empty")), "no FIT, GPX or TCX files")
    assert_one_line_error(
        run(db, "import", str(DATA / "run.gpx"), "--direction", "up"), "--direction"
    )


def test_import_commands_have_help(tmp_path: Path) -> None:
    for args in (
        ["import", "--help"],
        ["activity", "--help"],
        ["activity", "list", "--help"],
        ["activity", "show", "--help"],
        ["activity", "mark", "--help"],
    ):
        result = run(tmp_path / "x.db", *args)
        assert result.code == 0 and "Usage" in result.out, args
    assert "Strava or Garmin bulk export" in run(tmp_path / "x.db", "import", "--help").out


def test_import_without_a_profile_says_why_there_is_no_energy(tmp_path: Path) -> None:
    result = run(new_database(tmp_path / "fresh.db"), "import", str(DATA / "run.gpx"))
    assert result.code == 0, result.err
    assert "Energy not estimated: no profile" in " ".join(result.err.split())
