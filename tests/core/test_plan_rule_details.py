"""Each program rule pinned to its figure, on people a coach would recognise.

`test_plan_rules.py` checks that every rule holds on many drawn plans; here each rule is shown
with its number (2 running minutes in the first running week, a belt 0.1 m/s faster each week,
an easier week every 4th), so that a changed number reads as the rule it breaks. Where a figure
comes from a study, the test says which (SCIENCE.md sections 1, 4 and 5).
"""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core.plan import (
    Phase,
    Plan,
    PlanState,
    Week,
    WeekShape,
    backward_walk_blocks,
    continue_plan,
    make_plan,
    state_before,
    with_backward_setting,
)
from retrorun.core.profile import Experience, Goal, Profile
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.workout import (
    FORM_CUES,
    SPOTTING_SETUP,
    Direction,
    Mode,
    Setting,
    Step,
    StepKind,
    Workout,
)
from retrorun.errors import InvalidInput

MONDAY = date(2026, 12, 7)
ANSWERED = date(2026, 11, 1)
CLEAR = Screening(ANSWERED, dict.fromkeys(QUESTION_IDS, False))
BALANCE_YES = Screening(
    ANSWERED,
    {**dict.fromkeys(QUESTION_IDS, False), "unsteady_backward": True},
    cleared_by_doctor=True,
)


def person(
    experience: Experience = Experience.REGULAR,
    goal: Goal = Goal.FITNESS,
    weekdays: tuple[int, ...] = (0, 2, 4),
    minutes: int = 60,
    treadmill: bool = False,
    track: bool = False,
    partner: bool = True,
) -> Profile:
    return Profile(70, 35, experience, goal, weekdays, minutes, treadmill, track, partner)


def plan_for(profile: Profile, screening: Screening = CLEAR, weeks: int | None = None) -> Plan:
    return make_plan(profile, screening, MONDAY, weeks)


def backward_workouts(week: Week) -> list[Workout]:
    return [session.workout for session in week.sessions if session.workout.has_backward]


def first_backward(week: Week) -> Workout:
    return backward_workouts(week)[0]


def backward(workout: Workout, mode: Mode) -> list[Step]:
    return [step for step in workout.steps if step.is_backward and step.mode is mode]


def seconds(steps: list[Step]) -> list[int]:
    """How long each step lasts; every step the planner makes is timed."""
    lengths = []
    for step in steps:
        assert step.duration_s is not None, step
        lengths.append(step.duration_s)
    return lengths


def places(week: Week) -> list[Setting]:
    """Where each backward session of the week happens, in date order."""
    return [backward(workout, Mode.WALK)[0].setting for workout in backward_workouts(week)]


def backward_minutes_per_session(plan: Plan) -> list[float]:
    return [first_backward(week).backward_s / 60 for week in plan.weeks]


# --- How long the plan is ---------------------------------------------------------------------


def test_a_rehab_program_is_the_articles_eight_weeks() -> None:
    """The article's client ran backward for eight weeks on her therapist's prescription."""
    assert len(plan_for(person(goal=Goal.KNEE_REHAB)).weeks) == 8
    assert len(plan_for(person(goal=Goal.HEEL_REHAB), weeks=8).weeks) == 8
    with pytest.raises(InvalidInput):
        plan_for(person(goal=Goal.KNEE_REHAB), weeks=10)


def test_other_goals_take_eight_weeks_unless_asked_for_4_to_52() -> None:
    assert len(plan_for(person()).weeks) == 8
    assert len(plan_for(person(), weeks=4).weeks) == 4
    assert len(plan_for(person(), weeks=52).weeks) == 52
    for too_short_or_long in (3, 53):
        with pytest.raises(InvalidInput):
            plan_for(person(), weeks=too_short_or_long)


# --- Walk before run ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("experience", "goal", "screening", "walk_weeks"),
    [
        (Experience.REGULAR, Goal.FITNESS, CLEAR, 2),
        (Experience.OCCASIONAL, Goal.FITNESS, CLEAR, 3),
        (Experience.NON_RUNNER, Goal.FITNESS, CLEAR, 4),
        (Experience.REGULAR, Goal.KNEE_REHAB, CLEAR, 3),
        (Experience.OCCASIONAL, Goal.HEEL_REHAB, CLEAR, 4),
        (Experience.NON_RUNNER, Goal.KNEE_REHAB, CLEAR, 4),
        (Experience.REGULAR, Goal.FITNESS, BALANCE_YES, 3),
        (Experience.NON_RUNNER, Goal.FITNESS, BALANCE_YES, 5),
        (Experience.OCCASIONAL, Goal.KNEE_REHAB, BALANCE_YES, 5),
    ],
)
def test_walking_weeks_depend_on_running_background_rehab_and_balance(
    experience: Experience, goal: Goal, screening: Screening, walk_weeks: int
) -> None:
    """The article: walk, don't run, for the first few weeks. 2 weeks for regular runners, one
    more for occasional runners, two more for non-runners, one more for rehab (non-runners
    already walk longest) and one more after a balance "yes" (Fritz 2013)."""
    plan = plan_for(person(experience, goal), screening)
    assert plan.walk_weeks == walk_weeks
    assert [week.phase for week in plan.weeks[walk_weeks - 1 : walk_weeks + 1]] == [
        Phase.WALK,
        Phase.RUN,
    ]
    assert backward(first_backward(plan.weeks[walk_weeks - 1]), Mode.RUN) == []
    assert backward(first_backward(plan.weeks[walk_weeks]), Mode.RUN) != []


def test_a_four_week_plan_can_be_all_walking_but_never_longer_than_itself() -> None:
    """A non-runner with a balance "yes" would walk 5 weeks; a 4-week plan walks all 4."""
    plan = plan_for(person(Experience.NON_RUNNER), BALANCE_YES, weeks=4)
    assert plan.walk_weeks == 4 and plan.safe_weeks == 4
    assert {week.phase for week in plan.weeks} == {Phase.WALK}


# --- A safe place first -------------------------------------------------------------------------


def test_the_first_running_week_still_stays_on_the_treadmill_or_track() -> None:
    """The article: a few weeks on a treadmill with handrails or a level track before anywhere
    else; the first week of backward running stays there too, then the path joins in."""
    plan = plan_for(person(treadmill=True, track=True))
    assert plan.walk_weeks == 2 and plan.safe_weeks == 3
    assert [week.safe_setting_only for week in plan.weeks[:4]] == [True, True, True, False]
    assert places(plan.weeks[2]) == [Setting.TRACK, Setting.TRACK]
    assert places(plan.weeks[3]) == [Setting.TRACK, Setting.PATH]
    non_runner = plan_for(person(Experience.NON_RUNNER, track=True))
    assert non_runner.safe_weeks == 5
    assert places(non_runner.weeks[4]) == [Setting.TRACK] * 3
    assert Setting.PATH in places(non_runner.weeks[5])


def test_a_balance_yes_keeps_the_whole_plan_on_the_safest_places() -> None:
    plan = plan_for(person(treadmill=True, track=True), BALANCE_YES, weeks=12)
    assert plan.safe_weeks == 12
    assert all(week.safe_setting_only for week in plan.weeks)
    assert {place for week in plan.weeks for place in places(week)} == {
        Setting.TREADMILL,
        Setting.TRACK,
    }


def test_backward_walking_weeks_go_on_the_treadmill_and_safe_running_weeks_on_the_track() -> None:
    """Walking backward starts on a slow treadmill with handrails; running backward in the safe
    weeks is on the level track when there is one, on the treadmill when there is not."""
    both = plan_for(person(treadmill=True, track=True))
    assert places(both.weeks[0]) == [Setting.TREADMILL, Setting.TREADMILL]
    assert places(both.weeks[2]) == [Setting.TRACK, Setting.TRACK]
    treadmill_only = plan_for(person(treadmill=True))
    assert places(treadmill_only.weeks[2]) == [Setting.TREADMILL, Setting.TREADMILL]
    assert places(treadmill_only.weeks[3]) == [Setting.TREADMILL, Setting.PATH]
    track_only = plan_for(person(track=True))
    assert places(track_only.weeks[0]) == [Setting.TRACK, Setting.TRACK]


def test_after_the_safe_weeks_every_second_backward_session_goes_to_the_path() -> None:
    """Rehab goes backward every training day; after the safe weeks the 2nd and 4th backward
    sessions of the week move to a quiet path, the others stay on the safest place."""
    four_days = (0, 1, 3, 5)
    with_track = plan_for(person(goal=Goal.KNEE_REHAB, weekdays=four_days, track=True))
    assert with_track.safe_weeks == 4
    assert places(with_track.weeks[4]) == [Setting.TRACK, Setting.PATH] * 2
    treadmill = plan_for(person(goal=Goal.KNEE_REHAB, weekdays=four_days, treadmill=True))
    assert places(treadmill.weeks[4]) == [Setting.TREADMILL, Setting.PATH] * 2
    nothing = plan_for(person(goal=Goal.KNEE_REHAB, weekdays=four_days))
    assert places(nothing.weeks[4]) == [Setting.PATH] * 4


# --- Which days go backward ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "backward_days"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 3)]
)
def test_runners_turn_about_half_their_days_backward_at_most_three(
    days: int, backward_days: int
) -> None:
    """The trial doses are 3×/week (Alghadir 2019, Heath 2001, Zhang 2014); the rest of the
    runner's week stays their own forward running (the article: insert backward days)."""
    week = plan_for(person(weekdays=tuple(range(days))), weeks=4).weeks[0]
    assert len(backward_workouts(week)) == backward_days
    assert len(week.sessions) == days


@pytest.mark.parametrize("experience", [Experience.REGULAR, Experience.OCCASIONAL])
def test_rehab_goes_backward_every_training_day(experience: Experience) -> None:
    week = plan_for(person(experience, Goal.KNEE_REHAB, weekdays=tuple(range(7)))).weeks[0]
    assert len(backward_workouts(week)) == 7


def test_non_runners_go_backward_every_training_day() -> None:
    week = plan_for(person(Experience.NON_RUNNER, weekdays=tuple(range(6))), weeks=4).weeks[0]
    assert len(backward_workouts(week)) == 6


def test_backward_days_alternate_with_forward_days() -> None:
    """Backward days do not sit side by side when the week has room to part them."""

    def backward_dates(weekdays: tuple[int, ...]) -> list[date]:
        week = plan_for(person(weekdays=weekdays), weeks=4).weeks[0]
        return [s.date for s in week.sessions if s.workout.has_backward]

    assert backward_dates((0, 1, 2, 3, 4, 5)) == [date(2026, 12, d) for d in (7, 9, 11)]
    assert backward_dates((0, 1, 2, 3)) == [date(2026, 12, 7), date(2026, 12, 9)]
    assert backward_dates((0, 1, 3, 4, 6)) == [date(2026, 12, d) for d in (7, 10, 13)]


def test_sessions_fall_on_the_chosen_weekdays_in_each_plan_week() -> None:
    """A plan week is the 7 days from the start: a plan starting on a Wednesday trains on
    Wednesday and the Monday after, then a week later the same."""
    wednesday = date(2026, 12, 9)
    plan = make_plan(person(weekdays=(0, 2)), CLEAR, wednesday, 4)
    assert [s.date for s in plan.weeks[0].sessions] == [wednesday, date(2026, 12, 14)]
    assert [s.date for s in plan.weeks[1].sessions] == [date(2026, 12, 16), date(2026, 12, 21)]
    assert plan.weeks[3].start == date(2026, 12, 30)
    assert [s.week for s in plan.weeks[3].sessions] == [4, 4]


def test_a_day_of_the_plan_finds_its_session() -> None:
    plan = plan_for(person(weekdays=(0, 2)), weeks=4)
    session = plan.session_on(date(2026, 12, 16))
    assert session is not None and session.week == 2
    assert plan.session_on(date(2026, 12, 15)) is None


# --- How much backward time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("experience", "screening", "minutes"),
    [
        (Experience.REGULAR, CLEAR, 10.0),
        (Experience.OCCASIONAL, CLEAR, 8.0),
        (Experience.NON_RUNNER, CLEAR, 6.0),
        (Experience.REGULAR, BALANCE_YES, 5.0),
        (Experience.NON_RUNNER, BALANCE_YES, 5.0),
    ],
)
def test_first_week_backward_minutes(
    experience: Experience, screening: Screening, minutes: float
) -> None:
    """Alghadir 2019: 10 min of retro walking 3×/week; first treadmill sessions 5–15 min
    (SCIENCE.md section 5). Less running background or a balance "yes" starts lower."""
    plan = plan_for(person(experience), screening)
    assert backward_minutes_per_session(plan)[0] == minutes


def test_backward_time_grows_15_percent_a_week_and_eases_every_fourth_week() -> None:
    """+15 % on the largest week so far, rounded down to 30 s; every 4th week 70 % of the week
    before. The week after an easier week grows from the largest week, not the easier one."""
    plan = plan_for(person(track=True), weeks=12)
    assert backward_minutes_per_session(plan) == [
        10.0,
        11.5,  # 10 × 1.15
        13.0,  # 11.5 × 1.15 = 13.225, down to 13:00
        9.0,  # easier: 13 × 0.7 = 9.1, down to 9:00
        14.5,  # 13 × 1.15 = 14.95
        16.5,
        18.5,
        12.5,  # easier: 18.5 × 0.7 = 12.95
        21.0,
        24.0,
        27.5,
        19.0,  # easier: 27.5 × 0.7 = 19.25
    ]
    assert [week.number for week in plan.weeks if week.easier] == [4, 8, 12]


def test_a_weeks_backward_minutes_count_every_backward_session() -> None:
    plan = plan_for(person(track=True), weeks=4)
    assert [week.backward_minutes for week in plan.weeks] == [20.0, 23.0, 26.0, 18.0]


def test_a_short_session_cuts_backward_time_until_it_fits() -> None:
    """15 minutes: the warm-up and cool-down take 10, so 5 are left. Ten backward minutes do not
    fit; 2 min backward, 1 min forward, 2 min backward fill the 5 exactly."""
    plan = plan_for(person(minutes=15), weeks=4)
    workout = first_backward(plan.weeks[0])
    assert workout.duration_s == 15 * 60
    assert workout.backward_s == 4 * 60
    assert seconds(backward(workout, Mode.WALK)) == [120, 120]
    # Week 2 wants 4:30: in blocks of about 3 minutes that is two blocks and a minute between
    # (5:30), too long, so it is cut to 4:00 in one block.
    assert seconds(backward(first_backward(plan.weeks[1]), Mode.WALK)) == [240]


# --- Walking, then walking and running ----------------------------------------------------------


def test_running_starts_with_2_minutes_and_adds_2_a_week() -> None:
    """Guardian 2006: 1-minute backward segments two or three times, building after a few weeks;
    we add 2 minutes a week, keep at least a quarter of the backward time walking, and run whole
    minutes."""
    plan = plan_for(person(track=True), weeks=12)
    running = [sum(seconds(backward(first_backward(w), Mode.RUN))) / 60 for w in plan.weeks]
    assert running == [0, 0, 2, 4, 6, 8, 10, 9, 14, 16, 18, 14]
    # week 8: 12.5 backward minutes allow 9 of running; week 12: 19 allow 14


def test_running_keeps_adding_2_minutes_a_week_past_the_hour_in_a_long_plan() -> None:
    """A year of 3-hour sessions: week 32 is the 30th running week, 60 running minutes; the
    weeks after add 2 more each, and the easier week 36 runs three quarters of its 88 minutes."""
    plan = plan_for(person(minutes=180, track=True), weeks=52)
    running = [sum(seconds(backward(first_backward(w), Mode.RUN))) / 60 for w in plan.weeks]
    assert running[30:36] == [58, 60, 62, 64, 66, 66]
    assert first_backward(plan.weeks[35]).backward_s == 88 * 60


def test_running_intervals_last_a_minute_for_two_weeks_then_two_minutes() -> None:
    plan = plan_for(person(track=True), weeks=6)
    assert seconds(backward(first_backward(plan.weeks[2]), Mode.RUN)) == [60, 60]
    assert seconds(backward(first_backward(plan.weeks[3]), Mode.RUN)) == [60] * 4
    assert seconds(backward(first_backward(plan.weeks[4]), Mode.RUN)) == [120] * 3


def test_in_a_short_session_running_stays_whole_minutes_and_a_quarter_stays_walking() -> None:
    """Occasional runner, 15-minute sessions, week 6 (the third running week, so 6 running
    minutes wanted): 3:30 backward fits. Three quarters is 2:37, in 30-second units 2:30, in
    whole running minutes 2, one 2-minute interval; the rest, 1:30, is walking."""
    workout = first_backward(plan_for(person(Experience.OCCASIONAL, minutes=15)).weeks[5])
    assert workout.backward_s == 210
    assert seconds(backward(workout, Mode.RUN)) == [120]
    assert seconds(backward(workout, Mode.WALK)) == [90]


def test_walking_blocks_grow_from_2_to_5_minutes() -> None:
    """Short blocks first, as the Guardian protocol's one-minute segments, so a novice can reset
    their balance; a minute longer each week up to 5, split into near-equal 30-second units."""
    plan = plan_for(person(track=True), weeks=5)
    walks = [seconds(backward(first_backward(week), Mode.WALK)) for week in plan.weeks]
    assert walks == [
        [120] * 5,  # week 1: 10 min in 2-minute blocks
        [180, 180, 180, 150],  # week 2: 11:30 in blocks of about 3 minutes
        [240, 210, 210],  # week 3: 11 walking minutes in blocks of about 4
        [300],  # week 4 (easier): 5 walking minutes, one block
        [270, 240],  # week 5: 8:30 walking, blocks of at most 5 minutes
    ]
    long_walk = first_backward(plan_for(person(Experience.NON_RUNNER), weeks=8).weeks[5])
    assert seconds(backward(long_walk, Mode.WALK)) == [300]


def test_a_walking_block_is_never_longer_than_5_minutes() -> None:
    """A non-runner's week 5 has 6 walking minutes: more than one 5-minute block, so two of 3:00
    rather than one of 6:00."""
    non_runner = plan_for(person(Experience.NON_RUNNER))
    assert seconds(backward(first_backward(non_runner.weeks[4]), Mode.WALK)) == [180, 180]


def test_walking_time_is_split_whole_into_blocks_longest_first() -> None:
    """Whatever walking time the blocks are given, they add up to it to the second, none is
    empty, and the longer blocks come first, while the walker is fresh."""
    week_2 = WeekShape(2, walk_weeks=2, safe_weeks=3)
    for walk_s in (0, 1, 29, 270, 615, 660):
        steps = backward_walk_blocks(week_2, Setting.TRACK, walk_s)
        blocks = seconds([step for step in steps if step.is_backward])
        assert sum(blocks) == walk_s and 0 not in blocks
        assert blocks == sorted(blocks, reverse=True)


def test_every_step_is_whole_seconds() -> None:
    """Watch files and stored sessions hold whole seconds."""
    for profile in (person(track=True), person(Experience.OCCASIONAL, minutes=15)):
        for session in plan_for(profile, weeks=12).sessions:
            assert all(type(step.duration_s) is int for step in session.workout.steps)


# --- The session around the backward blocks -----------------------------------------------------


def test_every_backward_session_has_5_minute_forward_warm_up_and_cool_down() -> None:
    workout = first_backward(plan_for(person(track=True), weeks=4).weeks[0])
    warm_up, cool_down = workout.steps[0], workout.steps[-1]
    assert (warm_up.kind, warm_up.direction, warm_up.duration_s) == (
        StepKind.WARM_UP,
        Direction.FORWARD,
        300,
    )
    assert (cool_down.kind, cool_down.mode, cool_down.duration_s) == (
        StepKind.COOL_DOWN,
        Mode.WALK,
        300,
    )
    assert warm_up.setting is cool_down.setting is Setting.TRACK


def test_a_minute_forward_between_backward_blocks() -> None:
    """Guardian 2006: slow forward jogging between the backward segments. Runners jog, non-runners
    walk; between walking blocks everyone walks."""
    runner = first_backward(plan_for(person(track=True), weeks=4).weeks[2])
    recoveries = [step for step in runner.steps if step.kind is StepKind.RECOVERY]
    assert [(step.mode, step.duration_s) for step in recoveries] == [
        (Mode.WALK, 60),
        (Mode.WALK, 60),
        (Mode.RUN, 60),
        (Mode.RUN, 60),
    ]
    assert all(step.direction is Direction.FORWARD for step in recoveries)
    non_runner = first_backward(plan_for(person(Experience.NON_RUNNER)).weeks[4])
    assert {s.mode for s in non_runner.steps if s.kind is StepKind.RECOVERY} == {Mode.WALK}


def test_runners_jog_the_warm_up_once_they_run_backward_but_not_on_the_treadmill() -> None:
    """A runner warms up with a forward jog in the running weeks; on a treadmill with handrails
    and for non-runners the warm-up stays a walk."""
    runner = plan_for(person(track=True), weeks=4)
    assert [first_backward(week).steps[0].mode for week in runner.weeks] == [
        Mode.WALK,
        Mode.WALK,
        Mode.RUN,
        Mode.RUN,
    ]
    treadmill = plan_for(person(treadmill=True), BALANCE_YES)
    assert {first_backward(week).steps[0].mode for week in treadmill.weeks} == {Mode.WALK}
    non_runner = plan_for(person(Experience.NON_RUNNER, track=True))
    assert {first_backward(week).steps[0].mode for week in non_runner.weeks} == {Mode.WALK}


def test_effort_targets_on_borgs_cr10_scale() -> None:
    """Easy warm-up and recovery (2), easier cool-down (1), backward walking 3 and running 5, one
    less in an easier week; the runner's own forward run 4."""
    plan = plan_for(person(track=True), weeks=4)
    week_3, easier = first_backward(plan.weeks[2]), first_backward(plan.weeks[3])
    assert {step.rpe for step in backward(week_3, Mode.WALK)} == {3}
    assert {step.rpe for step in backward(week_3, Mode.RUN)} == {5}
    assert {step.rpe for step in backward(easier, Mode.WALK)} == {2}
    assert {step.rpe for step in backward(easier, Mode.RUN)} == {4}
    assert [step.rpe for step in week_3.steps if not step.is_backward] == [2, 2, 2, 2, 2, 1]
    forward_day = plan.weeks[0].sessions[1].workout
    assert [step.rpe for step in forward_day.steps] == [2, 4, 1]


def test_the_runners_own_forward_day_fills_the_session_on_the_usual_route() -> None:
    forward_day = plan_for(person(minutes=45), weeks=4).weeks[0].sessions[1].workout
    assert not forward_day.has_backward
    assert forward_day.title == "Your usual forward run"
    assert [(s.kind, s.mode, s.duration_s) for s in forward_day.steps] == [
        (StepKind.WARM_UP, Mode.WALK, 300),
        (StepKind.MAIN, Mode.RUN, 35 * 60),
        (StepKind.COOL_DOWN, Mode.WALK, 300),
    ]
    assert {step.setting for step in forward_day.steps} == {Setting.USUAL_ROUTE}
    assert forward_day.form_cues == ()
    assert forward_day.notes == (
        "Run as you usually do; the backward days balance the load on your legs.",
    )


def test_a_backward_session_says_where_it_is_and_how() -> None:
    """The article's form cues and partner set-up come with every backward session; a path
    session adds a word on the course."""
    plan = plan_for(person(track=True), weeks=4)
    track, path = backward_workouts(plan.weeks[3])
    assert track.title == "Week 4: Backward walk and run on track (easier week)"
    assert track.notes == ("Where: a level track, staying between the lines.",)
    assert path.notes == (
        "Where: a flat, smooth, quiet path: no traffic, no roots, branches or shrubs.",
        "Pick a familiar, quiet course: backward, it feels new again.",
    )
    assert track.form_cues == FORM_CUES and track.spotting == SPOTTING_SETUP
    first = first_backward(plan.weeks[0])
    assert first.title == "Week 1: Backward walk on track"
    alone = first_backward(plan_for(person(partner=False), weeks=4).weeks[0])
    assert alone.spotting is None


# --- Treadmill speeds -----------------------------------------------------------------------------


def test_the_backward_walking_belt_starts_at_0_6_and_speeds_up_0_1_a_week_to_1_2() -> None:
    """Treadmill studies start at about 0.5–0.9 m/s on the level and progress speed first
    (SCIENCE.md section 5, Shen 2021); an easier week holds the belt a step back."""
    plan = plan_for(person(treadmill=True), BALANCE_YES, weeks=10)
    speeds = [backward(first_backward(week), Mode.WALK)[0].speed_m_s for week in plan.weeks]
    assert speeds == [0.6, 0.7, 0.8, 0.8, 1.0, 1.1, 1.2, 1.2, 1.2, 1.2]


def test_belt_speeds_for_running_and_for_the_forward_steps() -> None:
    """Backward running just above the preferred backward walk–run transition of 1.63 m/s
    (Hreljac 2005): 1.7 m/s. Forward walking 1.2 m/s; the forward jog 2.1 m/s."""
    workout = first_backward(plan_for(person(treadmill=True), BALANCE_YES).weeks[3])
    assert {step.speed_m_s for step in backward(workout, Mode.RUN)} == {1.7}
    forward = {(s.kind, s.mode, s.speed_m_s) for s in workout.steps if not s.is_backward}
    assert forward == {
        (StepKind.WARM_UP, Mode.WALK, 1.2),
        (StepKind.RECOVERY, Mode.RUN, 2.1),
        (StepKind.COOL_DOWN, Mode.WALK, 1.2),
    }
    walking_week = first_backward(plan_for(person(treadmill=True), BALANCE_YES).weeks[0])
    recoveries = {s.speed_m_s for s in walking_week.steps if s.kind is StepKind.RECOVERY}
    assert recoveries == {1.2}


# --- A coach moves a session ----------------------------------------------------------------------


def test_a_session_moved_onto_the_treadmill_gets_the_starting_belt_speeds() -> None:
    """The safest speeds, as in week 1: 0.6 m/s walking and 1.7 m/s running backward. The
    forward steps stay where they were."""
    on_track = first_backward(plan_for(person(track=True), weeks=4).weeks[2])
    moved = with_backward_setting(on_track, Setting.TREADMILL)
    assert {(s.mode, s.speed_m_s) for s in moved.steps if s.is_backward} == {
        (Mode.WALK, 0.6),
        (Mode.RUN, 1.7),
    }
    assert {s.setting for s in moved.steps if s.is_backward} == {Setting.TREADMILL}
    assert [s for s in moved.steps if not s.is_backward] == [
        s for s in on_track.steps if not s.is_backward
    ]
    assert moved.title == on_track.title and moved.notes == on_track.notes


def test_a_session_moved_off_the_treadmill_loses_its_belt_speeds() -> None:
    on_belt = first_backward(plan_for(person(treadmill=True), BALANCE_YES).weeks[4])
    to_path = with_backward_setting(on_belt, Setting.PATH)
    assert {(s.setting, s.speed_m_s) for s in to_path.steps if s.is_backward} == {
        (Setting.PATH, None)
    }
    kept = with_backward_setting(on_belt, Setting.TREADMILL)
    assert kept == on_belt  # already on the belt: its speeds (1.0 m/s in week 5) stay


# --- Rebuilding the upcoming weeks ----------------------------------------------------------------


def test_rebuilding_from_any_week_with_nothing_changed_gives_the_same_weeks() -> None:
    """A decision rebuilds the weeks to come from the state before them; with no change in the
    state the rebuilt weeks are the ones the plan already had."""
    profile = person(Experience.OCCASIONAL, weekdays=(0, 2, 4, 6), minutes=20, track=True)
    plan = plan_for(profile, weeks=12)
    for week in range(1, 13):
        rebuilt = continue_plan(profile, CLEAR, MONDAY, state_before(plan, week), 12)
        assert rebuilt.weeks == plan.weeks[week - 1 :], week
        assert rebuilt.notes == plan.notes and rebuilt.safe_weeks == plan.safe_weeks


def test_the_state_before_a_week_remembers_the_largest_and_the_last_week() -> None:
    """Growth is measured from the largest week that was not an easier one."""
    plan = plan_for(person(track=True), weeks=8)
    assert state_before(plan, 1) == PlanState(1, 0, 0)
    assert state_before(plan, 4) == PlanState(4, 13 * 60, 13 * 60)
    assert state_before(plan, 5) == PlanState(5, 13 * 60, 9 * 60)


def test_a_plan_continues_only_from_one_of_its_own_weeks() -> None:
    profile = person()
    last = continue_plan(profile, CLEAR, MONDAY, PlanState(8, 600, 600))
    assert [week.number for week in last.weeks] == [8]
    for week in (0, 9):
        with pytest.raises(InvalidInput):
            continue_plan(profile, CLEAR, MONDAY, PlanState(week))


# --- What the person reads ------------------------------------------------------------------------


def test_notes_for_someone_with_no_treadmill_no_track_and_no_partner() -> None:
    plan = plan_for(person(partner=False))
    assert plan.notes == (
        "You have no treadmill and no track, so every backward session is on the safest place "
        "you have: a flat, smooth, quiet path or an empty sports field, never a road. Go "
        "slowly and, if you can, bring a partner.",
        "Without a partner, go slowly on an empty, quiet path and look over your shoulder often.",
    )


def test_notes_after_a_balance_yes_with_nothing_and_nobody_to_hold_on_to() -> None:
    plan = plan_for(person(partner=False), BALANCE_YES)
    assert plan.cleared_by_doctor
    assert plan.notes[0] == "You stated that a doctor cleared you for this program."
    assert plan.notes[2:] == (
        "You answered yes to a balance question: the whole plan stays in the safest setting "
        "and moves forward more slowly. A partner is strongly advised.",
        "With a balance 'yes' and no treadmill, no track and no partner, do not start alone: "
        "find a partner to spot for you first.",
    )


def test_notes_for_a_runner_alone_with_a_treadmill_and_a_track() -> None:
    plan = plan_for(person(treadmill=True, track=True, partner=False))
    assert plan.notes == (
        "Without a partner, go slowly and look over your shoulder often; on the treadmill keep "
        "your hands near the handrails; keep the path sessions to a path you know, at a quiet "
        "time.",
        "Weeks 1–3 stay on a treadmill with handrails or a level track; later weeks add flat, "
        "smooth, quiet paths, never roads.",
    )


def test_notes_name_only_the_places_this_plan_uses() -> None:
    """A track-only runner never reads "treadmill"; a balance "yes" on a treadmill never reads
    "path" (the whole plan stays on the belt)."""
    track_only = plan_for(person(track=True, partner=False))
    assert track_only.notes == (
        "Without a partner, go slowly and look over your shoulder often; keep the path sessions "
        "to a path you know, at a quiet time.",
        "Weeks 1–3 stay on a level track; later weeks add flat, smooth, quiet paths, never roads.",
    )
    treadmill_only = plan_for(person(treadmill=True, partner=False), BALANCE_YES)
    assert treadmill_only.notes[-1] == (
        "Without a partner, go slowly and look over your shoulder often; on the treadmill keep "
        "your hands near the handrails."
    )


def test_a_plan_with_one_week_after_the_safe_weeks_still_says_it_adds_paths() -> None:
    plan = plan_for(person(track=True), weeks=4)
    assert places(plan.weeks[3]) == [Setting.TRACK, Setting.PATH]
    assert plan.notes == (
        "Weeks 1–3 stay on a level track; later weeks add flat, smooth, quiet paths, never roads.",
    )


def test_a_rehab_plan_says_its_dose_is_extrapolated() -> None:
    """SCIENCE.md section 4: no trial dose exists for patellofemoral or heel pain."""
    plan = plan_for(person(goal=Goal.HEEL_REHAB, track=True))
    assert plan.notes == (
        "Rehab: there is no trial dose for patellofemoral or heel pain; this eight-week template "
        "is extrapolated from knee osteoarthritis (Alghadir 2019) and habituation (Heath 2001) "
        "studies. Follow your therapist where they differ.",
        "Weeks 1–4 stay on a level track; later weeks add flat, smooth, quiet paths, never roads.",
    )


def test_with_a_partner_and_a_treadmill_for_every_week_there_is_nothing_to_add() -> None:
    assert plan_for(person(treadmill=True), BALANCE_YES).notes == (
        "You stated that a doctor cleared you for this program.",
        "You answered yes to a balance question: the whole plan stays in the safest setting "
        "and moves forward more slowly. A partner is strongly advised.",
    )
