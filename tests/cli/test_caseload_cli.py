"""`retrorun coach caseload | show | note | notes` and `retrorun audit` through the real entry
point: a physio's clients, who needs them first, notes, and what the client reads of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.clirunner import assert_one_line_error, log_args, run
from tests.cli.test_cli_program import PROFILE, _answers

PHYSIO = ("--as", "pt@clinic.example")
ANA = ("--as", "ana@example.org")
BEN = ("--as", "ben@example.org")


def _add(db: Path, email: str, role: str) -> None:
    added = run(db, "user", "add", email, "--role", role, "--password-stdin", stdin="long secret\n")
    assert added.code == 0, added.err


def _link(db: Path, athlete: tuple[str, str]) -> None:
    code = run(db, *PHYSIO, "coach", "invite", "--json").json()["code"]
    assert run(db, *athlete, "coach", "accept", code).code == 0


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """A physio with two clients planned from 2026-11-16: Ana logged a swollen knee (her plan
    is paused), Ben logged every session."""
    db = tmp_path / "practice.db"
    assert run(db, "init").code == 0
    _add(db, "pt@clinic.example", "coach")
    for who in ("ana@example.org", "ben@example.org"):
        _add(db, who, "athlete")
    answers = _answers(tmp_path)
    for athlete in (ANA, BEN):
        _link(db, athlete)
        assert run(db, *athlete, *PROFILE).code == 0
        assert run(db, *athlete, "screen", "--answers", answers).code == 0
        assert run(db, *athlete, "plan", "new", "--start", "2026-11-16").code == 0
    swollen = run(db, *ANA, *log_args("2026-11-23"), "--red-flag", "swelling")
    assert swollen.code == 0, swollen.err
    for day in ("2026-11-16", "2026-11-18", "2026-11-20", "2026-11-23"):
        logged = run(db, *BEN, *log_args(day), "--pain-next-morning", "1")
        assert logged.code == 0, logged.err
    return db


def test_the_caseload_puts_the_paused_client_first(practice: Path) -> None:
    found = run(practice, *PHYSIO, "coach", "caseload", "--json").json()
    assert [c["name"] for c in found["clients"]] == ["ana@example.org", "ben@example.org"]
    ana, ben = found["clients"]
    assert ana["reasons"][0]["kind"] == "paused" and ana["paused_since"] == "2026-11-25"
    assert ben["reasons"] == [] and ben["adherence_2w"] == 1.0
    assert ben["stage"]["words"] == "week 2 of 8, backward walking"
    shown = run(practice, *PHYSIO, "coach", "caseload")
    assert shown.code == 0 and "2 clients, page 1 of 1" in shown.out
    assert "plan paused since 2026-11-25" in shown.out.replace("\n", " ").replace("│", "")
    only = run(practice, *PHYSIO, "coach", "caseload", "--attention", "--json").json()
    assert [c["name"] for c in only["clients"]] == ["ana@example.org"]
    searched = run(practice, *PHYSIO, "coach", "caseload", "--search", "BEN", "--json").json()
    assert [c["name"] for c in searched["clients"]] == ["ben@example.org"]
    assert_one_line_error(run(practice, *PHYSIO, "coach", "caseload", "--page", "0"), "from 1")
    assert_one_line_error(run(practice, *ANA, "coach", "caseload"), "only a coach")


def test_show_a_client_by_email_or_id(practice: Path) -> None:
    page = run(practice, *PHYSIO, "coach", "show", "ana@example.org", "--json").json()
    assert page["paused"]["reason"].startswith("swelling reported")
    assert page["plan_week"]["week"] == 2 and page["decisions"][0]["verdict"] == "pause"
    by_id = run(practice, *PHYSIO, "coach", "show", str(page["athlete_id"]), "--json").json()
    assert by_id["name"] == "ana@example.org"
    text = run(practice, *PHYSIO, "coach", "show", "ana@example.org")
    assert text.code == 0 and "Paused since 2026-11-25" in text.out
    assert_one_line_error(
        run(practice, *PHYSIO, "coach", "show", "cai@example.org"), "among those you may see"
    )


def test_notes_shared_with_the_client_and_private_ones(practice: Path) -> None:
    shared = run(practice, *PHYSIO, "coach", "note", "ana@example.org", "see your GP", "--json")
    assert shared.code == 0 and shared.json()["private"] is False
    private = run(practice, *PHYSIO, "coach", "note", "ana@example.org", "left knee?", "--private")
    assert private.code == 0 and "only you see it" in private.out
    mine = run(practice, *PHYSIO, "coach", "notes", "ana@example.org", "--json").json()
    assert [n["text"] for n in mine] == ["left knee?", "see your GP"]
    theirs = run(practice, *ANA, "coach", "notes", "--json").json()
    assert [n["text"] for n in theirs] == ["see your GP"]
    assert_one_line_error(run(practice, *PHYSIO, "coach", "note", "ana@example.org", " "), "note")
    assert_one_line_error(run(practice, *ANA, "coach", "note", "ana@example.org", "hi"), "coach")


def test_the_client_reads_what_their_coach_read_and_changed(practice: Path) -> None:
    assert run(practice, *ANA, "audit", "--json").json() == []
    assert run(practice, *PHYSIO, "coach", "show", "ana@example.org").code == 0
    made = run(practice, *PHYSIO, "report", "--athlete", "ana@example.org", "--json")
    assert made.code == 0, made.err
    assert run(practice, *PHYSIO, "coach", "note", "ana@example.org", "see your GP").code == 0
    entries = run(practice, *ANA, "audit", "--json").json()
    assert [(e["who"], e["action"], e["what"]) for e in entries] == [
        ("pt@clinic.example", "change", "caseload.add_note"),
        ("pt@clinic.example", "read", "report.report"),
        ("pt@clinic.example", "read", "caseload.client"),
    ]
    assert entries[1]["words"] == "your therapist's report"
    table = run(practice, *ANA, "audit")
    assert table.code == 0 and "pt@clinic.example" in table.out
    assert run(practice, *BEN, "audit").out.strip() == "No coach has read or changed your data."
    assert_one_line_error(run(practice, *PHYSIO, "audit"), "athlete's")


# --- a coach's changes to a client's plan ---------------------------------------------------


def test_a_coach_resumes_a_clients_paused_plan(practice: Path) -> None:
    # Without --athlete it is the acting person's own plan, as before: a coach has none.
    assert_one_line_error(
        run(practice, *PHYSIO, "plan", "resume", "--reason", "GP: fine"), "no training record"
    )
    resumed = run(
        practice, *PHYSIO, "plan", "resume", "--athlete", "ana@example.org", "--reason", "GP: fine"
    )
    assert resumed.code == 0, resumed.err
    assert "The plan goes on, one step lower." in resumed.out
    assert "resumed after a pause: GP: fine" in resumed.out.replace("\n", " ")
    again = run(practice, *ANA, "plan", "resume", "--reason", "again")
    assert_one_line_error(again, "not paused")
    entries = run(practice, *ANA, "audit", "--json").json()
    assert entries[0]["words"] == "resumed your paused plan"


def test_a_coach_sets_the_stage_and_steps_a_client_back(practice: Path) -> None:
    ben = ("--athlete", "ben@example.org")
    staged = run(
        practice,
        *PHYSIO,
        "plan",
        "stage",
        *ben,
        "--week",
        "3",
        "--setting",
        "treadmill",
        "--reason",
        "steady: on to week 3",
        "--json",
    )
    assert staged.code == 0, staged.err
    changes = staged.json()["changes"]
    assert changes and {c["step"] for c in changes} == {3}
    assert all("pt@clinic.example: steady: on to week 3" in c["change"] for c in changes)
    for bad, words in (
        (("--week", "3", "--setting", "beach"), "treadmill, track or path"),
        (("--week", "9", "--setting", "track"), "weeks 1–8"),
        (("--week", "3", "--setting", "treadmill"), "already"),
    ):
        refused = run(practice, *PHYSIO, "plan", "stage", *ben, *bad, "--reason", "x")
        assert_one_line_error(refused, words)
    back = run(practice, *PHYSIO, "plan", "step-back", *ben, "--reason", "a flare")
    assert back.code == 0, back.err
    assert "Stepped back." in back.out and "week 2's session" in back.out
    sessions = run(practice, *BEN, "session", "list", "--json").json()
    edited = [s for s in sessions if s["origin"] == "edited"]
    assert edited and all("pt@clinic.example: a flare" in s["reason"] for s in edited)
    words = [e["words"] for e in run(practice, *BEN, "audit", "--json").json()]
    assert "changed the stage of your plan" in words and "stepped your plan back" in words
    stranger = run(
        practice,
        *PHYSIO,
        "plan",
        "stage",
        "--athlete",
        "cai@example.org",
        "--week",
        "1",
        "--setting",
        "track",
        "--reason",
        "x",
    )
    assert_one_line_error(stranger, "among those you may see")


def test_a_coach_skips_then_replaces_a_clients_session(practice: Path) -> None:
    ben = ("--athlete", "ben@example.org")
    friday = ("--date", "2026-11-27")
    skipped = run(practice, *PHYSIO, "session", "skip", *ben, *friday, "--reason", "away")
    assert skipped.code == 0 and "Skipped" in skipped.out
    replaced = run(
        practice,
        *PHYSIO,
        "session",
        "replace",
        *ben,
        *friday,
        "--week",
        "1",
        "--setting",
        "treadmill",
        "--reason",
        "back early, gently",
        "--json",
    )
    assert replaced.code == 0, replaced.err
    (change,) = replaced.json()["changes"]
    assert change["date"] == "2026-11-27" and change["step"] == 1
    assert "pt@clinic.example: back early, gently" in change["change"]
    listed = {s["date"]: s for s in run(practice, *BEN, "session", "list", "--json").json()}
    assert listed["2026-11-27"]["status"] == "planned"
    assert listed["2026-11-27"]["version"] == 3
    # The athlete replaces their own session: their reason, without a name.
    own = run(
        practice,
        *BEN,
        "session",
        "replace",
        "--date",
        "2026-11-30",
        "--week",
        "2",
        "--reason",
        "a lighter Monday",
    )
    assert own.code == 0 and "Replaced." in own.out
    assert "a lighter Monday" in own.out and "pt@clinic.example" not in own.out
    for bad, words in (
        (("--date", "2026-11-23", "--week", "1"), "only sessions after today"),
        (("--date", "2026-11-28", "--week", "1"), "no session of the current plan"),
        (("--date", "2026-11-30", "--week", "0"), "weeks 1–8"),
    ):
        assert_one_line_error(
            run(practice, *PHYSIO, "session", "replace", *ben, *bad, "--reason", "x"), words
        )
    moved = run(
        practice,
        *PHYSIO,
        "session",
        "move",
        *ben,
        "--date",
        "2026-12-02",
        "--to",
        "2026-12-03",
        "--reason",
        "clinic day",
        "--json",
    )
    assert moved.code == 0 and moved.json()["date"] == "2026-12-03"
