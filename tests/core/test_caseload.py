"""The caseload's rules: who needs the coach first, and each reason's threshold.

Each test pins one rule, so changing a rule (its order, its threshold, its window) fails here.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from retrorun.core.caseload import (
    LONGER_WEEKS,
    MISSED_SESSIONS,
    PAIN_RISE,
    RECENT_WEEKS,
    Adherence,
    Attention,
    ClientSummary,
    LatestDecision,
    PlanWeekShape,
    Stage,
    pain_rise,
    plan_stage,
    rank,
    reasons,
    week_windows,
)
from retrorun.core.plan import Phase
from retrorun.core.progression import SettingLimit, Verdict

TODAY = date(2026, 12, 10)
QUIET = ClientSummary(athlete_id=1, name="quiet")


def client(name: str, athlete_id: int = 1, **fields: object) -> ClientSummary:
    return replace(QUIET, athlete_id=athlete_id, name=name, **fields)  # type: ignore[arg-type]


def decision(**changes: object) -> LatestDecision:
    made = LatestDecision(
        made_on=date(2026, 12, 9),
        verdict=Verdict.PROGRESS,
        setting_limit="the treadmill or track",
        setting_limit_before="the treadmill or track",
        first_reason="pain within the limits",
        new=True,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


NEXT_WEEK_RUNS = Stage(
    week=3,
    weeks=8,
    phase=Phase.WALK,
    setting_limit=None,
    next_phase=Phase.RUN,
    next_phase_starts=date(2026, 12, 14),
)
# One client for each reason, in the order the coach should see them.
ONE_OF_EACH = [
    client("paused", 1, paused_since=date(2026, 12, 8), paused_reason="swelling reported"),
    client("red flag", 2, red_flags=((date(2026, 12, 9), "sharp pain"),)),
    client("rising", 3, pain_during_weeks=(1.0, 2.0)),
    client("morning", 4, rehab=True, next_morning_missing=(date(2026, 12, 8),)),
    client("missed", 5, recent=Adherence(due=4, done=3)),
    client("stage", 6, stage=NEXT_WEEK_RUNS),
    client("imports", 7, new_imports=2),
    client("quiet", 8),
]


def test_the_order_is_paused_or_red_flag_pain_morning_missed_stage_imports_then_the_rest() -> None:
    shuffled = ONE_OF_EACH[:]
    random.Random(12).shuffle(shuffled)
    ranked = rank(shuffled)
    assert [row.client.name for row in ranked] == [c.name for c in ONE_OF_EACH]
    tiers = [row.reasons[0].attention if row.reasons else None for row in ranked]
    assert tiers == [
        Attention.PAUSED,
        Attention.PAUSED,
        Attention.PAIN_RISING,
        Attention.NEXT_MORNING_MISSING,
        Attention.MISSED_SESSIONS,
        Attention.STAGE_CHANGE,
        Attention.NEW_IMPORTS,
        None,
    ]
    assert [row.needs_attention for row in ranked] == [True] * 7 + [False]


def test_with_the_same_most_urgent_reason_the_next_one_decides_then_the_name() -> None:
    imports_too = client("b imports too", 1, new_imports=1, pain_during_weeks=(1.0, 3.0))
    missed_too = client("c missed too", 2, pain_during_weeks=(1.0, 3.0), recent=Adherence(3, 1))
    rising_only = client("a rising only", 3, pain_during_weeks=(1.0, 3.0))
    ranked = rank([imports_too, rising_only, missed_too])
    assert [row.client.name for row in ranked] == ["c missed too", "b imports too", "a rising only"]
    assert [r.client.name for r in rank([client("Zoe", 1), client("adam", 2)])] == ["adam", "Zoe"]


def test_a_pause_gives_since_when_and_why() -> None:
    (reason,) = reasons(ONE_OF_EACH[0])
    assert reason.kind == "paused"
    assert reason.words == "plan paused since 2026-12-08: swelling reported"


def test_every_red_flag_is_a_reason_of_its_own() -> None:
    flags = ((date(2026, 12, 9), "swelling"), (date(2026, 12, 7), "sharp pain"))
    found = reasons(client("flags", red_flags=flags))
    assert [r.words for r in found] == [
        "sharp pain reported on 2026-12-07",
        "swelling reported on 2026-12-09",
    ]
    assert {r.attention for r in found} == {Attention.PAUSED}


@pytest.mark.parametrize(
    ("weeks", "rising"),
    [
        ((1.0, 1.0 + PAIN_RISE), True),
        ((1.0, 1.0 + PAIN_RISE - 0.01), False),
        ((3.0, 1.0), False),
        ((None, 5.0), False),
        ((2.0, None), False),
        ((5.0,), False),
        ((), False),
        ((0.0, 9.0, 1.0, 2.0), True),  # only the last two weeks count
    ],
)
def test_pain_rising_is_a_whole_point_week_on_week(
    weeks: tuple[float | None, ...], rising: bool
) -> None:
    assert PAIN_RISE == 1.0
    assert (pain_rise(weeks) is not None) is rising
    found = reasons(client("p", pain_during_weeks=weeks))
    assert bool(found) is rising


def test_pain_rising_reads_the_sessions_and_the_mornings_each_by_itself() -> None:
    found = reasons(client("p", pain_during_weeks=(1.0, 1.5), pain_morning_weeks=(0.0, 2.0)))
    assert [r.words for r in found] == ["pain the next morning rose week on week (0.0 → 2.0)"]
    both = reasons(client("p", pain_during_weeks=(1.0, 2.0), pain_morning_weeks=(0.0, 2.0)))
    assert len(both) == 2 and {r.kind for r in both} == {"pain-rising"}


def test_next_morning_pain_missing_counts_in_rehab_only() -> None:
    missing = (date(2026, 12, 8), date(2026, 12, 6))
    (reason,) = reasons(client("m", rehab=True, next_morning_missing=missing))
    assert reason.words == "next-morning pain not given for 2026-12-06, 2026-12-08"
    assert reasons(client("m", rehab=False, next_morning_missing=missing)) == ()


def test_missed_sessions_from_one() -> None:
    assert MISSED_SESSIONS == 1 and RECENT_WEEKS == 2
    (one,) = reasons(client("m", recent=Adherence(due=3, done=2)))
    assert one.words == "1 planned session missed in the last 2 weeks"
    (two,) = reasons(client("m", recent=Adherence(due=3, done=1)))
    assert two.words == "2 planned sessions missed in the last 2 weeks"
    assert reasons(client("m", recent=Adherence(due=3, done=3))) == ()
    assert reasons(client("m", longer=Adherence(due=9, done=0))) == ()  # the recent weeks only


def test_adherence_is_done_of_due() -> None:
    assert Adherence(4, 3).ratio == 0.75 and Adherence(4, 3).missed == 1
    assert Adherence(0, 0).ratio is None
    assert LONGER_WEEKS == 6


def test_a_new_phase_next_week_is_a_stage_change() -> None:
    (reason,) = reasons(client("s", stage=NEXT_WEEK_RUNS))
    assert reason.kind == "stage-change"
    assert reason.words == "backward walking and running starts on 2026-12-14 (week 4)"
    assert reasons(client("s", stage=replace(NEXT_WEEK_RUNS, next_phase=None))) == ()


def test_the_engines_step_back_or_new_setting_counts_only_when_new() -> None:
    back = decision(verdict=Verdict.STEP_BACK, first_reason="pain during was 6/10, above 5/10")
    (reason,) = reasons(client("d", decision=back))
    assert reason.words == ("the plan stepped back on 2026-12-09: pain during was 6/10, above 5/10")
    assert reasons(client("d", decision=replace(back, new=False))) == ()
    opened = decision(setting_limit="a quiet path")
    (moved,) = reasons(client("d", decision=opened))
    assert moved.words == (
        "backward steps moved from the treadmill or track to a quiet path on 2026-12-09"
    )
    for quiet in (decision(), decision(verdict=Verdict.HOLD)):
        assert reasons(client("d", decision=quiet)) == ()


def test_new_imports() -> None:
    assert reasons(client("i", new_imports=0)) == ()
    (one,) = reasons(client("i", new_imports=1))
    assert one.words == "1 new import since you last looked"
    (three,) = reasons(client("i", new_imports=3))
    assert three.words == "3 new imports since you last looked"


WEEKS = [
    PlanWeekShape(1, date(2026, 11, 30), Phase.WALK),
    PlanWeekShape(2, date(2026, 12, 7), Phase.WALK),
    PlanWeekShape(3, date(2026, 12, 14), Phase.RUN),
    PlanWeekShape(4, date(2026, 12, 21), Phase.RUN),
]


def test_the_stage_is_the_week_today_falls_in() -> None:
    stage = plan_stage(WEEKS, TODAY, SettingLimit.TREADMILL)
    assert stage is not None
    assert (stage.week, stage.weeks, stage.phase) == (2, 4, Phase.WALK)
    assert (stage.next_phase, stage.next_phase_starts) == (Phase.RUN, date(2026, 12, 14))
    assert stage.setting_limit is SettingLimit.TREADMILL
    assert stage.words == "week 2 of 4, backward walking"
    before = plan_stage(WEEKS, date(2026, 11, 1), None)
    assert before is not None and before.week == 1 and before.next_phase is None
    after = plan_stage(WEEKS, date(2027, 3, 1), None)
    assert after is not None and after.week == 4 and after.next_phase is None
    running = plan_stage(WEEKS, date(2026, 12, 15), None)
    assert running is not None and running.next_phase is None  # run follows run
    assert plan_stage([], TODAY, None) is None


def test_pain_weeks_are_seven_days_ending_today() -> None:
    windows = week_windows(TODAY)
    assert len(windows) == LONGER_WEEKS
    assert windows[-1] == (date(2026, 12, 4), TODAY)
    assert windows[-2] == (date(2026, 11, 27), date(2026, 12, 3))
    assert windows[0][0] == date(2026, 10, 30)


def test_the_stage_from_the_weeks_around_today_and_the_plan_s_length() -> None:
    """The caseload passes only this week and the next of a long plan, with its length."""
    from retrorun.core.caseload import PlanWeekShape, plan_stage
    from retrorun.core.plan import Phase

    start = date(2026, 11, 2)
    around = [
        PlanWeekShape(3, start + timedelta(weeks=2), Phase.WALK),
        PlanWeekShape(4, start + timedelta(weeks=3), Phase.RUN),
    ]
    stage = plan_stage(around, start + timedelta(weeks=2, days=1), None, 52)
    assert stage is not None and (stage.week, stage.weeks) == (3, 52)
    assert stage.next_phase is Phase.RUN
    assert plan_stage(around, start + timedelta(weeks=2), None).weeks == 2  # type: ignore[union-attr]


def test_the_weeks_around_today_from_the_plan_s_start_and_week_phases() -> None:
    """Week N starts N-1 weeks after the start; before the start it is week 1, after the end
    the last week; the next week is given when there is one."""
    from retrorun.core.caseload import PlanWeekShape, weeks_around
    from retrorun.core.plan import Phase

    start = date(2026, 11, 2)
    phases = "walk,walk,walk-run,return-to-forward"
    inside, total = weeks_around(start, phases, start + timedelta(weeks=1, days=6))
    assert total == 4
    assert inside == [
        PlanWeekShape(2, start + timedelta(weeks=1), Phase.WALK),
        PlanWeekShape(3, start + timedelta(weeks=2), Phase.RUN),
    ]
    assert weeks_around(start, phases, start + timedelta(weeks=2))[0][0].number == 3
    before, _ = weeks_around(start, phases, start - timedelta(days=1))
    assert [week.number for week in before] == [1, 2]
    after, _ = weeks_around(start, phases, start + timedelta(weeks=9))
    assert after == [PlanWeekShape(4, start + timedelta(weeks=3), Phase.RETURN)]
    assert weeks_around(start, "", start) == ([], 0)
    assert weeks_around(start, "walk", start) == ([PlanWeekShape(1, start, Phase.WALK)], 1)


def test_every_reason_has_its_kind_for_scripts_and_filters_most_urgent_first() -> None:
    """One client with everything: each reason's kind and tier, in the coach's order."""
    everything = client(
        "all",
        paused_since=date(2026, 12, 8),
        red_flags=((date(2026, 12, 9), "swelling"),),
        pain_during_weeks=(1.0, 2.0),
        rehab=True,
        next_morning_missing=(date(2026, 12, 8),),
        recent=Adherence(due=4, done=3),
        stage=NEXT_WEEK_RUNS,
        decision=decision(verdict=Verdict.STEP_BACK, setting_limit="the treadmill only"),
        new_imports=1,
    )
    found = reasons(everything)
    assert [(r.kind, r.attention) for r in found] == [
        ("paused", Attention.PAUSED),
        ("red-flag", Attention.PAUSED),
        ("pain-rising", Attention.PAIN_RISING),
        ("next-morning-missing", Attention.NEXT_MORNING_MISSING),
        ("missed-sessions", Attention.MISSED_SESSIONS),
        ("stage-change", Attention.STAGE_CHANGE),
        ("stage-change", Attention.STAGE_CHANGE),
        ("stage-change", Attention.STAGE_CHANGE),
        ("new-imports", Attention.NEW_IMPORTS),
    ]
    assert [r.words for r in found[5:8]] == [
        "backward walking and running starts on 2026-12-14 (week 4)",
        "the plan stepped back on 2026-12-09: pain within the limits",
        "backward steps moved from the treadmill or track to the treadmill only on 2026-12-09",
    ]


def test_a_pause_without_a_reason_says_only_since_when() -> None:
    (reason,) = reasons(client("p", paused_since=date(2026, 12, 8)))
    assert reason.words == "plan paused since 2026-12-08"
    (empty,) = reasons(client("p", paused_since=date(2026, 12, 8), paused_reason=""))
    assert empty.words == "plan paused since 2026-12-08"


def test_pain_rising_during_sessions_says_so_with_both_weeks_means() -> None:
    (reason,) = reasons(client("p", pain_during_weeks=(4.0, 1.3, 2.36)))
    assert reason.words == "pain during sessions rose week on week (1.3 → 2.4)"
    assert (reason.kind, reason.attention) == ("pain-rising", Attention.PAIN_RISING)


def test_pain_rising_compares_this_week_with_the_one_just_before() -> None:
    assert pain_rise((0.0, 0.0, 1.0, 2.0)) == (1.0, 2.0)
    assert pain_rise((0.0, 5.0, 1.0, 2.0)) == (1.0, 2.0)
    assert pain_rise((1.0, 3.0, 3.5)) is None  # risen two weeks ago, steady since


def test_a_week_starts_on_its_own_first_day() -> None:
    """On the Monday a week starts, the stage is that week, and a new phase the next week shows
    from that day on."""
    stage = plan_stage(WEEKS, date(2026, 12, 7), None)
    assert stage is not None and stage.week == 2
    assert (stage.next_phase, stage.next_phase_starts) == (Phase.RUN, date(2026, 12, 14))
    sunday = plan_stage(WEEKS, date(2026, 12, 6), None)
    assert sunday is not None and sunday.week == 1 and sunday.next_phase is None


def test_no_next_phase_when_next_week_keeps_the_phase() -> None:
    running = plan_stage(WEEKS, date(2026, 12, 15), None)
    assert running is not None and running.week == 3
    assert (running.next_phase, running.next_phase_starts) == (None, None)
    last = plan_stage(WEEKS, date(2026, 12, 21), None)
    assert last is not None and (last.week, last.next_phase, last.next_phase_starts) == (
        4,
        None,
        None,
    )


def test_a_stage_says_the_week_and_the_phase_in_words() -> None:
    words = [Stage(week=1, weeks=12, phase=phase, setting_limit=None).words for phase in Phase]
    assert sorted(words) == [
        "week 1 of 12, backward walking",
        "week 1 of 12, backward walking and running",
        "week 1 of 12, the return to forward running",
    ]
    (reason,) = reasons(client("s", stage=replace(NEXT_WEEK_RUNS, next_phase=Phase.RETURN)))
    assert reason.words == "the return to forward running starts on 2026-12-14 (week 4)"


def test_a_next_phase_without_its_start_day_is_not_a_reason() -> None:
    assert reasons(client("s", stage=replace(NEXT_WEEK_RUNS, next_phase_starts=None))) == ()


def test_clients_with_the_same_name_and_needs_keep_their_ids_order() -> None:
    twins = [client("Sam", 9, new_imports=1), client("sam", 4, new_imports=2)]
    assert [row.client.athlete_id for row in rank(twins)] == [4, 9]
