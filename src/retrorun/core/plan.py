"""The plan generator: from a screened profile and a start date to weeks of dated workouts.

It implements the article's program (SCIENCE.md section 1) with the doses of section 4:
walk before run, start on a treadmill with handrails or a level track, a forward warm-up and
cool-down around every session, form cues and the partner set-up, and backward volume that grows
by at most GROWTH_CAP a week with an easier week every EASIER_EVERY weeks.

No published backward-specific weekly progression exists (SCIENCE.md section 4), so the growth
cap and the easier-week rhythm are our own stated reasoning, kept inside the usual +10–20 % range
that running plans use; the "10 % rule" itself has weak support (Buist et al. 2008 [M]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from retrorun.core.profile import Experience, Goal, Profile
from retrorun.core.screening import Screening, check_plan_allowed
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

# --- Program constants, each with its source ------------------------------------------------

# The article: the client did all her running workouts backward for eight weeks.
REHAB_WEEKS = 8
DEFAULT_WEEKS = 8
MIN_WEEKS, MAX_WEEKS = 4, 52

# The article: "walk, don't run, for the first few weeks". At least 2 weeks for everyone; one
# more for occasional runners and rehab, two more for non-runners (our reasoning: less running
# background, more time to learn the movement), one more after a balance "yes" (Fritz 2013).
MIN_WALK_WEEKS = 2
MAX_WALK_WEEKS = 5

# The article: "a few weeks" on a treadmill with handrails or a level track before anywhere
# else. We keep the first week of backward running there too, and at least 2 weeks in all.
MIN_SAFE_WEEKS = 2

# Weekly backward minutes may grow at most 15 % over the largest week so far (our reasoning,
# inside the +10–20 % range of common practice; Buist 2008 [M] on the weak 10 % rule).
GROWTH_CAP = 0.15
# An easier week every 4th week at 70 % of the week before (our reasoning: the usual 3:1 rhythm).
EASIER_EVERY = 4
EASIER_FACTOR = 0.70

# Backward minutes per session in week 1. Alghadir et al. 2019: 10 min retro walking 3×/week;
# Heath et al. 2001: 15 min; first treadmill sessions 5–15 min (SCIENCE.md section 5); the
# Guardian 2006 protocol starts with 1-minute segments. Non-runners and a balance "yes" start
# lower (our reasoning).
FIRST_WEEK_BACKWARD_MIN: dict[Experience, float] = {
    Experience.NON_RUNNER: 6.0,
    Experience.OCCASIONAL: 8.0,
    Experience.REGULAR: 10.0,
}
BALANCE_CONCERN_START_MIN = 5.0
# Backward minutes are planned in 30-second units so small weekly growth is still possible.
VOLUME_UNIT_S = 30

# Backward walking blocks grow from 2 to 5 minutes over the walk weeks (our reasoning: short
# blocks first, as in the Guardian 2006 one-minute segments, so novices can reset their balance).
BLOCK_MIN_S = 2 * 60
BLOCK_MAX_S = 5 * 60


WARM_UP_S = 5 * 60
COOL_DOWN_S = 5 * 60
RECOVERY_S = 60  # forward recovery between backward blocks (Guardian 2006: jog in between)

# At most 3 backward days a week for non-rehab runners: the trial doses are 3×/week
# (Alghadir 2019, Heath 2001, Zhang 2014); the rest of the week stays the runner's own.
MAX_MIXED_BACKWARD_DAYS = 3

# Treadmill speeds (m/s): start about 0.5–0.9 m/s on the level and progress speed before
# incline (SCIENCE.md section 5, Shen 2021). Backward running just above the preferred
# backward walk–run transition of 1.63 m/s (Hreljac et al. 2005).
TREADMILL_BACKWARD_WALK_START_M_S = 0.6
TREADMILL_BACKWARD_WALK_STEP_M_S = 0.1
TREADMILL_BACKWARD_WALK_MAX_M_S = 1.2
TREADMILL_BACKWARD_RUN_M_S = 1.7
TREADMILL_FORWARD_WALK_M_S = 1.2
# The slow forward jog between backward running intervals (Guardian 2006: "slow forward
# jogging"): just above the forward walk–run transition of about 2.0 m/s [M] (SCIENCE.md
# section 2), inside ACSM's 80–134 m/min range for true jogging. The profile holds no easy pace
# yet, so everyone gets this default (our reasoning); it is 7.6 km/h on the belt.
EASY_FORWARD_JOG_M_S = 2.1

# Backward running minutes per session: Guardian 2006 protocol, 1-minute segments two or three
# times, building to five or six minutes in total after a few weeks. We add 2 minutes a build
# week and keep at least a quarter of the backward time as walking (our reasoning).
FIRST_RUN_MINUTES = 2
RUN_MINUTES_PER_WEEK = 2
MAX_RUN_SHARE = 0.75

# Effort targets on Borg's CR10 scale (our reasoning: easy, then moderate).
RPE_WARM_UP = 2
RPE_RECOVERY = 2
RPE_COOL_DOWN = 1
RPE_BACKWARD_WALK = 3
RPE_BACKWARD_RUN = 5
RPE_FORWARD_RUN = 4


class Phase(StrEnum):
    WALK = "walk"
    RUN = "walk-run"
    # After a converted rehab block: forward running comes back, gated by pain (`core.convert`).
    RETURN = "return-to-forward"


@dataclass(frozen=True)
class WeekShape:
    """Where a week sits in the program: which phase, easier or not, safe settings only or not."""

    number: int
    walk_weeks: int
    safe_weeks: int

    @property
    def phase(self) -> Phase:
        return Phase.WALK if self.number <= self.walk_weeks else Phase.RUN

    @property
    def easier(self) -> bool:
        return self.number % EASIER_EVERY == 0

    @property
    def safe_only(self) -> bool:
        return self.number <= self.safe_weeks

    @property
    def running_week(self) -> int:
        """1 in the first week with backward running, 0 or less before it."""
        return self.number - self.walk_weeks


@dataclass(frozen=True)
class Week:
    number: int
    start: date
    phase: Phase
    easier: bool
    safe_setting_only: bool
    backward_minutes: float
    sessions: tuple[Session, ...]


@dataclass(frozen=True)
class Plan:
    """A dated program. `notes` says what the person should know (and what we could not do)."""

    start: date
    goal: Goal
    walk_weeks: int
    safe_weeks: int
    cleared_by_doctor: bool
    weeks: tuple[Week, ...]
    notes: tuple[str, ...]

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(session for week in self.weeks for session in week.sessions)

    def session_on(self, day: date) -> Session | None:
        return next((s for s in self.sessions if s.date == day), None)


# Stored with every generated session, so a session can always say which rules made it; bump it
# whenever a rule above changes what the generator produces.
RULES_VERSION = "plan-rules-2026.11.30"


@dataclass(frozen=True)
class PlanState:
    """Where a plan stands before a week: enough to generate the weeks from there on.

    `largest_backward_s` is the largest per-session backward time of a non-easier week so far
    (the growth cap is measured against it) and `previous_backward_s` the week before's; a later
    decision (hold, step back) can set them lower to rebuild the upcoming weeks.
    """

    week: int = 1
    largest_backward_s: int = 0
    previous_backward_s: int = 0


def make_plan(
    profile: Profile,
    screening: Screening | None,
    start: date,
    weeks: int | None = None,
) -> Plan:
    """Build the plan, or refuse with a reason the person can act on."""
    return continue_plan(profile, screening, start, PlanState(), weeks)


def continue_plan(
    profile: Profile,
    screening: Screening | None,
    start: date,
    state: PlanState,
    weeks: int | None = None,
) -> Plan:
    """The plan that starts on `start`, holding only the weeks from `state.week` on.

    The same rules as a whole new plan, so the upcoming weeks of a plan can be rebuilt after a
    decision without touching the weeks already done.
    """
    check_plan_allowed(screening)
    assert screening is not None
    total_weeks = plan_length(profile.goal, weeks)
    if not 1 <= state.week <= total_weeks:
        raise InvalidInput(
            f"the plan has weeks 1–{total_weeks} (asked to continue at {state.week})"
        )
    walk_weeks = walk_phase_weeks(profile, screening, total_weeks)
    safe_weeks = total_weeks if screening.balance_concern else max(MIN_SAFE_WEEKS, walk_weeks + 1)
    safe_weeks = min(safe_weeks, total_weeks)
    first_s = first_week_backward_seconds(profile, screening)
    plan_weeks: list[Week] = []
    largest, previous = state.largest_backward_s, state.previous_backward_s
    for number in range(state.week, total_weeks + 1):
        target = backward_target_seconds(number, first_s, largest, previous)
        shape = WeekShape(number, walk_weeks, safe_weeks)
        week = _make_week(profile, start, shape, target)
        plan_weeks.append(week)
        previous = _per_session_backward_s(week)
        if not week.easier:
            largest = max(largest, previous)
    return Plan(
        start=start,
        goal=profile.goal,
        walk_weeks=walk_weeks,
        safe_weeks=safe_weeks,
        cleared_by_doctor=screening.cleared_by_doctor,
        weeks=tuple(plan_weeks),
        notes=plan_notes(profile, screening, walk_weeks, safe_weeks, total_weeks),
    )


def state_before(plan: Plan, week: int) -> PlanState:
    """The state a plan was in before `week`: what `continue_plan` needs to rebuild from there."""
    largest = previous = 0
    for done in plan.weeks:
        if done.number >= week:
            break
        previous = _per_session_backward_s(done)
        if not done.easier:
            largest = max(largest, previous)
    return PlanState(week, largest, previous)


def first_week_backward_seconds(profile: Profile, screening: Screening) -> int:
    start_min = FIRST_WEEK_BACKWARD_MIN[profile.experience]
    if screening.balance_concern:
        start_min = min(start_min, BALANCE_CONCERN_START_MIN)
    return _units_down(start_min * 60)


def backward_target_seconds(week: int, first_s: int, largest_s: int, previous_s: int) -> int:
    """Backward seconds per session wanted this week, before fitting the session's time.

    Growth is measured against the largest (non-easier) week so far, so coming back from an
    easier week never jumps above the cap; an easier week is easier than the week before it.
    Rounding is always down, to 30-second units.
    """
    if week == 1:
        return first_s
    if week % EASIER_EVERY == 0:
        return _units_down(min(largest_s, previous_s) * EASIER_FACTOR)
    return _units_down(largest_s * (1 + GROWTH_CAP))


def _per_session_backward_s(week: Week) -> int:
    """Every plan week has a session: each training weekday falls once in its 7 days."""
    return max(s.workout.backward_s for s in week.sessions)


def plan_length(goal: Goal, weeks: int | None) -> int:
    """Rehab is the article's eight weeks; other goals take the length asked for."""
    if goal.is_rehab:
        if weeks not in (None, REHAB_WEEKS):
            raise InvalidInput(f"a {goal.value} program is {REHAB_WEEKS} weeks; leave out --weeks")
        return REHAB_WEEKS
    length = DEFAULT_WEEKS if weeks is None else weeks
    if not MIN_WEEKS <= length <= MAX_WEEKS:
        raise InvalidInput(f"a plan is {MIN_WEEKS}–{MAX_WEEKS} weeks long (got {length})")
    return length


def walk_phase_weeks(profile: Profile, screening: Screening, total_weeks: int) -> int:
    """How many weeks are backward walking only (see MIN_WALK_WEEKS)."""
    weeks = MIN_WALK_WEEKS
    if profile.experience is Experience.OCCASIONAL:
        weeks += 1
    if profile.experience is Experience.NON_RUNNER:
        weeks += 2
    if profile.goal.is_rehab and profile.experience is not Experience.NON_RUNNER:
        weeks += 1
    if screening.balance_concern:
        weeks += 1
    return min(weeks, MAX_WALK_WEEKS, total_weeks)


def backward_days(profile: Profile) -> int:
    """Rehab and non-runners go backward every training day; runners mix backward days in."""
    if profile.goal.is_rehab or profile.experience is Experience.NON_RUNNER:
        return profile.days_per_week
    return min(MAX_MIXED_BACKWARD_DAYS, math.ceil(profile.days_per_week / 2))


def main_seconds(profile: Profile) -> int:
    """Time left for the main part once the warm-up and cool-down are in."""
    return profile.minutes_per_session * 60 - WARM_UP_S - COOL_DOWN_S


def _units_down(seconds: float) -> int:
    return int(seconds) // VOLUME_UNIT_S * VOLUME_UNIT_S


def _make_week(profile: Profile, plan_start: date, shape: WeekShape, backward_s: int) -> Week:
    week_start = plan_start + timedelta(days=7 * (shape.number - 1))
    days = training_dates(week_start, profile.weekdays)
    backward_indices = _spread(len(days), backward_days(profile))
    sessions = []
    backward_count = 0
    for index, day in enumerate(days):
        if index in backward_indices:
            setting = backward_setting(profile, shape, backward_count)
            workout = backward_workout(profile, shape, setting, backward_s)
            backward_count += 1
        else:
            workout = forward_run_workout(profile)
        sessions.append(Session(date=day, week=shape.number, workout=workout))
    return Week(
        number=shape.number,
        start=week_start,
        phase=shape.phase,
        easier=shape.easier,
        safe_setting_only=shape.safe_only,
        backward_minutes=sum(s.workout.backward_s for s in sessions) / 60,
        sessions=tuple(sessions),
    )


def training_dates(week_start: date, weekdays: tuple[int, ...]) -> list[date]:
    """The dates in the 7 days from week_start that fall on the person's training weekdays."""
    days = (week_start + timedelta(days=offset) for offset in range(7))
    return [day for day in days if day.weekday() in weekdays]


def _spread(count: int, chosen: int) -> set[int]:
    """Pick `chosen` of `count` sessions, alternating so backward days do not sit side by side."""
    alternate = list(range(0, count, 2)) + list(range(1, count, 2))
    return set(alternate[:chosen])


def safest_setting(profile: Profile) -> Setting:
    """Treadmill with handrails first, then a level track; a quiet path only when neither exists."""
    if profile.has_treadmill:
        return Setting.TREADMILL
    if profile.has_track:
        return Setting.TRACK
    return Setting.PATH


def backward_setting(profile: Profile, shape: WeekShape, backward_index: int) -> Setting:
    """Where this week's backward session happens.

    Safe weeks: the treadmill for the walking weeks, then the track if there is one. After the
    safe weeks, every other backward session moves to a flat, quiet path.
    """
    if shape.safe_only:
        if profile.has_treadmill and profile.has_track and shape.phase is Phase.RUN:
            return Setting.TRACK
        return safest_setting(profile)
    if backward_index % 2 == 1:
        return Setting.PATH
    return Setting.TRACK if profile.has_track else safest_setting(profile)


def backward_workout(
    profile: Profile, shape: WeekShape, setting: Setting, backward_s: int
) -> Workout:
    """Warm-up, backward blocks (walking, later with running intervals), cool-down.

    The backward time is cut, 30 s at a time, until the main part fits the person's session.
    """
    main = _backward_main(profile, shape, setting, backward_s)
    while sum(step.duration_s or 0 for step in main) > main_seconds(profile):
        backward_s -= VOLUME_UNIT_S
        main = _backward_main(profile, shape, setting, backward_s)
    runner = profile.experience is not Experience.NON_RUNNER and shape.phase is Phase.RUN
    steps = (warm_up(setting, jog=runner), *main, cool_down(setting))
    title = _title(shape, setting)
    notes = [f"Where: {SETTING_WORDS[setting]}."]
    if setting is Setting.PATH:
        notes.append("Pick a familiar, quiet course: backward, it feels new again.")
    spotting = SPOTTING_SETUP if profile.has_partner else None
    return Workout(title=title, steps=steps, spotting=spotting, notes=tuple(notes))


def _backward_main(
    profile: Profile, shape: WeekShape, setting: Setting, backward_s: int
) -> list[Step]:
    walk_s, run_s = _split_walk_run(shape, backward_s)
    walks = backward_walk_blocks(shape, setting, walk_s)
    return walks + backward_run_intervals(profile, shape, setting, run_s)


def _split_walk_run(shape: WeekShape, backward_s: int) -> tuple[int, int]:
    """Backward seconds walking and running: all walking in the walk phase (the article)."""
    if shape.phase is Phase.WALK:
        return backward_s, 0
    run_min = FIRST_RUN_MINUTES + RUN_MINUTES_PER_WEEK * (shape.running_week - 1)
    run_s = min(run_min * 60, _units_down(backward_s * MAX_RUN_SHARE))
    run_s = (run_s // 60) * 60  # whole-minute running intervals
    return backward_s - run_s, run_s


def backward_walk_blocks(shape: WeekShape, setting: Setting, walk_s: int) -> list[Step]:
    """Backward walking in blocks with a forward walking recovery in between."""
    block_s = min(BLOCK_MIN_S + 60 * (shape.number - 1), BLOCK_MAX_S)
    speed = _treadmill_walk_speed(setting, shape)
    rpe = RPE_BACKWARD_WALK - (1 if shape.easier else 0)
    steps: list[Step] = []
    for length in _blocks(walk_s, block_s):
        if steps:
            steps.append(_recovery(setting, Mode.WALK))
        steps.append(
            Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, setting, length, rpe, None, speed)
        )
    return steps


def backward_run_intervals(
    profile: Profile, shape: WeekShape, setting: Setting, run_s: int
) -> list[Step]:
    """Backward running intervals with slow forward jogging between (Guardian 2006).

    One-minute intervals for the first two running weeks, then two-minute ones (our reasoning:
    the protocol's one-minute segments first, then fewer turns as the movement becomes familiar).
    """
    speed = TREADMILL_BACKWARD_RUN_M_S if setting is Setting.TREADMILL else None
    recovery_mode = Mode.WALK if profile.experience is Experience.NON_RUNNER else Mode.RUN
    rpe = RPE_BACKWARD_RUN - (1 if shape.easier else 0)
    interval_s = 60 if shape.running_week <= 2 else 120
    steps: list[Step] = []
    for start_s in range(0, run_s, interval_s):
        length = min(interval_s, run_s - start_s)
        steps.append(_recovery(setting, recovery_mode))
        steps.append(
            Step(StepKind.MAIN, Direction.BACKWARD, Mode.RUN, setting, length, rpe, None, speed)
        )
    return steps


def _blocks(total_s: int, block_s: int) -> list[int]:
    """Split total_s into near-equal blocks of about block_s, none over BLOCK_MAX_S, in 30-second
    units (the longer ones first)."""
    if total_s <= 0:
        return []
    count = max(round(total_s / block_s), math.ceil(total_s / BLOCK_MAX_S))
    units, extra = divmod(total_s // VOLUME_UNIT_S, count)
    blocks = [(units + (1 if i < extra else 0)) * VOLUME_UNIT_S for i in range(count)]
    blocks[-1] += total_s % VOLUME_UNIT_S
    return blocks


def with_backward_setting(workout: Workout, setting: Setting) -> Workout:
    """The workout with its backward steps moved to `setting` (a coach's edit).

    A treadmill step always has a belt speed: steps moved onto one get the plan's starting
    speed for their gait (the safest, as in week 1); steps moved off one lose it, since only a
    belt has a speed to set.
    """
    steps = []
    for step in workout.steps:
        if step.is_backward:
            step = replace(step, setting=setting, speed_m_s=moved_speed(step, setting))
        steps.append(step)
    return replace(workout, steps=tuple(steps))


def moved_speed(step: Step, setting: Setting) -> float | None:
    if setting is not Setting.TREADMILL:
        return None
    if step.speed_m_s is not None:
        return step.speed_m_s
    if step.mode is Mode.RUN:
        return TREADMILL_BACKWARD_RUN_M_S
    return TREADMILL_BACKWARD_WALK_START_M_S


def _treadmill_walk_speed(setting: Setting, shape: WeekShape) -> float | None:
    if setting is not Setting.TREADMILL:
        return None
    progressed = shape.number - 1 - (1 if shape.easier else 0)
    speed = TREADMILL_BACKWARD_WALK_START_M_S + TREADMILL_BACKWARD_WALK_STEP_M_S * progressed
    return round(min(speed, TREADMILL_BACKWARD_WALK_MAX_M_S), 2)


def _recovery(setting: Setting, mode: Mode) -> Step:
    """Forward between backward blocks; on a treadmill every step says its belt speed."""
    speed = None
    if setting is Setting.TREADMILL:
        speed = TREADMILL_FORWARD_WALK_M_S if mode is Mode.WALK else EASY_FORWARD_JOG_M_S
    return Step(
        StepKind.RECOVERY, Direction.FORWARD, mode, setting, RECOVERY_S, RPE_RECOVERY, None, speed
    )


def warm_up(setting: Setting, jog: bool = False) -> Step:
    """Every session starts forward (the article's safety rules; the body warms before the new)."""
    mode = Mode.RUN if jog and setting is not Setting.TREADMILL else Mode.WALK
    speed = TREADMILL_FORWARD_WALK_M_S if setting is Setting.TREADMILL else None
    return Step(
        StepKind.WARM_UP, Direction.FORWARD, mode, setting, WARM_UP_S, RPE_WARM_UP, None, speed
    )


def cool_down(setting: Setting) -> Step:
    speed = TREADMILL_FORWARD_WALK_M_S if setting is Setting.TREADMILL else None
    return Step(
        StepKind.COOL_DOWN,
        Direction.FORWARD,
        Mode.WALK,
        setting,
        COOL_DOWN_S,
        RPE_COOL_DOWN,
        None,
        speed,
    )


def forward_run_workout(profile: Profile) -> Workout:
    """The runner's own forward day, kept in the week (the article: mix backward days in)."""
    setting = Setting.USUAL_ROUTE
    run = Step(
        StepKind.MAIN, Direction.FORWARD, Mode.RUN, setting, main_seconds(profile), RPE_FORWARD_RUN
    )
    return Workout(
        title="Your usual forward run",
        steps=(warm_up(setting), run, cool_down(setting)),
        form_cues=(),
        notes=("Run as you usually do; the backward days balance the load on your legs.",),
    )


def _title(shape: WeekShape, setting: Setting) -> str:
    what = "Backward walk" if shape.phase is Phase.WALK else "Backward walk and run"
    easy = " (easier week)" if shape.easier else ""
    return f"Week {shape.number}: {what} on {setting.value}{easy}"


def backward_settings(profile: Profile, shapes: list[WeekShape]) -> set[Setting]:
    """Where the backward sessions of these weeks happen, by the same rule that places them.

    Every week has `backward_days(profile)` backward sessions (each weekday falls once in a
    plan week), so the notes can say where the plan goes without building its sessions.
    """
    return {
        backward_setting(profile, shape, index)
        for shape in shapes
        for index in range(backward_days(profile))
    }


# How the notes name a place: only places the plan uses are named (a rule-level test checks it).
NOTE_PLACES: dict[Setting, str] = {
    Setting.TREADMILL: "a treadmill with handrails",
    Setting.TRACK: "a level track",
    Setting.PATH: "a flat, smooth, quiet path",
}


def _places(settings: set[Setting]) -> str:
    """'a treadmill with handrails or a level track', safest first."""
    return " or ".join(NOTE_PLACES[s] for s in NOTE_PLACES if s in settings)


def _without_partner_note(profile: Profile, screening: Screening, used: set[Setting]) -> str:
    """Care without a spotter, naming only the places this plan goes to."""
    if profile.has_treadmill or profile.has_track:
        note = "Without a partner, go slowly and look over your shoulder often"
        if Setting.TREADMILL in used:
            note += "; on the treadmill keep your hands near the handrails"
        if Setting.PATH in used:
            note += "; keep the path sessions to a path you know, at a quiet time"
        return note + "."
    if screening.balance_concern:
        return (
            "With a balance 'yes' and no treadmill, no track and no partner, do not start "
            "alone: find a partner to spot for you first."
        )
    return "Without a partner, go slowly on an empty, quiet path and look over your shoulder often."


def plan_notes(
    profile: Profile, screening: Screening, walk_weeks: int, safe_weeks: int, total_weeks: int
) -> tuple[str, ...]:
    """What the person must know about this plan, said plainly.

    A note names a place only when the plan uses it: someone with no track must not read that
    their first weeks "stay on a level track".
    """
    weeks = [WeekShape(n, walk_weeks, safe_weeks) for n in range(1, total_weeks + 1)]
    safe_used = backward_settings(profile, [week for week in weeks if week.safe_only])
    later_used = backward_settings(profile, [week for week in weeks if not week.safe_only])
    notes: list[str] = []
    if screening.needs_clearance:
        notes.append("You stated that a doctor cleared you for this program.")
    if not profile.has_treadmill and not profile.has_track:
        notes.append(
            "You have no treadmill and no track, so every backward session is on the safest "
            "place you have: a flat, smooth, quiet path or an empty sports field, never a road."
            " Go slowly and, if you can, bring a partner."
        )
    if screening.balance_concern:
        notes.append(
            "You answered yes to a balance question: the whole plan stays in the safest setting"
            " and moves forward more slowly. A partner is strongly advised."
        )
    if not profile.has_partner:
        notes.append(_without_partner_note(profile, screening, safe_used | later_used))
    if profile.goal.is_rehab:
        notes.append(
            "Rehab: there is no trial dose for patellofemoral or heel pain; this eight-week "
            "template is extrapolated from knee osteoarthritis (Alghadir 2019) and habituation "
            "(Heath 2001) studies. Follow your therapist where they differ."
        )
    if Setting.PATH in later_used and Setting.PATH not in safe_used:
        notes.append(
            f"Weeks 1–{safe_weeks} stay on {_places(safe_used)}; later weeks add flat, smooth, "
            "quiet paths, never roads."
        )
    return tuple(notes)
