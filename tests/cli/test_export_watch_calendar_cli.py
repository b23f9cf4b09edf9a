"""`retrorun export fit` and `retrorun export ics` through the real entry point.

Bad input must give one line on stderr, a non-zero exit, and leave no file behind: neither the
output nor the temporary file it is written through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest
import typer
from garmin_fit_sdk import Decoder, Stream
from ical.calendar_stream import IcsCalendarStream
from tests.cli.clirunner import assert_one_line_error, new_database, run

from retrorun.cli import export_watch
from retrorun.cli.main import app
from retrorun.core.screening import QUESTION_IDS
from retrorun.errors import InvalidInput

PROFILE = [
    *("profile", "set", "--mass-kg", "68", "--age", "41", "--experience", "regular-runner"),
    *("--goal", "knee-rehab", "--days", "3", "--minutes", "30", "--treadmill", "--track"),
    "--partner",
]
FIRST_SESSION = "2026-12-02"  # plan from Tuesday 2026-12-01, training Mon/Wed/Fri


@pytest.fixture(scope="module")
def planned_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with a knee-rehab plan: 8 weeks, 3 sessions a week. Exports only read it."""
    folder = tmp_path_factory.mktemp("planned")
    db = folder / "me.db"
    answers = folder / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    for args in (["init"], PROFILE, ["screen", "--answers", str(answers)]):
        assert run(db, *args).code == 0
    assert run(db, "plan", "new", "--start", "2026-12-01").code == 0
    return db


def _files(folder: Path) -> list[str]:
    """Every file under `folder`, hidden temporary ones included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _fit_messages(path: Path) -> dict[str, list[dict[str, object]]]:
    decoder = Decoder(Stream.from_file(str(path)))
    assert decoder.is_fit() and decoder.check_integrity()
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert errors == []
    return cast(dict[str, list[dict[str, object]]], messages)


def test_fit_for_a_date_is_a_workout_file(planned_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "workout.fit"
    result = run(planned_db, "export", "fit", "--date", FIRST_SESSION, "-o", str(out))
    assert result.code == 0, result.err
    assert "Retro W1 Wed" in result.out
    messages = _fit_messages(out)
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    assert messages["workout_mesgs"][0]["wkt_name"] == "Retro W1 Wed"
    names = {step.get("wkt_step_name") for step in messages["workout_step_mesgs"]}
    assert {"WARM UP", "BACK L", "BACK R", "COOL DOWN"} <= names
    assert _files(tmp_path) == ["workout.fit"]


def test_fit_defaults_to_today(planned_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "today.FIT"  # the extension check ignores case
    assert run(planned_db, "export", "fit", "-o", str(out), today="2026-12-04").code == 0
    assert _fit_messages(out)["workout_mesgs"][0]["wkt_name"] == "Retro W1 Fri"


def test_fit_week_writes_one_file_per_session_into_a_folder(
    planned_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "week2"
    result = run(planned_db, "export", "fit", "--week", "2", "-o", str(folder))
    assert result.code == 0, result.err
    assert _files(folder) == ["2026-12-09.fit", "2026-12-11.fit", "2026-12-14.fit"]  # Tue–Mon week
    names = [_fit_messages(p)["workout_mesgs"][0]["wkt_name"] for p in sorted(folder.iterdir())]
    assert names == ["Retro W2 Wed", "Retro W2 Fri", "Retro W2 Mon"]


def test_fit_into_an_existing_folder_names_the_file_by_date(
    planned_db: Path, tmp_path: Path
) -> None:
    assert run(planned_db, "export", "fit", "--date", FIRST_SESSION, "-o", str(tmp_path)).code == 0
    assert _files(tmp_path) == [f"{FIRST_SESSION}.fit"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-12-03", "-o", "{tmp}/x.fit"], "no session planned on 2026-12-03"),
        (["--date", "2026-12-32", "-o", "{tmp}/x.fit"], "not a date"),
        (["--date", FIRST_SESSION, "-o", "{tmp}/x.gpx"], "unknown extension; use .fit"),
        (["--date", FIRST_SESSION, "-o", "{tmp}/blocker/x.fit"], "cannot write"),
        (["--week", "9", "-o", "{tmp}/week9"], "weeks 1–8"),
        (["--week", "0", "-o", "{tmp}/week0"], "weeks 1–8"),
        (["--week", "2", "-o", "{tmp}/blocker/week"], "cannot write"),
        (["--week", "2", "-o", "{tmp}/blocker"], "-o is a folder"),
        (["--week", "2", "-o", "{tmp}/week.fit"], "-o is a folder"),
        (["--week", "2", "--date", FIRST_SESSION, "-o", "{tmp}/w"], "not both"),
        (["--week", "two", "-o", "{tmp}/w"], "Invalid value for '--week'"),
    ],
)
def test_bad_fit_exports_are_one_line_and_leave_no_file(
    planned_db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    args = [arg.format(tmp=tmp_path) for arg in args]
    assert_one_line_error(run(planned_db, "export", "fit", *args), message)
    assert _files(tmp_path) == ["blocker"]


def test_fit_before_any_plan_says_what_to_do(tmp_path: Path) -> None:
    out = tmp_path / "x.fit"
    db = new_database(tmp_path / "x.db")
    assert_one_line_error(run(db, "export", "fit", "-o", str(out)), "plan new")
    assert not out.exists()


def _events(path: Path) -> list[tuple[str, str, str]]:
    calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
    return [(e.uid, str(e.dtstart), e.summary or "") for e in calendar.events]


def test_ics_has_every_session_with_stable_uids(planned_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "plan.ics", tmp_path / "again.ics"
    result = run(planned_db, "export", "ics", "-o", str(first))
    assert result.code == 0, result.err
    assert "24 sessions" in result.out
    assert run(planned_db, "export", "ics", "-o", str(second)).code == 0
    events = _events(first)
    assert len(events) == 24
    assert events[0][1:] == ("2026-12-02", "Week 1: Backward walk on treadmill-with-handrails")
    assert [uid for uid, _, _ in events] == [uid for uid, _, _ in _events(second)]
    assert len({uid for uid, _, _ in events}) == 24
    text = first.read_bytes()
    assert text.count(b"BEGIN:VALARM") == 24 and b"TRIGGER:-PT6H" in text
    assert b"kcal" in text
    assert _files(tmp_path) == ["again.ics", "plan.ics"]


def test_ics_first_weeks_at_a_time_of_day(planned_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "two-weeks.ics"
    args = ["--weeks", "2", "--time", "7:15", "--alarm-minutes", "20", "-o", str(out)]
    assert run(planned_db, "export", "ics", *args).code == 0
    events = _events(out)
    assert len(events) == 6
    assert events[0][1] == "2026-12-02 07:15:00"
    assert b"TRIGGER:-PT20M" in out.read_bytes()


def _unfolded(path: Path) -> str:
    """The calendar's text with RFC 5545 line folding undone, so no word is cut in two."""
    return path.read_text(encoding="utf-8").replace("\r\n ", "")


def test_ics_speaks_the_profile_s_units(tmp_path: Path) -> None:
    """The trial: an imperial profile's calendar had 168 "km/h" and no "mph"."""
    db = tmp_path / "me.db"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    for args in (
        ["init"],
        [*PROFILE, "--units", "imperial"],
        ["screen", "--answers", str(answers)],
        ["plan", "new", "--start", "2026-12-01"],
    ):
        assert run(db, *args).code == 0, args
    out = tmp_path / "plan.ics"
    assert run(db, "export", "ics", "--weeks", "2", "-o", str(out)).code == 0
    text = _unfolded(out)
    assert "mph" in text and "km/h" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/plan.txt"], "unknown extension; use .ics"),
        (["-o", "{tmp}/blocker/plan.ics"], "cannot write"),
        (["--weeks", "9", "-o", "{tmp}/plan.ics"], "weeks 1–8"),
        (["--weeks", "0", "-o", "{tmp}/plan.ics"], "weeks 1–8"),
        (["--time", "25:00", "-o", "{tmp}/plan.ics"], "not a time of day"),
        (["--time", "07:00+02:00", "-o", "{tmp}/plan.ics"], "not a time of day"),
        (["--alarm-minutes", "-5", "-o", "{tmp}/plan.ics"], "--alarm-minutes must be"),
    ],
)
def test_bad_ics_exports_are_one_line_and_leave_no_file(
    planned_db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    args = [arg.format(tmp=tmp_path) for arg in args]
    assert_one_line_error(run(planned_db, "export", "ics", *args), message)
    assert _files(tmp_path) == ["blocker"]


def test_ics_before_any_plan_says_what_to_do(tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    db = new_database(tmp_path / "x.db")
    assert_one_line_error(run(db, "export", "ics", "-o", str(out)), "plan new")
    assert not out.exists()


def test_export_commands_have_help_on_every_option(tmp_path: Path) -> None:
    export = typer.main.get_command(app).commands["export"]  # type: ignore[attr-defined]
    for name in ("fit", "ics"):
        command = export.commands[name]
        assert command.help and len(command.help) > 100
        options = [p for p in command.params if isinstance(p, typer.core.TyperOption)]
        assert len(options) >= 3 and all(option.help for option in options), name
        result = run(tmp_path / "x.db", "export", name, "--help")
        assert result.code == 0 and "Usage" in result.out
        assert all(option.opts[0] in result.out for option in options)


def test_a_week_that_fails_half_way_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full on the second file: the first is removed, and the folder made for them."""
    written: list[Path] = []

    def write_or_fail(path: Path, data: bytes) -> None:
        if written:
            raise InvalidInput(f"cannot write {path}: No space left on device")
        written.append(path)
        path.write_bytes(data)

    monkeypatch.setattr(export_watch, "write_atomically", write_or_fail)
    folder = tmp_path / "week"
    with pytest.raises(InvalidInput, match="No space left"):
        export_watch._write_all(folder, {"2026-12-02.fit": b"one", "2026-12-04.fit": b"two"})
    assert written and _files(tmp_path) == []
