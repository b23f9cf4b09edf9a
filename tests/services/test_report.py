"""The therapist's report's numbers, from four scripted weeks on a real database (SQLite and
PostgreSQL): adherence, minutes, pain, stumbles and falls, decisions and walk tests per week,
and its window. Who may make one is in `test_access_matrix.py`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from retrorun.core.plan import REHAB_WEEKS
from retrorun.core.report import DEFAULT_WEEKS, Report
from retrorun.errors import InvalidInput
from retrorun.services import athletes, logs
from retrorun.services.app import App, Scope
from retrorun.services.report import report
from retrorun.services.schemas import json_schema, report_json
from tests.conftest import new_postgres_database
from tests.services.report_scenario import RUNNER, SESSIONS, START, TODAY, build, entry

Built = tuple[App, Scope, int]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    if request.param == "sqlite":
        made = build(str(tmp_path_factory.mktemp("report") / "retrorun.db"))
        yield made
        made[0].close()
        return
    with new_postgres_database() as url:
        made = build(url)
        yield made
        made[0].close()


@pytest.fixture(scope="module")
def four_weeks(built: Built) -> Report:
    _, scope, athlete = built
    return report(scope, athlete, TODAY, weeks=4)


def test_each_week_has_its_sessions_due_and_done_its_minutes_and_its_worst_pain(
    four_weeks: Report,
) -> None:
    found = [
        (
            w.monday,
            w.planned,
            w.planned_done,
            w.skipped,
            w.to_come,
            w.done.sessions,
            w.done.backward_min,
            w.done.forward_min,
            w.done.max_pain_during,
            w.done.max_pain_next_morning,
            w.stumbles,
            w.falls,
        )
        for w in four_weeks.weeks
    ]
    assert found == [
        (date(2026, 11, 2), 3, 3, 0, 0, 3, 62, 0, 3, 1, 0, 0),
        (date(2026, 11, 9), 3, 2, 0, 0, 2, 42, 0, 6, 3, 1, 0),  # Wednesday missed
        (date(2026, 11, 16), 2, 2, 1, 0, 3, 40, 15, 2, 0, 0, 1),  # one skipped; a forward run
        (date(2026, 11, 23), 2, 2, 0, 1, 2, 49.5, 0, 2, 0, 0, 0),  # Friday is today, to come
    ]
    assert [w.adherence for w in four_weeks.weeks] == [1, pytest.approx(2 / 3), 1, 1]


def test_the_totals_and_the_window(four_weeks: Report) -> None:
    assert (four_weeks.first, four_weeks.last) == (START, TODAY)
    assert (four_weeks.planned, four_weeks.planned_done) == (10, 9)
    assert four_weeks.adherence == pytest.approx(0.9)
    assert (four_weeks.backward_min, four_weeks.forward_min) == (193.5, 15)
    assert (four_weeks.completed, four_weeks.stumbles, four_weeks.falls) == (10, 1, 1)
    assert four_weeks.kcal == 0  # hand logs have no energy estimate
    assert (four_weeks.athlete, four_weeks.goal, four_weeks.has_plan) == ("me", "knee-rehab", True)
    assert (four_weeks.pain_ceiling, four_weeks.usual_pain) == (5, 0)


def test_every_session_is_there_with_its_pain_as_logged(four_weeks: Report) -> None:
    assert [e.date for e in four_weeks.sessions] == [s.day for s in SESSIONS]
    assert [(e.pain_during, e.pain_after, e.pain_next_morning) for e in four_weeks.sessions] == [
        (s.during, s.after, s.morning) for s in SESSIONS
    ]


def test_the_decisions_are_the_engines_as_they_were_made(four_weeks: Report) -> None:
    made = [(d.made_on, d.verdict) for d in four_weeks.decisions]
    assert made == [
        (date(2026, 11, 3), "progress"),
        (date(2026, 11, 5), "progress"),
        (date(2026, 11, 7), "progress"),
        (date(2026, 11, 10), "step back"),  # the flare of 9 Nov
        (date(2026, 11, 14), "hold"),  # pain rose week on week
        (date(2026, 11, 17), "progress"),
        (date(2026, 11, 21), "hold"),  # 20 Nov's next-morning pain never given
        (date(2026, 11, 22), "hold"),
        (date(2026, 11, 24), "hold"),
        (date(2026, 11, 26), "hold"),
    ]
    flare = four_weeks.decisions[3]
    assert flare.reasons[0] == "pain during was 6/10, above 5/10"
    assert flare.setting_limit == "the treadmill"  # the stumble
    assert flare.rules_version.startswith("progression-rules-")
    assert four_weeks.decisions[-1].acute_chronic == pytest.approx(1.44)
    assert four_weeks.verdict_counts() == {"progress": 4, "hold": 5, "step back": 1, "pause": 0}


def test_the_walk_tests_in_the_window(four_weeks: Report) -> None:
    assert [(t.date, t.seconds) for t in four_weeks.walk_tests] == [
        (date(2026, 11, 2), 6.1),
        (date(2026, 11, 16), 5.6),
        (date(2026, 11, 23), 5.2),
    ]


def test_a_shorter_window_holds_only_its_own_weeks(built: Built) -> None:
    _, scope, athlete = built
    last_week = report(scope, athlete, TODAY, weeks=1)
    assert last_week.first == date(2026, 11, 23)
    assert [e.date for e in last_week.sessions] == [date(2026, 11, 23), date(2026, 11, 25)]
    assert [t.seconds for t in last_week.walk_tests] == [5.2]
    assert [d.made_on for d in last_week.decisions] == [date(2026, 11, 24), date(2026, 11, 26)]
    assert (last_week.planned, last_week.planned_done) == (2, 2)


def test_the_default_is_eight_weeks_and_weeks_before_the_plan_are_empty(built: Built) -> None:
    _, scope, athlete = built
    found = report(scope, athlete, TODAY)
    assert DEFAULT_WEEKS == REHAB_WEEKS == 8  # the article's rehab block
    assert len(found.weeks) == 8 and found.first == START - timedelta(weeks=4)
    assert [(w.planned, w.done.sessions) for w in found.weeks[:4]] == [(0, 0)] * 4
    assert (found.planned, found.planned_done, found.backward_min) == (10, 9, 193.5)


@pytest.mark.parametrize("weeks", [0, -1, 105])
def test_a_window_outside_1_to_104_weeks_is_refused(built: Built, weeks: int) -> None:
    _, scope, athlete = built
    with pytest.raises(InvalidInput, match="1–104 weeks"):
        report(scope, athlete, TODAY, weeks)


def test_the_json_document_has_the_reports_numbers(four_weeks: Report) -> None:
    data = report_json(four_weeks)
    assert data["totals"] == {
        "due": 10,
        "done_of_due": 9,
        "adherence": 0.9,
        "skipped": 1,
        "sessions": 10,
        "backward_min": 193.5,
        "forward_min": 15,
        "kcal": None,
        "stumbles": 1,
        "falls": 1,
    }
    assert [w["done_of_due"] for w in data["weeks"]] == [3, 2, 2, 2]
    assert data["weeks"][1]["adherence"] == 0.6667
    assert data["sessions"][3]["pain_next_morning"] == 3
    assert data["decisions"][3]["verdict"] == "step back"
    assert data["walk_tests"][0] == {"date": "2026-11-02", "seconds": 6.1}
    assert json_schema("report")["title"] == "retrorun report"


def test_without_a_plan_the_report_shows_what_was_done(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    app = App(str(tmp_path_factory.mktemp("no-plan") / "retrorun.db"))
    try:
        app.upgrade()
        scope = app.scope(app.local_owner())
        athlete = scope.own_athlete
        athletes.set_profile(scope, athlete, RUNNER)
        logs.log(scope, athlete, entry(SESSIONS[0]), START + timedelta(days=1))
        found = report(scope, athlete, TODAY, weeks=4)
    finally:
        app.close()
    assert found.has_plan is False and found.planned == 0 and found.adherence is None
    assert found.backward_min == 20 and found.decisions == ()
