"""The report's own charts (`formats.charts`): sessions due and done, stumbles and falls, pain
against each session, the 3-metre backward walk. Well-formed, described, to scale, CSP-safe.
The History page's charts are tested in tests/web/test_charts.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from lxml import etree
from tests.web.test_charts import _contrast

from retrorun.core.log import LogEntry
from retrorun.core.progression import WalkTest
from retrorun.core.report import ReportWeek
from retrorun.core.weekly import Week
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.formats.charts import (
    adherence_chart,
    session_pain_chart,
    steadiness_chart,
    walk_test_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
FIRST = date(2026, 11, 2)  # a Monday
LAST = date(2026, 11, 27)


def report_week(i: int, due: int, done: int, stumbles: int = 0, falls: int = 0) -> ReportWeek:
    week = Week(FIRST + timedelta(weeks=i), 0, 0, 0, done, done, None, None, None)
    return ReportWeek(week, due, done, 0, 0, stumbles, falls)


WEEKS = [report_week(0, 3, 3), report_week(1, 3, 2, stumbles=2), report_week(2, 2, 2, 1, 1)]


def log(day: date, minutes: float, during: int, morning: int | None, **more: object) -> LogEntry:
    entry = LogEntry(day, minutes, Direction.BACKWARD, Mode.WALK, Setting.TREADMILL, 4, during, 1)
    return replace(entry, pain_next_morning=morning, **more)  # type: ignore[arg-type]


LOGS = [
    log(date(2026, 11, 2), 20, 2, 0),
    log(date(2026, 11, 4), 20, 3, 1),
    log(date(2026, 11, 9), 24, 6, None),
    log(date(2026, 11, 9), 10, 1, 2, direction=Direction.FORWARD),  # same day: adds up
    log(date(2026, 11, 11), 18, 2, 0),
]
TESTS = [WalkTest(date(2026, 11, 2), 6.1), WalkTest(date(2026, 11, 16), 5.2)]

CHARTS: list[Callable[[], str]] = [
    lambda: adherence_chart(WEEKS),
    lambda: steadiness_chart(WEEKS),
    lambda: session_pain_chart(LOGS, FIRST, LAST, pain_ceiling=5),
    lambda: walk_test_chart(TESTS, FIRST, LAST, 5.5),
]


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def rects(root: etree._Element, kind: str) -> list[etree._Element]:
    return root.findall(f".//{SVG}rect[@class='{kind}']")


def heights(root: etree._Element, kind: str) -> list[float]:
    return [float(r.get("height", "")) for r in rects(root, kind)]


@pytest.mark.parametrize("chart", CHARTS)
def test_each_is_a_described_image_without_inline_style(chart: Callable[[], str]) -> None:
    text = chart()
    root = parse(text)
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.findtext(f"{SVG}title") and root.findtext(f"{SVG}desc")
    assert "style" not in text


@pytest.mark.parametrize("chart", CHARTS)
def test_colours_meet_wcag_contrast_on_white(chart: Callable[[], str]) -> None:
    root = parse(chart())
    drawn = {
        el.get(attr, "")
        for el in root.iter()
        for attr in ("fill", "stroke")
        if el.get(attr, "").startswith("#") and el.tag != f"{SVG}line"
    } - {"#ffffff"}
    assert drawn and all(_contrast(colour) >= 3 for colour in drawn), drawn


def test_adherence_draws_what_was_due_around_what_was_done() -> None:
    root = parse(adherence_chart(WEEKS))
    due, done = heights(root, "due"), heights(root, "done")
    unit = due[0] / 3
    assert due == pytest.approx([3 * unit, 3 * unit, 2 * unit], abs=0.2)
    assert done == pytest.approx([3 * unit, 2 * unit, 2 * unit], abs=0.2)
    labels = [t.text for t in root.iter(f"{SVG}text") if "/" in (t.text or "")]
    assert labels == ["3/3", "2/3", "2/2"]
    assert "7 of 8 sessions of the plan due were done" in (root.findtext(f"{SVG}desc") or "")


def test_stumbles_and_falls_stack() -> None:
    root = parse(steadiness_chart(WEEKS))
    stumbles, falls = heights(root, "stumbles"), heights(root, "falls")
    unit = stumbles[1] / 2
    assert stumbles == pytest.approx([0, 2 * unit, unit], abs=0.2)
    assert falls == pytest.approx([0, 0, unit], abs=0.2)
    assert "3 stumbles and 1 fall logged" in (root.findtext(f"{SVG}desc") or "")


def test_each_session_day_has_its_minutes_and_worst_pain() -> None:
    root = parse(session_pain_chart(LOGS, FIRST, LAST, pain_ceiling=5))
    days = root.findall(f".//{SVG}g[@class='session']")
    assert len(days) == 4  # two sessions on 9 Nov are one day
    assert "9 Nov 2026: 24 min backward, 10 min forward, pain during 6/10, next morning 2/10" in [
        d.findtext(f"{SVG}title") for d in days
    ]
    backward = heights(root, "backward")
    assert backward == pytest.approx(
        [backward[0], backward[0], backward[0] * 1.2, backward[0] * 0.9], abs=0.2
    )
    during = root.find(f".//{SVG}g[@class='pain-during']")
    assert during is not None and len(during.findall(f"{SVG}circle")) == 4
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "pain ceiling 5" in legend


def test_a_day_without_next_morning_pain_breaks_that_line() -> None:
    alone = [log(date(2026, 11, 2), 20, 2, 0), log(date(2026, 11, 4), 20, 2, None)]
    alone.append(log(date(2026, 11, 6), 20, 2, 1))
    root = parse(session_pain_chart(alone, FIRST, LAST))
    morning = root.find(f".//{SVG}g[@class='pain-next-morning']")
    assert morning is not None
    assert not morning.findall(f"{SVG}polyline")  # no two given mornings in a row
    assert len(morning.findall(f"{SVG}rect")) == 2


def test_walk_tests_have_their_seconds_and_the_cut_off() -> None:
    root = parse(walk_test_chart(TESTS, FIRST, LAST, 5.5))
    points = root.findall(f".//{SVG}g[@class='walk-tests']/{SVG}circle")
    assert len(points) == 2
    numbers = {t.text: float(t.get("y", "")) for t in root.iter(f"{SVG}text")}
    first_y, second_y = (float(p.get("cy", "")) for p in points)
    assert numbers["6.1"] < first_y  # over the cut-off: written above
    assert numbers["5.2"] > second_y  # within it: written below, off the cut-off line
    assert "first 6.1 s, latest 5.2 s; 1 over the 5.5 s cut-off" in (
        root.findtext(f"{SVG}desc") or ""
    )


def test_nothing_to_draw_is_said_in_words() -> None:
    assert "No session logged" in session_pain_chart([], FIRST, LAST)
    assert "No walk test" in walk_test_chart([], FIRST, LAST, 5.5)
    later = LAST + timedelta(days=1)
    assert "No session logged" in session_pain_chart([log(later, 20, 2, 0)], FIRST, LAST)
    assert "No walk test" in walk_test_chart([WalkTest(later, 5.0)], FIRST, LAST, 5.5)
