"""The progression engine's rules, one test each, and the scripted scenarios of a rehab block.

Each test states a rule in the words a physio would use and sits on its boundary, so breaking
the rule (a ceiling moved by one, a cut-off, a count) fails it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from retrorun.core.progression import (
    ACWR_FLAG,
    DEFAULT_PAIN_CEILING,
    RULES_VERSION,
    STEADY_SESSIONS,
    WALK_TEST_CUTOFF_S,
    DoneSession,
    RedFlag,
    Rules,
    SettingLimit,
    Situation,
    Verdict,
    WalkTest,
    acute_chronic,
    decide,
    missing_next_morning,
    setting_limit,
    walk_test_due,
)
from retrorun.core.workout import Setting

MONDAY = date(2026, 11, 2)
TODAY = date(2026, 11, 30)  # a Monday, four weeks on


def session(
    day: date,
    *,
    during: int | None = 2,
    after: int | None = 1,
    morning: int | None = 0,
    setting: Setting = Setting.TREADMILL,
    stumbles: int | None = 0,
    falls: int | None = 0,
    steadiness: int | None = 5,
    flags: frozenset[RedFlag] = frozenset(),
) -> DoneSession:
    return DoneSession(
        date=day,
        setting=setting,
        backward_minutes=10,
        pain_during=during,
        pain_after=after,
        pain_next_morning=morning,
        stumbles=stumbles,
        falls=falls,
        steadiness=steadiness,
        red_flags=flags,
    )


def three_a_week(weeks: int, **fields: object) -> list[DoneSession]:
    """Monday, Wednesday and Friday sessions from MONDAY on, all alike."""
    days = [MONDAY + timedelta(weeks=w, days=d) for w in range(weeks) for d in (0, 2, 4)]
    return [session(day, **fields) for day in days]  # type: ignore[arg-type]


def situation(done: list[DoneSession], **fields: object) -> Situation:
    return Situation(today=TODAY, done=done, **fields)  # type: ignore[arg-type]


# --- scripted scenarios -------------------------------------------------------------------------


def test_steady_progress_progresses_and_opens_the_path() -> None:
    done = three_a_week(4, setting=Setting.TRACK)
    decision = decide(situation(done, weekly_backward_minutes=[30, 33, 36, 39]))
    assert decision.verdict is Verdict.PROGRESS
    assert decision.reasons == (
        "pain within the limits and settled by the next morning, load in its band",
    )
    assert decision.setting_limit is SettingLimit.PATH
    assert decision.ask_next_morning == ()
    assert decision.rules_version == RULES_VERSION


def test_a_pain_flare_in_week_three_steps_back_then_pauses_if_it_repeats() -> None:
    done = three_a_week(3)
    done[-1] = session(done[-1].date, during=7, morning=1)
    first = decide(situation(done))
    assert first.verdict is Verdict.STEP_BACK
    assert first.reasons[0] == "pain during was 7/10, above 5/10"
    done[-2] = session(done[-2].date, during=6)
    second = decide(situation(done))
    assert second.verdict is Verdict.PAUSE
    assert second.reasons[0] == (
        "pain during above 5/10 in two sessions in a row: see your clinician first"
    )


def test_a_fall_outdoors_goes_back_to_the_treadmill() -> None:
    done = three_a_week(3, setting=Setting.PATH)
    done[-1] = session(done[-1].date, setting=Setting.PATH, falls=1)
    decision = decide(situation(done, setting_limit=SettingLimit.PATH))
    assert decision.setting_limit is SettingLimit.TREADMILL
    assert decision.setting_reason == "a fall in the last session: back to the treadmill"
    assert decision.verdict is Verdict.PROGRESS  # the fall alone moves the place, not the dose


def test_a_fall_with_an_injury_pauses_the_plan() -> None:
    done = three_a_week(1)
    done[-1] = session(done[-1].date, falls=1, flags=frozenset({RedFlag.INJURED_IN_FALL}))
    decision = decide(situation(done))
    assert decision.verdict is Verdict.PAUSE
    assert decision.reasons[0] == "an injury in a fall reported: see your clinician first"


def test_a_missed_week_restarts_one_step_lower_without_making_up() -> None:
    decision = decide(situation(three_a_week(1), missed_weeks=[2, 3]))
    assert decision.verdict is Verdict.STEP_BACK
    assert decision.reasons == (
        "no session done in week 3: the plan restarts one step lower "
        "(missed sessions are not made up)",
    )


def test_next_morning_pain_never_entered_is_asked_for_not_taken_as_zero() -> None:
    done = [session(TODAY - timedelta(days=d), morning=None) for d in (5, 3, 1)]
    rehab = decide(situation(done, rules=Rules(rehab=True)))
    asked = tuple(TODAY - timedelta(days=d) for d in (5, 3, 1))
    assert rehab.verdict is Verdict.HOLD
    assert rehab.ask_next_morning == asked
    assert rehab.reasons == (
        "next-morning pain not given yet for 2026-11-25, 2026-11-27, 2026-11-29",
    )
    runner = decide(situation(done))  # not in rehab: asked for, and no hold
    assert (runner.verdict, runner.ask_next_morning) == (Verdict.PROGRESS, asked)


# --- pain during and after ----------------------------------------------------------------------


def test_pain_at_the_ceiling_is_acceptable_above_it_steps_back() -> None:
    assert DEFAULT_PAIN_CEILING == 5  # Thomeé 1997: up to 5/10 during activity
    at = decide(situation([session(TODAY - timedelta(days=2), during=5)]))
    above = decide(situation([session(TODAY - timedelta(days=2), during=6)]))
    assert (at.verdict, above.verdict) == (Verdict.PROGRESS, Verdict.STEP_BACK)


def test_the_ceiling_is_the_athletes_own() -> None:
    done = [session(TODAY - timedelta(days=2), during=4)]
    assert decide(situation(done, rules=Rules(pain_ceiling=3))).verdict is Verdict.STEP_BACK
    assert decide(situation(done, rules=Rules(pain_ceiling=4))).verdict is Verdict.PROGRESS


def test_pain_after_above_the_ceiling_steps_back() -> None:
    decision = decide(situation([session(TODAY - timedelta(days=2), after=6)]))
    assert decision.verdict is Verdict.STEP_BACK
    assert decision.reasons == ("pain after was 6/10, above 5/10",)


def test_only_the_latest_session_decides_pain_above_the_ceiling() -> None:
    done = [session(TODAY - timedelta(days=4), during=8), session(TODAY - timedelta(days=2))]
    assert decide(situation(done)).verdict is Verdict.PROGRESS


def test_two_sessions_at_the_ceiling_do_not_pause() -> None:
    done = [session(TODAY - timedelta(days=d), during=5) for d in (4, 2)]
    assert decide(situation(done)).verdict is Verdict.PROGRESS


def test_two_in_a_row_means_the_last_two_sessions() -> None:
    days = [TODAY - timedelta(days=d) for d in (6, 4, 2)]
    done = [session(days[0], during=6), session(days[1]), session(days[2], during=6)]
    assert decide(situation(done)).verdict is Verdict.STEP_BACK


# --- the next morning ---------------------------------------------------------------------------


def test_next_morning_pain_up_to_two_is_settled_three_holds() -> None:
    day = TODAY - timedelta(days=2)
    settled = decide(situation([session(day, morning=2)]))
    unsettled = decide(situation([session(day, morning=3)]))
    assert settled.verdict is Verdict.PROGRESS
    assert unsettled.verdict is Verdict.HOLD
    assert unsettled.reasons == (
        "pain had not settled by the next morning after 2026-11-28 (3/10)",
    )


def test_a_morning_back_at_the_usual_pain_has_settled() -> None:
    done = [session(TODAY - timedelta(days=2), morning=3)]
    assert decide(situation(done, rules=Rules(usual_pain=3))).verdict is Verdict.PROGRESS
    higher = [session(TODAY - timedelta(days=2), morning=4)]
    assert decide(situation(higher, rules=Rules(usual_pain=3))).verdict is Verdict.HOLD
    assert decide(situation(done, rules=Rules(usual_pain=1))).verdict is Verdict.HOLD


def test_unsettled_twice_in_a_row_steps_back() -> None:
    done = [session(TODAY - timedelta(days=d), morning=m) for d, m in ((6, 0), (4, 3), (2, 3))]
    decision = decide(situation(done))
    assert decision.verdict is Verdict.STEP_BACK
    assert decision.reasons == ("pain had not settled by the next morning twice in a row (3/10)",)


def test_unsettled_before_a_settled_morning_is_over() -> None:
    done = [session(TODAY - timedelta(days=4), morning=3), session(TODAY - timedelta(days=2))]
    assert decide(situation(done)).verdict is Verdict.PROGRESS


def test_a_session_of_today_has_no_next_morning_yet() -> None:
    done = [session(TODAY - timedelta(days=1)), session(TODAY, morning=None)]
    decision = decide(situation(done, rules=Rules(rehab=True)))
    assert decision.ask_next_morning == ()
    assert decision.verdict is Verdict.PROGRESS


def test_a_session_of_today_does_not_hide_unsettled_mornings_before_it() -> None:
    done = [session(TODAY - timedelta(days=d), morning=3) for d in (3, 1)]
    decision = decide(situation([*done, session(TODAY, morning=None)]))
    assert decision.verdict is Verdict.STEP_BACK


def test_the_next_morning_is_asked_for_a_week() -> None:
    week_ago = TODAY - timedelta(weeks=1)
    done = [session(week_ago - timedelta(days=1), morning=None), session(week_ago, morning=None)]
    assert missing_next_morning(situation(done)) == (week_ago,)


def test_an_unsettled_morning_is_judged_once_the_morning_has_come() -> None:
    # Yesterday's session has had its morning; it is the one judged, not an earlier one.
    done = [session(TODAY - timedelta(days=3)), session(TODAY - timedelta(days=1), morning=3)]
    assert decide(situation(done)).verdict is Verdict.HOLD


# --- week on week -------------------------------------------------------------------------------


def test_pain_rising_a_point_week_on_week_holds() -> None:
    last_week = [session(TODAY - timedelta(days=d), during=2) for d in (12, 10, 8)]
    rising = [session(TODAY - timedelta(days=d), during=3) for d in (5, 3, 1)]
    decision = decide(situation(last_week + rising))
    assert decision.verdict is Verdict.HOLD
    assert decision.reasons == ("pain during rose week on week (2.0 → 3.0)",)
    steady = [session(TODAY - timedelta(days=d), during=p) for d, p in ((5, 3), (3, 2), (1, 2))]
    assert decide(situation(last_week + steady)).verdict is Verdict.PROGRESS


def test_next_morning_pain_rising_week_on_week_holds() -> None:
    last_week = [session(TODAY - timedelta(days=d), morning=0) for d in (12, 10, 8)]
    rising = [session(TODAY - timedelta(days=d), morning=1) for d in (5, 3, 1)]
    decision = decide(situation(last_week + rising))
    assert decision.reasons == ("pain next morning rose week on week (0.0 → 1.0)",)


def test_a_week_is_the_seven_days_up_to_today() -> None:
    # Day 7 belongs to last week, day 14 to none: both means are of one session each.
    done = [
        session(TODAY - timedelta(days=14), during=0),
        session(TODAY - timedelta(days=7), during=2),
        session(TODAY - timedelta(days=1), during=3),
    ]
    assert decide(situation(done)).reasons == ("pain during rose week on week (2.0 → 3.0)",)


def test_no_rise_without_a_week_before() -> None:
    done = [session(TODAY - timedelta(days=d), during=4) for d in (5, 3, 1)]
    assert decide(situation(done)).verdict is Verdict.PROGRESS


# --- load ---------------------------------------------------------------------------------------


def test_acute_chronic_is_the_last_week_over_the_mean_of_four() -> None:
    assert acute_chronic([10, 10, 10, 18]) == pytest.approx(1.5)  # 18 / 12 (Gabbett 2016)
    assert acute_chronic([99, 10, 10, 10, 18]) == pytest.approx(1.5)  # the last four only
    assert acute_chronic([10, 10, 18]) is None  # not yet four weeks
    assert acute_chronic([0, 0, 0, 0]) is None
    assert acute_chronic([0, 0, 0, 2]) == 4.0  # a small chronic load is still a load


def test_an_acute_chronic_ratio_at_the_flag_holds_and_says_its_limits() -> None:
    assert ACWR_FLAG == 1.5
    decision = decide(situation([], weekly_backward_minutes=[5, 5, 20, 20]))
    assert decision.acute_chronic == pytest.approx(1.6)
    assert decision.verdict is Verdict.HOLD
    assert decision.reasons == (
        "acute:chronic load 1.60, at or over 1.5 "
        "(a guide, not a predictor of injury (Impellizzeri 2020; Lolli 2019))",
    )
    at_flag = decide(situation([], weekly_backward_minutes=[2, 2, 6, 6]))  # 6 / 4
    assert (at_flag.acute_chronic, at_flag.verdict) == (1.5, Verdict.HOLD)
    under = decide(situation([], weekly_backward_minutes=[6, 6, 17, 17]))  # 17 / 11.5
    assert under.verdict is Verdict.PROGRESS


def test_a_week_more_than_one_point_three_times_the_one_before_holds() -> None:
    assert decide(situation([], weekly_backward_minutes=[20, 26])).verdict is Verdict.PROGRESS
    grown = decide(situation([], weekly_backward_minutes=[20, 26.5]))
    assert grown.verdict is Verdict.HOLD
    assert grown.reasons == ("backward minutes grew from 20 to 26.5 in a week, more than 1.3×",)
    assert decide(situation([], weekly_backward_minutes=[0, 30])).verdict is Verdict.PROGRESS
    assert decide(situation([], weekly_backward_minutes=[1, 2])).verdict is Verdict.HOLD
    latest = decide(situation([], weekly_backward_minutes=[20, 20, 30]))  # the last two weeks
    assert latest.reasons == ("backward minutes grew from 20 to 30 in a week, more than 1.3×",)


# --- setting ------------------------------------------------------------------------------------


def test_six_steady_sessions_in_a_row_open_one_place_more() -> None:
    assert STEADY_SESSIONS == 6
    five = three_a_week(2)[:5]
    assert setting_limit(situation(five))[0] is SettingLimit.TRACK
    six = three_a_week(2)
    assert setting_limit(situation(six)) == (
        SettingLimit.PATH,
        "6 steady sessions in a row: a quiet path from now on",
    )
    on_treadmill = setting_limit(situation(six, setting_limit=SettingLimit.TREADMILL))
    assert on_treadmill[0] is SettingLimit.TRACK
    on_path = setting_limit(situation(six, setting_limit=SettingLimit.PATH))
    assert on_path == (SettingLimit.PATH, "a quiet path for now")  # nothing further out


@pytest.mark.parametrize(
    "unsteady",
    [
        {"steadiness": 3},
        {"steadiness": None},
        {"stumbles": 1},
        {"setting": Setting.PATH},  # further out than allowed does not count
    ],
)
def test_an_unsteady_session_restarts_the_count(unsteady: dict[str, object]) -> None:
    done = three_a_week(3)
    done[-6] = session(done[-6].date, **unsteady)  # type: ignore[arg-type]
    assert setting_limit(situation(done[:-1]))[0] is SettingLimit.TRACK


def test_a_steady_rating_of_four_is_steady() -> None:
    assert setting_limit(situation(three_a_week(2, steadiness=4)))[0] is SettingLimit.PATH


def test_a_stumble_steps_the_place_back_by_one() -> None:
    stumbled = [session(TODAY - timedelta(days=1), stumbles=1)]
    for before, after in (
        (SettingLimit.PATH, SettingLimit.TRACK),
        (SettingLimit.TRACK, SettingLimit.TREADMILL),
        (SettingLimit.TREADMILL, SettingLimit.TREADMILL),
    ):
        limit, reason = setting_limit(situation(stumbled, setting_limit=before))
        assert limit is after
        assert reason == f"a stumble in the last session: back to {after.words}"


def test_a_slow_walk_test_keeps_the_person_on_the_treadmill_or_track() -> None:
    assert WALK_TEST_CUTOFF_S == 5.5  # Polo-Ferrero et al. 2025
    steady = three_a_week(3)
    slow = [WalkTest(TODAY - timedelta(days=3), 5.6)]
    limit, reason = setting_limit(situation(steady, walk_tests=slow))
    assert limit is SettingLimit.TRACK
    assert reason == (
        "the 3-metre backward walk took 5.6 s, over the 5.5 s cut-off: "
        "the treadmill or track for now"
    )
    on_path = situation(steady, walk_tests=slow, setting_limit=SettingLimit.PATH)
    assert setting_limit(on_path)[0] is SettingLimit.TRACK
    at_cutoff = [WalkTest(TODAY - timedelta(days=3), 5.5)]
    assert setting_limit(situation(steady, walk_tests=at_cutoff))[0] is SettingLimit.PATH


def test_the_latest_walk_test_counts() -> None:
    tests = [WalkTest(TODAY - timedelta(days=3), 5.0), WalkTest(TODAY - timedelta(days=20), 7.0)]
    assert setting_limit(situation(three_a_week(3), walk_tests=tests))[0] is SettingLimit.PATH


def test_with_nothing_to_change_the_place_stays() -> None:
    assert setting_limit(situation([])) == (SettingLimit.TRACK, "the treadmill or track for now")


def test_the_walk_test_is_due_at_the_start_and_every_two_weeks() -> None:
    assert walk_test_due(situation([]))
    thirteen = [WalkTest(TODAY - timedelta(days=13), 5.0)]
    fourteen = [WalkTest(TODAY - timedelta(days=14), 5.0), WalkTest(TODAY - timedelta(days=30), 5)]
    assert not walk_test_due(situation([], walk_tests=thirteen))
    assert walk_test_due(situation([], walk_tests=fourteen))
    assert decide(situation([], walk_tests=thirteen)).walk_test_due is False


# --- pausing and the order of reasons -----------------------------------------------------------


def test_a_paused_plan_stays_paused_until_resumed() -> None:
    decision = decide(situation(three_a_week(1), paused=True))
    assert decision.verdict is Verdict.PAUSE
    assert decision.reasons == ("the plan is paused until you or your coach resume it",)


@pytest.mark.parametrize("flag", list(RedFlag))
def test_every_red_flag_pauses(flag: RedFlag) -> None:
    done = [session(TODAY - timedelta(days=1), flags=frozenset({flag}))]
    decision = decide(situation(done))
    assert decision.verdict is Verdict.PAUSE
    assert decision.reasons == (f"{flag} reported: see your clinician first",)


def test_a_red_flag_of_an_earlier_session_is_over_once_resumed() -> None:
    flagged = session(TODAY - timedelta(days=3), flags=frozenset({RedFlag.SWELLING}))
    assert decide(situation([flagged, session(TODAY - timedelta(days=1))])).verdict is (
        Verdict.PROGRESS
    )


def test_the_most_cautious_finding_decides_and_comes_first() -> None:
    done = [session(TODAY - timedelta(days=2), during=6, morning=3)]
    decision = decide(situation(done, weekly_backward_minutes=[10, 20]))
    assert decision.verdict is Verdict.STEP_BACK
    assert decision.reasons[0] == "pain during was 6/10, above 5/10"
    assert set(decision.reasons[1:]) == {
        "pain had not settled by the next morning after 2026-11-28 (3/10)",
        "backward minutes grew from 10 to 20 in a week, more than 1.3×",
    }


def test_verdicts_read_in_words() -> None:
    assert [v.words for v in Verdict] == ["progress", "hold", "step back", "pause"]
    assert [s.words for s in SettingLimit] == [
        "the treadmill",
        "the treadmill or track",
        "a quiet path",
    ]


# --- back to forward running after a converted block ----------------------------------------


@pytest.mark.parametrize(("during", "after"), [(3, 1), (2, 3)])
def test_on_the_way_back_to_forward_pain_over_two_steps_back(during: int, after: int) -> None:
    """The conversion's gate: forward runs come back only while pain stays at 0–2."""
    returning = Situation(
        TODAY, [session(TODAY, during=during, after=after)], returning_forward=True
    )
    decision = decide(returning)
    assert decision.verdict is Verdict.STEP_BACK
    when, pain = ("during", during) if during > 2 else ("after", after)
    assert decision.reasons == (
        f"pain {when} was {pain}/10 on the way back to forward running, above 2/10: "
        "one forward run fewer",
    )
    # The same pain inside the block is fine: its ceiling is the athlete's, 5/10 at first.
    assert decide(Situation(TODAY, [session(TODAY, during=during, after=after)])).verdict is (
        Verdict.PROGRESS
    )


def test_on_the_way_back_to_forward_pain_of_two_goes_on() -> None:
    returning = Situation(TODAY, [session(TODAY, during=2, after=2)], returning_forward=True)
    assert decide(returning).verdict is Verdict.PROGRESS
    assert decide(Situation(TODAY, [], returning_forward=True)).verdict is Verdict.PROGRESS


def test_the_gate_is_the_conversion_s() -> None:
    from retrorun.core.convert import PAIN_GATE
    from retrorun.core.progression import SAFE_PAIN

    assert SAFE_PAIN == PAIN_GATE == 2
