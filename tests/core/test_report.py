"""The therapist's report's rules: its window, what counts as due and done, and each week's numbers.

Pure values in, a `Report` out: each test pins one rule (a boundary day, a count, an order), so
changing it fails here. How the report is written (PDF, HTML) is `tests/formats/test_report.py`'s.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from retrorun.core.log import LogEntry
from retrorun.core.progression import WALK_TEST_CUTOFF_S, WalkTest
from retrorun.core.report import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    VERDICTS,
    PlannedDay,
    Report,
    ReportDecision,
    ReportInputs,
    ReportWeek,
    backward_minutes,
    build_report,
    window,
)
from retrorun.core.weekly import Done, Week
from retrorun.core.workout import Direction, Mode, Setting

START = date(2026, 11, 2)  # a Monday
TODAY = date(2026, 11, 27)  # the Friday of the fourth week: the report's day


def day(weeks: int, days: int = 0) -> date:
    return START + timedelta(weeks=weeks, days=days)


def done(on: date, backward: float = 20.0, forward: float = 0.0, kcal: float | None = None) -> Done:
    return Done(on, backward, forward, kcal, 2, 1, 0)


def log(
    on: date,
    minutes: float = 20.0,
    direction: Direction = Direction.BACKWARD,
    stumbles: int | None = None,
    falls: int | None = None,
) -> LogEntry:
    return LogEntry(
        date=on,
        minutes=minutes,
        direction=direction,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=4,
        pain_during=2,
        pain_after=1,
        stumbles=stumbles,
        falls=falls,
    )


def decision(
    on: date, verdict: str = "progress", reason: str = "pain within the limits"
) -> ReportDecision:
    return ReportDecision(
        made_on=on,
        verdict=verdict,
        reasons=(reason,),
        setting_limit="the treadmill or track",
        acute_chronic=None,
        rules_version="1",
    )


def inputs(**changes: object) -> ReportInputs:
    empty = ReportInputs(
        athlete="ana@example.org",
        goal="knee-rehab",
        first=START,
        last=TODAY,
        planned=None,
        done=[],
        logged=[],
        decisions=[],
        walk_tests=[],
        pain_ceiling=5,
        usual_pain=1,
    )
    return replace(empty, **changes)  # type: ignore[arg-type]


def report(**changes: object) -> Report:
    return build_report(inputs(**changes))


def mon_wed_fri(weeks: int) -> list[PlannedDay]:
    return [PlannedDay(day(w, d), False) for w in range(weeks) for d in (0, 2, 4)]


# --- the window ---------------------------------------------------------------------------------


def test_the_window_ends_with_the_week_of_the_report_s_day() -> None:
    assert window(TODAY, 4) == START
    assert window(TODAY, 1) == day(3)  # this week's Monday
    assert window(day(3), 1) == day(3)  # made on a Monday
    assert window(day(3, 6), 2) == day(2)  # made on a Sunday
    assert window(TODAY, DEFAULT_WEEKS) == START - timedelta(weeks=4)


def test_the_window_is_eight_weeks_by_default_and_at_most_two_years() -> None:
    assert DEFAULT_WEEKS == 8 and MAX_WEEKS == 104
    assert window(TODAY, MAX_WEEKS) == day(3) - timedelta(weeks=103)
    for weeks_shown in (0, -1, MAX_WEEKS + 1):
        with pytest.raises(ValueError, match="a report covers 1–104 weeks"):
            window(TODAY, weeks_shown)


# --- what was planned, due and done -------------------------------------------------------------


def test_a_session_is_due_once_its_day_has_passed_or_on_its_day_once_done() -> None:
    """Friday is the report's day: not done yet, it is still to come, not missed."""
    planned = mon_wed_fri(4)
    found = report(planned=planned, done=[done(p.day) for p in planned[:-1]])
    this_week = found.weeks[-1]
    assert (this_week.planned, this_week.planned_done, this_week.to_come) == (2, 2, 1)
    done_today = report(planned=planned, done=[done(p.day) for p in planned])
    assert (done_today.weeks[-1].planned, done_today.weeks[-1].to_come) == (3, 0)
    assert done_today.weeks[-1].planned_done == 3


def test_a_session_not_done_on_its_day_is_missed_even_if_done_another_day() -> None:
    """The plan page's test: something done on the planned day, not the day after."""
    planned = [PlannedDay(day(0, 0), False), PlannedDay(day(0, 2), False)]
    found = report(planned=planned, done=[done(day(0, 1)), done(day(0, 2))], last=day(0, 6))
    (week,) = found.weeks
    assert (week.planned, week.planned_done, week.adherence) == (2, 1, 0.5)
    assert week.done.sessions == 2  # both sessions are still what was done


def test_a_later_session_is_to_come_whatever_was_done() -> None:
    planned = [PlannedDay(TODAY + timedelta(days=1), False)]
    found = report(planned=planned, done=[done(TODAY)], last=TODAY)
    week = found.weeks[-1]
    assert (week.planned, week.planned_done, week.to_come, week.skipped) == (0, 0, 1, 0)


def test_a_skipped_session_is_neither_due_nor_to_come() -> None:
    planned = [
        PlannedDay(day(0, 0), False),
        PlannedDay(day(0, 2), True),
        PlannedDay(TODAY, True),
        PlannedDay(day(0, 4), False),
    ]
    found = report(planned=planned, done=[done(day(0, 0)), done(day(0, 2))])
    first_week, *_, this_week = found.weeks
    assert (first_week.planned, first_week.planned_done, first_week.skipped) == (2, 1, 1)
    assert first_week.to_come == 0
    assert (this_week.planned, this_week.skipped, this_week.to_come) == (0, 1, 0)


def test_each_planned_day_counts_in_its_own_iso_week_sunday_included() -> None:
    planned = [PlannedDay(day(0, 6), False), PlannedDay(day(1, 0), False)]
    found = report(planned=planned, done=[done(day(0, 6))])
    assert [(w.planned, w.planned_done) for w in found.weeks] == [(1, 1), (1, 0), (0, 0), (0, 0)]


def test_planned_days_before_the_first_day_are_left_out() -> None:
    """A window starting midweek: the plan's earlier days that week are not the report's."""
    planned = [PlannedDay(day(0, 0), False), PlannedDay(day(0, 2), False)]
    found = report(planned=planned, first=day(0, 2), last=day(0, 6))
    (week,) = found.weeks
    assert week.monday == START and week.planned == 1  # the first day's own session counts


def test_no_plan_is_not_the_same_as_an_empty_plan() -> None:
    without = report()
    assert without.has_plan is False
    assert without.planned == 0 and without.adherence is None
    assert [w.adherence for w in without.weeks] == [None] * 4
    assert report(planned=[]).has_plan is True


def test_adherence_is_done_of_due_per_week_and_in_all() -> None:
    planned = mon_wed_fri(4)
    not_done = {day(1, 2), day(2, 0), day(2, 4), TODAY}
    found = report(planned=planned, done=[done(p.day) for p in planned if p.day not in not_done])
    assert [(w.planned_done, w.planned) for w in found.weeks] == [(3, 3), (2, 3), (1, 3), (2, 2)]
    assert [w.adherence for w in found.weeks] == [1.0, 2 / 3, 1 / 3, 1.0]
    assert (found.planned_done, found.planned) == (8, 11)
    assert found.adherence == 8 / 11


# --- what was done ------------------------------------------------------------------------------


def test_sessions_count_from_the_first_day_to_the_last_both_included() -> None:
    sessions = [
        done(START - timedelta(days=1)),
        done(START),
        done(TODAY),
        done(TODAY + timedelta(days=1)),
    ]
    found = report(done=sessions)
    assert [w.done.sessions for w in found.weeks] == [1, 0, 0, 1]
    assert found.completed == 2


def test_every_week_of_the_window_is_a_row_even_with_nothing_done() -> None:
    found = report(done=[done(day(1, 3))])
    assert [w.monday for w in found.weeks] == [day(0), day(1), day(2), day(3)]
    assert [w.done.sessions for w in found.weeks] == [0, 1, 0, 0]
    assert (found.first, found.last) == (START, TODAY)


def test_minutes_and_energy_add_up_over_the_weeks() -> None:
    sessions = [
        done(day(0, 1), backward=20.0, kcal=150.0),
        done(day(0, 3), backward=12.5, forward=5.0),
        done(day(2, 0), backward=0.0, forward=15.0, kcal=90.5),
    ]
    found = report(done=sessions)
    assert [w.done.backward_min for w in found.weeks] == [32.5, 0, 0, 0]
    assert (found.backward_min, found.forward_min, found.kcal) == (32.5, 20.0, 240.5)
    assert found.completed == 3


def test_stumbles_and_falls_as_logged_a_log_that_did_not_say_counts_none() -> None:
    logged = [
        log(day(0, 0), stumbles=2, falls=0),
        log(day(0, 6), stumbles=None, falls=1),
        log(day(1, 0), stumbles=None, falls=None),
        log(day(2, 0), stumbles=1, falls=None),
        log(TODAY + timedelta(days=1), stumbles=5, falls=5),  # after the report's day
    ]
    found = report(logged=logged)
    assert [(w.stumbles, w.falls) for w in found.weeks] == [(2, 1), (0, 0), (1, 0), (0, 0)]
    assert (found.stumbles, found.falls) == (3, 1)


def test_the_sessions_are_the_logs_in_the_window_oldest_first() -> None:
    inside = [log(TODAY), log(day(1, 2)), log(START)]
    outside = [log(START - timedelta(days=1)), log(TODAY + timedelta(days=1))]
    found = report(logged=[*inside, *outside])
    assert [e.date for e in found.sessions] == [START, day(1, 2), TODAY]


def test_the_report_says_who_and_by_which_limits() -> None:
    found = report(athlete="ana@example.org", goal=None, pain_ceiling=4, usual_pain=3)
    assert (found.athlete, found.goal) == ("ana@example.org", None)
    assert (found.pain_ceiling, found.usual_pain) == (4, 3)
    assert found.walk_test_cutoff_s == WALK_TEST_CUTOFF_S == 5.5
    assert report().goal == "knee-rehab"


def test_walk_tests_in_the_window_oldest_first() -> None:
    tests = [
        WalkTest(day(2), 5.6),
        WalkTest(TODAY + timedelta(days=1), 5.0),
        WalkTest(START, 6.1),
        WalkTest(TODAY, 5.2),
        WalkTest(START - timedelta(days=1), 7.0),
    ]
    found = report(walk_tests=tests)
    assert [(t.date, t.seconds) for t in found.walk_tests] == [
        (START, 6.1),
        (day(2), 5.6),
        (TODAY, 5.2),
    ]


# --- the engine's decisions ---------------------------------------------------------------------


def test_decisions_in_the_window_oldest_first_as_they_were_made() -> None:
    made = [
        decision(day(1, 1), "step back", "pain during was 6/10, above 5/10"),
        decision(TODAY + timedelta(days=1), "pause"),
        decision(START, "progress"),
        decision(TODAY, "hold"),
        decision(START - timedelta(days=1), "pause"),
    ]
    found = report(decisions=made)
    assert [(d.made_on, d.verdict) for d in found.decisions] == [
        (START, "progress"),
        (day(1, 1), "step back"),
        (TODAY, "hold"),
    ]
    assert found.decisions[1].reasons == ("pain during was 6/10, above 5/10",)


def test_the_last_decision_of_a_day_is_the_one_that_stood() -> None:
    """After a session, then after the next morning's pain: the later one replaced it."""
    made = [
        decision(day(1, 1), "progress"),
        decision(START, "hold"),
        decision(day(1, 1), "step back"),
        decision(day(2, 3), "hold"),
    ]
    found = report(decisions=made)
    assert [(d.made_on, d.verdict) for d in found.standing_decisions] == [
        (START, "hold"),
        (day(1, 1), "step back"),
        (day(2, 3), "hold"),
    ]


def test_verdicts_are_counted_by_the_day_they_ended_in_the_engine_s_order() -> None:
    made = [
        decision(day(0, 1), "pause"),
        decision(day(0, 1), "progress"),
        decision(day(0, 3), "progress"),
        decision(day(1, 1), "step back"),
    ]
    counts = report(decisions=made).verdict_counts()
    assert VERDICTS == ("progress", "hold", "step back", "pause")
    assert list(counts.items()) == [("progress", 2), ("hold", 0), ("step back", 1), ("pause", 0)]
    assert report().verdict_counts() == {"progress": 0, "hold": 0, "step back": 0, "pause": 0}


def test_a_verdict_the_engine_no_longer_makes_is_counted_after_its_own() -> None:
    made = [decision(day(0, 1), "retest"), decision(day(0, 2), "retest"), decision(day(0, 3))]
    counts = report(decisions=made).verdict_counts()
    assert list(counts.items()) == [
        ("progress", 1),
        ("hold", 0),
        ("step back", 0),
        ("pause", 0),
        ("retest", 2),
    ]


# --- the rows' own figures ----------------------------------------------------------------------


def test_a_week_s_adherence_is_none_when_nothing_was_due() -> None:
    week = Week(START, 0.0, 0.0, 0.0, 0, 0, None, None, None)
    row = ReportWeek(week, planned=0, planned_done=0, skipped=1, to_come=3, stumbles=0, falls=0)
    assert row.adherence is None and row.monday == START
    assert replace(row, planned=4, planned_done=3).adherence == 0.75


def test_a_hand_log_s_backward_minutes_are_its_minutes_when_it_went_backward() -> None:
    assert backward_minutes(log(START, minutes=25.5)) == 25.5
    assert backward_minutes(log(START, minutes=15.0, direction=Direction.FORWARD)) == 0.0
