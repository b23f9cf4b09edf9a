"""The therapist's report as PDF and HTML: the four scripted weeks rendered, and their numbers
read back as text (pypdf for the PDF, lxml for the HTML), exactly as a therapist reads them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import lxml.html
import pytest
from pypdf import PdfReader
from tests.services.report_scenario import (
    EXPECTED_TOTAL,
    EXPECTED_WEEKS,
    SESSIONS,
    START,
    TODAY,
    build,
    entry,
)

from retrorun.core.report import Report, ReportInputs, build_report
from retrorun.core.weekly import Done
from retrorun.formats.report import report_css, report_html, report_pdf
from retrorun.services.report import report


@pytest.fixture(scope="module")
def four_weeks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    app, scope, athlete = build(str(tmp_path_factory.mktemp("report") / "retrorun.db"))
    try:
        yield report(scope, athlete, TODAY, weeks=4)
    finally:
        app.close()


@pytest.fixture(scope="module")
def pdf(four_weeks: Report) -> bytes:
    return report_pdf(four_weeks)


def pdf_lines(data: bytes) -> list[str]:
    pages = PdfReader(io.BytesIO(data)).pages
    return [line.strip() for page in pages for line in page.extract_text().splitlines()]


def html_rows(html: str, table: str) -> list[list[str]]:
    document = lxml.html.document_fromstring(html)
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("th|td")]
        for row in document.xpath(f'//table[contains(@class, "{table}")]/tbody/tr')
    ]


# --- the PDF -----------------------------------------------------------------------------------


def test_the_pdf_is_a4_with_its_pages_numbered(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    count = len(reader.pages)
    assert 2 <= count <= 4
    lines = pdf_lines(pdf)
    assert [line for line in lines if line.startswith("page ")] == [
        f"page {n} of {count}" for n in range(1, count + 1)
    ]
    assert "retrorun · backward running report me · 2 Nov 2026 to 27 Nov 2026" in lines


def test_the_pdf_uses_the_body_font_everywhere_margins_included(pdf: bytes) -> None:
    """WeasyPrint's margin boxes do not inherit the body font: set there too, no serif font
    comes into the file."""
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.startswith("DejaVu-Sans") for name in fonts), fonts


def test_the_pdf_week_table_has_the_exact_numbers(pdf: bytes) -> None:
    lines = pdf_lines(pdf)
    for row in [*EXPECTED_WEEKS, EXPECTED_TOTAL]:
        assert " ".join(row) + " –" in lines, row  # kcal: no estimate for hand logs


def test_the_pdf_summary(pdf: bytes) -> None:
    text = " ".join(pdf_lines(pdf))
    assert "me · knee rehab" in text
    assert "4 weeks: 2 Nov 2026 to 27 Nov 2026 · made on 27 Nov 2026" in text
    assert "9 of 10 due done (90 %); 1 skipped with a reason; 1 still to come this week" in text
    assert "Minutes 193.5 backward, 15 forward" in text
    assert "worst during a session 6/10 (Mon 9 Nov); worst next morning 3/10 (Mon 9 Nov)" in text
    assert "Stumbles and falls 1 stumble, 1 fall" in text
    assert "Red flags none reported" in text
    assert "6.1 s on Mon 2 Nov, latest 5.2 s on Mon 23 Nov (3 tests; cut-off 5.5 s)" in text
    assert "days ending in progress 4, hold 5, step back 1, pause 0" in text


def test_the_pdf_decisions_sessions_and_walk_tests(pdf: bytes) -> None:
    lines = pdf_lines(pdf)
    assert any(
        line.startswith("Tue 10 Nov step back pain during was 6/10, above 5/10;") for line in lines
    )
    assert any(re.match(r"Tue 3 Nov progress pain within the limits", line) for line in lines)
    assert "Mon 9 Nov backward walk, treadmill 24 24 4 6 4 3 1 0 2" in lines
    assert "Fri 20 Nov backward walk, treadmill 20 20 4 2 1 – – – –" in lines  # morning not given
    assert "Sat 21 Nov forward run, usual route 15 0 4 1 1 0 – – –" in lines
    assert "Wed 25 Nov backward walk, treadmill 25.5 25.5 4 1 1 0 – – 4" in lines
    assert "Mon 2 Nov 6.1 over 5.5 s" in lines
    assert "Mon 23 Nov 5.2 within 5.5 s" in lines


# --- the HTML ----------------------------------------------------------------------------------


def test_the_html_has_the_same_numbers(four_weeks: Report) -> None:
    html = report_html(four_weeks)
    assert html_rows(html, "weeks") == [[*row, "–"] for row in [*EXPECTED_WEEKS, EXPECTED_TOTAL]]
    sessions = html_rows(html, "sessions")
    assert len(sessions) == len(SESSIONS)
    assert sessions[3] == [
        "Mon 9 Nov", "backward walk, treadmill", "24", "24", "4", "6", "4", "3", "1", "0", "2",
    ]  # fmt: skip
    assert html_rows(html, "walk-tests") == [
        ["Mon 2 Nov", "6.1", "over 5.5 s"],
        ["Mon 16 Nov", "5.6", "over 5.5 s"],
        ["Mon 23 Nov", "5.2", "within 5.5 s"],
    ]
    decisions = html_rows(html, "decisions")
    assert [row[1] for row in decisions] == ["progress"] * 3 + ["step back", "hold", "progress"] + [
        "hold"
    ] * 4
    assert decisions[-1][-1] == "1.44"


def test_a_file_stands_alone_and_a_served_page_links_its_stylesheet(four_weeks: Report) -> None:
    alone = lxml.html.document_fromstring(report_html(four_weeks))
    (style,) = alone.xpath("//style")
    assert "@page" in (style.text or "") and '"DejaVu Sans"' in (style.text or "")
    served = lxml.html.document_fromstring(report_html(four_weeks, stylesheet_href="/report.css"))
    assert not served.xpath("//style") and not served.xpath("//*[@style]")
    assert served.xpath("//link[@rel='stylesheet']/@href") == ["/report.css"]
    assert len(served.xpath("//svg")) == 5  # every chart but energy: hand logs have none


def test_the_stylesheet_sets_the_font_in_every_margin_box() -> None:
    css = report_css()
    boxes = re.findall(r"@(top|bottom)-(left|right|center)\s*{([^}]*)}", css)
    assert boxes and all("font-family" in body for _, _, body in boxes)


def test_text_from_the_athlete_is_escaped(four_weeks: Report) -> None:
    hostile = replace(four_weeks, athlete='<script>alert("x")</script>')
    html = report_html(hostile)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_red_flags_are_in_the_summary_and_on_their_session(four_weeks: Report) -> None:
    from retrorun.core.progression import RedFlag

    flagged = replace(
        four_weeks.sessions[3], red_flags=frozenset({RedFlag.SWELLING, RedFlag.SHARP_PAIN})
    )
    sessions = (*four_weeks.sessions[:3], flagged, *four_weeks.sessions[4:])
    html = report_html(replace(four_weeks, sessions=sessions))
    rows = lxml.html.document_fromstring(html).xpath('//table[@class="summary"]//tr')
    summary = {r.xpath("th")[0].text_content(): r.xpath("td")[0].text_content() for r in rows}
    assert summary["Red flags"] == "sharp pain (Mon 9 Nov); swelling (Mon 9 Nov)"
    what = html_rows(html, "sessions")[3][1]
    assert what == "backward walk, treadmill; red flag: sharp pain; red flag: swelling"


# --- reports with little in them ---------------------------------------------------------------


def _report(**changes: object) -> Report:
    inputs = ReportInputs(
        athlete="ana@example.org",
        goal="fitness",
        first=START,
        last=TODAY,
        planned=None,
        done=[],
        logged=[],
        decisions=[],
        walk_tests=[],
        pain_ceiling=5,
        usual_pain=0,
    )
    return build_report(replace(inputs, **changes))  # type: ignore[arg-type]


def test_an_empty_report_says_so_in_words_instead_of_empty_charts() -> None:
    empty = _report()
    html = report_html(empty)
    assert not lxml.html.document_fromstring(html).xpath("//svg")
    for words in (
        "No plan: nothing was planned.",
        "Nothing was done in these weeks.",
        "No session was logged in these weeks.",
        "No 3-metre backward walk was timed in these weeks.",
        "No stumble and no fall logged in these weeks.",
        "No decision was made in these weeks",
    ):
        assert words in html
    assert b"%PDF-" in report_pdf(empty)[:8]


def test_energy_is_charted_when_imported_sessions_have_an_estimate() -> None:
    day = START + timedelta(days=2)
    done = [Done(day, 30.0, 0.0, 210.4, None, None, None), Done(day, 20.0, 0.0, None, 2, 1, 0)]
    found = _report(done=done, logged=[entry(SESSIONS[1])])
    html = report_html(found)
    assert 'aria-labelledby="energy-title energy-desc"' in html
    (first_week, *_) = html_rows(html, "weeks")
    assert first_week[-1] == "210"
    assert "210 kcal in 1 sessions with an estimate (1 without one)" not in html
    assert "210 kcal in 1 session with an estimate (1 without one)" in html


def test_two_years_show_every_week_and_pain_by_the_week() -> None:
    """Over more than 11 weeks sessions would crowd each other: pain is drawn by the week, and
    every chart spans the whole window, not the History page's last half year."""
    first = START - timedelta(weeks=103)
    days = [first + timedelta(days=i) for i in range(0, 104 * 7, 2)]
    logged = [replace(entry(SESSIONS[0]), date=day) for day in days]
    done = [Done(day, 20.0, 0.0, 150.0, 2, 1, 0) for day in days]
    found = _report(first=first, last=START + timedelta(days=6), done=done, logged=logged)
    assert len(found.weeks) == 104
    document = lxml.html.document_fromstring(report_html(found))
    headings = document.xpath("//figure/h3/text()")
    assert "Worst pain and backward minutes per week" in headings
    assert "Pain against each session" not in headings
    for chart in ("minutes", "pain-load", "energy"):
        weeks = document.xpath(
            f'//svg[@aria-labelledby="{chart}-title {chart}-desc"]//g[@class="week"]'
        )
        assert len(weeks) == 104, chart
