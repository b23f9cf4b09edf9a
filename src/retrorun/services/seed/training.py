"""An athlete's training in the seeded practice: plans from the real generator, what was done.

Plans come from `core.plan.make_plan` and are stored as `plans.new_plan` stores them (summary
without week totals, each session with its workout, backward seconds and both timelines). What
was done is drawn session by session: adherence, missed weeks, pain that settles over a rehab
block with a flare now and then, stumbles, rare red flags (which pause the plan: a recent one
leaves it paused, an older one was resumed a week or so later), and for watch wearers a share
of sessions recorded and imported. Every log passes `core.log.validate_log`, as the service's
would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from retrorun.core.log import LogEntry, validate_log
from retrorun.core.plan import RULES_VERSION, Plan, make_plan
from retrorun.core.progression import RedFlag
from retrorun.core.screening import Screening
from retrorun.core.serialize import (
    plan_summary_to_dict,
    timeline_to_list,
    week_phases,
    workout_to_dict,
)
from retrorun.core.timeline import Timeline, build_timeline
from retrorun.core.workout import Direction, Mode, Session, Setting, Workout
from retrorun.formats.fit_activity import RecordedStep
from retrorun.importing import workout_step_directions
from retrorun.services.demo import DEFAULT_SPEED_M_S, session_recording
from retrorun.services.seed.people import Person
from retrorun.services.seed.rows import Json, as_json
from retrorun.store.repository import _without_week_totals

NON_REHAB_WEEKS = (8, 12, 12, 16, 26, 52)  # plan lengths a runner picks (our guess)
MISSED_WEEK_SHARE = 0.04  # a week away (holiday, illness)
SKIPPED_AHEAD_SHARE = 0.01  # sessions the athlete skipped in advance, with a reason
UPCOMING_SKIP_SHARE = 0.05  # athletes whose coach took one upcoming session out
LOG_WITH_WATCH_FILE_SHARE = 0.85  # a recorded session also logged by hand (pain, effort)
RED_FLAG_SHARE = 0.003  # of sessions; ten times that during a pain flare
FLARE_SHARE = 0.015  # a pain flare starts (a few sessions of more pain)
RECENT_PAUSE_DAYS = 21  # a red flag this recent leaves the plan paused today
NEXT_MORNING_MISSING_SHARE = 0.07
LATEST_NEXT_MORNING_MISSING_SHARE = 0.5
NOTES_SHARE = 0.08
LOG_NOTES = (
    "Felt steady today.",
    "Knee ached a little on the stairs after, gone by the evening.",
    "Partner called out when I drifted; switching shoulders is easier now.",
    "Windy on the track, kept it short.",
    "Calves tight the next day.",
    "Best session so far!",
    "Treadmill was busy, did the walk on the track instead.",
)
SKIP_REASONS = (
    "Away for work that day.",
    "Family event.",
    "Knee sore after a long day on my feet: resting it.",
    "Travelling, no treadmill at the hotel.",
)
COACH_SKIP_REASONS = (
    "Rest day after last week's flare: see how the knee settles.",
    "Extra recovery before the walk test.",
    "Clinic closed that day.",
)


@dataclass(frozen=True)
class StoredWorkout:
    """A workout as sessions store it, serialised once for every session that has it."""

    workout_json: Json
    timelines_json: Json
    title: str
    backward_s: int


class WorkoutCache:
    """Workouts repeat across sessions and athletes with the same profile: their stored form,
    timelines and watch step directions are worked out once each."""

    def __init__(self) -> None:
        self._stored: dict[Workout, StoredWorkout] = {}
        self._timelines: dict[tuple[Workout, bool], Timeline] = {}
        self._directions: dict[tuple[Workout, bool], list[Direction | None]] = {}

    def stored(self, workout: Workout) -> StoredWorkout:
        found = self._stored.get(workout)
        if found is None:
            timelines = {
                "metric": timeline_to_list(self.timeline(workout, False)),
                "imperial": timeline_to_list(self.timeline(workout, True)),
            }
            found = StoredWorkout(
                as_json(workout_to_dict(workout)),
                as_json(timelines),
                workout.title,
                workout.backward_s,
            )
            self._stored[workout] = found
        return found

    def timeline(self, workout: Workout, imperial: bool) -> Timeline:
        """The timeline stored with the session (made by the same rules, now)."""
        key = (workout, imperial)
        if key not in self._timelines:
            self._timelines[key] = build_timeline(workout, imperial=imperial)
        return self._timelines[key]

    def step_directions(self, workout: Workout, imperial: bool) -> list[Direction | None]:
        """The watch steps' directions, as the importer reads laps against them."""
        key = (workout, imperial)
        if key not in self._directions:
            self._directions[key] = workout_step_directions(workout, imperial)
        return self._directions[key]


@dataclass
class SessionRecord:
    """A planned session, and whether someone took it out of the plan (and who, why, when)."""

    id: int
    plan_id: int
    session: Session
    status: str = "planned"
    skipped_by: int | None = None
    skip_reason: str | None = None
    skipped_at: datetime | None = None


@dataclass
class StoredPlan:
    id: int
    plan: Plan
    created_at: datetime
    sessions: list[SessionRecord]
    active: bool = False
    setting_limit: int | None = None
    paused_on: date | None = None
    paused_reason: str | None = None

    def summary(self) -> dict[str, Any]:
        return _without_week_totals(plan_summary_to_dict(self.plan))


@dataclass
class Recording:
    """A watch recording of a session, before it becomes an imported activity."""

    laps: list[RecordedStep]
    heart_rate_bpm: list[float]
    start: datetime


@dataclass
class Done:
    """A completed session: a log, a watch recording, or both (linked, one session)."""

    record: SessionRecord
    entry: LogEntry | None
    recording: Recording | None
    log_id: int | None = None
    activity_id: int | None = None
    activity: Any = field(default=None)  # seed.watch.ImportedActivity once made


def plans_for(
    person: Person,
    screening: Screening,
    today: date,
    rng: random.Random,
    take_id: Any,
) -> list[StoredPlan]:
    """One plan after another from the Monday after joining, while the athlete goes on; the
    last is the active one. A plan is made the morning it starts."""
    plans: list[StoredPlan] = []
    start = _monday_after(person.joined)
    while start <= today and start < person.stops_on:
        weeks = None if person.profile.goal.is_rehab else rng.choice(NON_REHAB_WEEKS)
        plan = make_plan(person.profile, screening, start, weeks)
        plan_id = take_id("plans")
        records = [SessionRecord(take_id("planned_sessions"), plan_id, s) for s in plan.sessions]
        plans.append(StoredPlan(plan_id, plan, person.at(start, 6), records))
        if rng.random() > person.goes_on:
            break
        start += timedelta(weeks=len(plan.weeks) + rng.choice((0, 0, 1, 2)))
    if plans:
        plans[-1].active = True
    return plans


def _monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def skip_some(
    person: Person,
    plans: list[StoredPlan],
    user_id: int,
    coach_user_id: int,
    today: date,
    rng: random.Random,
) -> None:
    """Sessions taken out of the plan with a reason: now and then by the athlete ahead of the
    day, and for a few athletes one upcoming session by their coach."""
    for plan in plans:
        for record in plan.sessions:
            day = record.session.date
            if day < today and rng.random() < SKIPPED_AHEAD_SHARE:
                _skip(record, user_id, rng.choice(SKIP_REASONS), person.at(day - timedelta(2), 20))
    upcoming = [r for r in plans[-1].sessions if r.session.date > today] if plans else []
    if upcoming and rng.random() < UPCOMING_SKIP_SHARE:
        reason = rng.choice(COACH_SKIP_REASONS)
        _skip(rng.choice(upcoming), coach_user_id, reason, person.at(today, 8))


def _skip(record: SessionRecord, by: int, reason: str, at: datetime) -> None:
    record.status, record.skipped_by, record.skip_reason, record.skipped_at = (
        "skipped",
        by,
        reason,
        at,
    )


@dataclass
class PainState:
    """How sore the athlete is: settling over weeks of a rehab block, with flares."""

    sessions: int = 0
    flare_left: int = 0
    flare_extra: float = 0.0


def what_was_done(
    person: Person,
    plans: list[StoredPlan],
    workouts: WorkoutCache,
    today: date,
    streams_per_session: float,
    rng: random.Random,
) -> list[Done]:
    """The sessions done before today, oldest first."""
    done: list[Done] = []
    pain = PainState()
    first_start = plans[0].plan.start if plans else today
    resume_on = date.min
    for plan in plans:
        missed_weeks = {w.number for w in plan.plan.weeks if rng.random() < MISSED_WEEK_SHARE}
        for record in plan.sessions:
            day = record.session.date
            if day >= today or day >= person.stops_on:
                break
            if record.status != "planned" or day < resume_on:
                continue
            if record.session.week in missed_weeks or rng.random() > person.adherence:
                continue
            item = _do(person, record, workouts, streams_per_session, pain, first_start, rng)
            done.append(item)
            if item.entry is not None and item.entry.red_flags:
                if day >= today - timedelta(days=RECENT_PAUSE_DAYS):
                    return _latest_morning(done, rng)  # paused since: nothing more done
                resume_on = day + timedelta(days=rng.randint(7, 12))  # seen, then resumed
    return _latest_morning(done, rng)


def _latest_morning(done: list[Done], rng: random.Random) -> list[Done]:
    """The latest log's next-morning pain is often still to come."""
    logged = [d for d in done if d.entry is not None]
    if logged and rng.random() < LATEST_NEXT_MORNING_MISSING_SHARE:
        entry = logged[-1].entry
        assert entry is not None
        logged[-1].entry = replace(entry, pain_next_morning=None)
    return done


def _do(
    person: Person,
    record: SessionRecord,
    workouts: WorkoutCache,
    streams_per_session: float,
    pain: PainState,
    first_start: date,
    rng: random.Random,
) -> Done:
    day, workout = record.session.date, record.session.workout
    recording = None
    if person.watch and rng.random() < streams_per_session:
        timeline = workouts.timeline(workout, person.imperial)
        laps, beats = session_recording(day, workout, timeline)
        recording = Recording(laps, beats, person.at(day, person.habit.hour, person.habit.minute))
    entry = _entry(person, workout, day, recording, pain, first_start, rng)
    if recording is not None and not entry.red_flags and rng.random() > LOG_WITH_WATCH_FILE_SHARE:
        return Done(record, None, recording)  # imported, never logged by hand
    return Done(record, entry, recording)


def _entry(
    person: Person,
    workout: Workout,
    day: date,
    recording: Recording | None,
    pain: PainState,
    first_start: date,
    rng: random.Random,
) -> LogEntry:
    """What the athlete writes down after the session."""
    pain.sessions += 1
    during = _pain_during(person, day, pain, first_start, rng)
    after = _clamp(during + rng.choice((-1, 0, 0, 1)), 0, 10)
    morning = None
    if rng.random() > NEXT_MORNING_MISSING_SHARE:
        morning = _clamp(after + rng.choice((-2, -1, -1, 0, 0, 1)), 0, 10)
    flags = _red_flags(pain, rng)
    stumbles = None if rng.random() < 0.25 else rng.choices((0, 1, 2), (93, 6, 1))[0]
    falls = None if stumbles is None else 0
    if RedFlag.INJURED_IN_FALL in flags:
        stumbles, falls = max(stumbles or 0, 1), 1
    minutes, distance_km = _amount(workout, recording, rng)
    backward = [step for step in workout.steps if step.is_backward]
    entry = LogEntry(
        date=day,
        minutes=minutes,
        direction=Direction.BACKWARD if backward else Direction.FORWARD,
        mode=Mode.RUN if any(s.mode is Mode.RUN for s in backward) or not backward else Mode.WALK,
        setting=backward[0].setting if backward else workout.steps[0].setting,
        rpe=_clamp(
            max((s.rpe for s in workout.steps), default=3) + rng.choice((-1, 0, 0, 1)), 1, 10
        ),
        pain_during=during,
        pain_after=after,
        distance_km=distance_km,
        pain_next_morning=morning,
        with_partner=bool(backward) and person.profile.has_partner and rng.random() < 0.8,
        notes=rng.choice(LOG_NOTES) if rng.random() < NOTES_SHARE else "",
        stumbles=stumbles,
        falls=falls,
        steadiness=None if rng.random() < 0.3 else _steadiness(pain.sessions, rng),
        red_flags=flags,
    )
    validate_log(entry, day + timedelta(days=1))
    return entry


def _pain_during(
    person: Person, day: date, pain: PainState, first_start: date, rng: random.Random
) -> int:
    """Rehab pain settles by about 6 % a week to a third of where it began (our guess at a
    knee block going well); a flare adds 1.5–3 for a few sessions."""
    weeks = (day - first_start).days / 7
    level = person.pain_base
    if person.profile.goal.is_rehab:
        level *= max(0.3, 1 - 0.06 * weeks)
    if pain.flare_left == 0 and rng.random() < FLARE_SHARE:
        pain.flare_left, pain.flare_extra = rng.randint(3, 6), rng.uniform(1.5, 3.0)
    if pain.flare_left:
        level += pain.flare_extra
        pain.flare_left -= 1
    return _clamp(round(level + rng.gauss(0, 0.7)), 0, 10)


def _red_flags(pain: PainState, rng: random.Random) -> frozenset[RedFlag]:
    share = RED_FLAG_SHARE * (10 if pain.flare_left else 1)
    if rng.random() >= share:
        return frozenset()
    return frozenset({rng.choice(list(RedFlag))})


def _steadiness(sessions: int, rng: random.Random) -> int:
    """Surer on their feet with practice: 2 at first, 5 after about 30 sessions."""
    return _clamp(round(2 + 3 * min(1.0, sessions / 30) + rng.gauss(0, 0.6)), 1, 5)


def _amount(
    workout: Workout, recording: Recording | None, rng: random.Random
) -> tuple[float, float]:
    """Minutes and kilometres: as the watch timed them, else near the plan."""
    if recording is not None:
        seconds = sum(lap.duration_s for lap in recording.laps)
        metres = sum(lap.duration_s * lap.speed_m_s for lap in recording.laps)
        return round(seconds / 60), round(metres / 1000, 2)
    minutes = max(round(workout.duration_s / 60) + rng.choice((-3, -1, 0, 0, 0, 2)), 1)
    metres = sum(
        (s.duration_s or 0) * (s.speed_m_s or DEFAULT_SPEED_M_S[(s.direction, s.mode)])
        for s in workout.steps
    )
    return minutes, round(metres * minutes * 60 / workout.duration_s / 1000, 2)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def session_row(record: SessionRecord, stored: StoredWorkout) -> dict[str, Any]:
    """The planned session as `repository.save_plan` stores it (then, if skipped, as
    `plans.change_row` leaves it)."""
    skipped = record.status == "skipped"
    return {
        "id": record.id,
        "plan_id": record.plan_id,
        "date": record.session.date,
        "week": record.session.week,
        "title": stored.title,
        "backward_s": stored.backward_s,
        "workout": stored.workout_json,
        "timeline": stored.timelines_json,
        "status": record.status,
        "version": 2 if skipped else 1,
        "origin": "edited" if skipped else "generated",
        "rules_version": RULES_VERSION,
        "decision_id": None,
        "edited_by": record.skipped_by,
        "reason": record.skip_reason,
        "updated_at": record.skipped_at,
        "step": None,
    }


def first_version_row(
    version_id: int, record: SessionRecord, stored: StoredWorkout
) -> dict[str, Any]:
    """A skipped session's first version, as `repository.keep_version` keeps it."""
    return {
        "id": version_id,
        "planned_session_id": record.id,
        "version": 1,
        "date": record.session.date,
        "week": record.session.week,
        "title": stored.title,
        "workout": stored.workout_json,
        "timeline": stored.timelines_json,
        "status": "planned",
        "origin": "generated",
        "rules_version": RULES_VERSION,
        "decision_id": None,
        "edited_by": None,
        "reason": None,
        "created_at": record.skipped_at,
    }


def log_row(log_id: int, athlete: int, item: Done, created_at: datetime) -> dict[str, Any]:
    """A log as `repository.add_log` stores it, linked to its activity as `logs.link_log`
    links it, its next-morning pain added the next morning (`logs.complete_log`)."""
    entry = item.entry
    assert entry is not None
    morning = entry.pain_next_morning is not None
    return {
        "id": log_id,
        "athlete_id": athlete,
        "planned_session_id": item.record.id,
        "date": entry.date,
        "minutes": entry.minutes,
        "distance_km": entry.distance_km,
        "direction": entry.direction.value,
        "mode": entry.mode.value,
        "setting": entry.setting.value,
        "rpe": entry.rpe,
        "pain_during": entry.pain_during,
        "pain_after": entry.pain_after,
        "pain_next_morning": entry.pain_next_morning,
        "with_partner": entry.with_partner,
        "notes": entry.notes,
        "stumbles": entry.stumbles,
        "falls": entry.falls,
        "steadiness": entry.steadiness,
        "red_flags": sorted(flag.value for flag in entry.red_flags),
        "client_ref": None,
        "created_at": created_at,
        "activity_id": item.activity_id,
        "updated_at": created_at + timedelta(hours=14) if morning else None,
    }


def plan_row(plan: StoredPlan, athlete: int, screening_id: int) -> dict[str, Any]:
    return {
        "id": plan.id,
        "athlete_id": athlete,
        "screening_id": screening_id,
        "start": plan.plan.start,
        "active": plan.active,
        "cleared_by_doctor": plan.plan.cleared_by_doctor,
        "summary": plan.summary(),
        "week_phases": week_phases(plan.plan),
        "created_at": plan.created_at,
        "setting_limit": plan.setting_limit,
        "paused_on": plan.paused_on,
        "paused_reason": plan.paused_reason,
    }


def active_record_on(plans: list[StoredPlan], day: date) -> StoredPlan | None:
    """The plan that was active on `day`: the latest made by then."""
    found = None
    for plan in plans:
        if plan.plan.start <= day:
            found = plan
    return found


def setting_of(workout: Workout) -> Setting:
    """Where the backward part happens (or the whole session, with none)."""
    return next((s.setting for s in workout.steps if s.is_backward), workout.steps[0].setting)


WALK_TEST_EVERY_DAYS = 14  # the engine asks for one every two weeks (`walk_test_due`)


def walk_tests_for(
    person: Person, plans: list[StoredPlan], today: date, rng: random.Random
) -> list[tuple[date, float, bool]]:
    """3-metre backward walks (day, seconds, timed by retrorun): at each plan's start and every
    two weeks, by most rehab clients and some runners; a little quicker with practice, around
    the 5.1 s of non-fallers (Polo-Ferrero 2025)."""
    share = 0.6 if person.profile.goal.is_rehab else 0.25
    tests = []
    for plan in plans:
        day = plan.plan.start
        end = min(plan.plan.start + timedelta(weeks=len(plan.plan.weeks)), today, person.stops_on)
        while day < end:
            if rng.random() < share:
                weeks = (day - plans[0].plan.start).days / 7
                seconds = max(3.5, rng.gauss(6.5 - 0.05 * weeks, 0.5))
                tests.append((day, round(seconds, 1), rng.random() < 0.6))
            day += timedelta(days=WALK_TEST_EVERY_DAYS)
    return tests
