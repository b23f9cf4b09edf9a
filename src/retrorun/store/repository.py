"""Reading and writing the store. Every query is scoped to one athlete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import defer

from retrorun.core.log import LogEntry
from retrorun.core.plan import RULES_VERSION, Plan
from retrorun.core.profile import Experience, Goal, Profile, Units
from retrorun.core.progression import RedFlag
from retrorun.core.screening import Screening
from retrorun.core.serialize import (
    plan_from_parts,
    plan_summary_to_dict,
    week_phases,
    workout_from_dict,
    workout_to_dict,
)
from retrorun.core.workout import Direction, Mode, Session, Setting
from retrorun.store.models import (
    ActivityRow,
    AthleteRow,
    DecisionRow,
    LogRow,
    PlannedSessionRow,
    PlannedSessionVersionRow,
    PlanRow,
    ScreeningRow,
    WalkTestRow,
    possible_id,
)

if TYPE_CHECKING:
    from retrorun.store.activities import StoredActivity


def _now() -> datetime:
    return datetime.now(UTC)


def athlete_id(db: DbSession, name: str, create: bool = True) -> int | None:
    """The id of the named athlete, created on first use when asked.

    Two processes starting at once on a new database may both create it: the insert runs in a
    savepoint, and the one that loses the race reads the row the other one made.
    """
    query = select(AthleteRow.id).where(AthleteRow.name == name)
    found = db.scalars(query).first()
    if found is not None or not create:
        return found
    try:
        with db.begin_nested():
            row = AthleteRow(name=name, created_at=_now())
            db.add(row)
        return row.id
    except IntegrityError:
        return db.scalars(query).one()


def save_profile(db: DbSession, athlete: int, profile: Profile) -> None:
    row = db.get_one(AthleteRow, athlete)
    row.mass_kg = profile.mass_kg
    row.age_years = profile.age_years
    row.sex = profile.sex
    row.experience = profile.experience.value
    row.goal = profile.goal.value
    row.weekdays = list(profile.weekdays)
    row.minutes_per_session = profile.minutes_per_session
    row.has_treadmill = profile.has_treadmill
    row.has_track = profile.has_track
    row.has_partner = profile.has_partner
    row.units = profile.units.value


def load_profile(db: DbSession, athlete: int) -> Profile | None:
    row = db.get_one(AthleteRow, athlete)
    if row.mass_kg is None or row.experience is None or row.goal is None:
        return None
    return Profile(
        mass_kg=row.mass_kg,
        age_years=row.age_years or 0,
        experience=Experience(row.experience),
        goal=Goal(row.goal),
        weekdays=tuple(row.weekdays or ()),
        minutes_per_session=row.minutes_per_session or 0,
        has_treadmill=row.has_treadmill,
        has_track=row.has_track,
        has_partner=row.has_partner,
        sex=row.sex,
        units=Units(row.units),
    )


def save_screening(db: DbSession, athlete: int, screening: Screening) -> int:
    row = ScreeningRow(
        athlete_id=athlete,
        answered_on=screening.answered_on,
        answers=dict(screening.answers),
        cleared_by_doctor=screening.cleared_by_doctor,
        created_at=_now(),
    )
    db.add(row)
    db.flush()
    return row.id


def latest_screening(db: DbSession, athlete: int) -> tuple[int, Screening] | None:
    query = (
        select(ScreeningRow)
        .where(ScreeningRow.athlete_id == athlete)
        .order_by(ScreeningRow.id.desc())
        .limit(1)
    )
    row = db.scalars(query).first()
    if row is None:
        return None
    return row.id, Screening(row.answered_on, row.answers, row.cleared_by_doctor)


def mark_cleared(db: DbSession, screening_id: int) -> None:
    db.get_one(ScreeningRow, screening_id).cleared_by_doctor = True


def save_plan(
    db: DbSession, athlete: int, screening_id: int, plan: Plan, timelines: list[dict[str, Any]]
) -> int:
    """Store a new active plan; earlier plans stay (inactive), and so do all logs.

    `timelines` holds each session's cue timeline as made now, so the session keeps it exactly
    whatever later rules say.
    """
    db.execute(
        update(PlanRow).where(PlanRow.athlete_id == athlete, PlanRow.active).values(active=False)
    )
    row = PlanRow(
        athlete_id=athlete,
        screening_id=screening_id,
        start=plan.start,
        active=True,
        cleared_by_doctor=plan.cleared_by_doctor,
        summary=_without_week_totals(plan_summary_to_dict(plan)),
        week_phases=week_phases(plan),
        created_at=_now(),
    )
    db.add(row)
    db.flush()
    db.add_all(
        PlannedSessionRow(
            plan_id=row.id,
            date=session.date,
            week=session.week,
            title=session.workout.title,
            workout=workout_to_dict(session.workout),
            backward_s=session.workout.backward_s,
            timeline=timeline,
            status="planned",
            version=1,
            origin="generated",
            rules_version=RULES_VERSION,
        )
        for session, timeline in zip(plan.sessions, timelines, strict=True)
    )
    return row.id


def _without_week_totals(summary: dict[str, Any]) -> dict[str, Any]:
    """Week totals are computed from the sessions when read, never stored beside them."""
    weeks = [
        {k: v for k, v in week.items() if k != "backward_minutes"} for week in summary["weeks"]
    ]
    return {**summary, "weeks": weeks}


def active_plan(db: DbSession, athlete: int) -> Plan | None:
    """The active plan as it stands now: its sessions as edited, skipped ones left out.

    Week totals are worked out from those sessions, never read from beside them.
    """
    row = active_plan_row(db, athlete)
    if row is None:
        return None
    sessions = [
        Session(r.date, r.week, workout_from_dict(r.workout))
        for r in planned_session_rows(db, row.id)
        if r.status == "planned"
    ]
    return plan_from_parts(with_week_totals(row.summary, sessions), sessions)


def with_week_totals(summary: dict[str, Any], sessions: list[Session]) -> dict[str, Any]:
    """The stored summary with each week's backward minutes summed from its sessions now."""
    backward_s: dict[int, float] = {}
    for session in sessions:
        backward_s[session.week] = backward_s.get(session.week, 0.0) + session.workout.backward_s
    weeks = [
        {**week, "backward_minutes": backward_s.get(week["number"], 0.0) / 60}
        for week in summary["weeks"]
    ]
    return {**summary, "weeks": weeks}


def active_plan_row(db: DbSession, athlete: int) -> PlanRow | None:
    query = select(PlanRow).where(PlanRow.athlete_id == athlete, PlanRow.active)
    return db.scalars(query.order_by(PlanRow.id.desc())).first()


def active_plan_id(db: DbSession, athlete: int) -> int | None:
    row = active_plan_row(db, athlete)
    return None if row is None else row.id


def walk_test_rows(db: DbSession, athlete: int, until: date) -> list[WalkTestRow]:
    """The athlete's 3-metre backward walks up to `until`, oldest first."""
    query = select(WalkTestRow).where(WalkTestRow.athlete_id == athlete, WalkTestRow.date <= until)
    return list(db.scalars(query.order_by(WalkTestRow.date, WalkTestRow.id)))


def decision_rows(db: DbSession, athlete: int, limit: int) -> list[DecisionRow]:
    """The latest `limit` decisions of the progression engine, newest first."""
    query = select(DecisionRow).where(DecisionRow.athlete_id == athlete)
    return list(db.scalars(query.order_by(DecisionRow.id.desc()).limit(limit)))


def decision_rows_between(
    db: DbSession, athlete: int, first: date, last: date
) -> list[DecisionRow]:
    """The decisions made from `first` to `last`, oldest first (by the athlete's index on
    made_on: bounded by the window, however long the record)."""
    query = select(DecisionRow).where(
        DecisionRow.athlete_id == athlete, DecisionRow.made_on >= first, DecisionRow.made_on <= last
    )
    return list(db.scalars(query.order_by(DecisionRow.made_on, DecisionRow.id)))


def planned_session_rows(
    db: DbSession,
    plan_id: int,
    *,
    week: int | None = None,
    day: date | None = None,
    with_timelines: bool = False,
) -> list[PlannedSessionRow]:
    """A plan's sessions, oldest first; only one week's or one day's when asked.

    The stored timelines (a few kB a session) are loaded only when asked for: a list or a week
    needs the workouts, a session being played needs its timeline.
    """
    query = select(PlannedSessionRow).where(PlannedSessionRow.plan_id == plan_id)
    if week is not None:
        query = query.where(PlannedSessionRow.week == week)
    if day is not None:
        query = query.where(PlannedSessionRow.date == day)
    if not with_timelines:
        query = query.options(defer(PlannedSessionRow.timeline))
    return list(db.scalars(query.order_by(PlannedSessionRow.date, PlannedSessionRow.id)).all())


def week_backward_minutes(db: DbSession, plan_id: int) -> dict[int, float]:
    """Each week's planned backward minutes: one SUM over the stored sessions."""
    query = (
        select(PlannedSessionRow.week, func.sum(PlannedSessionRow.backward_s))
        .where(PlannedSessionRow.plan_id == plan_id, PlannedSessionRow.status == "planned")
        .group_by(PlannedSessionRow.week)
    )
    return {int(week): float(total or 0) / 60 for week, total in db.execute(query)}


def backward_days(db: DbSession, athlete: int, first: date, last: date) -> list[date]:
    """The day of each backward session completed from `first` to `last` (a log and its
    linked import once: the rule of `store.activities.backward_sessions_before`)."""
    logged = (
        select(LogRow.date)
        .outerjoin(ActivityRow, ActivityRow.id == LogRow.activity_id)
        .where(
            LogRow.athlete_id == athlete,
            LogRow.date >= first,
            LogRow.date <= last,
            or_(LogRow.direction == "backward", ActivityRow.backward_s > 0),
        )
    )
    imported = (
        select(ActivityRow.start_date)
        .outerjoin(LogRow, LogRow.activity_id == ActivityRow.id)
        .where(
            ActivityRow.athlete_id == athlete,
            ActivityRow.start_date >= first,
            ActivityRow.start_date <= last,
            ActivityRow.backward_s > 0,
            LogRow.id.is_(None),
        )
    )
    return [*db.scalars(logged), *db.scalars(imported)]


def session_rows_in_weeks(
    db: DbSession, plan_id: int, weeks: Sequence[int]
) -> list[PlannedSessionRow]:
    """The sessions of some plan weeks, in date order, without their timelines."""
    query = select(PlannedSessionRow).where(
        PlannedSessionRow.plan_id == plan_id, PlannedSessionRow.week.in_(list(weeks))
    )
    query = query.options(defer(PlannedSessionRow.timeline))
    return list(db.scalars(query.order_by(PlannedSessionRow.date, PlannedSessionRow.id)).all())


def latest_session_until(db: DbSession, plan_id: int, day: date) -> PlannedSessionRow | None:
    """The latest session still planned (not skipped) on or before `day`."""
    query = select(PlannedSessionRow).where(
        PlannedSessionRow.plan_id == plan_id,
        PlannedSessionRow.date <= day,
        PlannedSessionRow.status == "planned",
    )
    query = query.options(defer(PlannedSessionRow.timeline))
    order = (PlannedSessionRow.date.desc(), PlannedSessionRow.id.desc())
    return db.scalars(query.order_by(*order).limit(1)).first()


def plan_week_count(db: DbSession, plan_id: int) -> int:
    found: int | None = db.scalar(
        select(func.max(PlannedSessionRow.week)).where(PlannedSessionRow.plan_id == plan_id)
    )
    return found or 0


def first_workouts(db: DbSession, plan_id: int, weeks: Sequence[int]) -> dict[int, list[Any]]:
    """The workouts of some plan weeks as the plan was first made (each session's first
    version), week by week in date order: the steps a decision can put in later weeks."""
    rows = session_rows_in_weeks(db, plan_id, weeks)
    changed = [row.id for row in rows if row.version > 1]
    firsts: dict[int, PlannedSessionVersionRow] = {}
    if changed:
        query = select(PlannedSessionVersionRow).where(
            PlannedSessionVersionRow.planned_session_id.in_(changed),
            PlannedSessionVersionRow.version == 1,
        )
        firsts = {
            v.planned_session_id: v
            for v in db.scalars(query.options(defer(PlannedSessionVersionRow.timeline)))
        }
    found: dict[int, list[tuple[date, int, Any]]] = {week: [] for week in weeks}
    for row in rows:
        first = firsts.get(row.id)
        if first is None:
            found[row.week].append((row.date, row.id, row.workout))
        else:
            found.setdefault(first.week, []).append((first.date, row.id, first.workout))
    return {week: [item[2] for item in sorted(found[week], key=lambda i: i[:2])] for week in weeks}


def next_planned_day(db: DbSession, plan_id: int, after: date) -> date | None:
    """The first day after `after` with a session still planned."""
    query = select(func.min(PlannedSessionRow.date)).where(
        PlannedSessionRow.plan_id == plan_id,
        PlannedSessionRow.date > after,
        PlannedSessionRow.status == "planned",
    )
    found: date | None = db.scalar(query)
    return found


def log_rows_between(db: DbSession, athlete: int, first: date, last: date) -> list[LogRow]:
    query = select(LogRow).where(
        LogRow.athlete_id == athlete, LogRow.date >= first, LogRow.date <= last
    )
    return list(db.scalars(query.order_by(LogRow.date, LogRow.id)).all())


def activities_between(
    db: DbSession, athlete: int, first: date, last: date, also: Sequence[int] = ()
) -> list[StoredActivity]:
    """Imported activities started from `first` to `last` (UTC dates), and those with the ids in
    `also`, oldest first, as summaries: no laps, no streams."""
    from retrorun.store.activities import stored

    in_window = (ActivityRow.start_date >= first) & (ActivityRow.start_date <= last)
    query = (
        select(ActivityRow)
        .options(defer(ActivityRow.streams))
        .where(ActivityRow.athlete_id == athlete, or_(in_window, ActivityRow.id.in_(list(also))))
        .order_by(ActivityRow.start, ActivityRow.id)
    )
    return [stored(row, []) for row in db.scalars(query)]


def latest_log_rows(db: DbSession, athlete: int, limit: int) -> list[LogRow]:
    query = select(LogRow).where(LogRow.athlete_id == athlete)
    return list(db.scalars(query.order_by(LogRow.date.desc(), LogRow.id.desc()).limit(limit)))


def latest_activities(
    db: DbSession, athlete: int, limit: int, also: Sequence[int] = ()
) -> list[StoredActivity]:
    """The latest imported activities no log is linked to, and those with the ids in `also`, as
    summaries (no laps, no streams), newest first."""
    from retrorun.store.activities import stored

    linked = select(LogRow.activity_id).where(
        LogRow.athlete_id == athlete, LogRow.activity_id.is_not(None)
    )
    alone = (
        select(ActivityRow.id)
        .where(ActivityRow.athlete_id == athlete, ActivityRow.id.not_in(linked))
        .order_by(ActivityRow.start.desc(), ActivityRow.id.desc())
        .limit(limit)
    )
    wanted = [*db.scalars(alone), *also]
    query = (
        select(ActivityRow)
        .options(defer(ActivityRow.streams))
        .where(ActivityRow.athlete_id == athlete, ActivityRow.id.in_(wanted))
        .order_by(ActivityRow.start.desc(), ActivityRow.id.desc())
    )
    return [stored(row, []) for row in db.scalars(query)]


def completed_count(db: DbSession, athlete: int) -> int:
    """Completed sessions of all time: every log, and every import no log is linked to."""
    logs = db.scalar(select(func.count()).select_from(LogRow).where(LogRow.athlete_id == athlete))
    linked = select(LogRow.activity_id).where(
        LogRow.athlete_id == athlete, LogRow.activity_id.is_not(None)
    )
    alone = db.scalar(
        select(func.count())
        .select_from(ActivityRow)
        .where(ActivityRow.athlete_id == athlete, ActivityRow.id.not_in(linked))
    )
    return int(logs or 0) + int(alone or 0)


def done_days(db: DbSession, athlete: int, first: date, last: date) -> set[date]:
    """Days from `first` to `last` with something logged or imported: two indexed queries."""
    logged = select(LogRow.date).where(
        LogRow.athlete_id == athlete, LogRow.date >= first, LogRow.date <= last
    )
    imported = select(ActivityRow.start_date).where(
        ActivityRow.athlete_id == athlete,
        ActivityRow.start_date >= first,
        ActivityRow.start_date <= last,
    )
    return set(db.scalars(logged.distinct())) | set(db.scalars(imported.distinct()))


def planned_session_row(db: DbSession, athlete: int, session_id: int) -> PlannedSessionRow | None:
    """A planned session of this athlete's plans (any plan), or None."""
    if not possible_id(session_id):
        return None
    query = (
        select(PlannedSessionRow)
        .join(PlanRow, PlanRow.id == PlannedSessionRow.plan_id)
        .where(PlannedSessionRow.id == session_id, PlanRow.athlete_id == athlete)
    )
    return db.scalars(query).first()


def planned_session_id(db: DbSession, athlete: int, day: date) -> int | None:
    """The active plan's session on that day, if any and not skipped (a log counts toward it)."""
    plan = active_plan_row(db, athlete)
    if plan is None:
        return None
    query = select(PlannedSessionRow.id).where(
        PlannedSessionRow.plan_id == plan.id,
        PlannedSessionRow.date == day,
        PlannedSessionRow.status == "planned",
    )
    return db.scalars(query).first()


def keep_version(db: DbSession, row: PlannedSessionRow) -> None:
    """Copy a planned session as it is now into its versions, before it is changed."""
    db.add(
        PlannedSessionVersionRow(
            planned_session_id=row.id,
            version=row.version,
            date=row.date,
            week=row.week,
            title=row.title,
            workout=row.workout,
            timeline=row.timeline,
            status=row.status,
            origin=row.origin,
            rules_version=row.rules_version,
            decision_id=row.decision_id,
            edited_by=row.edited_by,
            reason=row.reason,
            created_at=row.updated_at or _now(),
        )
    )


def session_versions(db: DbSession, session_id: int) -> list[PlannedSessionVersionRow]:
    query = select(PlannedSessionVersionRow).where(
        PlannedSessionVersionRow.planned_session_id == session_id
    )
    return list(db.scalars(query.order_by(PlannedSessionVersionRow.version)).all())


def add_log(db: DbSession, athlete: int, entry: LogEntry, client_ref: str | None = None) -> LogRow:
    row = LogRow(
        athlete_id=athlete,
        planned_session_id=planned_session_id(db, athlete, entry.date),
        date=entry.date,
        minutes=entry.minutes,
        distance_km=entry.distance_km,
        direction=entry.direction.value,
        mode=entry.mode.value,
        setting=entry.setting.value,
        rpe=entry.rpe,
        pain_during=entry.pain_during,
        pain_after=entry.pain_after,
        pain_next_morning=entry.pain_next_morning,
        with_partner=entry.with_partner,
        notes=entry.notes,
        stumbles=entry.stumbles,
        falls=entry.falls,
        steadiness=entry.steadiness,
        red_flags=stored_red_flags(entry.red_flags),
        client_ref=client_ref,
        created_at=_now(),
    )
    db.add(row)
    db.flush()
    return row


def log_by_client_ref(db: DbSession, athlete: int, client_ref: str) -> LogRow | None:
    query = select(LogRow).where(LogRow.athlete_id == athlete, LogRow.client_ref == client_ref)
    return db.scalars(query).first()


def log_rows(db: DbSession, athlete: int, day: date | None = None) -> list[LogRow]:
    """Logs, oldest first; only one day's when `day` is given."""
    query = select(LogRow).where(LogRow.athlete_id == athlete)
    if day is not None:
        query = query.where(LogRow.date == day)
    return list(db.scalars(query.order_by(LogRow.date, LogRow.id)).all())


def log_rows_for(
    db: DbSession, athlete: int, day: date, planned_session_id: int | None
) -> list[LogRow]:
    """The logs that could be of the same session as an activity: that day's, or the planned
    session's (one indexed query, however long the history)."""
    same = LogRow.date == day
    if planned_session_id is not None:
        same = or_(same, LogRow.planned_session_id == planned_session_id)
    query = select(LogRow).where(LogRow.athlete_id == athlete, same)
    return list(db.scalars(query.order_by(LogRow.id)).all())


def logs(db: DbSession, athlete: int) -> list[tuple[int, bool, LogEntry]]:
    """(id, matched to a planned session, entry), oldest first."""
    return [
        (row.id, row.planned_session_id is not None, log_entry(row))
        for row in log_rows(db, athlete)
    ]


def log_entry(row: LogRow) -> LogEntry:
    return LogEntry(
        date=row.date,
        minutes=row.minutes,
        direction=Direction(row.direction),
        mode=Mode(row.mode),
        setting=Setting(row.setting),
        rpe=row.rpe,
        pain_during=row.pain_during,
        pain_after=row.pain_after,
        distance_km=row.distance_km,
        pain_next_morning=row.pain_next_morning,
        with_partner=row.with_partner,
        notes=row.notes,
        stumbles=row.stumbles,
        falls=row.falls,
        steadiness=row.steadiness,
        red_flags=frozenset(RedFlag(value) for value in row.red_flags or ()),
    )


def stored_red_flags(flags: frozenset[RedFlag]) -> list[str]:
    """The red flags as the column keeps them: their values, sorted, so a log reads the same
    whichever order they were ticked in. Logs kept before red flags were asked hold NULL."""
    return sorted(flag.value for flag in flags)
