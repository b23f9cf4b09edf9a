"""The therapist's report as a page: HTML from a Jinja2 template, and PDF through WeasyPrint.

Every figure is written here once, as text (`report_context`), so the HTML, the PDF and a test
reading either back see the same numbers. The charts are the History page's (`formats.charts`,
plain SVG with presentation attributes only), so a page served under the web app's
Content-Security-Policy shows them; the stylesheet is inlined in a file that must stand alone,
or linked where the web app serves it (`stylesheet_href`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from retrorun.core.log import LogEntry
from retrorun.core.progression import WalkTest
from retrorun.core.report import Report, ReportDecision, ReportWeek, backward_minutes
from retrorun.formats import charts

MONTHS = charts.MONTHS
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOT_GIVEN = "–"  # a figure the person did not report, never shown as zero
# The longest window drawn session by session: 77 days across the chart's 312 drawing units
# leave 8 units between sessions two days apart, about a pain marker's width (9); longer
# windows show weeks (our choice).
SESSION_CHART_MAX_WEEKS = 11
# Where a session happened, in the few words a table column has room for.
SETTINGS = {
    "treadmill-with-handrails": "treadmill",
    "track": "track",
    "path": "path",
    "usual-route": "usual route",
}


def report_css() -> str:
    """The report's stylesheet: print (A4, page numbers in the margins) and screen."""
    return resources.files("retrorun.formats").joinpath("templates/report.css").read_text("utf-8")


def report_html(report: Report, *, stylesheet_href: str | None = None) -> str:
    """The report as one HTML document: the stylesheet inlined, or linked at `stylesheet_href`
    (the web app's Content-Security-Policy forbids inline styles)."""
    template = _environment().get_template("report.html")
    css = None if stylesheet_href else report_css()
    return template.render(**report_context(report), css=css, stylesheet_href=stylesheet_href)


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (A4), laid out by WeasyPrint from the same HTML."""
    from weasyprint import HTML  # slow to import: only when a PDF is made

    data: bytes = HTML(string=report_html(report)).write_pdf()
    return data


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("retrorun.formats", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --- the figures, as text ----------------------------------------------------------------------


def report_context(report: Report) -> dict[str, Any]:
    """Everything the template shows, each figure already written as it is printed."""
    weeks = len(report.weeks)
    return {
        "athlete": report.athlete,
        "goal": report.goal.replace("-", " ") if report.goal else "no profile yet",
        "span": f"{day(report.first)} to {day(report.last)}",
        "weeks": f"{weeks} week" + ("" if weeks == 1 else "s"),
        "made_on": day(report.last),
        "has_plan": report.has_plan,
        "summary": summary(report),
        "charts": _charts(report),
        "week_rows": [week_row(w) for w in report.weeks],
        "week_total": week_total(report),
        "decision_rows": [decision_row(d) for d in report.standing_decisions],
        "decisions_made": len(report.decisions),
        "verdicts": report.verdict_counts(),
        "session_rows": [session_row(e) for e in report.sessions],
        "walk_rows": [walk_row(t, report.walk_test_cutoff_s) for t in report.walk_tests],
        "cutoff": f"{report.walk_test_cutoff_s:g}",
        "pain_ceiling": report.pain_ceiling,
        "usual_pain": report.usual_pain,
    }


def summary(report: Report) -> list[tuple[str, str]]:
    """The figures a therapist reads first, in words."""
    rows = [("Sessions of the plan", _adherence_words(report))]
    rows.append(("Sessions done", f"{report.completed} (logged or imported, planned or not)"))
    rows.append(
        (
            "Minutes",
            f"{minutes(report.backward_min)} backward, {minutes(report.forward_min)} forward",
        )
    )
    rows.append(("Pain", _pain_words(report)))
    rows.append(
        (
            "Pain limits",
            f"ceiling {report.pain_ceiling}/10 during a session; "
            f"usual morning pain {report.usual_pain}/10",
        )
    )
    rows.append(
        (
            "Stumbles and falls",
            f"{_count(report.stumbles, 'stumble')}, {_count(report.falls, 'fall')}",
        )
    )
    rows.append(("Red flags", _red_flag_words(report.sessions)))
    rows.append(("3-metre backward walk", _walk_words(report)))
    rows.append(("Decisions", _decision_words(report)))
    rows.append(("Energy", _energy_words(report)))
    return rows


def _red_flag_words(entries: Sequence[LogEntry]) -> str:
    """Each red flag reported, with its day: each paused the plan until it was resumed."""
    found = [
        f"{flag.value} ({short_day(entry.date)})"
        for entry in entries
        for flag in sorted(entry.red_flags)
    ]
    return "; ".join(found) if found else "none reported"


def week_row(week: ReportWeek) -> dict[str, str]:
    done = week.done
    return {
        "week": day(week.monday),
        "done_due": f"{week.planned_done}/{week.planned}" if week.planned else NOT_GIVEN,
        "adherence": percent(week.adherence),
        "skipped": str(week.skipped),
        "backward": minutes(done.backward_min),
        "forward": minutes(done.forward_min),
        "sessions": str(done.sessions),
        "pain_during": pain(done.max_pain_during),
        "pain_morning": pain(done.max_pain_next_morning),
        "stumbles": str(week.stumbles),
        "falls": str(week.falls),
        "kcal": kcal(done.kcal, done.sessions - done.sessions_without_kcal),
    }


def week_total(report: Report) -> dict[str, str]:
    weeks = report.weeks
    estimated = sum(w.done.sessions - w.done.sessions_without_kcal for w in weeks)
    return {
        "week": "All weeks",
        "done_due": f"{report.planned_done}/{report.planned}" if report.planned else NOT_GIVEN,
        "adherence": percent(report.adherence),
        "skipped": str(sum(w.skipped for w in weeks)),
        "backward": minutes(report.backward_min),
        "forward": minutes(report.forward_min),
        "sessions": str(report.completed),
        "pain_during": pain(_worst(w.done.max_pain_during for w in weeks)),
        "pain_morning": pain(_worst(w.done.max_pain_next_morning for w in weeks)),
        "stumbles": str(report.stumbles),
        "falls": str(report.falls),
        "kcal": kcal(report.kcal, estimated),
    }


def decision_row(decision: ReportDecision) -> dict[str, str]:
    ratio = decision.acute_chronic
    return {
        "date": short_day(decision.made_on),
        "verdict": decision.verdict,
        "reasons": "; ".join(decision.reasons),
        "setting": decision.setting_limit,
        "ratio": f"{ratio:.2f}" if ratio is not None else NOT_GIVEN,
    }


def session_row(entry: LogEntry) -> dict[str, str]:
    return {
        "date": short_day(entry.date),
        "what": f"{entry.direction.value} {entry.mode.value}, "
        f"{SETTINGS.get(entry.setting.value, entry.setting.value)}"
        + "".join(f"; red flag: {flag.value}" for flag in sorted(entry.red_flags)),
        "minutes": minutes(entry.minutes),
        "backward": minutes(backward_minutes(entry)),
        "rpe": str(entry.rpe),
        "pain_during": pain(entry.pain_during),
        "pain_after": pain(entry.pain_after),
        "pain_morning": pain(entry.pain_next_morning),
        "stumbles": _maybe(entry.stumbles),
        "falls": _maybe(entry.falls),
        "steadiness": _maybe(entry.steadiness),
    }


def walk_row(test: WalkTest, cutoff_s: float) -> dict[str, str]:
    over = test.seconds > cutoff_s
    return {
        "date": short_day(test.date),
        "seconds": seconds(test.seconds),
        "against": f"over {cutoff_s:g} s" if over else f"within {cutoff_s:g} s",
    }


# --- how each kind of number is written ----------------------------------------------------------


def minutes(value: float) -> str:
    """Minutes to a tenth, without a trailing .0: 30, 12.5."""
    return f"{round(value, 1):g}"


def seconds(value: float) -> str:
    """Walk-test seconds to a tenth, always with it: 5.0, 6.1 (a stopwatch's resolution)."""
    return f"{value:.1f}"


def percent(fraction: float | None) -> str:
    return NOT_GIVEN if fraction is None else f"{round(fraction * 100)} %"


def pain(value: int | None) -> str:
    return NOT_GIVEN if value is None else str(value)


def kcal(value: float, estimated: int) -> str:
    """Whole kcal; a dash when no session of the week had an estimate (a hand log has none)."""
    return NOT_GIVEN if estimated == 0 else f"{round(value)}"


def day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def short_day(value: date) -> str:
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _maybe(value: int | None) -> str:
    return NOT_GIVEN if value is None else str(value)


def _worst(values: Iterable[int | None]) -> int | None:
    found = [v for v in values if v is not None]
    return max(found) if found else None


# --- the summary's sentences --------------------------------------------------------------------


def _adherence_words(report: Report) -> str:
    if not report.has_plan:
        return "no plan: nothing was planned"
    if not report.planned:
        return "none due yet in these weeks"
    words = f"{report.planned_done} of {report.planned} due done ({percent(report.adherence)})"
    skipped = sum(w.skipped for w in report.weeks)
    to_come = sum(w.to_come for w in report.weeks)
    if skipped:
        words += f"; {skipped} skipped with a reason"
    if to_come:
        words += f"; {to_come} still to come this week"
    return words


def _pain_words(report: Report) -> str:
    sessions = report.sessions
    if not sessions:
        return "no session logged"
    during = max(sessions, key=lambda e: e.pain_during)
    words = f"worst during a session {during.pain_during}/10 ({short_day(during.date)})"
    mornings = [e for e in sessions if e.pain_next_morning is not None]
    if mornings:
        worst = max(mornings, key=lambda e: e.pain_next_morning or 0)
        words += f"; worst next morning {worst.pain_next_morning}/10 ({short_day(worst.date)})"
    missing = len(sessions) - len(mornings)
    if missing:
        words += f"; next-morning pain not given for {missing} of {len(sessions)}"
    return words


def _walk_words(report: Report) -> str:
    tests: Sequence[WalkTest] = report.walk_tests
    cutoff = f"cut-off {report.walk_test_cutoff_s:g} s"
    if not tests:
        return f"no test in these weeks ({cutoff})"
    first, latest = tests[0], tests[-1]
    if len(tests) == 1:
        return f"{seconds(first.seconds)} s on {short_day(first.date)} ({cutoff})"
    return (
        f"{seconds(first.seconds)} s on {short_day(first.date)}, latest "
        f"{seconds(latest.seconds)} s on {short_day(latest.date)} ({len(tests)} tests; {cutoff})"
    )


def _decision_words(report: Report) -> str:
    standing = report.standing_decisions
    if not standing:
        return "none made in these weeks"
    latest = standing[-1]
    counts = ", ".join(f"{verdict} {n}" for verdict, n in report.verdict_counts().items())
    return f"latest {latest.verdict} ({short_day(latest.made_on)}); days ending in {counts}"


def _energy_words(report: Report) -> str:
    estimated = sum(w.done.sessions - w.done.sessions_without_kcal for w in report.weeks)
    if not estimated:
        return "no estimate: energy is estimated for imported watch files, not hand logs"
    words = f"{round(report.kcal)} kcal in {_count(estimated, 'session')} with an estimate"
    missing = report.completed - estimated
    return words + (f" ({missing} without one)" if missing else "")


def _charts(report: Report) -> list[dict[str, str]]:
    """Each chart with its heading, or a sentence where there is nothing to draw: an empty
    chart says less than the sentence. Every chart spans the whole window."""
    weeks = [w.done for w in report.weeks]
    shown = len(weeks)
    return [
        _chart(
            "Sessions of the plan: due and done",
            charts.adherence_chart(report.weeks, shown=shown) if report.has_plan else "",
            "No plan: nothing was planned.",
        ),
        _chart(
            "Backward and forward minutes",
            charts.minutes_chart(weeks, shown=shown) if report.completed else "",
            "Nothing was done in these weeks.",
        ),
        _pain_chart(report),
        _chart(
            "3-metre backward walk",
            charts.walk_test_chart(
                report.walk_tests, report.first, report.last, report.walk_test_cutoff_s
            )
            if report.walk_tests
            else "",
            "No 3-metre backward walk was timed in these weeks.",
        ),
        _chart(
            "Stumbles and falls",
            charts.steadiness_chart(report.weeks, shown=shown)
            if report.stumbles or report.falls
            else "",
            "No stumble and no fall logged in these weeks.",
        ),
        _chart(
            "Energy",
            charts.energy_chart(weeks, shown=shown) if report.kcal > 0 else "",
            "No energy estimate: it is made for imported watch files, not hand logs.",
        ),
    ]


def _pain_chart(report: Report) -> dict[str, str]:
    """Session by session while sessions two days apart stay apart on the chart; over longer
    windows the week's worst pain against its backward minutes (the History page's chart)."""
    if not report.sessions:
        return _chart("Pain against each session", "", "No session was logged in these weeks.")
    if len(report.weeks) > SESSION_CHART_MAX_WEEKS:
        weeks = [w.done for w in report.weeks]
        svg = charts.pain_load_chart(weeks, shown=len(weeks))
        return _chart("Worst pain and backward minutes per week", svg)
    svg = charts.session_pain_chart(
        report.sessions, report.first, report.last, pain_ceiling=report.pain_ceiling
    )
    return _chart("Pain against each session", svg)


def _chart(heading: str, svg: str, instead: str = "") -> dict[str, str]:
    return {"heading": heading, "svg": svg, "instead": instead}
