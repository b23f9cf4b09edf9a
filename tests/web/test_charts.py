"""The History page's SVG charts: well-formed, described in words, to scale, safe to inline."""

from __future__ import annotations

import re
import timeit
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from lxml import etree

from retrorun.core.weekly import Week
from retrorun.formats.charts import energy_chart, minutes_chart, pain_load_chart

SVG = "{http://www.w3.org/2000/svg}"
CHARTS: list[Callable[..., str]] = [minutes_chart, pain_load_chart, energy_chart]
FIRST = date(2026, 6, 1)  # a Monday


def week(i: int, backward: float = 0, forward: float = 0, **more: object) -> Week:
    base = Week(FIRST + timedelta(weeks=i), backward, forward, 0.0, 1, 0, None, None, None)
    return replace(base, **more)  # type: ignore[arg-type]


SOME = [
    week(0, 10, 5, kcal=100.0, max_pain_during=2, max_pain_next_morning=1),
    week(1, 20, 0, kcal=200.0, max_pain_during=3, max_pain_next_morning=None),
    week(2, 0, 0, kcal=0.0, sessions=0),
    week(3, 40, 10, kcal=400.0, sessions_without_kcal=1, max_pain_during=6),
]


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def heights(root: etree._Element, kind: str) -> list[float]:
    return [float(r.get("height", "")) for r in root.findall(f".//{SVG}rect[@class='{kind}']")]


@pytest.mark.parametrize("chart", CHARTS)
def test_every_chart_is_a_described_image_that_scales_to_its_container(
    chart: Callable[..., str],
) -> None:
    root = parse(chart(SOME, prefix="c1"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    _, _, width, _ = (float(v) for v in root.get("viewBox", "").split())
    assert float(root.get("font-size", "0")) * 360 / width >= 12  # px, drawn 360 px wide
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "4 weeks from 1 Jun 2026 to 22 Jun 2026" in (desc.text or "")
    assert "1 week with nothing done" in (desc.text or "")


@pytest.mark.parametrize("chart", CHARTS)
def test_no_inline_style_anywhere_for_the_content_security_policy(
    chart: Callable[..., str],
) -> None:
    root = parse(chart(SOME))
    assert not root.findall(f".//{SVG}style")
    assert [el.tag for el in root.iter() if el.get("style") is not None] == []
    assert "style" not in chart(SOME)  # nor a <style> in another namespace or a CDATA


@pytest.mark.parametrize("chart", CHARTS)
def test_text_is_escaped_so_a_value_cannot_inject_markup(chart: Callable[..., str]) -> None:
    hostile = 'Anna</title><script>alert("x")</script><title>&'
    root = parse(chart(SOME, title=hostile))
    assert root.findtext(f"{SVG}title") == hostile
    assert not [el for el in root.iter() if "script" in str(el.tag)]
    with pytest.raises(ValueError, match="prefix"):
        chart(SOME, prefix='x" onload="alert(1)')


def test_ids_are_unique_on_a_page_with_every_chart() -> None:
    page = "".join(chart(SOME) for chart in CHARTS) + minutes_chart(SOME, prefix="again")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == 8 and len(set(ids)) == len(ids)


def test_minutes_bars_stack_backward_under_forward_to_scale() -> None:
    root = parse(minutes_chart(SOME))
    assert len(root.findall(f".//{SVG}g[@class='week']")) == len(SOME)
    backward, forward = heights(root, "backward"), heights(root, "forward")
    assert len(backward) == len(forward) == len(SOME)
    unit = backward[0] / 10  # drawing units per minute
    assert backward == pytest.approx([10 * unit, 20 * unit, 0, 40 * unit], abs=0.2)
    assert forward == pytest.approx([5 * unit, 0, 0, 10 * unit], abs=0.2)
    # the forward part sits on top of the backward part of the same week
    for b, f in zip(
        root.findall(f".//{SVG}rect[@class='backward']"),
        root.findall(f".//{SVG}rect[@class='forward']"),
        strict=True,
    ):
        assert float(f.get("y", "")) + float(f.get("height", "")) == pytest.approx(
            float(b.get("y", "")), abs=0.2
        )


def test_axis_ticks_are_round_numbers_above_the_tallest_bar() -> None:
    root = parse(minutes_chart([week(0, 55, 18)]))  # 73 minutes
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == ["0", "20", "40", "60", "80"]


def test_pain_is_drawn_on_a_0_to_10_axis_broken_where_none_was_logged() -> None:
    root = parse(pain_load_chart(SOME))
    assert len(heights(root, "backward")) == len(SOME)
    right_axis = [
        t.text
        for t in root.iter(f"{SVG}text")
        if t.get("text-anchor") == "start" and (t.text or "").isdigit()
    ]
    assert right_axis == ["0", "2", "4", "6", "8", "10"]
    during = root.find(f".//{SVG}g[@class='pain-during']")
    morning = root.find(f".//{SVG}g[@class='pain-next-morning']")
    assert during is not None and morning is not None
    # weeks 0, 1 and 3 have pain during: one line through 0–1, broken at the empty week 2
    assert len(during.findall(f"{SVG}circle")) == 3
    assert len(during.findall(f"{SVG}polyline")) == 2  # the line and its white halo
    (line,) = [p for p in during.findall(f"{SVG}polyline") if p.get("stroke") != "#ffffff"]
    line_y = [float(point.split(",")[1]) for point in line.get("points", "").split()]
    circles = [float(c.get("cy", "")) for c in during.findall(f"{SVG}circle")]
    assert line_y == circles[:2]
    one_point = circles[0] - circles[1]  # pain 2, then 3
    assert one_point > 0
    assert circles[2] == pytest.approx(circles[0] - 4 * one_point, abs=0.2)  # pain 6
    assert len(morning.findall(f"{SVG}rect")) == 1  # only week 0 has a next-morning pain


def test_energy_bars_to_scale_and_weeks_missing_an_estimate_are_marked() -> None:
    root = parse(energy_chart(SOME))
    kcal = heights(root, "kcal")
    assert kcal == pytest.approx([kcal[0], 2 * kcal[0], 0, 4 * kcal[0]], abs=0.2)
    marked = [
        g.get("data-monday")
        for g in root.findall(f".//{SVG}g[@class='week']")
        if g.findtext(f"{SVG}text") == "*"
    ]
    assert marked == ["2026-06-22"]
    assert "1 session with no energy estimate" in (root.findtext(f"{SVG}desc") or "")


@pytest.mark.parametrize("chart", CHARTS)
def test_five_years_show_the_last_26_weeks_quickly(chart: Callable[..., str]) -> None:
    years = [week(i, 10 + i % 7, i % 3, kcal=100.0 + i) for i in range(260)]
    root = parse(chart(years))
    shown = [g.get("data-monday") for g in root.findall(f".//{SVG}g[@class='week']")]
    assert len(shown) == 26
    assert shown[-1] == years[-1].monday.isoformat()
    assert len(parse(chart(years, shown=52)).findall(f".//{SVG}g[@class='week']")) == 52
    recent = years[-26:]
    seconds = min(timeit.repeat(lambda: chart(recent), number=20, repeat=5)) / 20
    assert seconds < 0.005


@pytest.mark.parametrize("chart", CHARTS)
def test_nothing_logged_yet_is_a_short_message_not_an_error(chart: Callable[..., str]) -> None:
    root = parse(chart([], prefix="empty"))
    assert root.findtext(f"{SVG}desc") == "Nothing logged yet."
    assert "Nothing logged yet" in [t.text for t in root.iter(f"{SVG}text")]
    assert not root.findall(f".//{SVG}g[@class='week']")


def _contrast(colour: str, background: str = "#ffffff") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(colour), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("chart", CHARTS)
def test_colours_meet_wcag_contrast_on_white(chart: Callable[..., str]) -> None:
    root = parse(chart(SOME))
    assert _contrast(root.get("fill", "")) >= 4.5  # the text colour (WCAG 1.4.3)
    drawn = {
        el.get(attr, "")
        for el in root.iter()
        for attr in ("fill", "stroke")
        if el.get(attr, "").startswith("#") and el.tag != f"{SVG}line"  # grid lines are guides
    } - {"#ffffff"}  # the white edges between parts
    assert drawn and all(_contrast(colour) >= 3 for colour in drawn), drawn  # WCAG 1.4.11
