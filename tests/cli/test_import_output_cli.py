"""What a person and a script read from `retrorun import`, from a new user's multi-week trial.

The table tells its rows apart by file; rejections and warnings go to stderr, the table and the
summary to stdout; `--json` names the activity as `history` does. Two findings of the same
trial outside the import live here too, beside the others: `--version`, and the energy
command's grade error speaking in the percent its option takes.
"""

from __future__ import annotations

import zipfile
from importlib.metadata import version
from pathlib import Path

from tests.cli.clirunner import assert_one_line_error, new_database, run

from retrorun.cli.imports import short_file_name
from retrorun.core.energy import KEYTEL_MODEL_NAME

DATA = Path(__file__).resolve().parents[1] / "data"
PROFILE = ["profile", "set", "--mass-kg", "68", "--age", "41"]
PROFILE += ["--experience", "regular-runner", "--goal", "fitness"]


def _export_with_a_broken_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities/2.tcx", (DATA / "test.tcx").read_bytes())
        zf.writestr("activities/3.fit", (DATA / "garmin-fenix-5-run.fit").read_bytes()[:-40])
    return path


# --- 1. the table has a file column --------------------------------------------------------------


def test_the_import_table_names_each_file(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    result = run(db, "import", str(DATA / "run.gpx"), str(_export_with_a_broken_file(tmp_path)))
    header = next(line for line in result.out.splitlines() if "start (UTC)" in line)
    assert [cell.strip() for cell in header.split("┃")][1:3] == ["id", "file"]
    rows = [[cell.strip() for cell in line.split("│")][1:3] for line in result.out.splitlines()]
    files = [file for activity_id, file in (row for row in rows if len(row) == 2) if activity_id]
    assert files == ["run.gpx", "2.tcx"]  # the name, without its folder or archive
    assert str(DATA) not in result.out
    listed = run(db, "activity", "list")
    assert "run.gpx" in listed.out and "2.tcx" in listed.out


def test_a_long_file_name_keeps_its_start_and_its_extension() -> None:
    assert short_file_name("export.zip!activities/1.fit.gz") == "1.fit.gz"
    assert short_file_name("/home/me/runs/run.gpx") == "run.gpx"
    assert short_file_name(r"C:\runs\run.gpx") == "run.gpx"
    long = "2026-11-25-08-30-00-Backward walk on the track by the river.fit.gz"
    short = short_file_name(long)
    assert len(short) == 24 and short.startswith("2026-11-25") and short.endswith(".fit.gz")
    assert "…" in short


# --- 2. errors and warnings on stderr, the summary on stdout -----------------------------------


def test_rejections_and_energy_warnings_go_to_stderr(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    result = run(db, "import", str(_export_with_a_broken_file(tmp_path)))
    assert result.code == 1
    assert "Imported 1, already present 0, rejected 1." in result.out
    err = " ".join(result.err.split())
    assert "3.fit: truncated FIT file" in err and "truncated" not in result.out
    assert "Energy not estimated: no profile" in err and "Energy not estimated" not in result.out


# --- 5. a profile given a sex later brings the heart-rate estimate -----------------------------


def test_setting_sex_later_re_estimates_imported_activities_by_heart_rate(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    assert run(db, *PROFILE).code == 0
    (before,) = run(db, "import", "--json", str(DATA / "test.tcx")).json()  # heart rate
    shown = run(db, "activity", "show", str(before["activity_id"]), "--json").json()
    assert before["kcal"] is not None and shown["energy_model"].startswith("speed")
    assert run(db, *PROFILE, "--sex", "female").code == 0
    after = run(db, "activity", "show", str(before["activity_id"]), "--json").json()
    assert after["energy_model"] == KEYTEL_MODEL_NAME and after["kcal"] != before["kcal"]
    fresh = new_database(tmp_path / "fresh.db")  # the same file, imported after the sex
    assert run(fresh, *PROFILE, "--sex", "female").code == 0
    (direct,) = run(fresh, "import", "--json", str(DATA / "test.tcx")).json()
    assert after["kcal"] == direct["kcal"]


# --- 6. the JSON names the activity as history does -------------------------------------------


def test_imported_entries_have_id_and_date_like_history(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    (imported,) = run(db, "import", "--json", str(DATA / "run.gpx")).json()
    assert imported["id"] == imported["activity_id"]
    assert imported["date"] == "2012-10-24" and imported["start"].startswith("2012-10-24")
    (in_history,) = run(db, "history", "--json").json()
    assert (in_history["id"], in_history["date"]) == (imported["id"], imported["date"])
    assert imported["direction"] is None  # unknown: the table says so in words
    assert "unknown" in run(db, "activity", "list").out


# --- 7. --version --------------------------------------------------------------------------------


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = run(tmp_path / "never-made.db", "--version")
    assert result.code == 0, result.err
    assert result.out == f"retrorun {version('retrorun')}\n"
    assert not (tmp_path / "never-made.db").exists()


# --- 8. the energy command's grade error speaks in percent --------------------------------------


def test_a_grade_out_of_range_is_explained_in_percent() -> None:
    args = ["--direction", "backward", "--speed-kmh", "5", "--mass-kg", "70"]
    result = run("sqlite:///:memory:", "energy", *args, "--grade-percent", "60")
    assert_one_line_error(result, "grade 60 % is beyond ±45 %")
    assert "fraction" not in result.err and "0.05" not in result.err


# --- what was repaired while reading a file is said, on stderr and in --json ---------------------


def _gpx_with_a_point_off_the_globe(tmp_path: Path) -> Path:
    """Eleven points a second apart heading north; the sixth has latitude 999."""
    rows = "".join(
        f'<trkpt lat="{999.0 if i == 5 else 45.0 + i * 1e-5}" lon="7.0">'
        f"<time>2026-03-01T07:00:{i:02d}Z</time></trkpt>"
        for i in range(11)
    )
    path = tmp_path / "off-globe.gpx"
    path.write_text(
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
        f"<trkseg>{rows}</trkseg></trk></gpx>"
    )
    return path


def test_a_repaired_file_says_what_was_left_out(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    path = _gpx_with_a_point_off_the_globe(tmp_path)
    result = run(db, "import", str(path))
    assert result.code == 0, result.err
    assert f"repaired {path}: 1 position off the globe left out" in result.err
    assert "repaired" not in result.out  # stdout keeps the table and the summary
    (second,) = run(db, "import", "--json", str(path)).json()
    assert second["status"] == "duplicate" and "notes" not in second


def test_import_json_lists_the_repairs_of_each_imported_file(tmp_path: Path) -> None:
    db = new_database(tmp_path / "me.db")
    path = _gpx_with_a_point_off_the_globe(tmp_path)
    repaired, clean = run(db, "import", "--json", str(path), str(DATA / "run.gpx")).json()
    assert repaired["notes"] == ["1 position off the globe left out"]
    assert clean["notes"] == []
