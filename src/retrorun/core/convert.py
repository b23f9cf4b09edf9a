"""From a runner's own forward plan to an ordinary retrorun plan with backward sessions.

The article's first story: a runner with knee pain was told by her physical therapist to do all
her normal running workouts backward for eight weeks while she prepared for a race (SCIENCE.md
section 1). `ConvertMode.ALL` is that prescription; `ConvertMode.MIX` puts a few backward
sessions into the forward plan for balance and variety (the article: mix backward days in).

The converted plan keeps every rule of `core.plan`, reused from there rather than copied: the
walk weeks (backward walking whatever the forward plan says), the safe settings first, the
backward time a session may hold each week (+15 % a week at most, an easier week every 4th),
backward walking blocks and backward running intervals with forward recoveries between, a
forward warm-up and cool-down. Within those, a converted session keeps the forward session's
time, not its distance (backward covers about 0.6–0.8 of the distance at the same effort,
SCIENCE.md section 3), and its pace targets become effort and heart rate. Whatever a rule cuts
is said with the session, with the reason.

Pure: the forward plan, the profile, the screening and the dates come in; a `Conversion` goes
out, with nothing read or written.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from retrorun.core.forward_plan import (
    INTENSITY_ORDER,
    ForwardPlan,
    ForwardStep,
    ForwardWorkout,
    Intensity,
    Part,
    Sport,
)
from retrorun.core.plan import (
    EASY_FORWARD_JOG_M_S,
    FIRST_RUN_MINUTES,
    GROWTH_CAP,
    MAX_MIXED_BACKWARD_DAYS,
    MAX_RUN_SHARE,
    MAX_WEEKS,
    MIN_SAFE_WEEKS,
    RECOVERY_S,
    RPE_BACKWARD_RUN,
    RPE_FORWARD_RUN,
    RPE_RECOVERY,
    RUN_MINUTES_PER_WEEK,
    TREADMILL_FORWARD_WALK_M_S,
    VOLUME_UNIT_S,
    Phase,
    Plan,
    Week,
    WeekShape,
    backward_run_intervals,
    backward_setting,
    backward_target_seconds,
    backward_walk_blocks,
    cool_down,
    first_week_backward_seconds,
    main_seconds,
    plan_length,
    plan_notes,
    walk_phase_weeks,
    warm_up,
)
from retrorun.core.profile import Experience, Profile
from retrorun.core.screening import Screening, check_plan_allowed
from retrorun.core.units import M_PER_KM, format_duration
from retrorun.core.workout import (
    SETTING_WORDS,
    SPOTTING_SETUP,
    Direction,
    Mode,
    Session,
    Setting,
    Step,
    StepKind,
    Workout,
)
from retrorun.errors import InvalidInput

# --- Conversion constants, each with its source ---------------------------------------------

# Stored with the conversion, so a converted plan can say which rules made it.
CONVERT_RULES_VERSION = "convert-rules-2026.12.01.2"

# Effort on Borg's CR10 scale for each intensity of the forward plan. Easy is the plan's own
# usual easy run (core.plan RPE_FORWARD_RUN); the others one step apart (our reasoning).
RPE_BY_INTENSITY: dict[Intensity, int] = {
    Intensity.RECOVERY: 2,
    Intensity.EASY: RPE_FORWARD_RUN,
    Intensity.STEADY: 5,
    Intensity.TEMPO: 6,
    Intensity.HARD: 7,
}
# Backward running stays at the plan's backward-running effort (RPE_BACKWARD_RUN) until this
# running week, the week core.plan moves from one- to two-minute intervals; after it at most
# MAX_BACKWARD_RPE (our reasoning: no all-out backward sprints, a fall costs more the faster).
FAST_FROM_RUNNING_WEEK = 3
MAX_BACKWARD_RPE = 7

# When the plan gives no pace of its own: a forward easy speed by running background (our
# reasoning: non-runners jog at the plan's slow jog, EASY_FORWARD_JOG_M_S, 7:56 min/km;
# occasional runners about 7:00, regular runners about 6:00 min/km).
DEFAULT_EASY_SPEED_M_S: dict[Experience, float] = {
    Experience.NON_RUNNER: EASY_FORWARD_JOG_M_S,
    Experience.OCCASIONAL: 2.4,
    Experience.REGULAR: 2.8,
}
# Forward speed of each intensity relative to easy (our reasoning, near the ratios of Daniels'
# training-pace tables [M]: marathon ≈ 1.12, threshold ≈ 1.2, interval ≈ 1.3 × easy speed).
SPEED_FACTOR: dict[Intensity, float] = {
    Intensity.RECOVERY: 0.9,
    Intensity.EASY: 1.0,
    Intensity.STEADY: 1.12,
    Intensity.TEMPO: 1.2,
    Intensity.HARD: 1.3,
}
# Backward speed is about 0.6–0.8 × forward at the same effort; studies set 70 % (SCIENCE.md
# section 3, Sterzing et al. 2016). Said with every session that had a distance.
BACKWARD_SPEED_SHARE = (0.6, 0.8)

# Heart rate for each intensity as a share of maximum heart rate: the five-zone model most
# watches use [M]; maximum heart rate 208 − 0.7 × age (Tanaka et al. 2001, J Am Coll Cardiol
# 37(1):153–6 [M]). Backward, heart rate is higher at the same speed (Flynn 1994; Chaloupka
# 1997), so heart rate and effort, not pace, are the targets.
HR_MAX_INTERCEPT, HR_MAX_PER_YEAR = 208.0, 0.7
HR_SHARE: dict[Intensity, tuple[float, float]] = {
    Intensity.RECOVERY: (0.50, 0.60),
    Intensity.EASY: (0.60, 0.70),
    Intensity.STEADY: (0.70, 0.80),
    Intensity.TEMPO: (0.80, 0.90),
    Intensity.HARD: (0.90, 1.00),
}

# Return to forward running after the backward block: one more run forward each week, the
# easiest first (our reasoning), and only while pain stays in the safe band (0–2/10, Thomeé
# 1997 [M]) and settles by the next morning (Silbernagel et al. 2007 [C]).
PAIN_GATE = 2


REST_DAY = "a rest day"


class ConvertMode(StrEnum):
    ALL = "all"  # every running workout backward: the rehab prescription
    MIX = "mix"  # some backward sessions a week, the rest forward


class Treatment(StrEnum):
    """What became of a forward running workout."""

    BACKWARD = "backward"  # all of it backward
    CAPPED = "capped"  # backward, with what the week does not allow left out
    SPLIT = "split"  # part backward, the rest forward as written
    FORWARD = "forward"  # forward as written
    RACE = "race"  # the race itself: forward


@dataclass(frozen=True)
class Segment:
    """A stretch of a forward workout's main part, timed: so long, this hard."""

    seconds: int
    intensity: Intensity
    hill: bool = False
    walk: bool = False
    heart_rate_bpm: tuple[int, int] | None = None


@dataclass(frozen=True)
class Shape:
    """A forward workout in time: warm-up, main segments, cool-down (0: the plan has none)."""

    warm_up_s: int
    main: tuple[Segment, ...]
    cool_down_s: int
    had_distance: bool

    @property
    def main_s(self) -> int:
        return sum(segment.seconds for segment in self.main)

    @property
    def hardest(self) -> int:
        return max((INTENSITY_ORDER.index(s.intensity) for s in self.main), default=0)


@dataclass(frozen=True)
class Paces:
    """The runner's forward speed for each intensity, and which came from their own plan."""

    speed_m_s: Mapping[Intensity, float]
    own: frozenset[Intensity]


@dataclass(frozen=True)
class ConvertedSession:
    """A forward running workout and what became of it, in seconds of its main part."""

    date: date
    week: int
    title: str
    treatment: Treatment
    free_text: bool
    source_s: int
    backward_s: int
    forward_s: int
    left_out_s: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LeftOut:
    """A workout of the forward plan that is not a session of the converted plan, and why."""

    date: date
    title: str
    reason: str


@dataclass(frozen=True)
class Conversion:
    plan: Plan
    mode: ConvertMode
    block_weeks: int
    race_date: date | None
    sessions: tuple[ConvertedSession, ...]
    left_out: tuple[LeftOut, ...]
    reading_notes: tuple[str, ...]
    rules_version: str = CONVERT_RULES_VERSION


@dataclass(frozen=True)
class _Setup:
    """What every session of one conversion needs."""

    profile: Profile
    paces: Paces
    mode: ConvertMode
    block_weeks: int
    walk_weeks: int
    safe_weeks: int
    first_s: int
    race_date: date | None


# --- Paces, intensities and time ----------------------------------------------------------------


def runner_paces(forward: ForwardPlan, experience: Experience) -> Paces:
    """The runner's speed per intensity: their plan's own paces where it gives them.

    An intensity the plan never gives a pace for takes the runner's easy speed times its
    factor; the easy speed is their own, else worked back from their other paces, else the
    default for their running background.
    """
    said: dict[Intensity, list[float]] = {}
    for workout in forward.runs:
        for step in workout.steps:
            if step.intensity is not None and step.pace_s_per_km is not None:
                said.setdefault(step.intensity, []).append(M_PER_KM / step.pace_s_per_km)
    own = {intensity: statistics.median(speeds) for intensity, speeds in said.items()}
    if Intensity.EASY in own:
        easy = own[Intensity.EASY]
    elif own:
        easy = statistics.median(speed / SPEED_FACTOR[i] for i, speed in own.items())
    else:
        easy = DEFAULT_EASY_SPEED_M_S[experience]
    speeds = {i: own.get(i, easy * SPEED_FACTOR[i]) for i in INTENSITY_ORDER}
    return Paces(speeds, frozenset(own))


def intensity_from_pace(pace_s_per_km: float, easy_speed_m_s: float) -> Intensity:
    """A step with only a pace: the intensity whose speed factor lies nearest its speed."""
    ratio = M_PER_KM / pace_s_per_km / easy_speed_m_s
    for slower, faster in pairwise(INTENSITY_ORDER):
        if ratio < (SPEED_FACTOR[slower] + SPEED_FACTOR[faster]) / 2:
            return slower
    return Intensity.HARD


def step_intensity(step: ForwardStep, paces: Paces) -> Intensity:
    """The plan's word for it; else what its pace says; else easy."""
    if step.intensity is not None:
        return step.intensity
    if step.pace_s_per_km is not None:
        return intensity_from_pace(step.pace_s_per_km, paces.speed_m_s[Intensity.EASY])
    return Intensity.EASY


def step_seconds(step: ForwardStep, intensity: Intensity, paces: Paces) -> int:
    """A step's time: as written, or its distance at the step's own pace or the runner's."""
    if step.duration_s is not None:
        return step.duration_s
    if step.pace_s_per_km is not None:
        speed = M_PER_KM / step.pace_s_per_km
    elif step.walk:
        speed = TREADMILL_FORWARD_WALK_M_S
    else:
        speed = paces.speed_m_s[intensity]
    return max(1, round((step.distance_m or 0.0) / speed))


def workout_shape(workout: ForwardWorkout, paces: Paces, free_text_s: int) -> Shape:
    """The workout in time. Free text is one easy stretch of its stated time (or `free_text_s`);
    a workout with only a warm-up and cool-down is all main part."""
    if workout.free_text is not None:
        seconds = workout.free_text_s or free_text_s
        return Shape(0, (Segment(seconds, Intensity.EASY),), 0, False)
    timed = [
        (step, step_seconds(step, step_intensity(step, paces), paces)) for step in workout.steps
    ]
    main = [(s, t) for s, t in timed if s.part is Part.MAIN] or timed
    segments = tuple(
        Segment(t, step_intensity(s, paces), s.hill, s.walk, s.heart_rate_bpm) for s, t in main
    )
    edges = len(main) < len(timed)
    warm = sum(t for s, t in timed if s.part is Part.WARM_UP) if edges else 0
    cool = sum(t for s, t in timed if s.part is Part.COOL_DOWN) if edges else 0
    had_distance = any(s.duration_s is None for s in workout.steps)
    return Shape(warm, segments, cool, had_distance)


def heart_rate_range(intensity: Intensity, age_years: int) -> tuple[int, int]:
    """Beats per minute for an intensity at this age (HR_SHARE of Tanaka's maximum)."""
    hr_max = HR_MAX_INTERCEPT - HR_MAX_PER_YEAR * age_years
    low, high = HR_SHARE[intensity]
    return round(hr_max * low), round(hr_max * high)


# --- Weekly allowances --------------------------------------------------------------------


def allowances(first_s: int, weeks: int) -> list[int]:
    """Backward seconds a session may hold in each week, by core.plan's growth rule.

    The chain runs on the allowances themselves, so a week of short forward sessions does not
    hold the later weeks back (their growth is still at most GROWTH_CAP a week).
    """
    found: list[int] = []
    largest = previous = 0
    for number in range(1, weeks + 1):
        target = backward_target_seconds(number, first_s, largest, previous)
        found.append(target)
        previous = target
        if not WeekShape(number, 0, 0).easier:
            largest = max(largest, target)
    return found


def backward_run_seconds(shape: WeekShape, backward_s: int) -> int:
    """Backward running a session may hold: none in walk weeks; then core.plan's split
    (FIRST_RUN_MINUTES, +RUN_MINUTES_PER_WEEK, at most MAX_RUN_SHARE of the backward time,
    whole minutes)."""
    if shape.phase is Phase.WALK:
        return 0
    run_min = FIRST_RUN_MINUTES + RUN_MINUTES_PER_WEEK * (shape.running_week - 1)
    share = int(backward_s * MAX_RUN_SHARE // VOLUME_UNIT_S) * VOLUME_UNIT_S
    return min(run_min * 60, share) // 60 * 60


def effort_cap(shape: WeekShape) -> int:
    """The hardest backward running this week may ask for (see FAST_FROM_RUNNING_WEEK)."""
    return RPE_BACKWARD_RUN if shape.running_week < FAST_FROM_RUNNING_WEEK else MAX_BACKWARD_RPE


def backward_rpe(intensity: Intensity, shape: WeekShape) -> int:
    """Effort for backward running of this intensity this week; one lower in an easier week,
    as core.plan does."""
    rpe = min(RPE_BY_INTENSITY[intensity], effort_cap(shape))
    return rpe - 1 if shape.easier else rpe


# --- Sessions -----------------------------------------------------------------------------


def split_backward(
    main: tuple[Segment, ...], allowance_s: int
) -> tuple[list[Segment], list[Segment]]:
    """The main part cut where the week's backward allowance runs out: before and after."""
    before: list[Segment] = []
    after: list[Segment] = []
    left = allowance_s
    for segment in main:
        take = min(segment.seconds, left)
        left -= take
        if take:
            before.append(replace(segment, seconds=take))
        if segment.seconds > take:
            after.append(replace(segment, seconds=segment.seconds - take))
    return before, after


def run_and_walk(taken: list[Segment], run_s: int) -> list[tuple[Segment, Mode]]:
    """Which backward seconds run and which walk: the running goes to the hardest stretches
    first, so an interval session keeps its character; walking stretches stay walks."""
    order = sorted(range(len(taken)), key=lambda i: (-INTENSITY_ORDER.index(taken[i].intensity), i))
    running: dict[int, int] = {}
    left = run_s
    for index in order:
        running[index] = 0 if taken[index].walk else min(taken[index].seconds, left)
        left -= running[index]
    pieces: list[tuple[Segment, Mode]] = []
    for index, segment in enumerate(taken):
        if running[index]:
            pieces.append((replace(segment, seconds=running[index]), Mode.RUN))
        if segment.seconds > running[index]:
            pieces.append((replace(segment, seconds=segment.seconds - running[index]), Mode.WALK))
    return pieces


def backward_steps(
    profile: Profile, shape: WeekShape, setting: Setting, pieces: list[tuple[Segment, Mode]]
) -> list[Step]:
    """The backward pieces as core.plan's walking blocks and running intervals, with a forward
    recovery wherever two backward steps would otherwise meet."""
    steps: list[Step] = []
    for group in _merged(pieces, shape):
        segment, mode, seconds = group
        if mode is Mode.WALK:
            made = backward_walk_blocks(shape, setting, seconds)
        else:
            rpe = backward_rpe(segment.intensity, shape)
            heart = segment.heart_rate_bpm or heart_rate_range(segment.intensity, profile.age_years)
            made = [
                replace(step, rpe=rpe, heart_rate_bpm=heart) if step.is_backward else step
                for step in backward_run_intervals(profile, shape, setting, seconds)
            ]
        if steps and steps[-1].is_backward and made[0].is_backward:
            steps.append(turnaround(setting))
        steps.extend(made)
    return steps


def _merged(
    pieces: list[tuple[Segment, Mode]], shape: WeekShape
) -> list[tuple[Segment, Mode, int]]:
    """Neighbouring pieces done the same way (walking; running at one effort) as one."""
    groups: list[tuple[Segment, Mode, int]] = []
    for segment, mode in pieces:
        if groups and _same_way(groups[-1][0], groups[-1][1], segment, mode, shape):
            first, _, seconds = groups[-1]
            groups[-1] = (first, mode, seconds + segment.seconds)
        else:
            groups.append((segment, mode, segment.seconds))
    return groups


def _same_way(a: Segment, a_mode: Mode, b: Segment, b_mode: Mode, shape: WeekShape) -> bool:
    if a_mode is not b_mode:
        return False
    return b_mode is Mode.WALK or backward_rpe(a.intensity, shape) == backward_rpe(
        b.intensity, shape
    )


def turnaround(setting: Setting) -> Step:
    """A forward walk between two backward stretches, as between core.plan's walking blocks."""
    speed = TREADMILL_FORWARD_WALK_M_S if setting is Setting.TREADMILL else None
    return Step(
        StepKind.RECOVERY,
        Direction.FORWARD,
        Mode.WALK,
        setting,
        RECOVERY_S,
        RPE_RECOVERY,
        None,
        speed,
    )


def forward_steps(segments: list[Segment], setting: Setting, paces: Paces) -> list[Step]:
    """Forward main steps as the plan wrote them (at the runner's speed on a treadmill)."""
    steps = []
    for segment in segments:
        mode = Mode.WALK if segment.walk else Mode.RUN
        speed = None
        if setting is Setting.TREADMILL:
            walking = TREADMILL_FORWARD_WALK_M_S
            speed = walking if segment.walk else round(paces.speed_m_s[segment.intensity], 2)
        rpe = RPE_BY_INTENSITY[segment.intensity]
        step = Step(
            StepKind.MAIN, Direction.FORWARD, mode, setting, segment.seconds, rpe, None, speed
        )
        steps.append(replace(step, heart_rate_bpm=segment.heart_rate_bpm))
    return steps


def _edges(shape: Shape, setting: Setting, jog: bool) -> tuple[Step, Step]:
    """core.plan's forward warm-up and cool-down, as long as the forward plan's own."""
    first, last = warm_up(setting, jog=jog), cool_down(setting)
    if shape.warm_up_s:
        first = replace(first, duration_s=shape.warm_up_s)
    if shape.cool_down_s:
        last = replace(last, duration_s=shape.cool_down_s)
    return first, last


@dataclass(frozen=True)
class _Built:
    workout: Workout
    treatment: Treatment
    backward_s: int
    forward_s: int
    left_out_s: int
    reasons: tuple[str, ...]


def backward_session(
    setup: _Setup,
    workout: ForwardWorkout,
    shape: Shape,
    week: WeekShape,
    allowance_s: int,
    backward_index: int,
) -> _Built:
    """A forward workout done backward, within what this week allows."""
    profile = setup.profile
    setting = backward_setting(profile, week, backward_index)
    taken, rest = split_backward(shape.main, allowance_s)
    backward_s = sum(s.seconds for s in taken)
    run_s = backward_run_seconds(week, backward_s)
    pieces = run_and_walk(taken, run_s)
    main = backward_steps(profile, week, setting, pieces)
    split = setup.mode is ConvertMode.MIX and bool(rest)
    if split:
        main += forward_steps(rest, setting, setup.paces)
    runner = profile.experience is not Experience.NON_RUNNER and week.phase is Phase.RUN
    first, last = _edges(shape, setting, jog=runner)
    rest_s = sum(s.seconds for s in rest)
    reasons = _backward_reasons(setup, workout, shape, week, allowance_s, taken, pieces, rest_s)
    treatment = Treatment.SPLIT if split else Treatment.CAPPED if rest else Treatment.BACKWARD
    title = f"Week {week.number}: {_short(workout.title)}, backward on {setting.value}"
    notes = [f"Where: {SETTING_WORDS[setting]}.", *reasons, *_effort_notes(setup, pieces, week)]
    notes += [*_plan_words(workout), *workout.notes]
    built = Workout(
        title=title + (" (part forward)" if split else ""),
        steps=(first, *main, last),
        spotting=SPOTTING_SETUP if profile.has_partner else None,
        notes=tuple(notes),
    )
    forward_s = rest_s if split else 0
    left_out_s = 0 if split else rest_s
    return _Built(built, treatment, backward_s, forward_s, left_out_s, tuple(reasons))


def _backward_reasons(
    setup: _Setup,
    workout: ForwardWorkout,
    shape: Shape,
    week: WeekShape,
    allowance_s: int,
    taken: list[Segment],
    pieces: list[tuple[Segment, Mode]],
    rest_s: int,
) -> list[str]:
    """Why the backward session differs from the forward one, one reason a rule."""
    reasons: list[str] = []
    if workout.free_text is not None:
        reasons.append(
            f"Free text, read as an easy run of {format_duration(shape.main_s)}: your plan "
            f"said “{_short(workout.free_text, 120)}”. Check it with your coach or therapist."
        )
    if week.phase is Phase.WALK:
        reasons.append(
            f"Week {week.number} is a walk week: backward walking, whatever the plan says (the "
            "article: walk, don't run, the first few weeks)."
        )
    if rest_s:
        what = "forward as written" if setup.mode is ConvertMode.MIX else "left out"
        reasons.append(
            f"Backward time held to {format_duration(allowance_s)} this week (plan rules: "
            f"{format_duration(setup.first_s)} in week 1, at most +{GROWTH_CAP * 100:.0f} % a "
            f"week): {format_duration(rest_s)} of your {format_duration(shape.main_s)} {what}."
        )
    run_s = sum(s.seconds for s, mode in pieces if mode is Mode.RUN)
    runnable = sum(s.seconds for s in taken if not s.walk)
    if week.phase is Phase.RUN and run_s < runnable:
        reasons.append(
            f"Backward running limited to {format_duration(run_s)} this week (the Guardian 2006"
            " protocol: short runs first, growing 2 minutes a week); the rest backward walking."
        )
    if any(
        mode is Mode.RUN and RPE_BY_INTENSITY[s.intensity] > effort_cap(week) for s, mode in pieces
    ):
        reasons.append(
            f"Hard running held at effort {backward_rpe(Intensity.HARD, week)}/10: fast backward"
            f" running comes from running week {FAST_FROM_RUNNING_WEEK}, and never all-out."
        )
    if any(s.hill for s in taken):
        reasons.append(
            "Hills done on the level at the same effort: backward places are level (treadmill "
            "with handrails, track, flat path), and incline comes only after speed (Shen 2021)."
        )
    if shape.had_distance:
        low, high = BACKWARD_SPEED_SHARE
        reasons.append(
            f"Distances became time at your own pace: backward you cover about {low * 100:.0f}–"
            f"{high * 100:.0f} % of the distance in the same time (Sterzing 2016), so keep the "
            "time."
        )
    return reasons


def _effort_notes(setup: _Setup, pieces: list[tuple[Segment, Mode]], week: WeekShape) -> list[str]:
    """Effort and heart rate for each intensity run backward: the plan's own heart rate where
    it gives one, else the zone for the runner's age. Pace is no target backward."""
    said: dict[Intensity, tuple[int, int]] = {}
    for segment, mode in pieces:
        if mode is Mode.RUN and segment.intensity not in said:
            said[segment.intensity] = segment.heart_rate_bpm or heart_rate_range(
                segment.intensity, setup.profile.age_years
            )
    if not said:
        return []
    parts = [
        f"{i.value} effort {backward_rpe(i, week)}/10, heart rate {low}–{high} bpm"
        for i, (low, high) in said.items()
    ]
    return [
        "Go by effort and heart rate, not pace (backward, heart rate is higher at the same "
        f"speed): {'; '.join(parts)}."
    ]


def forward_session(
    setup: _Setup, workout: ForwardWorkout, shape: Shape, week: int, notes: list[str]
) -> Workout:
    """A forward workout kept forward, on the runner's usual route, with retrorun's steps: the
    plan's own warm-up is a jog; without one, core.plan's forward walk."""
    setting = Setting.USUAL_ROUTE
    first, last = _edges(shape, setting, jog=shape.warm_up_s > 0)
    main = forward_steps(list(shape.main), setting, setup.paces)
    return Workout(
        title=f"Week {week}: {_short(workout.title)} (forward)",
        steps=(first, *main, last),
        form_cues=(),
        notes=(*notes, *_plan_words(workout), *workout.notes),
    )


def _plan_words(workout: ForwardWorkout) -> list[str]:
    """The forward workout in the plan's own words, as a note (none when it has no words)."""
    if workout.free_text is not None:
        words = workout.free_text
    else:
        words = ", ".join(step.words for step in workout.steps[:12] if step.words)
    said = ": ".join(part for part in (workout.title, words) if part)
    return [f"Your plan: {said}"] if said else []


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split()) or "Run"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- The whole plan -----------------------------------------------------------------------


def convert_plan(
    forward: ForwardPlan,
    profile: Profile,
    screening: Screening | None,
    mode: ConvertMode,
    *,
    start: date | None = None,
    weeks: int | None = None,
    backward_days: int | None = None,
    race: date | None = None,
) -> Conversion:
    """The backward plan of a forward plan, or a refusal the person can act on.

    `start` is the first day of the backward block (default: the first run); `weeks` its length
    (core.plan's lengths: rehab is eight); `backward_days` the backward sessions a week in a
    mixed plan; `race` the race date (default: a workout called a race).
    """
    check_plan_allowed(screening)
    assert screening is not None
    runs = forward.runs
    if not runs:
        raise InvalidInput("the forward plan has no running workout to convert")
    if backward_days is not None and mode is ConvertMode.ALL:
        raise InvalidInput("--backward-days is for --mode mix; --mode all makes every run backward")
    if backward_days is not None and not 1 <= backward_days <= MAX_MIXED_BACKWARD_DAYS:
        raise InvalidInput(
            f"a mixed plan has 1–{MAX_MIXED_BACKWARD_DAYS} backward sessions a week (the trial "
            f"doses are 3 a week); got {backward_days}"
        )
    first_day = start or min(w.date for w in runs)
    block = plan_length(profile.goal, weeks)
    race_date = race or next((w.date for w in runs if w.race and w.date >= first_day), None)
    total = _total_weeks(runs, mode, block, first_day, race_date)
    walk_weeks = walk_phase_weeks(profile, screening, block)
    safe = total if screening.balance_concern else max(MIN_SAFE_WEEKS, walk_weeks + 1)
    setup = _Setup(
        profile=profile,
        paces=runner_paces(forward, profile.experience),
        mode=mode,
        block_weeks=block,
        walk_weeks=walk_weeks,
        safe_weeks=min(safe, total),
        first_s=first_week_backward_seconds(profile, screening),
        race_date=race_date,
    )
    end = first_day + timedelta(weeks=total)
    kept, left_out = _sort_out(forward, first_day, end, race_date, mode, block)
    weeks_made, converted = _weeks(setup, kept, first_day, total, backward_days)
    notes = plan_notes(profile, screening, walk_weeks, setup.safe_weeks, total)
    notes += _conversion_notes(setup, converted, left_out, total)
    plan = Plan(
        start=first_day,
        goal=profile.goal,
        walk_weeks=walk_weeks,
        safe_weeks=setup.safe_weeks,
        cleared_by_doctor=screening.cleared_by_doctor,
        weeks=tuple(weeks_made),
        notes=notes,
    )
    return Conversion(
        plan, mode, block, race_date, tuple(converted), tuple(left_out), forward.notes
    )


def _total_weeks(
    runs: tuple[ForwardWorkout, ...],
    mode: ConvertMode,
    block: int,
    first_day: date,
    race_date: date | None,
) -> int:
    """The block, and in `all` mode the return-to-forward weeks after it up to the race (or
    the forward plan's last run), at most MAX_WEEKS in all."""
    if mode is ConvertMode.MIX:
        return block
    last = race_date or max(w.date for w in runs)
    return max(block, min((last - first_day).days // 7 + 1, MAX_WEEKS))


def _sort_out(
    forward: ForwardPlan,
    first_day: date,
    end: date,
    race_date: date | None,
    mode: ConvertMode,
    block: int,
) -> tuple[list[ForwardWorkout], list[LeftOut]]:
    """The runs that become sessions (one a day) and every other workout with its reason."""
    kept: list[ForwardWorkout] = []
    left_out: list[LeftOut] = []
    days: set[date] = set()
    for workout in forward.workouts:
        reason = _left_out_reason(workout, first_day, end, race_date, mode, block, days)
        if reason is None:
            kept.append(workout)
            days.add(workout.date)
        else:
            left_out.append(LeftOut(workout.date, workout.title, reason))
    return kept, left_out


def _left_out_reason(
    workout: ForwardWorkout,
    first_day: date,
    end: date,
    race_date: date | None,
    mode: ConvertMode,
    block: int,
    days: set[date],
) -> str | None:
    if workout.sport is Sport.REST:
        return REST_DAY
    if workout.sport is Sport.OTHER:
        return "not a run: do it as your plan says"
    if workout.date < first_day:
        return "before the backward plan starts"
    if race_date is not None and workout.date > race_date:
        return "after your race"
    if workout.date >= end:
        if mode is ConvertMode.MIX:
            return f"after the plan's {block} weeks"
        return f"beyond the longest plan ({MAX_WEEKS} weeks)"
    if workout.date in days:
        return "a second run that day: one session a day (our reasoning: a new movement needs rest)"
    return None


def _weeks(
    setup: _Setup,
    kept: list[ForwardWorkout],
    first_day: date,
    total: int,
    backward_days: int | None,
) -> tuple[list[Week], list[ConvertedSession]]:
    allowed = allowances(setup.first_s, total)
    weeks: list[Week] = []
    converted: list[ConvertedSession] = []
    free_text_s = main_seconds(setup.profile)  # free text with no time of its own
    for number in range(1, total + 1):
        week_start = first_day + timedelta(weeks=number - 1)
        in_week = [w for w in kept if week_start <= w.date < week_start + timedelta(days=7)]
        shape = WeekShape(number, setup.walk_weeks, setup.safe_weeks)
        shapes = {w.date: workout_shape(w, setup.paces, free_text_s) for w in in_week}
        forward_days = _forward_days(setup, number, in_week, shapes, backward_days)
        sessions = []
        backward_index = 0
        for workout in in_week:
            built = _session(
                setup,
                workout,
                shapes[workout.date],
                shape,
                allowed[number - 1],
                backward_index,
                workout.date in forward_days,
            )
            if built.workout.has_backward:
                backward_index += 1
            sessions.append(Session(workout.date, number, built.workout))
            converted.append(_record(workout, number, shapes[workout.date], built))
        weeks.append(
            Week(
                number=number,
                start=week_start,
                phase=_phase(setup, shape),
                easier=shape.easier,
                safe_setting_only=shape.safe_only,
                backward_minutes=sum(s.workout.backward_s for s in sessions) / 60,
                sessions=tuple(sessions),
            )
        )
    return weeks, converted


def _phase(setup: _Setup, shape: WeekShape) -> Phase:
    """After an all-backward block the weeks bring forward running back: the progression
    engine holds them to the pain gate (`core.progression`)."""
    if setup.mode is ConvertMode.ALL and shape.number > setup.block_weeks:
        return Phase.RETURN
    return shape.phase


def _forward_days(
    setup: _Setup,
    number: int,
    in_week: list[ForwardWorkout],
    shapes: dict[date, Shape],
    backward_days: int | None,
) -> set[date]:
    """The days whose run stays forward this week (the race always does).

    Mixed plans make the easiest runs backward; after the block, one more run a week is
    forward again, the easiest first.
    """
    runs = [w for w in in_week if not w.race]
    by_ease = sorted(runs, key=lambda w: (shapes[w.date].hardest, shapes[w.date].main_s, w.date))
    if setup.mode is ConvertMode.MIX:
        count = backward_days or min(MAX_MIXED_BACKWARD_DAYS, -(-len(runs) // 2))
        return {w.date for w in by_ease[count:]}
    if number <= setup.block_weeks:
        return set()
    return {w.date for w in by_ease[: number - setup.block_weeks]}


def _session(
    setup: _Setup,
    workout: ForwardWorkout,
    shape: Shape,
    week: WeekShape,
    allowance_s: int,
    backward_index: int,
    forward: bool,
) -> _Built:
    if workout.race:
        return _race(setup, workout, shape, week.number)
    if not forward:
        return backward_session(setup, workout, shape, week, allowance_s, backward_index)
    reasons = []
    if setup.mode is ConvertMode.ALL:
        reasons.append(
            f"Back to forward running, week {week.number - setup.block_weeks} after the block: "
            f"run it forward only if pain stayed at {PAIN_GATE}/10 or less during and after "
            "your last runs and settled by the next morning (Thomeé 1997; Silbernagel 2007); "
            "otherwise do it backward, as in the block's last week."
        )
    built = forward_session(setup, workout, shape, week.number, reasons)
    return _Built(built, Treatment.FORWARD, 0, shape.main_s, 0, tuple(reasons))


def _race(setup: _Setup, workout: ForwardWorkout, shape: Shape, week: int) -> _Built:
    reasons = ["Race day: run forward, as planned."]
    if setup.mode is ConvertMode.ALL and week <= setup.block_weeks:
        reasons.append(
            "It falls inside your backward block: race forward only with your therapist's "
            "agreement."
        )
    built = forward_session(setup, workout, shape, week, reasons)
    return _Built(built, Treatment.RACE, 0, shape.main_s, 0, tuple(reasons))


def _record(workout: ForwardWorkout, week: int, shape: Shape, built: _Built) -> ConvertedSession:
    return ConvertedSession(
        date=workout.date,
        week=week,
        title=workout.title,
        treatment=built.treatment,
        free_text=workout.free_text is not None,
        source_s=shape.main_s,
        backward_s=built.backward_s,
        forward_s=built.forward_s,
        left_out_s=built.left_out_s,
        reasons=built.reasons,
    )


def _conversion_notes(
    setup: _Setup, converted: list[ConvertedSession], left_out: list[LeftOut], total: int
) -> tuple[str, ...]:
    """What the person should know about the conversion as a whole."""
    notes: list[str] = []
    if setup.mode is ConvertMode.ALL:
        notes.append(
            f"Converted from your forward plan: every run of weeks 1–{setup.block_weeks} is "
            "backward (the article's client ran all her workouts backward for eight weeks on her"
            f" therapist's advice), walking only in weeks 1–{setup.walk_weeks}."
        )
    else:
        notes.append(
            "Converted from your forward plan: the easiest runs of each week are backward, the "
            "rest forward as written (the article: mix backward days in for muscle balance)."
        )
    if total > setup.block_weeks:
        notes.append(
            f"Weeks {setup.block_weeks + 1}–{total} bring forward running back: one more run "
            f"forward each week, the easiest first, only while pain stays at {PAIN_GATE}/10 or"
            " less and settles by the next morning."
        )
    if setup.race_date is not None:
        notes.append(f"Your race on {setup.race_date.isoformat()} is run forward.")
    notes.append(
        "Sessions keep your plan's time, not its distance, and pace targets became effort "
        "and heart rate: backward is slower at the same effort."
    )
    counts = {t: sum(1 for c in converted if c.treatment is t) for t in Treatment}
    free = sum(1 for c in converted if c.free_text)
    notes.append(
        f"Sessions capped: {counts[Treatment.CAPPED]}; split: {counts[Treatment.SPLIT]}; read "
        f"from free text: {free}; workouts left out: {len(left_out)} (each listed with why)."
    )
    return tuple(notes)
