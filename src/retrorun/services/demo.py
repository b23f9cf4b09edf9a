"""The demo database `retrorun serve --demo` shows a newcomer: every page filled before they type.

A knee-rehab runner three weeks into an eight-week plan, with logs (pain drifting down, the next
morning's pain missing for the latest one, as in real life), watch files of a few sessions, one
upcoming session skipped with a reason, and a physical therapist linked to them. Everything is
written through the same service calls the front doors make, so the demo shows what the real
program does with such data, and cannot hold anything the services would refuse.

Seeding is deterministic for a given `today` (a fixed random seed, times made from `today`), and
idempotent: if the demo runner exists, nothing is written. It hashes only the two demo
passwords, the one slow step with the default argon2 profile.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from retrorun.core.log import LogEntry
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.timeline import Timeline
from retrorun.core.workout import Direction, Mode, Setting, Workout
from retrorun.errors import NotFound, NotReady
from retrorun.formats.fit_activity import RecordedStep, activity_fit
from retrorun.formats.fit_workout import WatchRepeat, WatchStep, watch_blocks
from retrorun.services import accounts, activities, athletes, logs, plans
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Scope
from retrorun.services.plans import PlannedSession

DEMO_ATHLETE_EMAIL = "runner@demo.example"  # .example is reserved for examples (RFC 2606)
DEMO_COACH_EMAIL = "physio@demo.example"
DEMO_PASSWORD = "demo-backward-8"  # for the demo database only; serve --demo prints it

DEMO_PROFILE = Profile(
    mass_kg=68,
    age_years=41,
    experience=Experience.REGULAR,
    goal=Goal.KNEE_REHAB,  # knee pain on stairs
    weekdays=weekdays_for(3),
    minutes_per_session=30,
    has_treadmill=True,
    has_track=True,
    has_partner=True,
)
PLAN_WEEKS = 8  # the rehab program: eight weeks of running backward
PLAN_STARTED_DAYS_AGO = 21  # about three weeks in: a past, a today and a future to show
SCREENED_DAYS_BEFORE_PLAN = 3  # screened, and the physio linked, a few days before starting
SEED = 41  # the same demo every time for the same `today`
MISSED_SESSION = 4  # the past session (by position) with no log: missed, as happens
WATCH_FILES = 4  # how many logged treadmill sessions also have a watch file
WORKOUT_START = time(17, 30)  # UTC: an evening session after work; files store UTC

# Speeds where the plan gives none (the track): our estimates for a careful beginner.
DEFAULT_SPEED_M_S = {
    (Direction.BACKWARD, Mode.WALK): 0.9,
    (Direction.BACKWARD, Mode.RUN): 1.6,
    (Direction.FORWARD, Mode.WALK): 1.3,
    (Direction.FORWARD, Mode.RUN): 2.4,
}
# Heart rate the demo runner settles at: a fit 41-year-old walking slowly (our estimate), higher
# for a harder kind of step and when backward; it approaches each step's level over ~30 s.
RESTING_WALK_BPM = 88
BPM_PER_EFFORT = 6
EFFORT = {"warmup": 2, "active": 4, "recovery": 2, "cooldown": 1}  # the plan's RPE for each
BACKWARD_EXTRA_BPM = 10
HEART_RATE_TAU_S = 30

NOTES = {
    0: "First time backward. Held the handrails the whole way, felt odd but fine.",
    2: "Knee ached a little on the stairs after, gone by dinner.",
    5: "Partner called out when I drifted to the belt edge. Switching shoulders is easier now.",
    7: "Stairs at work without pain this morning!",
}
SKIP_REASON = "Away for work that day: no treadmill at the hotel."

# The process that owns the demo database (as the CLI owns its own): it may add accounts.
_OWNER = Actor(user_id=None, role=Role.ADMIN, athlete_id=None)


@dataclass(frozen=True)
class Demo:
    """Who is in the demo database, and how to sign in as them."""

    athlete_email: str
    coach_email: str
    password: str
    athlete_id: int  # the runner's training record
    athlete_user_id: int
    coach_user_id: int
    seeded: bool  # written by this call; False when the demo was already there


@dataclass(frozen=True)
class _WatchLap:
    """One lap the watch records, and the heart rate the runner settles at during it."""

    recorded: RecordedStep
    settled_bpm: float


def seed_demo(app: App, today: date) -> Demo:
    """Fill an upgraded database with the demo runner and their physio, unless already there.

    Seeding takes several transactions, as a person's own use would, so a process killed
    midway leaves a half-seeded database that is not repaired: delete the file and seed again
    (one without the physio is refused with that advice).
    """
    existing = _existing_demo(app)
    if existing is not None:
        return existing
    runner = accounts.sign_up(app, DEMO_ATHLETE_EMAIL, DEMO_PASSWORD)
    coach = accounts.add_user(app, _OWNER, DEMO_COACH_EMAIL, DEMO_PASSWORD, Role.COACH)
    me = app.scope(app.actor(runner.id))
    athlete = me.own_athlete
    start = plan_start(today)
    screened = start - timedelta(days=SCREENED_DAYS_BEFORE_PLAN)
    athletes.set_profile(me, athlete, DEMO_PROFILE)
    athletes.screen(me, athlete, dict.fromkeys(QUESTION_IDS, False), screened)
    _link_coach(app, me, app.actor(coach.id), screened)
    plans.new_plan(me, athlete, start, PLAN_WEEKS)
    sessions = plans.planned_sessions(me, athlete)
    _log_past_sessions(me, athlete, sessions, today)
    _skip_one_upcoming(me, athlete, sessions, today)
    return Demo(
        DEMO_ATHLETE_EMAIL, DEMO_COACH_EMAIL, DEMO_PASSWORD, athlete, runner.id, coach.id, True
    )


def plan_start(today: date) -> date:
    """The Monday on or before three weeks ago: weeks then run Monday to Sunday."""
    back = today - timedelta(days=PLAN_STARTED_DAYS_AGO)
    return back - timedelta(days=back.weekday())


def _existing_demo(app: App) -> Demo | None:
    """The demo already seeded, or None when the demo runner does not exist yet."""
    try:
        runner = app.actor_by_email(DEMO_ATHLETE_EMAIL)
    except NotFound:
        return None
    try:
        coach = app.actor_by_email(DEMO_COACH_EMAIL)
    except NotFound:
        raise NotReady(
            "the demo database was only partly seeded (stopped midway?): delete it and start again"
        ) from None
    assert runner.user_id is not None and runner.athlete_id is not None
    assert coach.user_id is not None
    return Demo(
        DEMO_ATHLETE_EMAIL,
        DEMO_COACH_EMAIL,
        DEMO_PASSWORD,
        runner.athlete_id,
        runner.user_id,
        coach.user_id,
        False,
    )


def _link_coach(app: App, me: Scope, coach: Actor, day: date) -> None:
    """The physio invites in the morning; the runner accepts that evening (the real consent)."""
    invitation = accounts.invite(app.scope(coach), datetime.combine(day, time(9), UTC))
    accounts.accept(me, invitation.code, datetime.combine(day, time(19), UTC))


# --- logs and watch files --------------------------------------------------------------------


def _log_past_sessions(
    me: Scope, athlete: int, sessions: Sequence[PlannedSession], today: date
) -> None:
    """Log most sessions before today; a few treadmill ones also get their watch file."""
    past = [s for s in sessions if s.date < today and s.status == "planned"]
    logged = [s for position, s in enumerate(past) if position != MISSED_SESSION]
    treadmill = [s for s in logged if _setting(s.workout) is Setting.TREADMILL]
    with_file = {s.id for s in treadmill[1::2][:WATCH_FILES]}
    rng = random.Random(SEED)
    for position, planned in enumerate(logged):
        progress = position / max(len(logged) - 1, 1)
        last = position == len(logged) - 1
        if planned.id in with_file:
            laps = _watch_laps(me, athlete, planned.date)
            recorded = [lap.recorded for lap in laps]
            entry = _log_entry(planned, position, progress, last, rng, recorded)
            logs.log(me, athlete, entry, today)
            _import_watch_file(me, athlete, planned.date, _fit_bytes(planned.date, laps))
        else:
            logs.log(me, athlete, _log_entry(planned, position, progress, last, rng), today)


def _log_entry(
    planned: PlannedSession,
    position: int,
    progress: float,
    last: bool,
    rng: random.Random,
    recorded: Sequence[RecordedStep] | None = None,
) -> LogEntry:
    """What the runner writes down: near the plan, pain 1–3 drifting down as weeks pass."""
    workout = planned.workout
    if recorded is not None:  # the watch timed it: the log agrees with the file
        minutes = sum(step.duration_s for step in recorded) / 60
        distance_m = sum(step.duration_s * step.speed_m_s for step in recorded)
    else:
        minutes = max(workout.duration_s / 60 + rng.choice((-2, -1, 0, 0, 0, 1)), 1)
        distance_m = _planned_distance_m(workout) * minutes * 60 / workout.duration_s
    during = _clamp(round(3 - 2 * progress + rng.choice((-0.4, 0.0, 0.0, 0.4))), 1, 3)
    after = _clamp(during + rng.choice((-1, 0, 0)), 0, 3)
    morning = None if last else _clamp(after - rng.choice((0, 1, 1)), 0, 3)
    return LogEntry(
        date=planned.date,
        minutes=round(minutes),
        direction=Direction.BACKWARD,
        mode=Mode.RUN if _backward_run(workout) else Mode.WALK,
        setting=_setting(workout),
        rpe=_clamp(_planned_rpe(workout) + rng.choice((0, 1, 1)), 3, 5),  # new: feels harder
        pain_during=during,
        pain_after=after,
        distance_km=round(distance_m / 1000, 2),
        pain_next_morning=morning,
        with_partner=rng.random() < 0.8,
        notes=NOTES.get(position, ""),
    )


def watch_file(scope: Scope, athlete: int, day: date) -> bytes:
    """The FIT file the demo runner's watch records running the session planned on `day`.

    The same bytes the demo imported for that day, when it imported one (a second import is a
    duplicate); for any other session, a file a newcomer can try the import page with.
    """
    return _fit_bytes(day, _watch_laps(scope, athlete, day))


def _fit_bytes(day: date, laps: Sequence[_WatchLap]) -> bytes:
    start = datetime.combine(day, WORKOUT_START, UTC)
    beats = _heart_rate(laps)
    return activity_fit(start, [lap.recorded for lap in laps], beats.__getitem__)


def _import_watch_file(me: Scope, athlete: int, day: date, data: bytes) -> None:
    """Import the session's watch file through the real importer, which links it to the log.

    Its laps name the watch workout steps they ran, so the importer finds which were backward;
    should it not (the plan changed under it), the runner marks the whole file backward.
    """
    results = activities.import_upload(me, athlete, f"{day.isoformat()}-retro.fit", data)
    for result in results:
        stored = result.activity
        if stored is not None and stored.direction is None:
            activities.set_activity_direction(me, athlete, stored.id, "backward")


def _watch_laps(scope: Scope, athlete: int, day: date) -> list[_WatchLap]:
    """The laps a watch records running the session's workout: one per watch step, in the
    order the watch runs them (repeats unrolled), at the planned speed as the watch reads it.

    Random draws are seeded by the day, so a session's file is the same whenever it is made.
    """
    session, timeline = plans.session(scope, athlete, day)
    return _laps_for(day, session.workout, timeline)


def session_recording(
    day: date, workout: Workout, timeline: Timeline
) -> tuple[list[RecordedStep], list[float]]:
    """What a watch records running a session on `day`, from its workout and stored timeline
    without reading the store (the practice seed makes thousands): the laps, and the heart rate
    at each second, both ends included. `watch_file` writes the same as FIT."""
    laps = _laps_for(day, workout, timeline)
    return [lap.recorded for lap in laps], _heart_rate(laps)


def _laps_for(day: date, workout: Workout, timeline: Timeline) -> list[_WatchLap]:
    rng = random.Random(f"{SEED} {day.isoformat()}")
    laps = []
    for index, step in _watch_run(watch_blocks(workout, timeline)):
        wobble = rng.uniform(-0.03, 0.03)  # a wrist watch reads a belt's speed roughly
        recorded = RecordedStep(step.duration_s, _watch_speed(step) + wobble, index)
        laps.append(_WatchLap(recorded, _settled_bpm(step)))
    return laps


def _watch_run(blocks: Sequence[WatchStep | WatchRepeat]) -> list[tuple[int, WatchStep]]:
    """Each watch step as it is run, with its FIT message index (`fit_step_messages` numbers
    a repeat's steps first, then the repeat step itself)."""
    run: list[tuple[int, WatchStep]] = []
    index = 0
    for block in blocks:
        if isinstance(block, WatchRepeat):
            for _ in range(block.times):
                run.extend((index + i, step) for i, step in enumerate(block.steps))
            index += len(block.steps) + 1
        else:
            run.append((index, block))
            index += 1
    return run


def _watch_speed(step: WatchStep) -> float:
    if step.speed_range_m_s is not None:
        low, high = step.speed_range_m_s
        return (low + high) / 2
    return DEFAULT_SPEED_M_S[(step.direction, Mode.WALK)]


def _settled_bpm(step: WatchStep) -> float:
    backward = BACKWARD_EXTRA_BPM if step.direction is Direction.BACKWARD else 0
    return RESTING_WALK_BPM + BPM_PER_EFFORT * EFFORT[step.intensity] + backward


def _heart_rate(laps: Sequence[_WatchLap]) -> list[float]:
    """Beats per minute at each second of the file (both ends included), easing toward each
    lap's level as a heart does, with a small wobble."""
    targets = [lap.settled_bpm for lap in laps for _ in range(lap.recorded.duration_s)]
    targets.append(targets[-1])
    beats, now = [], float(RESTING_WALK_BPM)
    for t, target in enumerate(targets):
        now += (target - now) / HEART_RATE_TAU_S
        beats.append(now + 1.5 * math.sin(t / 11))
    return beats


# --- small helpers ---------------------------------------------------------------------------


def _skip_one_upcoming(
    me: Scope, athlete: int, sessions: Sequence[PlannedSession], today: date
) -> None:
    """Skip the second session after today (the next one stays, so today's page has one);
    only upcoming sessions can change."""
    upcoming = [s for s in sessions if s.date > today]
    if len(upcoming) >= 2:
        plans.skip_session(me, athlete, upcoming[1].id, SKIP_REASON, today)


def _setting(workout: Workout) -> Setting:
    """Where the backward part happens (the log's one setting)."""
    return next((s.setting for s in workout.steps if s.is_backward), workout.steps[0].setting)


def _backward_run(workout: Workout) -> bool:
    return any(s.is_backward and s.mode is Mode.RUN for s in workout.steps)


def _planned_rpe(workout: Workout) -> int:
    return max((s.rpe for s in workout.steps if s.is_backward), default=3)


def _planned_distance_m(workout: Workout) -> float:
    return sum(
        (s.duration_s or 0) * (s.speed_m_s or DEFAULT_SPEED_M_S[(s.direction, s.mode)])
        for s in workout.steps
    )


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
