"""Converting a forward plan (`core.convert`): every rule on drawn plans, then each rule alone.

The property test draws forward plans of any shape (time and distance steps, paces, heart
rates, repeats, hills, walks, free text, rest days, other sports, races), any person and any
screening, and checks on every converted session the rules the plan generator keeps and the
conversion's own: walking only in the walk weeks, safe places in the safe weeks, no more
backward time than the week allows, no backward stretch longer than a block, the plan's time
kept (backward + forward + left out = the forward session's time), a cue at every step, and
every forward workout accounted for.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrorun.core.convert import (
    BACKWARD_SPEED_SHARE,
    CONVERT_RULES_VERSION,
    DEFAULT_EASY_SPEED_M_S,
    FAST_FROM_RUNNING_WEEK,
    MAX_BACKWARD_RPE,
    PAIN_GATE,
    REST_DAY,
    RPE_BY_INTENSITY,
    SPEED_FACTOR,
    Conversion,
    ConvertMode,
    Paces,
    Segment,
    Shape,
    Treatment,
    allowances,
    backward_rpe,
    backward_run_seconds,
    backward_steps,
    convert_plan,
    forward_steps,
    heart_rate_range,
    intensity_from_pace,
    run_and_walk,
    runner_paces,
    split_backward,
    step_intensity,
    step_seconds,
    turnaround,
    workout_shape,
)
from retrorun.core.forward_plan import (
    ForwardPlan,
    ForwardStep,
    ForwardWorkout,
    Intensity,
    Part,
    Repeat,
    Sport,
    plan_of,
    read_workout,
)
from retrorun.core.plan import (
    BLOCK_MAX_S,
    COOL_DOWN_S,
    EASY_FORWARD_JOG_M_S,
    MAX_MIXED_BACKWARD_DAYS,
    RECOVERY_S,
    RPE_BACKWARD_RUN,
    RPE_BACKWARD_WALK,
    TREADMILL_BACKWARD_RUN_M_S,
    TREADMILL_FORWARD_WALK_M_S,
    WARM_UP_S,
    Phase,
    WeekShape,
    first_week_backward_seconds,
    walk_phase_weeks,
)
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.timeline import CueKind, build_timeline
from retrorun.core.workout import (
    BACKWARD_SETTINGS,
    SAFE_SETTINGS,
    SPOTTING_SETUP,
    Direction,
    Mode,
    Setting,
    StepKind,
    Workout,
)
from retrorun.errors import InvalidInput, NotReady
from tests.core.strategies import examples, profiles, screenings

SCREENING = Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False))
BALANCE = Screening(
    date(2026, 11, 1),
    {**dict.fromkeys(QUESTION_IDS, False), "unsteady_backward": True},
    cleared_by_doctor=True,
)
REHAB = Profile(62, 34, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(4), 45, True, True, True)
RUNNER = Profile(70, 40, Experience.REGULAR, Goal.FITNESS, weekdays_for(4), 45, False, True, False)
START = date(2026, 12, 7)  # a Monday


def day(week: int, weekday: int) -> date:
    return START + timedelta(weeks=week - 1, days=weekday)


def half_marathon(weeks: int = 8, race: bool = True) -> ForwardPlan:
    """Four runs a week like the fixture files: intervals, tempo, easy, long; the race last."""
    workouts = []
    for week in range(1, weeks + 1):
        workouts += [
            read_workout(day(week, 0), "Rest", ""),
            read_workout(
                day(week, 1),
                "Intervals",
                "10m warm-up easy, 6x 400mtr hard @ 4:30/km / 90s jog, 10m cool-down easy",
            ),
            read_workout(day(week, 3), "Tempo", "10m warm-up, 20m tempo @ 5:00/km, 10m cool-down"),
            read_workout(day(week, 5), "Easy run", "", stated_s=2400),
            read_workout(day(week, 6), "Long run", "12km long easy 135-150bpm"),
        ]
    if race:
        workouts[-1] = read_workout(day(weeks, 6), "Half marathon race", "21.1km race @ 5:10/km")
    return plan_of(workouts, [])


# --- every rule on drawn plans -------------------------------------------------------------------


def _drawn_step(
    part: Part,
    intensity: Intensity | None,
    amount: tuple[int | None, int | None],
    pace: int | None,
    heart_rate: tuple[int, int] | None,
    hill: bool,
    walk: int,
) -> ForwardStep:
    duration, distance = amount
    return ForwardStep(
        part,
        intensity,
        duration_s=duration,
        distance_m=None if distance is None else float(distance),
        pace_s_per_km=None if pace is None else float(pace),
        heart_rate_bpm=heart_rate,
        hill=hill,
        walk=walk == 0,
        words="drawn",
    )


# Module-level strategies (Hypothesis builds each once): any step, block and workout.
drawn_steps = st.builds(
    _drawn_step,
    st.sampled_from(Part),
    st.none() | st.sampled_from(Intensity),
    st.tuples(st.integers(1, 2 * 3600), st.none()) | st.tuples(st.none(), st.integers(10, 25_000)),
    st.none() | st.integers(150, 900),
    st.none() | st.tuples(st.integers(90, 140), st.integers(140, 200)),
    st.booleans(),
    st.integers(0, 5),
)
drawn_blocks = st.lists(
    drawn_steps
    | st.builds(
        Repeat, st.integers(1, 10), st.lists(drawn_steps, min_size=1, max_size=3).map(tuple)
    ),
    min_size=1,
    max_size=4,
).map(tuple)
KINDS = ["run"] * 8 + ["free", "rest", "other", "race"]


def _drawn_workout(
    on: date, kind: str, blocks: tuple[ForwardStep | Repeat, ...], stated: int | None
) -> ForwardWorkout:
    if kind == "rest":
        return ForwardWorkout(on, "Rest", sport=Sport.REST)
    if kind == "other":
        return ForwardWorkout(on, "Bike", sport=Sport.OTHER)
    if kind == "free":
        return ForwardWorkout(on, "Fartlek", free_text="by feel", free_text_s=stated)
    return ForwardWorkout(on, "Race" if kind == "race" else "Run", blocks, race=kind == "race")


@st.composite
def forward_plans(draw: st.DrawFn) -> ForwardPlan:
    first = draw(st.dates(date(2025, 1, 1), date(2030, 12, 31)))
    offsets = draw(st.lists(st.integers(0, 15 * 7), min_size=1, max_size=20))
    workouts = [
        _drawn_workout(
            first + timedelta(days=offset),
            draw(st.sampled_from(KINDS)),
            draw(drawn_blocks),
            draw(st.none() | st.integers(60, 3 * 3600)),
        )
        for offset in sorted(offsets)
    ]
    workouts.append(ForwardWorkout(first, "Run", (ForwardStep(Part.MAIN, None, 1800),)))
    return plan_of(workouts, [])


MANY = settings(
    max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@MANY
@given(st.data())
def test_every_rule_holds_on_every_converted_plan(data: st.DataObject) -> None:
    forward = data.draw(forward_plans())
    profile = data.draw(profiles)
    screening = data.draw(screenings(cleared=True))
    mode = data.draw(st.sampled_from(ConvertMode))
    weeks = None if profile.goal.is_rehab else data.draw(st.none() | st.integers(4, 12))
    days = data.draw(st.none() | st.integers(1, MAX_MIXED_BACKWARD_DAYS))
    backward_days = days if mode is ConvertMode.MIX else None
    first = min(w.date for w in forward.runs)
    start = data.draw(st.none() | st.dates(first - timedelta(days=3), first + timedelta(days=20)))
    race = data.draw(st.none() | st.dates(first, first + timedelta(weeks=20)))
    conversion = convert_plan(
        forward,
        profile,
        screening,
        mode,
        start=start,
        weeks=weeks,
        backward_days=backward_days,
        race=race,
    )
    check_walk_weeks_walk(conversion)
    check_safe_places_first(conversion, profile)
    check_backward_time_within_the_week(conversion, profile, screening)
    check_no_long_backward_stretch(conversion)
    check_running_within_the_week(conversion)
    check_time_kept(conversion, forward, profile)
    check_session_shape(conversion, profile)
    check_every_workout_accounted_for(conversion, forward)
    check_mixing(conversion, forward, backward_days)


def _backward_sessions(conversion: Conversion) -> list[tuple[int, Workout]]:
    return [(s.week, s.workout) for s in conversion.plan.sessions if s.workout.has_backward]


def check_walk_weeks_walk(conversion: Conversion) -> None:
    """The article: walk, don't run, the first weeks, whatever the forward plan says."""
    assert conversion.plan.walk_weeks >= 1
    for week, workout in _backward_sessions(conversion):
        if week <= conversion.plan.walk_weeks:
            assert all(s.mode is Mode.WALK for s in workout.steps if s.is_backward), workout


def check_safe_places_first(conversion: Conversion, profile: Profile) -> None:
    """Treadmill or track in the safe weeks; backward never on the usual route; a treadmill
    step always has its belt speed, and only people with a treadmill or track go there."""
    for week, workout in _backward_sessions(conversion):
        for step in workout.steps:
            assert step.setting in BACKWARD_SETTINGS
            if step.setting is Setting.TREADMILL:
                assert profile.has_treadmill and step.speed_m_s
            if step.setting is Setting.TRACK:
                assert profile.has_track
            if week <= conversion.plan.safe_weeks and (profile.has_treadmill or profile.has_track):
                assert step.setting in SAFE_SETTINGS, (week, step)


def check_backward_time_within_the_week(
    conversion: Conversion, profile: Profile, screening: Screening
) -> None:
    """No session holds more backward time than core.plan's growth rule allows that week."""
    first_s = first_week_backward_seconds(profile, screening)
    allowed = allowances(first_s, len(conversion.plan.weeks))
    for week, workout in _backward_sessions(conversion):
        assert workout.backward_s <= allowed[week - 1]


def check_no_long_backward_stretch(conversion: Conversion) -> None:
    """Backward comes in blocks: walking at most BLOCK_MAX_S, running at most two minutes,
    with forward steps between (core.plan's blocks and intervals)."""
    for _, workout in _backward_sessions(conversion):
        stretch = 0
        for step in workout.steps:
            stretch = stretch + (step.duration_s or 0) if step.is_backward else 0
            assert stretch <= BLOCK_MAX_S
            if step.is_backward and step.mode is Mode.RUN:
                assert (step.duration_s or 0) <= 120


def check_running_within_the_week(conversion: Conversion) -> None:
    """Backward running: core.plan's minutes for the week; effort held until the fast week."""
    plan = conversion.plan
    for week, workout in _backward_sessions(conversion):
        shape = WeekShape(week, plan.walk_weeks, plan.safe_weeks)
        running = [s for s in workout.steps if s.is_backward and s.mode is Mode.RUN]
        assert sum(s.duration_s or 0 for s in running) <= backward_run_seconds(
            shape, workout.backward_s
        )
        cap = RPE_BACKWARD_RUN if shape.running_week < FAST_FROM_RUNNING_WEEK else MAX_BACKWARD_RPE
        assert all(s.rpe <= cap for s in running)


def check_time_kept(conversion: Conversion, forward: ForwardPlan, profile: Profile) -> None:
    """Backward + forward + left out is the forward session's time, worked out again here;
    every step is timed (no distance); all mode never splits, mix never leaves out."""
    paces = runner_paces(forward, profile.experience)
    by_day: dict[date, ForwardWorkout] = {}
    for workout in forward.runs:
        by_day.setdefault(workout.date, workout)  # the first run of a day is the session
    sessions = {s.date: s for s in conversion.plan.sessions}
    for record in conversion.sessions:
        source = by_day[record.date]
        main = workout_shape(source, paces, record.source_s).main_s
        assert record.source_s == main
        assert (record.treatment is Treatment.RACE) == source.race  # a race is run forward
        assert record.backward_s + record.forward_s + record.left_out_s == record.source_s
        workout = sessions[record.date].workout
        assert workout.backward_s == record.backward_s
        assert all(s.distance_m is None and (s.duration_s or 0) > 0 for s in workout.steps)
        if conversion.mode is ConvertMode.ALL:
            assert record.treatment is not Treatment.SPLIT
        else:
            assert record.left_out_s == 0
        if record.treatment in (Treatment.FORWARD, Treatment.RACE):
            assert not workout.has_backward and record.forward_s == record.source_s
        if record.treatment is Treatment.CAPPED:
            assert record.left_out_s > 0 and record.reasons
        if record.free_text:
            assert "Free text" in " ".join(workout.notes) or not workout.has_backward


def check_session_shape(conversion: Conversion, profile: Profile) -> None:
    """A forward warm-up first and a cool-down last; a cue at the start of every step; the
    partner set-up with a partner; every step with a valid effort."""
    for session in conversion.plan.sessions:
        workout = session.workout
        first, last = workout.steps[0], workout.steps[-1]
        assert first.kind is StepKind.WARM_UP and first.direction is Direction.FORWARD
        assert last.kind is StepKind.COOL_DOWN and last.direction is Direction.FORWARD
        timeline = build_timeline(workout)
        starts = {c.step_index for c in timeline.cues if c.kind is CueKind.STEP}
        assert starts == set(range(len(workout.steps)))
        assert all(0 <= s.rpe <= 10 for s in workout.steps)
        if workout.has_backward:
            assert workout.spotting == (SPOTTING_SETUP if profile.has_partner else None)
            assert len(workout.title) <= 200


def check_every_workout_accounted_for(conversion: Conversion, forward: ForwardPlan) -> None:
    """Nothing dropped silently: each workout is a session or is left out with a reason."""
    assert len(conversion.sessions) + len(conversion.left_out) == len(forward.workouts)
    assert all(x.reason for x in conversion.left_out)
    assert [s.date for s in conversion.plan.sessions] == [c.date for c in conversion.sessions]
    assert len({s.date for s in conversion.plan.sessions}) == len(conversion.plan.sessions)
    for session in conversion.plan.sessions:
        week = conversion.plan.weeks[session.week - 1]
        assert week.start <= session.date < week.start + timedelta(days=7)


def check_mixing(conversion: Conversion, forward: ForwardPlan, backward_days: int | None) -> None:
    """Mix: so many backward sessions a week; all: every run of the block backward, then one
    more forward each week after it."""
    races = {w.date for w in forward.runs if w.race}
    for week in conversion.plan.weeks:
        runs = [s for s in week.sessions if s.date not in races]
        backward = sum(1 for s in runs if s.workout.has_backward)
        if conversion.mode is ConvertMode.MIX:
            wanted = backward_days or min(MAX_MIXED_BACKWARD_DAYS, -(-len(runs) // 2))
            assert backward == min(wanted, len(runs))
        elif week.number <= conversion.block_weeks:
            assert backward == len(runs)
        else:
            assert backward == max(0, len(runs) - (week.number - conversion.block_weeks))


# --- paces, intensities and time -----------------------------------------------------------------


def _step(**fields: object) -> ForwardStep:
    values: dict[str, object] = {"part": Part.MAIN, "intensity": None, **fields}
    return ForwardStep(**values)  # type: ignore[arg-type]


def _plan_with(*steps: ForwardStep) -> ForwardPlan:
    return ForwardPlan((ForwardWorkout(START, "Run", tuple(steps)),))


def test_own_paces_come_from_the_plan() -> None:
    forward = _plan_with(
        _step(intensity=Intensity.EASY, duration_s=60, pace_s_per_km=360.0),
        _step(intensity=Intensity.EASY, duration_s=60, pace_s_per_km=300.0),
        _step(intensity=Intensity.EASY, duration_s=60, pace_s_per_km=400.0),
        _step(intensity=Intensity.HARD, duration_s=60, pace_s_per_km=250.0),
        _step(intensity=None, duration_s=60, pace_s_per_km=200.0),  # not said: not counted
    )
    paces = runner_paces(forward, Experience.NON_RUNNER)
    assert paces.own == {Intensity.EASY, Intensity.HARD}
    assert paces.speed_m_s[Intensity.EASY] == pytest.approx(1000 / 360)  # the median
    assert paces.speed_m_s[Intensity.HARD] == pytest.approx(4.0)
    assert paces.speed_m_s[Intensity.TEMPO] == pytest.approx(1000 / 360 * 1.2)


def test_easy_speed_worked_back_from_other_paces() -> None:
    forward = _plan_with(
        _step(intensity=Intensity.TEMPO, duration_s=60, pace_s_per_km=250.0),  # 4.0 m/s
        _step(intensity=Intensity.HARD, duration_s=60, pace_s_per_km=200.0),  # 5.0 m/s
    )
    paces = runner_paces(forward, Experience.REGULAR)
    easy = (4.0 / 1.2 + 5.0 / 1.3) / 2
    assert paces.speed_m_s[Intensity.EASY] == pytest.approx(easy)
    assert paces.speed_m_s[Intensity.RECOVERY] == pytest.approx(easy * 0.9)
    assert paces.speed_m_s[Intensity.TEMPO] == pytest.approx(4.0)


@pytest.mark.parametrize("experience", list(Experience))
def test_default_paces_by_running_background(experience: Experience) -> None:
    paces = runner_paces(_plan_with(_step(duration_s=60)), experience)
    easy = DEFAULT_EASY_SPEED_M_S[experience]
    assert paces.own == frozenset()
    assert {i: round(v, 6) for i, v in paces.speed_m_s.items()} == {
        i: round(easy * SPEED_FACTOR[i], 6) for i in Intensity
    }


def test_default_easy_speeds() -> None:
    assert DEFAULT_EASY_SPEED_M_S == {
        Experience.NON_RUNNER: EASY_FORWARD_JOG_M_S,
        Experience.OCCASIONAL: 2.4,
        Experience.REGULAR: 2.8,
    }
    assert SPEED_FACTOR == {
        Intensity.RECOVERY: 0.9,
        Intensity.EASY: 1.0,
        Intensity.STEADY: 1.12,
        Intensity.TEMPO: 1.2,
        Intensity.HARD: 1.3,
    }


@pytest.mark.parametrize(
    ("ratio", "intensity"),
    [
        (0.80, Intensity.RECOVERY),
        (0.949, Intensity.RECOVERY),
        (0.95, Intensity.EASY),
        (1.059, Intensity.EASY),
        (1.06, Intensity.STEADY),
        (1.159, Intensity.STEADY),
        (1.161, Intensity.TEMPO),
        (1.249, Intensity.TEMPO),
        (1.25, Intensity.HARD),
        (1.6, Intensity.HARD),
    ],
)
def test_a_pace_alone_says_the_intensity(ratio: float, intensity: Intensity) -> None:
    easy = 2.5
    assert intensity_from_pace(1000 / (easy * ratio), easy) is intensity


PACES = Paces({i: 2.5 * SPEED_FACTOR[i] for i in Intensity}, frozenset())


def test_step_intensity_prefers_the_words_then_the_pace() -> None:
    assert step_intensity(_step(intensity=Intensity.TEMPO, pace_s_per_km=600.0), PACES) is (
        Intensity.TEMPO
    )
    assert step_intensity(_step(pace_s_per_km=1000 / 3.25), PACES) is Intensity.HARD
    assert step_intensity(_step(), PACES) is Intensity.EASY


def test_step_time_keeps_time_and_turns_distance_into_time() -> None:
    assert step_seconds(_step(duration_s=95, distance_m=5000.0), Intensity.EASY, PACES) == 95
    assert step_seconds(_step(distance_m=1000.0, pace_s_per_km=270.0), Intensity.EASY, PACES) == 270
    walk = _step(distance_m=1200.0, walk=True)
    assert step_seconds(walk, Intensity.HARD, PACES) == round(1200 / TREADMILL_FORWARD_WALK_M_S)
    assert step_seconds(_step(distance_m=1000.0), Intensity.HARD, PACES) == round(1000 / 3.25)
    assert step_seconds(_step(distance_m=0.1), Intensity.EASY, PACES) == 1


def test_workout_shape_separates_warm_up_main_and_cool_down() -> None:
    workout = read_workout(
        START, "Intervals", "10m warm-up, 2x 1km hard @ 4:00/km / 90s jog, 5m cool-down, 5m cd"
    )
    shape = workout_shape(workout, PACES, 1234)
    assert (shape.warm_up_s, shape.cool_down_s) == (600, 600)
    assert [s.seconds for s in shape.main] == [240, 90, 240, 90]
    assert [s.intensity for s in shape.main][:2] == [Intensity.HARD, Intensity.RECOVERY]
    assert shape.main_s == 660 and shape.had_distance
    assert shape.hardest == 4  # hard: the fifth intensity, easiest first


def test_a_workout_of_only_warm_up_is_all_main() -> None:
    workout = read_workout(START, "Jog", "10m warm-up, 5m cool-down")
    shape = workout_shape(workout, PACES, 1234)
    assert (shape.warm_up_s, shape.cool_down_s, shape.main_s) == (0, 0, 900)
    assert not shape.had_distance


def test_free_text_is_one_easy_stretch() -> None:
    free = ForwardWorkout(START, "Fartlek", free_text="by feel")
    assert workout_shape(free, PACES, 1234) == Shape(0, (Segment(1234, Intensity.EASY),), 0, False)
    stated = ForwardWorkout(START, "Fartlek", free_text="by feel", free_text_s=600)
    assert workout_shape(stated, PACES, 1234).main_s == 600


def test_main_segments_keep_hills_walks_and_heart_rate() -> None:
    workout = read_workout(START, "Hills", "60s hill hard 150-170bpm, 90s easy walk")
    hill, walk = workout_shape(workout, PACES, 0).main
    assert hill == Segment(60, Intensity.HARD, True, False, (150, 170))
    assert walk == Segment(90, Intensity.EASY, False, True, None)


@pytest.mark.parametrize(
    ("intensity", "age", "bpm"),
    [
        (Intensity.RECOVERY, 40, (90, 108)),
        (Intensity.EASY, 40, (108, 126)),
        (Intensity.STEADY, 40, (126, 144)),
        (Intensity.TEMPO, 40, (144, 162)),
        (Intensity.HARD, 40, (162, 180)),
        (Intensity.EASY, 20, (116, 136)),
    ],
)
def test_heart_rate_zones_by_age(intensity: Intensity, age: int, bpm: tuple[int, int]) -> None:
    assert heart_rate_range(intensity, age) == bpm  # 208 − 0.7 × age (Tanaka 2001)


# --- weekly allowances and efforts ---------------------------------------------------------------


def test_allowances_grow_as_the_plan_generator_grows() -> None:
    assert allowances(600, 9) == [600, 690, 780, 540, 870, 990, 1110, 750, 1260]


def test_backward_running_per_week() -> None:
    walk = WeekShape(3, walk_weeks=3, safe_weeks=4)
    assert backward_run_seconds(walk, 900) == 0
    first = WeekShape(4, walk_weeks=3, safe_weeks=4)
    assert backward_run_seconds(first, 900) == 120  # 2 minutes in the first running week
    third = WeekShape(6, walk_weeks=3, safe_weeks=4)
    assert backward_run_seconds(third, 900) == 360  # 2 + 2 + 2
    assert backward_run_seconds(third, 400) == 300  # 75 % of 400 s
    assert backward_run_seconds(third, 120) == 60  # 90 s, down to whole minutes
    assert backward_run_seconds(third, 79) == 0


def test_backward_effort_is_held_until_the_fast_week() -> None:
    early = WeekShape(5, walk_weeks=3, safe_weeks=4)  # running week 2
    assert backward_rpe(Intensity.HARD, early) == RPE_BACKWARD_RUN
    assert backward_rpe(Intensity.EASY, early) == RPE_BY_INTENSITY[Intensity.EASY]
    late = WeekShape(6, walk_weeks=3, safe_weeks=4)  # running week 3
    assert backward_rpe(Intensity.HARD, late) == MAX_BACKWARD_RPE
    assert backward_rpe(Intensity.TEMPO, late) == 6
    easier = WeekShape(8, walk_weeks=3, safe_weeks=4)
    assert backward_rpe(Intensity.HARD, easier) == MAX_BACKWARD_RPE - 1
    assert RPE_BY_INTENSITY == {
        Intensity.RECOVERY: 2,
        Intensity.EASY: 4,
        Intensity.STEADY: 5,
        Intensity.TEMPO: 6,
        Intensity.HARD: 7,
    }


# --- sessions ------------------------------------------------------------------------------------


def test_split_where_the_allowance_runs_out() -> None:
    main = (
        Segment(300, Intensity.EASY),
        Segment(200, Intensity.HARD),
        Segment(100, Intensity.EASY),
    )
    before, after = split_backward(main, 400)
    assert before == [Segment(300, Intensity.EASY), Segment(100, Intensity.HARD)]
    assert after == [Segment(100, Intensity.HARD), Segment(100, Intensity.EASY)]
    assert split_backward(main, 600) == (list(main), [])
    assert split_backward(main, 0) == ([], list(main))
    assert split_backward(main, 300) == ([main[0]], [main[1], main[2]])


def test_running_goes_to_the_hardest_stretches_first() -> None:
    taken = [
        Segment(120, Intensity.EASY),
        Segment(60, Intensity.HARD),
        Segment(90, Intensity.HARD, walk=True),
        Segment(60, Intensity.TEMPO),
    ]
    pieces = run_and_walk(taken, 90)
    assert [(s.seconds, s.intensity, mode) for s, mode in pieces] == [
        (120, Intensity.EASY, Mode.WALK),
        (60, Intensity.HARD, Mode.RUN),
        (90, Intensity.HARD, Mode.WALK),  # a walk stays a walk
        (30, Intensity.TEMPO, Mode.RUN),
        (30, Intensity.TEMPO, Mode.WALK),
    ]
    assert run_and_walk([Segment(60, Intensity.EASY)], 0) == [
        (Segment(60, Intensity.EASY), Mode.WALK)
    ]
    assert run_and_walk([Segment(60, Intensity.EASY)], 600) == [
        (Segment(60, Intensity.EASY), Mode.RUN)
    ]


def test_backward_steps_are_blocks_and_intervals_with_turnarounds() -> None:
    week = WeekShape(6, walk_weeks=3, safe_weeks=4)  # running week 3: 2-minute intervals
    pieces = [
        (Segment(200, Intensity.EASY), Mode.WALK),
        (Segment(100, Intensity.HARD), Mode.WALK),  # walking either way: joined to the walk
        (Segment(150, Intensity.HARD), Mode.RUN),
        (Segment(60, Intensity.EASY), Mode.RUN),  # another effort: its own intervals
        (Segment(120, Intensity.EASY), Mode.WALK),
    ]
    steps = backward_steps(REHAB, week, Setting.TRACK, pieces)
    shown = [(s.direction.value, s.mode.value, s.duration_s, s.rpe) for s in steps]
    assert shown == [
        ("backward", "walk", 300, RPE_BACKWARD_WALK),
        ("forward", "run", RECOVERY_S, 2),
        ("backward", "run", 120, 7),
        ("forward", "run", RECOVERY_S, 2),
        ("backward", "run", 30, 7),
        ("forward", "run", RECOVERY_S, 2),
        ("backward", "run", 60, 4),
        ("forward", "walk", RECOVERY_S, 2),  # a turnaround before the next backward block
        ("backward", "walk", 120, RPE_BACKWARD_WALK),
    ]


def test_turnaround_on_a_treadmill_has_a_belt_speed() -> None:
    assert turnaround(Setting.TREADMILL).speed_m_s == TREADMILL_FORWARD_WALK_M_S
    step = turnaround(Setting.TRACK)
    assert step.speed_m_s is None and step.mode is Mode.WALK and step.kind is StepKind.RECOVERY


def test_forward_steps_as_written() -> None:
    segments = [Segment(600, Intensity.TEMPO), Segment(90, Intensity.EASY, walk=True)]
    track = forward_steps(segments, Setting.TRACK, PACES)
    assert [(s.mode, s.duration_s, s.rpe, s.speed_m_s) for s in track] == [
        (Mode.RUN, 600, 6, None),
        (Mode.WALK, 90, 4, None),
    ]
    belt = forward_steps(segments, Setting.TREADMILL, PACES)
    assert [s.speed_m_s for s in belt] == [3.0, TREADMILL_FORWARD_WALK_M_S]
    own = Paces({i: 1000 / 360 for i in Intensity}, frozenset())
    assert forward_steps(segments[:1], Setting.TREADMILL, own)[0].speed_m_s == 2.78
    assert all(s.direction is Direction.FORWARD and s.kind is StepKind.MAIN for s in belt)


# --- whole conversions ---------------------------------------------------------------------------


def test_the_articles_runner_all_backward_for_eight_weeks() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    plan = conversion.plan
    assert conversion.rules_version == CONVERT_RULES_VERSION
    assert plan.start == day(1, 1) and len(plan.weeks) == 8 and conversion.block_weeks == 8
    assert plan.walk_weeks == walk_phase_weeks(REHAB, SCREENING, 8) == 3
    assert conversion.race_date == day(8, 6)
    treatments = [c.treatment for c in conversion.sessions]
    assert treatments[-1] is Treatment.RACE and set(treatments[:-1]) == {Treatment.CAPPED}
    assert len(conversion.left_out) == 8 and {x.reason for x in conversion.left_out} == {REST_DAY}
    first = plan.sessions[0].workout
    assert first.title == "Week 1: Intervals, backward on treadmill-with-handrails"
    assert first.steps[0].duration_s == 600 and first.steps[-1].duration_s == 600
    assert first.backward_s == 600
    assert all(s.mode is Mode.WALK for s in first.steps if s.is_backward)
    race = plan.sessions[-1].workout
    assert not race.has_backward and race.title == "Week 8: Half marathon race (forward)"
    assert race.steps[0].duration_s == WARM_UP_S and race.steps[-1].duration_s == COOL_DOWN_S
    assert race.steps[0].mode is Mode.WALK  # no warm-up in the plan: core.plan's walk
    assert race.form_cues == ()
    assert conversion.sessions[-1].reasons == (
        "Race day: run forward, as planned.",
        "It falls inside your backward block: race forward only with your therapist's agreement.",
    )
    record = conversion.sessions[-1]
    assert (record.backward_s, record.forward_s, record.left_out_s) == (0, record.source_s, 0)
    assert record.source_s == round(21.1 * 310)
    assert any(n == "Your race on 2027-01-31 is run forward." for n in plan.notes)
    assert plan.cleared_by_doctor is False and plan.goal is Goal.KNEE_REHAB


def test_walk_week_reasons_and_capping_are_said() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    intervals = conversion.sessions[0]
    assert intervals.source_s == 6 * (60 + 90) + 6 * 0 + round(400 * 270 / 1000) * 6 - 6 * 60
    assert intervals.backward_s == 600 and intervals.left_out_s == intervals.source_s - 600
    reasons = " ".join(intervals.reasons)
    assert "Week 1 is a walk week: backward walking" in reasons
    assert (
        "Backward time held to 10:00 this week (plan rules: 10:00 in week 1, at most +15 % a week)"
        in reasons
    )
    assert "left out" in reasons
    assert "Distances became time at your own pace" in reasons
    assert BACKWARD_SPEED_SHARE == (0.6, 0.8)
    assert "about 60–80 % of the distance in the same time" in reasons
    easy = conversion.sessions[2]
    assert easy.title == "Easy run" and easy.source_s == 2400
    assert not any("Distances" in r for r in easy.reasons)
    assert not any("Backward running limited" in r for r in easy.reasons)  # a walk week


def test_running_weeks_say_what_holds_the_running_back() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    week4 = [c for c in conversion.sessions if c.week == 4]
    intervals = week4[0]
    reasons = " ".join(intervals.reasons)
    assert "Backward running limited to 2:00 this week" in reasons
    assert "Hard running held at effort 4/10" in reasons  # an easier week: one lower
    assert "walk week" not in reasons
    workout = conversion.plan.sessions[
        [s.date for s in conversion.plan.sessions].index(intervals.date)
    ]
    notes = " ".join(workout.workout.notes)
    assert "Go by effort and heart rate, not pace" in notes
    assert "hard effort 4/10, heart rate 166–184 bpm" in notes  # age 34: 184 at most
    long_run = [s for s in conversion.plan.sessions if s.week == 4][-1].workout
    assert "easy effort 3/10, heart rate 135–150 bpm" in " ".join(long_run.notes)  # the plan's
    held = {c.title: any("Hard running held" in r for r in c.reasons) for c in week4}
    assert held == {"Intervals": True, "Tempo": True, "Easy run": False, "Long run": False}
    week5 = {c.title: c.reasons for c in conversion.sessions if c.week == 5}
    assert any("Hard running held at effort 5/10" in r for r in week5["Tempo"])
    assert not any("Hard running held" in r for r in week5["Easy run"])
    week6 = {c.title: c.reasons for c in conversion.sessions if c.week == 6}  # the fast week
    assert not any("Hard running held" in r for r in week6["Tempo"])


def test_hills_are_done_on_the_level() -> None:
    forward = plan_of([read_workout(day(1, 1), "Hills", "8x 60s hill hard / 90s easy walk")], [])
    conversion = convert_plan(forward, REHAB, SCREENING, ConvertMode.ALL)
    assert any("Hills done on the level" in r for r in conversion.sessions[0].reasons)
    flat = plan_of([read_workout(day(1, 1), "Flat", "8x 60s hard / 90s easy walk")], [])
    again = convert_plan(flat, REHAB, SCREENING, ConvertMode.ALL)
    assert not any("Hills" in r for r in again.sessions[0].reasons)


def test_a_session_within_the_allowance_is_all_backward() -> None:
    forward = plan_of([read_workout(day(1, 1), "Short", "8m easy")], [])
    conversion = convert_plan(forward, REHAB, SCREENING, ConvertMode.ALL)
    (record,) = conversion.sessions
    assert record.treatment is Treatment.BACKWARD and record.left_out_s == 0
    assert record.backward_s == 480 and record.forward_s == 0
    workout = conversion.plan.sessions[0].workout
    assert workout.spotting == SPOTTING_SETUP
    assert [s.duration_s for s in workout.steps] == [WARM_UP_S, *[120, 60] * 3, 120, COOL_DOWN_S]
    assert workout.notes[0] == "Where: a slow treadmill, hands near the handrails."
    assert workout.notes[-1] == "Your plan: Short: 8m easy"


def test_mix_puts_the_easiest_runs_backward_and_splits_the_rest_forward() -> None:
    conversion = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.MIX)
    week1 = [c for c in conversion.sessions if c.week == 1]
    assert [(c.title, c.treatment) for c in week1] == [
        ("Intervals", Treatment.FORWARD),
        ("Tempo", Treatment.FORWARD),
        ("Easy run", Treatment.SPLIT),
        ("Long run", Treatment.SPLIT),
    ]
    easy = week1[2]
    assert (easy.backward_s, easy.forward_s, easy.left_out_s) == (600, 1800, 0)
    assert any("forward as written" in r for r in easy.reasons)
    workout = conversion.plan.sessions[2].workout
    assert workout.title == "Week 1: Easy run, backward on track (part forward)"
    forward_main = [s for s in workout.steps if s.kind is StepKind.MAIN and not s.is_backward]
    assert [(s.duration_s, s.rpe, s.mode) for s in forward_main] == [(1800, 4, Mode.RUN)]
    kept = conversion.plan.sessions[0].workout
    assert kept.title == "Week 1: Intervals (forward)" and not kept.has_backward
    assert kept.notes == (
        "Your plan: Intervals: 10m warm-up easy, 400mtr hard @ 4:30/km, "
        "90s jog, 400mtr hard @ 4:30/km, 90s jog, 400mtr hard @ 4:30/km, 90s jog, "
        "400mtr hard @ 4:30/km, 90s jog, 400mtr hard @ 4:30/km, 90s jog, "
        "400mtr hard @ 4:30/km",
    )
    assert kept.steps[0].setting is Setting.USUAL_ROUTE and kept.steps[0].duration_s == 600
    assert kept.steps[0].mode is Mode.RUN  # the plan's own warm-up is a jog
    assert {s.setting for s in kept.steps} == {Setting.USUAL_ROUTE}
    assert not any("pain" in n for n in kept.notes)
    assert "the easiest runs of each week are backward" in " ".join(conversion.plan.notes)


def test_mix_backward_days_are_chosen_by_ease() -> None:
    one = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.MIX, backward_days=1)
    assert [c.title for c in one.sessions if c.week == 1 and c.treatment is Treatment.SPLIT] == [
        "Easy run"
    ]
    three = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.MIX, backward_days=3)
    assert [c.title for c in three.sessions if c.week == 1 and c.backward_s] == [
        "Tempo",
        "Easy run",
        "Long run",
    ]


def test_all_mode_brings_forward_running_back_after_the_block() -> None:
    forward = half_marathon(weeks=8)
    conversion = convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, weeks=5)
    assert conversion.block_weeks == 5 and len(conversion.plan.weeks) == 8
    by_week = {
        week: [
            c.title
            for c in conversion.sessions
            if c.week == week and c.treatment is Treatment.FORWARD
        ]
        for week in (5, 6, 7, 8)
    }
    assert by_week == {
        5: [],
        6: ["Easy run"],
        7: ["Easy run", "Long run"],
        8: ["Intervals", "Tempo", "Easy run"],
    }
    # The return weeks say so: the progression engine holds them to the pain gate.
    assert [w.phase for w in conversion.plan.weeks][4:] == [Phase.RUN] + [Phase.RETURN] * 3
    mixed = convert_plan(forward, RUNNER, SCREENING, ConvertMode.MIX, weeks=5)
    assert Phase.RETURN not in {w.phase for w in mixed.plan.weeks}
    gate = next(c for c in conversion.sessions if c.treatment is Treatment.FORWARD)
    assert f"pain stayed at {PAIN_GATE}/10 or less" in gate.reasons[0]
    assert "week 1 after the block" in gate.reasons[0]
    assert "Weeks 6–8 bring forward running back" in " ".join(conversion.plan.notes)
    race = conversion.sessions[-1]
    assert race.treatment is Treatment.RACE and race.reasons == (
        "Race day: run forward, as planned.",
    )


def test_a_race_date_given_ends_the_plan_there() -> None:
    forward = half_marathon(weeks=8, race=False)
    race = day(7, 6)
    conversion = convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, weeks=5, race=race)
    assert conversion.race_date == race and len(conversion.plan.weeks) == 7
    after = [x for x in conversion.left_out if x.reason == "after your race"]
    assert [x.date for x in after] == [day(8, 1), day(8, 3), day(8, 5), day(8, 6)]


def test_without_a_race_the_return_runs_to_the_last_run() -> None:
    forward = half_marathon(weeks=10, race=False)
    conversion = convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, weeks=6)
    assert conversion.race_date is None and len(conversion.plan.weeks) == 10
    assert not any("Your race" in n for n in conversion.plan.notes)


def test_mix_leaves_out_what_comes_after_its_weeks() -> None:
    forward = half_marathon(weeks=10, race=False)
    conversion = convert_plan(forward, RUNNER, SCREENING, ConvertMode.MIX, weeks=8)
    assert len(conversion.plan.weeks) == 8
    late = [x for x in conversion.left_out if x.reason == "after the plan's 8 weeks"]
    assert len(late) == 8


def test_left_out_reasons() -> None:
    workouts = [
        read_workout(day(1, 0), "Early run", "30m easy"),
        read_workout(day(1, 1), "Run", "30m easy"),
        read_workout(day(1, 1), "Second run", "20m easy"),
        read_workout(day(1, 2), "Strength", ""),
        read_workout(day(1, 3), "Rest", ""),
    ]
    conversion = convert_plan(
        plan_of(workouts, ["x.pdf: not read"]),
        RUNNER,
        SCREENING,
        ConvertMode.ALL,
        start=day(1, 1),
        weeks=4,
    )
    assert [(x.title, x.reason) for x in conversion.left_out] == [
        ("Early run", "before the backward plan starts"),
        (
            "Second run",
            "a second run that day: one session a day (our reasoning: a new movement needs rest)",
        ),
        ("Strength", "not a run: do it as your plan says"),
        ("Rest", REST_DAY),
    ]
    assert conversion.reading_notes == ("x.pdf: not read",)
    assert conversion.plan.start == day(1, 1)


def test_a_very_long_forward_plan_stops_at_the_longest_plan() -> None:
    workouts = [
        read_workout(START, "Run", "30m easy"),
        read_workout(START + timedelta(weeks=60), "Run", "30m easy"),
    ]
    conversion = convert_plan(plan_of(workouts, []), RUNNER, SCREENING, ConvertMode.ALL, weeks=4)
    assert len(conversion.plan.weeks) == 52
    assert conversion.left_out[0].reason == "beyond the longest plan (52 weeks)"


def test_free_text_is_converted_as_an_easy_run_and_said() -> None:
    free = ForwardWorkout(day(1, 1), "Fartlek", free_text="Play with the pace by feel")
    conversion = convert_plan(plan_of([free], []), REHAB, SCREENING, ConvertMode.ALL)
    (record,) = conversion.sessions
    assert record.free_text and record.source_s == 45 * 60 - WARM_UP_S - COOL_DOWN_S
    assert record.reasons[0] == (
        "Free text, read as an easy run of 35:00: your plan said “Play with the pace by feel”. "
        "Check it with your coach or therapist."
    )
    notes = conversion.plan.sessions[0].workout.notes
    assert notes[-1] == "Your plan: Fartlek: Play with the pace by feel"
    assert conversion.plan.notes[-1] == (
        "Sessions capped: 1; split: 0; read from free text: 1; workouts left out: 0 (each "
        "listed with why)."
    )


def test_conversion_counts_in_the_notes() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    assert conversion.plan.notes[-1] == (
        "Sessions capped: 31; split: 0; read from free text: 0; workouts left out: 8 (each "
        "listed with why)."
    )
    assert "every run of weeks 1–8 is backward" in conversion.plan.notes[-4]
    mixed = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.MIX)
    assert mixed.plan.notes[-1].startswith("Sessions capped: 0; split: 16; read from free text: 0")


def test_a_balance_yes_keeps_every_week_in_safe_places() -> None:
    conversion = convert_plan(half_marathon(), REHAB, BALANCE, ConvertMode.ALL)
    assert conversion.plan.safe_weeks == 8 and conversion.plan.cleared_by_doctor
    for session in conversion.plan.sessions:
        assert all(s.setting in SAFE_SETTINGS for s in session.workout.steps if s.is_backward)


def test_treadmill_running_has_belt_speeds() -> None:
    treadmill_only = Profile(
        62, 34, Experience.REGULAR, Goal.FITNESS, weekdays_for(4), 45, True, False, False
    )
    conversion = convert_plan(half_marathon(), treadmill_only, SCREENING, ConvertMode.ALL, weeks=8)
    running = [
        s
        for session in conversion.plan.sessions
        for s in session.workout.steps
        if s.is_backward and s.mode is Mode.RUN and s.setting is Setting.TREADMILL
    ]
    assert running and {s.speed_m_s for s in running} == {TREADMILL_BACKWARD_RUN_M_S}


def test_runners_warm_up_jogging_in_running_weeks() -> None:
    forward = plan_of([read_workout(day(w, 1), "Run", "30m easy") for w in (1, 4)], [])
    conversion = convert_plan(
        forward,
        Profile(
            62, 34, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(4), 45, False, True, False
        ),
        SCREENING,
        ConvertMode.ALL,
    )
    walk_week, run_week = (s.workout.steps[0] for s in conversion.plan.sessions)
    assert walk_week.mode is Mode.WALK and run_week.mode is Mode.RUN
    novice = Profile(
        62, 34, Experience.NON_RUNNER, Goal.KNEE_REHAB, weekdays_for(4), 45, False, True, False
    )
    forward = plan_of([read_workout(day(6, 1), "Run", "30m easy")], [])
    late = convert_plan(forward, novice, SCREENING, ConvertMode.ALL, start=START)
    assert late.plan.sessions[0].workout.steps[0].mode is Mode.WALK


# --- refusals ------------------------------------------------------------------------------------


def test_refusals() -> None:
    forward = half_marathon()
    with pytest.raises(NotReady):
        convert_plan(forward, REHAB, None, ConvertMode.ALL)
    with pytest.raises(NotReady):
        needs = Screening(
            date(2026, 11, 1), {**dict.fromkeys(QUESTION_IDS, False), "chest_pain": True}
        )
        convert_plan(forward, REHAB, needs, ConvertMode.ALL)
    with pytest.raises(InvalidInput, match="no running workout"):
        convert_plan(
            plan_of([read_workout(START, "Rest", "")], []), REHAB, SCREENING, ConvertMode.ALL
        )
    with pytest.raises(InvalidInput, match="--backward-days is for --mode mix"):
        convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, backward_days=2)
    for days in (0, MAX_MIXED_BACKWARD_DAYS + 1):
        with pytest.raises(InvalidInput, match="1–3 backward sessions a week"):
            convert_plan(forward, RUNNER, SCREENING, ConvertMode.MIX, backward_days=days)
    for days in (1, MAX_MIXED_BACKWARD_DAYS):
        convert_plan(forward, RUNNER, SCREENING, ConvertMode.MIX, backward_days=days)
    with pytest.raises(InvalidInput, match="leave out --weeks"):
        convert_plan(forward, REHAB, SCREENING, ConvertMode.ALL, weeks=6)
    with pytest.raises(InvalidInput, match="4–52 weeks"):
        convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, weeks=3)


def test_phase_of_the_weeks() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    phases = [w.phase for w in conversion.plan.weeks]
    assert phases == [Phase.WALK] * 3 + [Phase.RUN] * 5
    assert [w.easier for w in conversion.plan.weeks] == [False, False, False, True] * 2
    assert [w.safe_setting_only for w in conversion.plan.weeks] == [True] * 4 + [False] * 4
    week1 = conversion.plan.weeks[0]
    assert week1.backward_minutes == 40.0 and week1.start == day(1, 1)


# --- what each session says, word for word --------------------------------------------------

WALK_WEEK_1 = (
    "Week 1 is a walk week: backward walking, whatever the plan says (the article: walk, don't "
    "run, the first few weeks)."
)
DISTANCES = (
    "Distances became time at your own pace: backward you cover about 60–80 % of the distance "
    "in the same time (Sterzing 2016), so keep the time."
)


def test_the_reasons_word_for_word() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    assert conversion.sessions[0].reasons == (
        WALK_WEEK_1,
        "Backward time held to 10:00 this week (plan rules: 10:00 in week 1, at most +15 % a "
        "week): 9:48 of your 19:48 left out.",
        DISTANCES,
    )
    week4 = next(c for c in conversion.sessions if c.week == 4)
    assert week4.reasons == (
        "Backward time held to 9:00 this week (plan rules: 10:00 in week 1, at most +15 % a "
        "week): 10:48 of your 19:48 left out.",
        "Backward running limited to 2:00 this week (the Guardian 2006 protocol: short runs "
        "first, growing 2 minutes a week); the rest backward walking.",
        "Hard running held at effort 4/10: fast backward running comes from running week 3, "
        "and never all-out.",
        DISTANCES,
    )
    session = next(s for s in conversion.plan.sessions if s.date == week4.date)
    assert session.workout.notes[-2] == (
        "Go by effort and heart rate, not pace (backward, heart rate is higher at the same "
        "speed): hard effort 4/10, heart rate 166–184 bpm."
    )


def test_the_split_reason_word_for_word() -> None:
    conversion = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.MIX)
    easy = next(c for c in conversion.sessions if c.treatment is Treatment.SPLIT)
    assert easy.reasons == (
        WALK_WEEK_1,
        "Backward time held to 10:00 this week (plan rules: 10:00 in week 1, at most +15 % a "
        "week): 30:00 of your 40:00 forward as written.",
    )


def test_the_hill_reason_word_for_word() -> None:
    forward = plan_of([read_workout(day(1, 1), "Hills", "4x 60s hill hard / 90s easy walk")], [])
    conversion = convert_plan(forward, REHAB, SCREENING, ConvertMode.ALL)
    assert conversion.sessions[0].reasons == (
        WALK_WEEK_1,
        "Hills done on the level at the same effort: backward places are level (treadmill with "
        "handrails, track, flat path), and incline comes only after speed (Shen 2021).",
    )


def test_every_intensity_run_backward_gets_its_effort_and_heart_rate() -> None:
    forward = plan_of(
        [read_workout(day(6, 1), "Mixed", "1m tempo, 1m easy 120-130bpm, 1m tempo, 3m easy walk")],
        [],
    )
    conversion = convert_plan(forward, REHAB, SCREENING, ConvertMode.ALL, start=START)
    notes = conversion.plan.sessions[0].workout.notes
    assert notes[-2] == (
        "Go by effort and heart rate, not pace (backward, heart rate is higher at the same "
        "speed): tempo effort 6/10, heart rate 147–166 bpm; easy effort 4/10, heart rate "
        "120–130 bpm."
    )
    steps = conversion.plan.sessions[0].workout.steps
    running = {(s.rpe, s.heart_rate_bpm) for s in steps if s.is_backward and s.mode is Mode.RUN}
    assert running == {(6, (147, 166)), (4, (120, 130))}  # the step targets, as in the notes
    assert all(s.heart_rate_bpm is None for s in steps if s.mode is Mode.WALK)
    assert not any("Backward running limited" in r for r in conversion.sessions[0].reasons)
    assert not any("Hard running held" in r for r in conversion.sessions[0].reasons)


def test_a_walk_week_session_says_only_where_why_and_what_the_plan_said() -> None:
    forward = plan_of([read_workout(day(1, 1), "Short", "8m easy")], [])
    conversion = convert_plan(forward, REHAB, SCREENING, ConvertMode.ALL)
    assert conversion.plan.sessions[0].workout.notes == (
        "Where: a slow treadmill, hands near the handrails.",
        WALK_WEEK_1,
        "Your plan: Short: 8m easy",
    )


def test_titles_are_short_and_never_empty() -> None:
    steps = (ForwardStep(Part.MAIN, None, 600),)
    long_title = "A" * 70
    workouts = [ForwardWorkout(day(1, 1), "", steps), ForwardWorkout(day(1, 2), long_title, steps)]
    conversion = convert_plan(plan_of(workouts, []), REHAB, SCREENING, ConvertMode.ALL)
    first, second = (s.workout for s in conversion.plan.sessions)
    assert first.title == "Week 1: Run, backward on treadmill-with-handrails"
    assert not any("Your plan" in n for n in first.notes)  # no title, no words: no quote
    assert second.notes[-1] == f"Your plan: {long_title}"
    words = ForwardWorkout(day(1, 3), "", (ForwardStep(Part.MAIN, None, 600, words="10m"),))
    quoted = convert_plan(plan_of([words], []), REHAB, SCREENING, ConvertMode.ALL)
    assert quoted.plan.sessions[0].workout.notes[-1] == "Your plan: 10m"
    assert second.title == f"Week 1: {'A' * 59}…, backward on treadmill-with-handrails"


def test_long_free_text_is_quoted_up_to_120_characters() -> None:
    words = "x" * 121
    free = ForwardWorkout(day(1, 1), "Fartlek", free_text=words, free_text_s=600)
    conversion = convert_plan(plan_of([free], []), REHAB, SCREENING, ConvertMode.ALL)
    quoted = "x" * 119 + "…"
    assert conversion.sessions[0].reasons[0] == (
        f"Free text, read as an easy run of 10:00: your plan said “{quoted}”. Check it with your "
        "coach or therapist."
    )


def test_a_title_of_exactly_sixty_characters_is_kept_whole() -> None:
    title = "B" * 60
    workout = ForwardWorkout(day(1, 1), title, (ForwardStep(Part.MAIN, None, 600),))
    conversion = convert_plan(plan_of([workout], []), REHAB, SCREENING, ConvertMode.ALL)
    assert conversion.plan.sessions[0].workout.title.startswith(f"Week 1: {title},")


def test_backward_running_in_a_very_long_plan_keeps_whole_minutes() -> None:
    late = WeekShape(40, walk_weeks=3, safe_weeks=4)  # running week 37: 74 minutes allowed
    assert backward_run_seconds(late, 100_000) == 74 * 60


def test_steady_running_is_not_held_back() -> None:
    forward = plan_of([read_workout(day(3, 1), "Steady", "3m steady")], [])
    conversion = convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, start=START, weeks=8)
    (record,) = conversion.sessions
    assert not any("Hard running held" in r for r in record.reasons)
    running = [s for s in conversion.plan.sessions[0].workout.steps if s.mode is Mode.RUN]
    assert any(s.is_backward and s.rpe == 5 for s in running)


def test_a_race_on_the_first_day_is_the_race() -> None:
    forward = plan_of([read_workout(START, "Parkrun race", "5km race")], [])
    conversion = convert_plan(forward, RUNNER, SCREENING, ConvertMode.ALL, weeks=4)
    assert conversion.race_date == START and conversion.sessions[0].treatment is Treatment.RACE


def test_a_one_second_warm_up_of_the_plan_is_still_a_jog() -> None:
    steps = (ForwardStep(Part.WARM_UP, None, 1), ForwardStep(Part.MAIN, None, 600))
    easy = ForwardWorkout(day(1, 2), "Easy", (ForwardStep(Part.MAIN, None, 60),))
    forward = plan_of([ForwardWorkout(day(1, 1), "Run", steps), easy], [])
    mixed = convert_plan(forward, RUNNER, SCREENING, ConvertMode.MIX, backward_days=1)
    kept = next(s for s in mixed.plan.sessions if not s.workout.has_backward).workout
    assert kept.steps[0].mode is Mode.RUN and kept.steps[0].duration_s == 1


def test_the_split_forward_part_on_a_treadmill_has_the_runners_speed() -> None:
    treadmill = Profile(
        62, 34, Experience.REGULAR, Goal.FITNESS, weekdays_for(4), 45, True, False, False
    )
    conversion = convert_plan(half_marathon(), treadmill, SCREENING, ConvertMode.MIX)
    split = next(s for s in conversion.plan.sessions if "(part forward)" in s.workout.title)
    forward_main = [s for s in split.workout.steps if s.kind is StepKind.MAIN and not s.is_backward]
    easy = runner_paces(half_marathon(), Experience.REGULAR).speed_m_s[Intensity.EASY]
    assert forward_main and {s.speed_m_s for s in forward_main} == {round(easy, 2)}


def test_after_the_safe_weeks_every_other_backward_session_moves_to_a_path() -> None:
    conversion = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.ALL, weeks=8)
    assert conversion.plan.safe_weeks == 3
    week5 = [s.workout for s in conversion.plan.sessions if s.week == 5]
    places = [next(st.setting for st in w.steps if st.is_backward) for w in week5]
    assert places == [Setting.TRACK, Setting.PATH, Setting.TRACK, Setting.PATH]


def test_the_plans_own_notes_come_first() -> None:
    conversion = convert_plan(half_marathon(), REHAB, SCREENING, ConvertMode.ALL)
    from retrorun.core.plan import plan_notes

    general = plan_notes(REHAB, SCREENING, 3, 4, 8)
    assert conversion.plan.notes[: len(general)] == general
    assert conversion.plan.notes[len(general) :] == (
        "Converted from your forward plan: every run of weeks 1–8 is backward (the article's "
        "client ran all her workouts backward for eight weeks on her therapist's advice), "
        "walking only in weeks 1–3.",
        "Your race on 2027-01-31 is run forward.",
        "Sessions keep your plan's time, not its distance, and pace targets became effort and "
        "heart rate: backward is slower at the same effort.",
        "Sessions capped: 31; split: 0; read from free text: 0; workouts left out: 8 (each "
        "listed with why).",
    )


def test_mix_and_return_notes_word_for_word() -> None:
    mixed = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.MIX)
    assert (
        "Converted from your forward plan: the easiest runs of each week are backward, the rest "
        "forward as written (the article: mix backward days in for muscle balance)."
    ) in mixed.plan.notes
    back = convert_plan(half_marathon(), RUNNER, SCREENING, ConvertMode.ALL, weeks=5)
    assert (
        "Weeks 6–8 bring forward running back: one more run forward each week, the easiest "
        "first, only while pain stays at 2/10 or less and settles by the next morning."
    ) in back.plan.notes
    gate = next(c for c in back.sessions if c.treatment is Treatment.FORWARD)
    assert gate.reasons == (
        "Back to forward running, week 1 after the block: run it forward only if pain stayed at "
        "2/10 or less during and after your last runs and settled by the next morning (Thomeé "
        "1997; Silbernagel 2007); otherwise do it backward, as in the block's last week.",
    )
