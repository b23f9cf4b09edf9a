"""The History page's and the therapist's report's charts, drawn on the server as SVG to inline.

Server-side so the page works without JavaScript and with a Content-Security-Policy that
forbids inline styles: everything is drawn with presentation attributes (fill, stroke,
font-size), never `style`. Each chart has a title and a description in words for screen
readers, and a `<title>` per week that a pointer or a tap shows. Every piece of text is escaped.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar
from xml.sax.saxutils import escape

from retrorun.core.weekly import Week
from retrorun.core.workout import Direction

if TYPE_CHECKING:
    from retrorun.core.log import LogEntry
    from retrorun.core.progression import WalkTest
    from retrorun.core.report import ReportWeek

# Drawing units: the viewBox is 400 wide and the SVG fills its container's width, so on a phone
# 360 px wide one unit is 0.9 px and 14-unit text is 12.6 px (our choice: 12 px is our floor).
WIDTH = 400
HEIGHT = 250
FONT = 14
CHAR_WIDTH = 0.6 * FONT  # a generous average for a sans-serif font, to place labels (our choice)
LEFT, RIGHT, RIGHT_AXIS, BOTTOM = 48, 12, 40, 34  # room for axis labels (our choice)
SHOWN_WEEKS = 26  # half a year: an eight-week rehab block and what led to it (our choice)

# Contrast on white by the WCAG 2.1 formula (1.4.3 asks 4.5:1 for text, 1.4.11 3:1 for graphics).
# Blue against orange is the pair Okabe & Ito 2008 (Color Universal Design) keep apart for
# red-green colour blindness; the stacked bars also have a white edge between the two parts.
BACKWARD = "#1f4e9c"  # 8.0:1
BACKWARD_UNDER_LINES = "#6a8fd0"  # 3.3:1; lighter so the pain lines read on it (4.9:1 for TEXT)
FORWARD = "#b35900"  # 4.8:1
ENERGY = "#1b7837"  # 5.5:1
TEXT = "#222222"  # 15.9:1, also the next-morning pain line
GRID = "#d9d9d9"  # light guide lines only; the numbers are on the axis in TEXT
DASH = "5 3"  # the next-morning line is dashed, so it differs in more than colour (our choice)
PAIN_MAX = 10  # pain is logged on 0–10 (core.log)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LIGHT_FORWARD = "#8c8c8c"  # 3.4:1; forward minutes under the pain lines, apart from both
FALLS = TEXT  # falls darker than stumbles, so they differ in more than hue
MARKER = 4.5  # a pain marker's radius: 9 units across, 8 px on a phone (our choice)
COUNT_FLOOR = 4  # an axis of session counts goes to at least 4 (three sessions a week and one)
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
W = TypeVar("W")


def minutes_chart(
    weeks: Sequence[Week],
    *,
    shown: int = SHOWN_WEEKS,
    prefix: str = "minutes",
    title: str = "Backward and forward minutes per week",
) -> str:
    """Stacked bars: backward minutes at the bottom, because they are what the plan builds."""
    weeks = _last(weeks, shown)
    if not weeks:
        return _nothing(prefix, title)
    backward = [_amount(w.backward_min) for w in weeks]
    forward = [_amount(w.forward_min) for w in weeks]
    legend, top = _legend([("backward", BACKWARD, "bar"), ("forward", FORWARD, "bar")], RIGHT)
    plot = _Plot(
        len(weeks), top, RIGHT, _ticks(max(b + f for b, f in zip(backward, forward, strict=True)))
    )
    parts = [*plot.left_axis("min"), *plot.week_labels(weeks), *legend]
    for i, week in enumerate(weeks):
        about = f"{backward[i]:.0f} min backward, {forward[i]:.0f} min forward"
        parts.append(_week_group(week, about))
        parts.append(plot.bar(i, 0, backward[i], BACKWARD, "backward"))
        parts.append(plot.bar(i, backward[i], forward[i], FORWARD, "forward"))
        parts.append("</g>")
    best = max(range(len(weeks)), key=lambda i: backward[i])
    desc = (
        f"{_span(weeks)}: {sum(backward):.0f} minutes backward and {sum(forward):.0f} forward "
        f"in {_sessions(weeks)}. Most backward in a week: {backward[best]:.0f} minutes, "
        f"week of {_day(weeks[best].monday)}. {_gaps(weeks)}"
    )
    return _svg(prefix, title, desc, parts)


def pain_load_chart(
    weeks: Sequence[Week],
    *,
    shown: int = SHOWN_WEEKS,
    prefix: str = "pain-load",
    title: str = "Backward minutes and worst pain per week",
) -> str:
    """Backward minutes as bars (left axis) and the week's worst pain during the sessions and
    the next morning (right axis, 0–10), so a rise in pain can be read against the load."""
    weeks = _last(weeks, shown)
    if not weeks:
        return _nothing(prefix, title)
    backward = [_amount(w.backward_min) for w in weeks]
    legend, top = _legend(
        [
            ("backward min", BACKWARD_UNDER_LINES, "bar"),
            ("pain during", FORWARD, "circle"),
            ("pain next morning", TEXT, "square"),
        ],
        RIGHT_AXIS,
    )
    plot = _Plot(len(weeks), top, RIGHT_AXIS, _ticks(max(backward), PAIN_MAX // 2, exact=True))
    parts = [*plot.left_axis("min"), *plot.pain_axis(), *plot.week_labels(weeks), *legend]
    for i, week in enumerate(weeks):
        about = f"{backward[i]:.0f} min backward, worst pain during {_pain(week.max_pain_during)}"
        about += f", next morning {_pain(week.max_pain_next_morning)}"
        parts += [
            _week_group(week, about),
            plot.bar(i, 0, backward[i], BACKWARD_UNDER_LINES, "backward"),
        ]
        parts.append("</g>")
    parts += plot.pain_line([w.max_pain_during for w in weeks], FORWARD, "pain-during", "circle")
    parts += plot.pain_line(
        [w.max_pain_next_morning for w in weeks], TEXT, "pain-next-morning", "square"
    )
    desc = (
        f"{_span(weeks)}: {sum(backward):.0f} minutes backward in {_sessions(weeks)}. "
        f"{_worst('during the sessions', weeks, lambda w: w.max_pain_during)} "
        f"{_worst('the next morning', weeks, lambda w: w.max_pain_next_morning)} {_gaps(weeks)}"
    )
    return _svg(prefix, title, desc, parts)


def energy_chart(
    weeks: Sequence[Week],
    *,
    shown: int = SHOWN_WEEKS,
    prefix: str = "energy",
    title: str = "Energy per week (kcal)",
) -> str:
    """Bars of kcal; a week with sessions that have no estimate (a log without an import) is
    marked with an asterisk, so a short bar is not read as an easy week."""
    weeks = _last(weeks, shown)
    if not weeks:
        return _nothing(prefix, title)
    kcal = [_amount(w.kcal) for w in weeks]
    missing = sum(w.sessions_without_kcal for w in weeks)
    items = [("kcal", ENERGY, "bar")] + ([("* not all estimated", TEXT, "none")] if missing else [])
    legend, top = _legend(items, RIGHT)
    plot = _Plot(len(weeks), top, RIGHT, _ticks(max(kcal)))
    parts = [*plot.left_axis("kcal"), *plot.week_labels(weeks), *legend]
    for i, week in enumerate(weeks):
        unknown = week.sessions_without_kcal
        about = f"{kcal[i]:.0f} kcal"
        if unknown:
            about += f", {_count(unknown, 'session')} without an estimate"
        parts += [_week_group(week, about), plot.bar(i, 0, kcal[i], ENERGY, "kcal")]
        if unknown:
            parts.append(plot.mark(i, kcal[i], "*"))
        parts.append("</g>")
    best = max(range(len(weeks)), key=lambda i: kcal[i])
    desc = (
        f"{_span(weeks)}: {sum(kcal):.0f} kcal in {_sessions(weeks)}. Most in a week: "
        f"{kcal[best]:.0f} kcal, week of {_day(weeks[best].monday)}. {_gaps(weeks)}"
    )
    if missing:
        desc += f" {_count(missing, 'session')} with no energy estimate, not in these figures."
    return _svg(prefix, title, desc, parts)


def adherence_chart(
    weeks: Sequence[ReportWeek],
    *,
    shown: int = SHOWN_WEEKS,
    prefix: str = "adherence",
    title: str = "Sessions of the plan per week: due and done",
) -> str:
    """An outlined bar for the sessions due each week and a filled one for those done, with
    "done/due" above when it fits: a missed session is an empty box, not a missing bar."""
    weeks = _last(weeks, shown)
    if not weeks:
        return _nothing(prefix, title)
    due = [w.planned for w in weeks]
    done = [w.planned_done for w in weeks]
    legend, top = _legend([("due", TEXT, "outline"), ("done", BACKWARD, "bar")], RIGHT)
    plot = _Plot(len(weeks), top + FONT, RIGHT, _ticks(max(due), floor=COUNT_FLOOR))
    parts = [*plot.left_axis(""), *plot.week_labels([w.done for w in weeks]), *legend]
    for i, week in enumerate(weeks):
        about = f"{done[i]} of {due[i]} sessions of the plan done"
        parts.append(_week_group(week.done, about))
        if due[i]:
            parts.append(plot.outline(i, due[i], TEXT))
            parts.append(plot.bar(i, 0, done[i], BACKWARD, "done"))
            label = f"{done[i]}/{due[i]}"
            if len(label) * CHAR_WIDTH <= plot.slot:
                parts.append(plot.mark(i, due[i], label))
        parts.append("</g>")
    desc = (
        f"{_span([w.done for w in weeks])}: {sum(done)} of {sum(due)} sessions of the plan due "
        f"were done. {_count(sum(w.skipped for w in weeks), 'session')} skipped with a reason."
    )
    return _svg(prefix, title, desc, parts)


def steadiness_chart(
    weeks: Sequence[ReportWeek],
    *,
    shown: int = SHOWN_WEEKS,
    prefix: str = "steadiness",
    title: str = "Stumbles and falls per week",
) -> str:
    """Stacked counts, falls on top in the darker colour, as the person logged them."""
    weeks = _last(weeks, shown)
    if not weeks:
        return _nothing(prefix, title)
    stumbles = [w.stumbles for w in weeks]
    falls = [w.falls for w in weeks]
    legend, top = _legend([("stumbles", FORWARD, "bar"), ("falls", FALLS, "bar")], RIGHT)
    totals = [s + f for s, f in zip(stumbles, falls, strict=True)]
    plot = _Plot(len(weeks), top, RIGHT, _ticks(max(totals), floor=COUNT_FLOOR))
    parts = [*plot.left_axis(""), *plot.week_labels([w.done for w in weeks]), *legend]
    for i, week in enumerate(weeks):
        about = f"{_count(stumbles[i], 'stumble')}, {_count(falls[i], 'fall')}"
        parts.append(_week_group(week.done, about))
        parts.append(plot.bar(i, 0, stumbles[i], FORWARD, "stumbles"))
        parts.append(plot.bar(i, stumbles[i], falls[i], FALLS, "falls"))
        parts.append("</g>")
    desc = (
        f"{_span([w.done for w in weeks])}: {_count(sum(stumbles), 'stumble')} and "
        f"{_count(sum(falls), 'fall')} logged."
    )
    return _svg(prefix, title, desc, parts)


def session_pain_chart(
    sessions: Sequence[LogEntry],
    first: date,
    last: date,
    *,
    pain_ceiling: int | None = None,
    prefix: str = "session-pain",
    title: str = "Each session: minutes and pain",
) -> str:
    """Day by day from `first` to `last`: each session's minutes as a bar (backward below),
    its pain during and the next morning as lines, so pain can be read against the load that
    came before it, and the person's pain ceiling as a thin line on the pain axis. Two sessions
    on one day add up, with the worse pain."""
    days = (last - first).days + 1
    by_day = _sessions_by_day(sessions, first, days)
    if not by_day:
        return _nothing(prefix, title, "No session logged", "Nothing was logged in these weeks.")
    backward = {i: b for i, (b, _, _, _) in by_day.items()}
    forward = {i: f for i, (_, f, _, _) in by_day.items()}
    items = [
        ("backward", BACKWARD_UNDER_LINES, "bar"),
        ("forward", LIGHT_FORWARD, "bar"),
        ("pain during", FORWARD, "circle"),
        ("pain next morning", TEXT, "square"),
    ]
    if pain_ceiling is not None:
        items.append((f"pain ceiling {pain_ceiling}", FORWARD, "dash"))
    legend, top = _legend(items, RIGHT_AXIS)
    most = max(backward[i] + forward[i] for i in by_day)
    plot = _Plot(days, top, RIGHT_AXIS, _ticks(most, PAIN_MAX // 2, exact=True))
    mondays = [
        (i, first + timedelta(days=i)) for i in range(days) if (first.weekday() + i) % 7 == 0
    ]
    parts = [*plot.left_axis("min"), *plot.pain_axis(), *plot.day_labels(mondays), *legend]
    if pain_ceiling is not None:
        y_ceiling = plot.y(min(max(pain_ceiling, 0), PAIN_MAX), PAIN_MAX)
        parts.append(_line(LEFT, y_ceiling, plot.right, y_ceiling, FORWARD, width=1.5, dash=DASH))
    for i, (back, fwd, during, morning) in by_day.items():
        day = first + timedelta(days=i)
        about = f"{_day(day)}: {back:g} min backward, {fwd:g} min forward, pain during "
        about += f"{_pain(during)}, next morning {_pain(morning)}"
        parts += [f'<g class="session"><title>{escape(about)}</title>']
        parts.append(plot.bar(i, 0, back, BACKWARD_UNDER_LINES, "backward"))
        parts.append(plot.bar(i, back, fwd, LIGHT_FORWARD, "forward"))
        parts.append("</g>")
    order = sorted(by_day)
    parts += plot.pain_line_at([(i, by_day[i][2]) for i in order], FORWARD, "pain-during", "circle")
    parts += plot.pain_line_at(
        [(i, by_day[i][3]) for i in order], TEXT, "pain-next-morning", "square"
    )
    worst = max(by_day[i][2] or 0 for i in order)
    desc = (
        f"{_count(len(sessions), 'session')} from {_day(first)} to {_day(last)}: "
        f"{sum(backward.values()):g} minutes backward, {sum(forward.values()):g} forward. "
        f"Worst pain during a session: {worst} of 10."
    )
    return _svg(prefix, title, desc, parts)


def _sessions_by_day(
    sessions: Sequence[LogEntry], first: date, days: int
) -> dict[int, tuple[float, float, int | None, int | None]]:
    """Backward and forward minutes and the worst pains of each day with a session."""
    found: dict[int, tuple[float, float, int | None, int | None]] = {}
    for entry in sessions:
        i = (entry.date - first).days
        if not 0 <= i < days:
            continue
        back, fwd, during, morning = found.get(i, (0.0, 0.0, None, None))
        minutes = _amount(entry.minutes)
        if entry.direction is Direction.BACKWARD:
            back += minutes
        else:
            fwd += minutes
        found[i] = (
            back,
            fwd,
            _worse(during, entry.pain_during),
            _worse(morning, entry.pain_next_morning),
        )
    return found


def walk_test_chart(
    tests: Sequence[WalkTest],
    first: date,
    last: date,
    cutoff_s: float,
    *,
    prefix: str = "walk-test",
    title: str = "3-metre backward walk (seconds; lower is steadier)",
) -> str:
    """Each timed walk on its day, joined by a line, with the cut-off as a dashed line and the
    seconds written by each point when they fit: above a point over the cut-off, below one
    within it, so the number never sits on the cut-off line."""
    tests = [t for t in tests if first <= t.date <= last]
    if not tests:
        return _nothing(prefix, title, "No walk test", "No 3-metre backward walk in these weeks.")
    days = (last - first).days + 1
    legend, top = _legend(
        [("seconds", BACKWARD, "circle"), (f"{cutoff_s:g} s cut-off", FORWARD, "dash")], RIGHT
    )
    slowest = max(t.seconds for t in tests)
    plot = _Plot(days, top + FONT, RIGHT, _ticks(max(slowest, cutoff_s), floor=cutoff_s + 0.5))
    mondays = [
        (i, first + timedelta(days=i)) for i in range(days) if (first.weekday() + i) % 7 == 0
    ]
    parts = [*plot.left_axis("s"), *plot.day_labels(mondays), *legend]
    y_cut = plot.y(cutoff_s)
    parts.append(_line(LEFT, y_cut, plot.right, y_cut, FORWARD, width=2, dash=DASH))
    points = [(plot.centre((t.date - first).days), plot.y(t.seconds)) for t in tests]
    parts += _line_with_markers(points, BACKWARD, "walk-tests", "circle")
    room = min((b[0] - a[0] for a, b in itertools.pairwise(points)), default=WIDTH)
    for k, (test, (x, y)) in enumerate(zip(tests, points, strict=True)):
        if room >= 4 * CHAR_WIDTH or k in (0, len(tests) - 1):
            under = y + 8 + FONT * 0.7
            below = test.seconds <= cutoff_s and under < plot.bottom - 2
            parts.append(_text(x, under if below else y - 8, f"{test.seconds:.1f}", "middle"))
    over = sum(1 for t in tests if t.seconds > cutoff_s)
    desc = (
        f"{_count(len(tests), 'test')} from {_day(tests[0].date)} to {_day(tests[-1].date)}: "
        f"first {tests[0].seconds:.1f} s, latest {tests[-1].seconds:.1f} s; "
        f"{over} over the {cutoff_s:g} s cut-off."
    )
    return _svg(prefix, title, desc, parts)


class _Plot:
    """Where things go: one slot per week across, values up from the bottom axis."""

    def __init__(self, count: int, top: float, right: float, ticks: list[float]) -> None:
        self.top, self.ticks = top, ticks
        self.bottom = HEIGHT - BOTTOM
        self.right = WIDTH - right
        self.slot = (self.right - LEFT) / count

    def y(self, value: float, axis_max: float | None = None) -> float:
        scale = axis_max or self.ticks[-1]
        return self.bottom - (self.bottom - self.top) * value / scale

    def centre(self, i: int) -> float:
        return LEFT + self.slot * (i + 0.5)

    def bar(self, i: int, base: float, value: float, colour: str, kind: str) -> str:
        y_top, y_base = self.y(base + value), self.y(base)
        width = min(self.slot * 0.7, 40)  # our choice: gaps a third of a bar, bars at most 40
        return (
            f'<rect class="{kind}" x="{_n(self.centre(i) - width / 2)}" y="{_n(y_top)}" '
            f'width="{_n(width)}" height="{_n(y_base - y_top)}" fill="{colour}" '
            'stroke="#ffffff" stroke-width="0.5"/>'
        )

    def outline(self, i: int, value: float, colour: str) -> str:
        """An empty box of a bar's size: what was due, for the bar of what was done inside."""
        y_top = self.y(value)
        width = min(self.slot * 0.7, 40)  # as `bar`
        return (
            f'<rect class="due" x="{_n(self.centre(i) - width / 2)}" y="{_n(y_top)}" '
            f'width="{_n(width)}" height="{_n(self.bottom - y_top)}" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )

    def mark(self, i: int, value: float, text: str) -> str:
        return _text(self.centre(i), self.y(value) - 3, text, "middle")

    def left_axis(self, unit: str) -> list[str]:
        parts = [_text(4, self.top - 8, unit, "start")] if unit else []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(_line(LEFT, y, self.right, y, GRID if tick else TEXT))
            parts.append(_text(LEFT - 4, y + FONT * 0.35, f"{tick:g}", "end"))
        return parts

    def pain_axis(self) -> list[str]:
        parts = [_text(WIDTH - 2, self.top - 8, "pain", "end")]
        for tick in range(0, PAIN_MAX + 1, 2):
            y = self.y(tick, PAIN_MAX)
            parts.append(_text(self.right + 4, y + FONT * 0.35, str(tick), "start"))
        return parts

    def week_labels(self, weeks: Sequence[Week]) -> list[str]:
        """As many week labels as fit, always the latest week; a tick under each labelled one."""
        return self.day_labels([(i, week.monday) for i, week in enumerate(weeks)])

    def day_labels(self, days: Sequence[tuple[int, date]]) -> list[str]:
        """Labels for some slots (evenly spaced, oldest first): as many as fit, always the
        latest; a tick under each labelled one."""
        if not days:
            return []
        label_width = 7 * CHAR_WIDTH  # "12 Mar" and a gap of one character (DejaVu digits are wide)
        apart = (days[1][0] - days[0][0]) * self.slot if len(days) > 1 else self.slot
        every = max(1, math.ceil(label_width / apart))
        parts = []
        for k in range(len(days) - 1, -1, -every):
            i, day = days[k]
            x = self.centre(i)
            parts.append(_line(x, self.bottom, x, self.bottom + 4, TEXT))
            label = _short_day(day)
            half = len(label) * CHAR_WIDTH / 2
            x = min(max(x, half + 2), WIDTH - half - 2)
            parts.append(_text(x, self.bottom + 4 + FONT, label, "middle"))
        return parts

    def pain_line(
        self, pains: Sequence[int | None], colour: str, kind: str, marker: str
    ) -> list[str]:
        """A line through the weeks with a pain logged, broken where none was, with markers: the
        marker's shape, not only its colour, tells the two pains apart."""
        return self.pain_line_at(list(enumerate(pains)), colour, kind, marker)

    def pain_line_at(
        self, pains: Sequence[tuple[int, int | None]], colour: str, kind: str, marker: str
    ) -> list[str]:
        """The same line through pains at some slots (`pain_line` has one in every slot)."""
        points = [
            (self.centre(i), self.y(min(max(p, 0), PAIN_MAX), PAIN_MAX)) if p is not None else None
            for i, p in pains
        ]
        # Markers shrink when the slots are narrow (a year and more), so neighbours stay apart.
        radius = min(MARKER, max(1.5, self.slot * 0.4))
        return _line_with_markers(
            points, colour, kind, marker, dashed=marker == "square", radius=radius
        )


def _svg(prefix: str, title: str, desc: str, parts: Iterable[str], height: float = HEIGHT) -> str:
    _check_prefix(prefix)
    return "".join(
        [
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" '
            f'font-family="system-ui, sans-serif" font-size="{FONT}" fill="{TEXT}">',
            f'<title id="{prefix}-title">{escape(title)}</title>',
            f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
            *parts,
            "</svg>",
        ]
    )


def _nothing(
    prefix: str,
    title: str,
    message: str = "Nothing logged yet",
    detail: str = "Your weeks appear here once you log a session.",
) -> str:
    parts = [_text(WIDTH / 2, 34, message, "middle"), _text(WIDTH / 2, 58, detail, "middle")]
    return _svg(prefix, title, f"{message}.", parts, height=80)


def _legend(items: Sequence[tuple[str, str, str]], right: float) -> tuple[list[str], float]:
    """Swatches and words along the top, wrapping to a new row when the width runs out; returns
    the parts and where the plot can start below them."""
    parts: list[str] = []
    x, y = float(LEFT), 8.0 + FONT
    for label, colour, kind in items:
        width = (16 if kind != "none" else 0) + len(label) * CHAR_WIDTH
        if x > LEFT and x + width > WIDTH - right:
            x, y = float(LEFT), y + FONT + 6
        if kind == "bar":
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="11" height="11" fill="{colour}"/>'
            )
        elif kind == "outline":
            parts.append(
                f'<rect x="{_n(x + 0.75)}" y="{_n(y - 9.25)}" width="9.5" height="9.5" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"/>'
            )
        elif kind == "dash":
            parts.append(_line(x - 2, y - 4.5, x + 13, y - 4.5, colour, width=2, dash=DASH))
        elif kind != "none":
            dash = DASH if kind == "square" else ""
            parts.append(_line(x - 2, y - 4.5, x + 13, y - 4.5, colour, width=2, dash=dash))
            parts.append(_marker(kind, x + 5.5, y - 4.5, colour))
        text_x = x + 16 if kind != "none" else x
        parts.append(_text(text_x, y, label, "start"))
        x += width + 14
    return parts, y + FONT + 4


def _line_with_markers(
    points: Sequence[tuple[float, float] | None],
    colour: str,
    kind: str,
    marker: str,
    *,
    dashed: bool = False,
    radius: float = MARKER,
) -> list[str]:
    """A line through the points, broken at each None, on a white halo so that it reads over
    bars, with a marker at every point."""
    parts = [f'<g class="{kind}">']
    for run in _runs(points):
        if len(run) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
            dash = f' stroke-dasharray="{DASH}"' if dashed else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="#ffffff" stroke-width="5"/>'
            )
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
    for point in points:
        if point is not None:
            parts.append(_marker(marker, *point, colour, radius))
    parts.append("</g>")
    return parts


def _marker(kind: str, x: float, y: float, colour: str, radius: float = MARKER) -> str:
    if kind == "square":
        half = radius * 8 / 9  # the square's area about the circle's
        return (
            f'<rect x="{_n(x - half)}" y="{_n(y - half)}" width="{_n(2 * half)}" '
            f'height="{_n(2 * half)}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
        )
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}" fill="{colour}" '
        'stroke="#ffffff" stroke-width="1"/>'
    )


def _week_group(week: Week, about: str) -> str:
    words = f"Week of {_day(week.monday)}: {about}; {_count(week.sessions, 'session')}"
    return f'<g class="week" data-monday="{week.monday.isoformat()}"><title>{escape(words)}</title>'


def _ticks(top: float, most: int = 5, *, exact: bool = False, floor: float = 10.0) -> list[float]:
    """Round axis numbers from 0 (steps of 1, 2 or 5 times a power of ten) up past `top`, in at
    most `most` steps, or exactly `most` so they line up with the pain axis's 0, 2, … 10.

    With nothing to show the axis still goes to `floor` (10 minutes or kcal; a few sessions or
    seconds), so an empty week is a flat line at zero.
    """
    top = max(top, floor)
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    steps = most if exact else math.ceil(top / step - 1e-9)
    return [i * step for i in range(steps + 1)]


def _runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _last(weeks: Sequence[W], shown: int) -> Sequence[W]:
    if shown < 1:
        raise ValueError(f"shown must be at least 1 week (got {shown})")
    return weeks[-shown:]


def _check_prefix(prefix: str) -> None:
    if not _ID.fullmatch(prefix):
        raise ValueError(f"prefix must be letters, digits, - or _ from a letter (got {prefix!r})")


def _amount(value: float) -> float:
    """A figure to draw: anything not a finite positive number draws as nothing."""
    return value if math.isfinite(value) and value > 0 else 0.0


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}">{escape(text)}</text>'


def _line(
    x1: float, y1: float, x2: float, y2: float, colour: str, *, width: float = 1, dash: str = ""
) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{colour}" stroke-width="{width:g}"{dashes}/>'
    )


def _n(value: float) -> str:
    return f"{round(value, 1):g}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _short_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def _span(weeks: Sequence[Week]) -> str:
    return f"{_count(len(weeks), 'week')} from {_day(weeks[0].monday)} to {_day(weeks[-1].monday)}"


def _sessions(weeks: Sequence[Week]) -> str:
    return _count(sum(w.sessions for w in weeks), "session")


def _gaps(weeks: Sequence[Week]) -> str:
    empty = sum(1 for w in weeks if w.sessions == 0)
    return f"{_count(empty, 'week')} with nothing done." if empty else "Something done every week."


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _pain(value: int | None) -> str:
    return "not logged" if value is None else f"{value}/10"


def _worst(when: str, weeks: Sequence[Week], pain: Callable[[Week], int | None]) -> str:
    logged = [(p, w) for w in weeks if (p := pain(w)) is not None]
    if not logged:
        return f"No pain logged {when}."
    worst, week = max(logged, key=lambda item: item[0])
    return f"Worst pain {when}: {worst} of 10, week of {_day(week.monday)}."


def _worse(pain: int | None, other: int | None) -> int | None:
    return other if pain is None else pain if other is None else max(pain, other)


# A sparkline is read at a glance in a caseload row: small, no axes, the scale fixed at 0–10 so
# that two clients' lines compare (our choice).
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 3


def pain_sparkline(weekly_pain: Sequence[float | None], label: str) -> str:
    """A client's mean pain during sessions per week, oldest first, as a tiny line on a fixed
    0–10 scale; weeks without a log leave a gap. `label` names the client for a screen reader,
    and the description gives every week's figure in words."""
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / max(1, len(weekly_pain) - 1)

    def point(i: int, pain: float) -> tuple[float, float]:
        return SPARK_PAD + i * step, SPARK_PAD + inner_h * (1 - min(pain, PAIN_MAX) / PAIN_MAX)

    parts = [
        f'<line x1="0" y1="{SPARK_HEIGHT - 1}" x2="{SPARK_WIDTH}" y2="{SPARK_HEIGHT - 1}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    ]
    run: list[tuple[float, float]] = []
    for i, pain in enumerate([*weekly_pain, None]):
        if pain is not None:
            run.append(point(i, pain))
            continue
        if len(run) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{FORWARD}" stroke-width="2"/>'
            )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{FORWARD}"/>' for x, y in run]
        run = []
    figures = ", ".join("no log" if p is None else f"{p:g}" for p in weekly_pain)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" role="img" '
        f'aria-label="{escape(label, {chr(34): "&quot;"})}: mean pain during sessions, week by '
        f'week, oldest first, out of 10: {figures}" class="sparkline">{"".join(parts)}</svg>'
    )
