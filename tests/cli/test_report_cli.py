"""`retrorun report`: the therapist's report written as PDF or HTML, or printed as JSON, by the
athlete, or by a linked coach or physio naming the athlete; clear one-line refusals."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.cli.clirunner import assert_one_line_error, run
from tests.services.report_scenario import EXPECTED_TOTAL, EXPECTED_WEEKS, TODAY, build, play

from retrorun.services import accounts
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Settings

DAY = TODAY.isoformat()
NOW = datetime(2026, 11, 27, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local owner's four scripted weeks."""
    path = tmp_path_factory.mktemp("report-cli") / "me.db"
    app, _, _ = build(str(path))
    app.close()
    return path


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A practice's database: Ana trained the four weeks and linked her physio; another coach
    was never linked."""
    path = tmp_path_factory.mktemp("report-practice") / "practice.db"
    app = App(str(path), Settings(password_profile="cheapest"))
    try:
        app.upgrade()
        admin = Actor(None, Role.ADMIN, None)
        ana = accounts.add_user(
            app, admin, "ana@example.org", "correct horse battery", Role.ATHLETE
        )
        for coach in ("physio@example.org", "stranger@example.org"):
            accounts.add_user(app, admin, coach, "correct horse battery", Role.COACH)
        assert ana.athlete_id is not None
        scope = app.scope(app.actor(ana.id))
        play(scope, ana.athlete_id)
        invitation = accounts.invite(app.scope(app.actor_by_email("physio@example.org")), NOW)
        accounts.accept(scope, invitation.code, NOW)
    finally:
        app.close()
    return path


def pdf_lines(path: Path) -> list[str]:
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    return [line.strip() for page in pages for line in page.extract_text().splitlines()]


def test_the_pdf_report_has_the_weeks_numbers(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    result = run(db, "report", "--weeks", "4", "-o", str(target), today=DAY)
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote {target}: me, 4 weeks from 2026-11-02 to 2026-11-27"
    lines = pdf_lines(target)
    for row in [*EXPECTED_WEEKS, EXPECTED_TOTAL]:
        assert " ".join(row) + " –" in lines


def test_the_html_report_and_a_file_already_there_is_replaced(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "Report.HTML"
    target.write_text("an older report")
    result = run(db, "report", "--weeks", "4", "--output", str(target), today=DAY)
    assert result.code == 0, result.err
    html = target.read_text()
    assert html.startswith("<!doctype html>") and "@page" in html
    assert '<td class="num">9/10</td>' in html
    assert not list(tmp_path.glob(".*.part"))  # written beside it, then renamed


def test_json_prints_the_reports_numbers(db: Path) -> None:
    result = run(db, "report", "--weeks", "4", "--json", today=DAY)
    assert result.code == 0, result.err
    data = result.json()
    assert (data["first"], data["last"], data["athlete"]) == ("2026-11-02", DAY, "me")
    assert data["totals"]["adherence"] == 0.9 and data["totals"]["backward_min"] == 193.5
    assert [w["backward_min"] for w in data["weeks"]] == [62, 42, 40, 49.5]
    schema = run(db, "schema", "report")
    assert schema.code == 0 and schema.json()["title"] == "retrorun report"


def test_the_default_is_eight_weeks(db: Path) -> None:
    data = run(db, "report", "--json", today=DAY).json()
    assert len(data["weeks"]) == 8 and data["first"] == "2026-10-05"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-o", "report.txt"], "report.txt: unknown extension; use .pdf, .html"),
        (["-o", "report"], "unknown extension"),
        (["--weeks", "0", "-o", "r.pdf"], "--weeks must be 1–104 (got 0)"),
        (["--weeks", "105", "--json"], "--weeks must be 1–104 (got 105)"),
        ([], "give the file to write: -o report.pdf or -o report.html"),
        (["-o", "no-such-folder/r.pdf"], "folder no-such-folder does not exist"),
    ],
)
def test_refusals_are_one_line(db: Path, tmp_path: Path, args: list[str], says: str) -> None:
    fixed = [str(tmp_path / a) if a.startswith("no-such") else a for a in args]
    result = run(db, "report", *fixed, today=DAY)
    assert_one_line_error(result, says.replace("no-such-folder", str(tmp_path / "no-such-folder")))


def test_a_linked_physio_names_the_athlete(practice: Path, tmp_path: Path) -> None:
    target = tmp_path / "ana.pdf"
    args = ["--as", "physio@example.org", "report", "--weeks", "4"]
    result = run(practice, *args, "--athlete", "Ana@Example.org", "-o", str(target), today=DAY)
    assert result.code == 0, result.err
    assert "ana@example.org, 4 weeks" in result.out
    assert " ".join(EXPECTED_TOTAL) + " –" in pdf_lines(target)


def test_a_coach_must_name_the_athlete_and_a_stranger_is_told_nothing(practice: Path) -> None:
    physio = ["--as", "physio@example.org", "report", "--json"]
    assert_one_line_error(run(practice, *physio, today=DAY), "name the athlete: --athlete EMAIL")
    stranger = ["--as", "stranger@example.org", "report", "--json"]
    named = run(practice, *stranger, "--athlete", "ana@example.org", today=DAY)
    assert_one_line_error(named, "no athlete 'ana@example.org' among those you may see")
    ana = run(practice, "--as", "ana@example.org", "report", "--json", today=DAY).json()
    by_id = run(practice, *stranger, "--athlete", str(_athlete_id(practice)), today=DAY)
    assert_one_line_error(by_id, f"no athlete with id {_athlete_id(practice)}")
    assert ana["athlete"] == "ana@example.org"


def _athlete_id(path: Path) -> int:
    app = App(str(path))
    try:
        found = app.actor_by_email("ana@example.org").athlete_id
    finally:
        app.close()
    assert found is not None
    return found


def test_help_says_what_the_report_holds(db: Path) -> None:
    shown = run(db, "report", "--help")
    assert shown.code == 0
    for words in ("--athlete", "--weeks", "pain during", "3-metre backward walk", ".pdf"):
        assert words in " ".join(shown.out.split())
