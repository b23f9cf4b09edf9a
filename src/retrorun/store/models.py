"""Tables. One athlete row per person; plans keep their sessions as rows; logs are never deleted.

People who sign in are users (athlete, coach or admin). An athlete user owns one athlete row;
the local CLI owns the athlete named "me" without signing in. A coach sees an athlete only
through an accepted, not ended, coach link.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# What the audit log calls a coach's caseload list (`services.audit.CASELOAD_LIST`), which an
# index leaves out.
CASELOAD_LIST = "caseload.caseload"

# Ids are 32-bit integers in PostgreSQL: an id beyond them cannot exist on either database, and
# asking for one must be "not found", not an overflow.
MAX_ID = 2**31 - 1


def possible_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


class Base(DeclarativeBase):
    pass


class AthleteRow(Base):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    mass_kg: Mapped[float | None] = mapped_column(Float)
    age_years: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(10))
    experience: Mapped[str | None] = mapped_column(String(30))
    goal: Mapped[str | None] = mapped_column(String(30))
    weekdays: Mapped[list[int] | None] = mapped_column(JSON)
    minutes_per_session: Mapped[int | None] = mapped_column(Integer)
    has_treadmill: Mapped[bool] = mapped_column(Boolean, default=False)
    has_track: Mapped[bool] = mapped_column(Boolean, default=False)
    has_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    units: Mapped[str] = mapped_column(String(10), default="metric")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The pain limits of the progression engine, set by the athlete or their clinician or coach.
    pain_ceiling: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    usual_pain: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserRow(Base):
    """Someone who signs in. `athlete_id` is their own training record (athletes only)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # athlete | coach | admin
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CoachLinkRow(Base):
    """A coach's access to one athlete: invited (a code), active once accepted, then ended.

    The invitation code is stored only as its SHA-256, so the table never holds a usable code.
    """

    __tablename__ = "coach_links"
    __table_args__ = (Index("ix_coach_links_athlete_coach", "athlete_id", "coach_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id"))
    status: Mapped[str] = mapped_column(String(10))  # invited | active | ended
    code_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(10))  # athlete | coach


class ScreeningRow(Base):
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"), index=True)
    answered_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, bool]] = mapped_column(JSON)
    cleared_by_doctor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanRow(Base):
    __tablename__ = "plans"
    # A person has one active plan among all they made; the caseload finds those of hundreds
    # of clients at once (migration 0010).
    __table_args__ = (
        Index(
            "ix_plans_active_athlete",
            "athlete_id",
            "id",
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"), index=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"))
    start: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cleared_by_doctor: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The phase of each week in order, comma-separated (`core.serialize.week_phases`): where a
    # client is in their plan, read for hundreds of clients by the caseload without the summary.
    week_phases: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The most open place backward steps may happen, as the progression engine last set it
    # (a `SettingLimit`); NULL until a decision was applied: the plan's own schedule then.
    setting_limit: Mapped[int | None] = mapped_column(Integer)
    # Paused after a red flag until the person or their coach resumes it.
    paused_on: Mapped[date | None] = mapped_column(Date)
    paused_reason: Mapped[str | None] = mapped_column(Text)


class PlannedSessionRow(Base):
    __tablename__ = "planned_sessions"
    # A page reads one week or one day of a plan, never the whole of a long one.
    __table_args__ = (
        Index("ix_planned_sessions_plan_week", "plan_id", "week"),
        Index("ix_planned_sessions_plan_date", "plan_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    week: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # The workout's planned backward seconds, kept beside it so week totals are a SUM, not a
    # parse of every workout (always set with the workout).
    backward_s: Mapped[int] = mapped_column(Integer, default=0)
    workout: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The exact cue timeline the session had (metric and imperial words), so that it never
    # changes when the rules change; NULL for sessions stored before timelines were kept.
    timeline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="planned")  # planned | skipped
    version: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str] = mapped_column(
        String(10), default="generated"
    )  # generated|adjusted|edited
    rules_version: Mapped[str | None] = mapped_column(String(40))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The program step (a week of the plan as first made) whose content the session holds:
    # NULL is its own week; a hold or step back puts an earlier step in a later week.
    step: Mapped[int | None] = mapped_column(Integer)


class PlannedSessionVersionRow(Base):
    """A planned session as it was before a change: every earlier version is kept."""

    __tablename__ = "planned_session_versions"
    __table_args__ = (
        UniqueConstraint("planned_session_id", "version", name="uq_session_versions_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    planned_session_id: Mapped[int] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    week: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    workout: Mapped[dict[str, Any]] = mapped_column(JSON)
    timeline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(10))
    rules_version: Mapped[str | None] = mapped_column(String(40))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogRow(Base):
    __tablename__ = "session_logs"
    __table_args__ = (
        UniqueConstraint("athlete_id", "client_ref", name="uq_session_logs_client_ref"),
        Index("ix_session_logs_athlete_date", "athlete_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"), index=True)
    planned_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="SET NULL")
    )
    date: Mapped[date] = mapped_column(Date, index=True)
    minutes: Mapped[float] = mapped_column(Float)
    distance_km: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(10))
    setting: Mapped[str] = mapped_column(String(30))
    rpe: Mapped[int] = mapped_column(Integer)
    pain_during: Mapped[int] = mapped_column(Integer)
    pain_after: Mapped[int] = mapped_column(Integer)
    pain_next_morning: Mapped[int | None] = mapped_column(Integer)
    with_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    stumbles: Mapped[int | None] = mapped_column(Integer)
    falls: Mapped[int | None] = mapped_column(Integer)
    steadiness: Mapped[int | None] = mapped_column(Integer)
    # Red flags reported with the session (`RedFlag` values); NULL in logs kept before they
    # were asked for.
    red_flags: Mapped[list[str] | None] = mapped_column(JSON)
    # The id a device gave a log written offline: sending it twice stores it once.
    client_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The imported activity of the same session: the two are one completed session.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), unique=True
    )
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ActivityRow(Base):
    """An imported activity: summaries as columns, the per-second streams as one blob.

    `content_sha256` (of the decompressed file) is unique per athlete, so a file imported
    twice, under another name or inside an archive, is stored once. `direction` is backward,
    forward, mixed or unknown (NULL); `backward_s` is the time known to be backward.
    """

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("athlete_id", "content_sha256", name="uq_activities_athlete_content"),
        Index("ix_activities_athlete_start_date", "athlete_id", "start_date"),
        # The caseload counts a client's imports since their coach last looked.
        Index("ix_activities_athlete_created", "athlete_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"), index=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(String(1000))
    source_format: Mapped[str] = mapped_column(String(10))
    sport: Mapped[str | None] = mapped_column(String(40))
    sub_sport: Mapped[str | None] = mapped_column(String(40))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    start_date: Mapped[date] = mapped_column(Date, index=True)  # the UTC date of `start`
    duration_s: Mapped[float] = mapped_column(Float)
    elapsed_s: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(10))
    direction_source: Mapped[str | None] = mapped_column(String(10))  # user | workout
    backward_s: Mapped[float] = mapped_column(Float, default=0.0)
    kcal: Mapped[float | None] = mapped_column(Float)
    energy_model: Mapped[str | None] = mapped_column(String(200))
    device_kcal: Mapped[float | None] = mapped_column(Float)
    avg_heart_rate_bpm: Mapped[float | None] = mapped_column(Float)
    max_heart_rate_bpm: Mapped[float | None] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer)
    lap_count: Mapped[int] = mapped_column(Integer)
    planned_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="SET NULL"), index=True
    )
    streams: Mapped[bytes] = mapped_column(LargeBinary)
    # What the energy estimate was made with (mass, age, sex, practice, directions), so that a
    # change of any of them is seen and the estimate worked out again, never left stale.
    energy_inputs: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivityLapRow(Base):
    """One lap of an imported activity, with the direction it was done in (NULL: unknown)."""

    __tablename__ = "activity_laps"
    __table_args__ = (
        UniqueConstraint("activity_id", "lap_index", name="uq_activity_laps_activity_lap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    lap_index: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)  # from the activity's start
    duration_s: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    workout_step_index: Mapped[int | None] = mapped_column(Integer)
    direction: Mapped[str | None] = mapped_column(String(10))


class SecretTokenRow(Base):
    """A secret handed to a person or a device: a browser session, an API token, a password
    reset link or a calendar feed URL. Only its SHA-256 is stored; the secret is shown once."""

    __tablename__ = "secret_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # session | api | reset | calendar
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    csrf_token: Mapped[str | None] = mapped_column(String(64))  # sessions: the forms' token
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RateLimitRow(Base):
    """Hits on one key (an account or an address) in one fixed time window, shared by every
    worker process through the database."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix seconds
    hits: Mapped[int] = mapped_column(Integer)


class WalkTestRow(Base):
    """One 3-metre backward walk: timed by retrorun, or entered by hand."""

    __tablename__ = "walk_tests"
    __table_args__ = (Index("ix_walk_tests_athlete_date", "athlete_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"))
    date: Mapped[date] = mapped_column(Date)
    seconds: Mapped[float] = mapped_column(Float)
    timed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    """A decision of the progression engine, with everything it read (`document`: the
    `plan why --json` document), so it can be explained and replayed later."""

    __tablename__ = "progression_decisions"
    __table_args__ = (
        Index("ix_progression_decisions_athlete_made_on", "athlete_id", "made_on"),
        # The caseload reads each client's latest decision: one index lookup per client.
        Index("ix_progression_decisions_athlete_id", "athlete_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    made_on: Mapped[date] = mapped_column(Date)
    verdict: Mapped[str] = mapped_column(String(10))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Copied out of the document for the caseload, which reads them for hundreds of clients.
    setting_limit: Mapped[str | None] = mapped_column(String(30))
    setting_limit_before: Mapped[str | None] = mapped_column(String(30))
    first_reason: Mapped[str | None] = mapped_column(Text)


class ClientNoteRow(Base):
    """A coach's note on a client: shared with the client, or private to the coach who wrote it."""

    __tablename__ = "client_notes"
    __table_args__ = (Index("ix_client_notes_athlete_created", "athlete_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    private: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """A coach's read or change of a client's data: the client can read every one."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_athlete_at", "athlete_id", "at"),
        # When a coach last looked at each client (the caseload's "new since you looked"): their
        # looks alone, not the caseload list's row a day per client (`services.audit`).
        Index(
            "ix_audit_log_coach_looks",
            "actor_id",
            "athlete_id",
            "at",
            postgresql_where=text(f"what <> '{CASELOAD_LIST}'"),
            sqlite_where=text(f"what <> '{CASELOAD_LIST}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(10))  # read | change
    what: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """Background work (a large import, a report, recomputed energy) and how far it has got.

    With PostgreSQL the queue itself is procrastinate's; this row is what a page shows and
    what makes a retried job finish its work once.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_athlete_created", "athlete_id", "created_at"),
        Index("ix_jobs_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10))  # queued | running | done | failed
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    done_units: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_units: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
