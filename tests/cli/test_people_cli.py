"""The CLI as the owner of a practice's database: schema, users, coach links, acting as someone,
changing sessions, completing a log the next morning, and the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.clirunner import assert_one_line_error, log_args, run
from tests.cli.test_cli_program import PROFILE, _answers

from retrorun.core.screening import QUESTION_IDS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """A database with the local athlete planned from 2026-12-01, and a coach."""
    db = tmp_path / "practice.db"
    assert run(db, "db", "upgrade").code == 0
    assert run(db, *PROFILE).code == 0
    assert run(db, "screen", "--answers", _answers(tmp_path)).code == 0
    assert run(db, "plan", "new", "--start", "2026-12-01").code == 0
    added = run(
        db,
        "user",
        "add",
        "pt@clinic.example",
        "--role",
        "coach",
        "--password-stdin",
        "--json",
        stdin="a long enough secret\n",
    )
    assert added.code == 0, added.err
    assert added.json()["role"] == "coach"
    return db


def test_db_upgrade_and_status(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert_one_line_error(run(db, "db", "status", "--json"), "run `retrorun init`")
    assert not db.exists()  # asking about a database does not make one
    db.write_bytes(b"")  # an empty file is an empty SQLite database
    status = run(db, "db", "status", "--json").json()
    assert status["schema"] is None and status["up_to_date"] is False
    first = run(db, "db", "upgrade", "--json").json()
    assert first["before"] is None and first["after"] == status["needed"]
    again = run(db, "db", "upgrade")
    assert again.code == 0 and "is current" in again.out
    assert run(db, "db", "status", "--json").json()["up_to_date"] is True


def test_an_older_schema_stops_every_command_with_the_fix(tmp_path: Path) -> None:
    from alembic import command

    from retrorun.services.app import App
    from retrorun.store.database import _alembic_config

    db = tmp_path / "old.db"
    app = App(str(db))
    with app.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    app.close()
    assert_one_line_error(run(db, "plan", "show"), "run `retrorun db upgrade`")
    assert run(db, "init").code == 0  # init migrates, as db upgrade does
    assert run(db, "history", "--json").json() == []


def test_a_coach_sees_the_plan_only_after_the_athlete_accepts(practice: Path) -> None:
    coach = ("--as", "pt@clinic.example")
    assert_one_line_error(run(practice, *coach, "plan", "show"), "has no training record")
    invitation = run(practice, *coach, "coach", "invite", "--json").json()
    assert len(invitation["code"]) >= 12
    accepted = run(practice, "coach", "accept", invitation["code"], "--json").json()
    assert accepted["status"] == "active" and accepted["coach_email"] == "pt@clinic.example"
    links = run(practice, *coach, "coach", "list", "--json").json()
    assert [(link["athlete_name"], link["status"]) for link in links] == [("me", "active")]
    again = run(practice, "coach", "accept", invitation["code"])
    assert_one_line_error(again, "not valid")
    ended = run(practice, "coach", "end", str(accepted["id"]), "--json").json()
    assert ended["ended_by"] == "athlete"
    assert run(practice, "coach", "list", "--json").json()[0]["status"] == "ended"


def test_user_list_and_bad_users(practice: Path) -> None:
    users = run(practice, "user", "list", "--json").json()
    assert [u["email"] for u in users] == ["pt@clinic.example"]
    assert_one_line_error(
        run(
            practice, "user", "add", "pt@clinic.example", "--password-stdin", stdin="long enough\n"
        ),
        "already a user",
    )
    assert_one_line_error(
        run(practice, "user", "add", "x@clinic.example", "--role", "boss", "--password-stdin"),
        "role must be",
    )
    assert_one_line_error(run(practice, "user", "add", "y@clinic.example"), "--password-stdin")
    assert_one_line_error(run(practice, "--as", "nobody@x.example", "history"), "no user")


def test_sessions_move_skip_edit_and_keep_their_versions(practice: Path) -> None:
    listed = run(practice, "session", "list", "--json").json()
    assert listed[0]["origin"] == "generated" and listed[0]["rules_version"]
    moved = run(
        practice,
        "session",
        "move",
        "--date",
        "2026-12-02",
        "--to",
        "2026-12-03",
        "--reason",
        "away on the 2nd",
        "--json",
    )
    assert moved.code == 0, moved.err
    assert moved.json()["date"] == "2026-12-03" and moved.json()["version"] == 2
    skipped = run(practice, "session", "skip", "--date", "2026-12-04", "--reason", "sore knee")
    assert skipped.code == 0 and "Skipped" in skipped.out
    edited = run(
        practice,
        "session",
        "edit",
        "--date",
        "2026-12-03",
        "--setting",
        "track",
        "--reason",
        "treadmill broken",
        "--json",
    ).json()
    assert edited["version"] == 3 and edited["reason"] == "treadmill broken"
    versions = run(practice, "session", "versions", "--date", "2026-12-03", "--json").json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["session"]["date"] for v in versions] == ["2026-12-02", "2026-12-03", "2026-12-03"]
    assert versions[0]["steps"][1]["setting"] == "treadmill-with-handrails"
    assert {s["setting"] for s in versions[2]["steps"] if s["direction"] == "backward"} == {"track"}
    assert versions[0]["timeline"][-1]["kind"] == "done"
    shown = run(practice, "session", "show", "--date", "2026-12-03", "--json").json()
    assert shown["steps"] == [
        {**s, "kcal": shown["steps"][i]["kcal"]} for i, s in enumerate(versions[2]["steps"])
    ]
    assert_one_line_error(
        run(practice, "session", "show", "--date", "2026-12-04"), "no session planned"
    )
    past = run(
        practice, "session", "skip", "--date", "2026-12-02", "--reason", "x", today="2026-12-10"
    )
    assert_one_line_error(past, "no session of the current plan")


def test_pain_next_morning_completes_the_log(practice: Path) -> None:
    log = log_args("2026-12-02")
    assert run(practice, *log, today="2026-12-02").code == 0
    too_soon = run(
        practice, "log", "--date", "2026-12-02", "--pain-next-morning", "2", today="2026-12-02"
    )
    assert_one_line_error(too_soon, "from 2026-12-03 on")
    done = run(
        practice,
        "log",
        "--date",
        "2026-12-02",
        "--pain-next-morning",
        "2",
        "--json",
        today="2026-12-03",
    )
    assert done.code == 0 and done.json()["updated"] is True
    history = run(practice, "history", "--json").json()
    assert [h["pain_next_morning"] for h in history] == [2]
    partial = run(practice, "log", "--date", "2026-12-03", "--minutes", "20")
    assert_one_line_error(partial, "to log a session give --direction")


def test_the_published_json_schema_is_current() -> None:
    printed = run(ROOT / "unused.db", "schema")
    assert printed.code == 0
    published = json.loads((ROOT / "docs" / "json-schema.json").read_text())
    assert json.loads(printed.out) == published, "run: retrorun schema > docs/json-schema.json"
    assert set(published) >= {"plan", "session", "history", "import", "energy", "users"}
    assert_one_line_error(run(ROOT / "unused.db", "schema", "nothing"), "no document")


def test_every_question_id_is_in_the_questions_document() -> None:
    listed = run(Path("unused.db"), "screen", "--list", "--json").json()
    assert [q["id"] for q in listed] == list(QUESTION_IDS)
