"""`/report.pdf` and `/report.html`: the signed-in athlete's report, the same numbers as the CLI's,
served under the app's Content-Security-Policy, and linked from the History page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from retrorun.services import accounts
from retrorun.services.access import Role
from retrorun.services.app import App
from tests.services.report_scenario import EXPECTED_TOTAL, EXPECTED_WEEKS, TODAY, play
from tests.web.helpers import PASSWORD, Person, client, new_app, signed_in


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("RETRORUN_TODAY", TODAY.isoformat())
    made = new_app(str(tmp_path / "retrorun.db"))
    yield made
    made.close()


@pytest.fixture
def ana(app: App) -> Person:
    user = accounts.add_user(app, app.local_owner(), "ana@example.org", PASSWORD, Role.ATHLETE)
    assert user.athlete_id is not None
    play(app.scope(app.actor(user.id)), user.athlete_id)
    return signed_in(app, "ana@example.org")


def test_the_pdf_has_the_weeks_numbers(ana: Person) -> None:
    answer = ana.client.get("/report.pdf?weeks=4")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert (
        answer.headers["content-disposition"] == 'inline; filename="retrorun-report-2026-11-27.pdf"'
    )
    assert answer.headers["cache-control"] == "private, no-cache"
    pages = PdfReader(io.BytesIO(answer.content)).pages
    lines = [line.strip() for page in pages for line in page.extract_text().splitlines()]
    for row in [*EXPECTED_WEEKS, EXPECTED_TOTAL]:
        assert " ".join(row) + " –" in lines


def test_the_html_links_its_stylesheet_and_passes_the_csp_checks(ana: Person) -> None:
    answer = ana.client.get("/report.html?weeks=4")  # the client checks every page (check_html)
    assert answer.status_code == 200
    assert '<link rel="stylesheet" href="/report.css">' in answer.text
    assert '<td class="num">9/10</td>' in answer.text
    css = ana.client.get("/report.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@page" in css.text


def test_the_history_page_links_to_the_report(ana: Person) -> None:
    page = ana.client.get("/history").text
    assert 'href="/report.pdf"' in page and 'href="/report.html"' in page


def test_a_window_out_of_range_is_refused_and_a_stranger_is_sent_to_sign_in(
    ana: Person, app: App
) -> None:
    refused = ana.client.get("/report.pdf?weeks=0")
    assert refused.status_code == 400 and "1–104 weeks" in refused.text
    with client(app) as nobody:
        answer = nobody.get("/report.pdf", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/report.pdf"
