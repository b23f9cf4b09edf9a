"""The coach's caseload: their clients, who needs them first, one client's page, notes, and the
audit log the client reads.

A coach with hundreds of clients opens the caseload every morning, so it is read with a fixed
number of queries whatever the number of clients: each is grouped by athlete or looks each
client up in an index (migration 0008), never a loop of queries per client. The ranking itself
is the pure `core.caseload`. Only active links count: an ended link takes the client off the
list at once, as it takes away access (`services.access`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Numeric,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    or_,
    select,
    union,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from retrorun.core.caseload import (
    LONGER_WEEKS,
    NEXT_MORNING_DAYS,
    RECENT_WEEKS,
    Adherence,
    CaseloadRow,
    ClientSummary,
    LatestDecision,
    PlanWeekShape,
    plan_stage,
    rank,
    week_windows,
    weeks_around,
)
from retrorun.core.profile import Goal, Units
from retrorun.core.progression import SettingLimit, Verdict
from retrorun.core.report import DEFAULT_WEEKS, window
from retrorun.errors import Forbidden, InvalidInput, NotReady
from retrorun.services import adaptation, athletes, audit, logs, plans, progression
from retrorun.services.access import Access, Actor, Role, check
from retrorun.services.adaptation import Paused
from retrorun.services.app import Scope
from retrorun.services.clock import now
from retrorun.services.logs import RecentHistory
from retrorun.services.plans import PlanWeek
from retrorun.services.progression import PainLimits, StoredDecision
from retrorun.store.models import (
    ActivityRow,
    AthleteRow,
    AuditRow,
    ClientNoteRow,
    CoachLinkRow,
    DecisionRow,
    LogRow,
    PlannedSessionRow,
    PlanRow,
    UserRow,
)

MAX_PER_PAGE = 200  # our choice: more than a person reads on one page
MAX_SEARCH_CHARS = 200  # the athletes.name column
MAX_NOTE_CHARS = 5000  # our choice: a few paragraphs; longer belongs in a report
MAX_NOTES = 200  # the latest notes a page lists (our choice)
MAX_AUDIT_ENTRIES = 1000  # our choice: a year of a weekly look by two coaches, and more
CLIENT_DECISIONS = 10  # the latest kept decisions on a client's page (our choice)


@dataclass(frozen=True)
class Caseload:
    """One page of a coach's clients, who needs them first."""

    today: date
    rows: list[CaseloadRow]
    total: int  # clients matching the search (and the filter), on every page
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Note:
    id: int
    athlete_id: int
    author_id: int
    author_email: str
    private: bool  # only its author sees it
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ReportLink:
    """What a link to the client's therapist report needs (`services.report`)."""

    athlete_id: int
    weeks: int
    first: date  # the Monday the report starts on
    last: date


@dataclass(frozen=True)
class ClientPage:
    """Everything a client's page shows its coach (or the client, who sees their own)."""

    athlete_id: int
    name: str
    email: str | None
    today: date
    row: CaseloadRow | None  # the caseload's row, for a coach: what needs them and why
    plan_week: PlanWeek | None  # None: no plan yet
    paused: Paused | None
    pain_limits: PainLimits
    history: RecentHistory  # the caseload's longer window
    decisions: list[StoredDecision]  # newest first, each with its reasons
    notes: list[Note]
    report: ReportLink
    units: Units


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str  # the coach's email
    action: str  # read | change
    what: str  # the service call, as recorded
    words: str  # the same, as the client reads it


# --- the caseload ------------------------------------------------------------------------------


def caseload(
    scope: Scope,
    today: date,
    *,
    search: str | None = None,
    needs_attention_only: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Caseload:
    """The signed-in coach's clients (active links only), who needs them first.

    `search` matches part of a client's name or email, in any case. Every matching client is
    ranked before the page is cut, so page 1 always holds the most urgent. The clients shown
    are recorded in their audit logs (once a day each: the list reads their pain and adherence).
    """
    coach = _coach_id(scope)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"a page holds 1–{MAX_PER_PAGE} clients (got {per_page})")
    if page < 1:
        raise InvalidInput(f"pages are numbered from 1 (got {page})")
    matching = _search(search)
    with scope.app.transaction() as db:
        rows = rank(_gather(db, coach, today, matching))
        if needs_attention_only:
            rows = [row for row in rows if row.needs_attention]
        shown = rows[(page - 1) * per_page : page * per_page]
        _record_list_view(db, coach, [row.client.athlete_id for row in shown])
    return Caseload(today, shown, len(rows), page, per_page)


def _coach_id(scope: Scope) -> int:
    actor = scope.actor
    if actor.role is not Role.COACH or actor.user_id is None:
        raise Forbidden("only a coach has a caseload: athletes see their coaches with coach list")
    return actor.user_id


def _search(search: str | None) -> list[ColumnElement[bool]]:
    """Part of a name or an email, in any case; % and _ are letters here, not wildcards."""
    if search is None or not search.strip():
        return []
    words = search.strip().casefold()
    if len(words) > MAX_SEARCH_CHARS or "\0" in words:
        raise InvalidInput(f"a search has 1–{MAX_SEARCH_CHARS} characters")
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return [
        or_(
            func.lower(AthleteRow.name).like(pattern, escape="\\"),
            func.lower(UserRow.email).like(pattern, escape="\\"),
        )
    ]


def _record_list_view(db: DbSession, coach: int, shown: Sequence[int]) -> None:
    """One audit row a day per client shown: two statements whatever the page's length."""
    if not shown:
        return
    moment = audit.moment()
    day_start = datetime.combine(moment.date(), time.min, tzinfo=UTC)
    seen = set(
        db.scalars(
            select(AuditRow.athlete_id).where(
                AuditRow.actor_id == coach,
                AuditRow.athlete_id.in_(shown),
                AuditRow.at >= day_start,
                AuditRow.what == audit.CASELOAD_LIST,
            )
        )
    )
    fresh = [athlete for athlete in shown if athlete not in seen]
    if fresh:
        db.execute(
            insert(AuditRow),
            [
                {
                    "athlete_id": athlete,
                    "actor_id": coach,
                    "action": "read",
                    "what": audit.CASELOAD_LIST,
                    "at": moment,
                }
                for athlete in fresh
            ],
        )


# --- gathering the summaries: a fixed number of queries ------------------------------------------


def _gather(
    db: DbSession,
    coach: int,
    today: date,
    conditions: Sequence[ColumnElement[bool]] = (),
    *,
    one_client: bool = False,
) -> list[ClientSummary]:
    """One summary per active client of `coach` matching `conditions`, in six queries: for a
    caseload, the three over the clients' logs run beside the other three (`_logs_beside`);
    for one client, all in this transaction (a second connection would only cost time)."""
    ids = _client_ids(coach, conditions)
    logs = _logs_in(db, ids, today) if one_client else _logs_beside(db, ids, today)
    clients = _clients(db, coach, conditions)
    plans_by = _plans(db, ids, today)
    decisions = _latest_decisions(db, coach, conditions)
    read = logs()
    return [
        _summary(client, plans_by, read.pains, read.flagged, read.kept, decisions, today)
        for client in clients
    ]


@dataclass(frozen=True)
class _Logs:
    """What the clients' logs say: pain by week, flagged logs, adherence."""

    pains: dict[int, PainWeeks]
    flagged: dict[int, list[_Flagged]]
    kept: dict[int, tuple[Adherence, ...]]


# On PostgreSQL the clients' logs are read on a second connection while this one reads the
# rest: the database runs both at once on its own processes, and this one builds rows while it
# waits (bench/caseload.py, 300 clients: p50 71 → 55 ms). Each statement of a READ COMMITTED
# transaction sees the data as of its own start, so the two halves agree as well as six
# statements on one connection did. SQLite reads them in the one transaction.
_LOG_READERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="caseload-logs")


def _logs_beside(db: DbSession, ids: Select[Any], today: date) -> Callable[[], _Logs]:
    """Start reading the clients' logs; the call returned waits for them."""
    engine = db.get_bind().engine
    if engine.dialect.name != "postgresql":
        return _logs_in(db, ids, today)
    return _LOG_READERS.submit(_logs_on_own_connection, engine, ids, today).result


def _logs_in(db: DbSession, ids: Select[Any], today: date) -> Callable[[], _Logs]:
    """The clients' logs read in this transaction, now."""
    found = _logs(db, ids, today)
    return lambda: found


def _logs_on_own_connection(engine: Engine, ids: Select[Any], today: date) -> _Logs:
    with DbSession(engine) as db, db.begin():
        return _logs(db, ids, today)


def _logs(db: DbSession, ids: Select[Any], today: date) -> _Logs:
    return _Logs(
        _pain_weeks(db, ids, today), _flagged_logs(db, ids, today), _adherence(db, ids, today)
    )


def _matching(coach: int, conditions: Sequence[ColumnElement[bool]], *columns: Any) -> Select[Any]:
    """The coach's active links, with each client's record and sign-in, as a query's FROM."""
    return (
        select(*columns)
        .select_from(CoachLinkRow)
        .join(AthleteRow, AthleteRow.id == CoachLinkRow.athlete_id)
        .outerjoin(UserRow, UserRow.athlete_id == AthleteRow.id)
        .where(CoachLinkRow.coach_id == coach, CoachLinkRow.status == "active", *conditions)
    )


def _client_ids(coach: int, conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """The ids of the clients the caseload shows, as a subquery: with no search, the coach's
    active links alone (the join of names and emails only serves a search)."""
    if conditions:
        return _matching(coach, conditions, CoachLinkRow.athlete_id)
    return select(CoachLinkRow.athlete_id).where(
        CoachLinkRow.coach_id == coach, CoachLinkRow.status == "active"
    )


def _last_looked(coach: int) -> Any:
    """When this coach last read or changed the client's data, the caseload list apart (a
    scalar subquery per client: one lookup in ix_audit_log_coach_looks)."""
    return (
        select(func.max(AuditRow.at))
        .where(
            AuditRow.actor_id == coach,
            AuditRow.athlete_id == CoachLinkRow.athlete_id,
            # Inline, not a parameter: only then may PostgreSQL use the partial index of the
            # looks (migration 0011) in a prepared statement.
            AuditRow.what != bindparam("list", audit.CASELOAD_LIST, literal_execute=True),
        )
        .correlate(CoachLinkRow)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class _Client:
    athlete_id: int
    name: str
    email: str | None
    goal: str | None
    since: datetime | None  # when the coach last looked, or the link's acceptance
    new_imports: int
    last_session: date | None


def _clients(db: DbSession, coach: int, conditions: Sequence[ColumnElement[bool]]) -> list[_Client]:
    """Query 1: the clients, when the coach last looked, imports since then, last session."""
    looked = _last_looked(coach)
    since = func.coalesce(looked, CoachLinkRow.accepted_at)
    new_imports = (
        select(func.count())
        .select_from(ActivityRow)
        .where(ActivityRow.athlete_id == CoachLinkRow.athlete_id, ActivityRow.created_at > since)
        .correlate(CoachLinkRow)
        .scalar_subquery()
    )
    last_log = (
        select(func.max(LogRow.date))
        .where(LogRow.athlete_id == CoachLinkRow.athlete_id)
        .correlate(CoachLinkRow)
        .scalar_subquery()
    )
    last_import = (
        select(func.max(ActivityRow.start_date))
        .where(ActivityRow.athlete_id == CoachLinkRow.athlete_id)
        .correlate(CoachLinkRow)
        .scalar_subquery()
    )
    query = _matching(
        coach,
        conditions,
        CoachLinkRow.athlete_id,
        AthleteRow.name,
        UserRow.email,
        AthleteRow.goal,
        since.label("since"),
        new_imports.label("new_imports"),
        last_log.label("last_log"),
        last_import.label("last_import"),
    )
    found: dict[int, _Client] = {}
    for row in db.execute(query):
        days = [day for day in (row.last_log, row.last_import) if day is not None]
        found.setdefault(
            row.athlete_id,
            _Client(
                row.athlete_id,
                row.name,
                row.email,
                row.goal,
                _aware(row.since),
                int(row.new_imports or 0),
                max(days) if days else None,
            ),
        )
    return list(found.values())


@dataclass(frozen=True)
class _Plan:
    weeks: list[PlanWeekShape]  # this week and the next (`_weeks_around`)
    total_weeks: int
    setting_limit: SettingLimit | None
    paused_on: date | None
    paused_reason: str | None


def _plans(db: DbSession, ids: Select[Any], today: date) -> dict[int, _Plan]:
    """Query 2: each client's active plan: where they are in it (`plans.week_phases`, not the
    summary's weeks), pause and setting."""
    query = select(
        PlanRow.athlete_id,
        PlanRow.start,
        PlanRow.week_phases,
        PlanRow.paused_on,
        PlanRow.paused_reason,
        PlanRow.setting_limit,
    ).where(PlanRow.active, PlanRow.athlete_id.in_(ids))
    found = {}
    for athlete, start, phases, paused_on, paused_reason, setting_limit in db.execute(query):
        weeks, total = weeks_around(start, phases, today)
        limit = None if setting_limit is None else LIMITS[setting_limit]
        found[athlete] = _Plan(weeks, total, limit, paused_on, paused_reason)
    return found


PainWeeks = tuple[tuple[float | None, ...], tuple[float | None, ...]]
NO_PAIN_WEEKS: PainWeeks = ((None,) * LONGER_WEEKS, (None,) * LONGER_WEEKS)


def _pain_weeks(db: DbSession, ids: Select[Any], today: date) -> dict[int, PainWeeks]:
    """Query 3: mean pain during and next morning of each seven days ending today, oldest
    first: one row per client, a mean per week and kind (conditional aggregates, so 300
    clients are 300 rows, not one per client and week)."""
    windows = week_windows(today)

    def mean(column: Any, first: date, last: date) -> Any:
        # Rounded to hundredths in the database, and a float: PostgreSQL's mean of integers is
        # a numeric, a Decimal each in Python.
        within = and_(LogRow.date >= first, LogRow.date <= last)
        return cast(func.round(cast(func.avg(column).filter(within), Numeric), 2), Float)

    query = (
        select(
            LogRow.athlete_id,
            *[mean(LogRow.pain_during, first, last) for first, last in windows],
            *[mean(LogRow.pain_next_morning, first, last) for first, last in windows],
        )
        .where(LogRow.athlete_id.in_(ids), LogRow.date >= windows[0][0], LogRow.date <= today)
        .group_by(LogRow.athlete_id)
    )
    weeks = len(windows)
    return {
        row[0]: (tuple(row[1 : weeks + 1]), tuple(row[weeks + 1 :])) for row in db.execute(query)
    }


@dataclass(frozen=True)
class _Flagged:
    day: date
    morning_missing: bool
    red_flags: tuple[str, ...]
    changed_at: datetime


def _flagged_logs(db: DbSession, ids: Select[Any], today: date) -> dict[int, list[_Flagged]]:
    """Query 4: the recent logs with a red flag, and those of the last week whose next-morning
    pain is still to come: a few rows per client at most."""
    first_morning = today - timedelta(days=NEXT_MORNING_DAYS)
    missing = and_(
        LogRow.pain_next_morning.is_(None),
        LogRow.date >= first_morning,
        LogRow.date <= today - timedelta(days=1),
    )
    flagged = and_(
        LogRow.red_flags.is_not(None), cast(LogRow.red_flags, Text).not_in(["[]", "null"])
    )
    query = select(
        LogRow.athlete_id,
        LogRow.date,
        LogRow.pain_next_morning,
        LogRow.red_flags,
        func.coalesce(LogRow.updated_at, LogRow.created_at),
    ).where(
        LogRow.athlete_id.in_(ids),
        LogRow.date > today - timedelta(weeks=RECENT_WEEKS),
        LogRow.date <= today,
        or_(missing, flagged),
    )
    found: dict[int, list[_Flagged]] = {}
    for athlete, day, morning, red_flags, changed in db.execute(query):
        is_missing = morning is None and first_morning <= day < today
        item = _Flagged(day, is_missing, tuple(red_flags or ()), _aware(changed) or _EPOCH)
        found.setdefault(athlete, []).append(item)
    return found


def _adherence(db: DbSession, ids: Select[Any], today: date) -> dict[int, tuple[Adherence, ...]]:
    """Query 5: the active plans' sessions of the last six weeks (skipped ones not counted),
    due and done on their day, as the report counts them: (recent, longer) per client. The days
    with something done are read for the window only (ix_session_logs_athlete_date,
    ix_activities_athlete_start_date), never the whole history."""
    first = today - timedelta(weeks=LONGER_WEEKS) + timedelta(days=1)
    done_days = union(
        select(LogRow.athlete_id, LogRow.date.label("day")).where(
            LogRow.athlete_id.in_(ids), LogRow.date >= first, LogRow.date <= today
        ),
        select(ActivityRow.athlete_id, ActivityRow.start_date.label("day")).where(
            ActivityRow.athlete_id.in_(ids),
            ActivityRow.start_date >= first,
            ActivityRow.start_date <= today,
        ),
    ).subquery()
    sessions = (
        select(
            PlanRow.athlete_id,
            PlannedSessionRow.date.label("day"),
            case((done_days.c.day.is_not(None), 1), else_=0).label("done"),
        )
        .join(PlanRow, PlanRow.id == PlannedSessionRow.plan_id)
        .outerjoin(
            done_days,
            and_(
                done_days.c.athlete_id == PlanRow.athlete_id,
                done_days.c.day == PlannedSessionRow.date,
            ),
        )
        .where(
            PlanRow.active,
            PlanRow.athlete_id.in_(ids),
            PlannedSessionRow.status == "planned",
            PlannedSessionRow.date >= first,
            PlannedSessionRow.date <= today,
        )
        .subquery()
    )
    due = or_(sessions.c.day < today, sessions.c.done == 1)
    recent = sessions.c.day > today - timedelta(weeks=RECENT_WEEKS)
    query = select(
        sessions.c.athlete_id,
        func.sum(case((and_(due, recent), 1), else_=0)),
        func.sum(case((and_(recent, sessions.c.done == 1), 1), else_=0)),
        func.sum(case((due, 1), else_=0)),
        func.sum(sessions.c.done),
    ).group_by(sessions.c.athlete_id)
    return {
        athlete: (
            Adherence(int(due_recent or 0), int(done_recent or 0)),
            Adherence(int(due_all or 0), int(done_all or 0)),
        )
        for athlete, due_recent, done_recent, due_all, done_all in db.execute(query)
    }


def _latest_decisions(
    db: DbSession, coach: int, conditions: Sequence[ColumnElement[bool]]
) -> dict[int, tuple[LatestDecision, datetime | None]]:
    """Query 6: each client's latest kept decision (one index lookup a client) with the figures
    the caseload reads, kept as columns beside its document (migration 0009: reading them out
    of each `json` document was most of the caseload's database time); "new" is settled
    against the coach's last look."""
    other = aliased(DecisionRow)
    latest = (
        select(func.max(other.id))
        .where(other.athlete_id == CoachLinkRow.athlete_id)
        .correlate(CoachLinkRow)
        .scalar_subquery()
    )
    query = select(
        DecisionRow.athlete_id,
        DecisionRow.made_on,
        DecisionRow.verdict,
        DecisionRow.created_at,
        DecisionRow.setting_limit,
        DecisionRow.setting_limit_before,
        DecisionRow.first_reason,
    ).where(DecisionRow.id.in_(_matching(coach, conditions, latest)))
    found = {}
    for athlete, made_on, verdict, created, limit, before, reason in db.execute(query):
        decision = LatestDecision(
            made_on=made_on,
            verdict=_verdict(verdict),
            setting_limit=limit or "",
            setting_limit_before=before or limit or "",
            first_reason=reason or "",
            new=False,
        )
        found[athlete] = (decision, _aware(created))
    return found


def _summary(
    client: _Client,
    plans_by: dict[int, _Plan],
    pains: dict[int, PainWeeks],
    flagged: dict[int, list[_Flagged]],
    kept: dict[int, tuple[Adherence, ...]],
    decisions: dict[int, tuple[LatestDecision, datetime | None]],
    today: date,
) -> ClientSummary:
    athlete = client.athlete_id
    plan = plans_by.get(athlete)
    during, morning = pains.get(athlete, NO_PAIN_WEEKS)
    logs_flagged = flagged.get(athlete, [])
    recent, longer = kept.get(athlete, (Adherence(), Adherence()))
    return ClientSummary(
        athlete_id=athlete,
        name=client.name,
        email=client.email,
        rehab=client.goal in REHAB_GOALS,
        stage=None
        if plan is None
        else plan_stage(plan.weeks, today, plan.setting_limit, plan.total_weeks),
        paused_since=None if plan is None else plan.paused_on,
        paused_reason=None if plan is None else plan.paused_reason,
        red_flags=tuple(
            (item.day, flag)
            for item in logs_flagged
            if _after(item.changed_at, client.since)
            for flag in item.red_flags
        ),
        pain_during_weeks=during,
        pain_morning_weeks=morning,
        next_morning_missing=tuple(item.day for item in logs_flagged if item.morning_missing),
        recent=recent,
        longer=longer,
        decision=_new_or_not(decisions.get(athlete), client.since),
        new_imports=client.new_imports,
        last_session=client.last_session,
    )


def _new_or_not(
    found: tuple[LatestDecision, datetime | None] | None, since: datetime | None
) -> LatestDecision | None:
    if found is None:
        return None
    decision, created = found
    return LatestDecision(
        made_on=decision.made_on,
        verdict=decision.verdict,
        setting_limit=decision.setting_limit,
        setting_limit_before=decision.setting_limit_before,
        first_reason=decision.first_reason,
        new=created is not None and _after(created, since),
    )


def _verdict(words: str) -> Verdict:
    return VERDICTS.get(words, Verdict.HOLD)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Looked up for each of hundreds of clients: dicts, not an Enum call each (the caseload's
# Python time, measured with bench/caseload.py).
VERDICTS = {verdict.words: verdict for verdict in Verdict}
LIMITS = {int(limit): limit for limit in SettingLimit}
REHAB_GOALS = {goal.value for goal in Goal if goal.is_rehab}


def _after(moment: datetime, since: datetime | None) -> bool:
    return since is None or moment > since


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# --- one client ---------------------------------------------------------------------------------


def client(scope: Scope, athlete: int, today: date) -> ClientPage:
    """A client's page: the caseload's row with its reasons (for their coach), this plan week,
    the recent weeks' sessions, the latest decisions with their reasons, the pause, the pain
    limits, the notes this reader may see and what a report link needs.

    The row is read before this visit is recorded, so "new since you last looked" means before
    this visit.
    """
    with scope.access(athlete) as db, db.no_autoflush:
        record = db.get_one(AthleteRow, athlete)
        email = db.scalar(select(UserRow.email).where(UserRow.athlete_id == athlete))
        row = _row_for(db, scope.actor, athlete, today)
        name = record.name
    profile = athletes.profile_or_none(scope, athlete)
    return ClientPage(
        athlete_id=athlete,
        name=name,
        email=email,
        today=today,
        row=row,
        plan_week=_plan_week(scope, athlete, today),
        paused=adaptation.pause_state(scope, athlete),
        pain_limits=progression.pain_limits(scope, athlete),
        history=logs.history_between(
            scope, athlete, today - timedelta(weeks=LONGER_WEEKS) + timedelta(days=1), today
        ),
        decisions=progression.decisions(scope, athlete, CLIENT_DECISIONS),
        notes=notes(scope, athlete),
        report=ReportLink(athlete, DEFAULT_WEEKS, window(today, DEFAULT_WEEKS), today),
        units=profile.units if profile is not None else Units.METRIC,
    )


def _row_for(db: DbSession, actor: Actor, athlete: int, today: date) -> CaseloadRow | None:
    """The caseload's row for this client, for their coach (the client has no caseload)."""
    if actor.role is not Role.COACH or actor.user_id is None:
        return None
    only = [CoachLinkRow.athlete_id == athlete]
    found = rank(_gather(db, actor.user_id, today, only, one_client=True))
    return found[0] if found else None


def _plan_week(scope: Scope, athlete: int, today: date) -> PlanWeek | None:
    try:
        return plans.plan_week(scope, athlete, None, today)
    except NotReady:
        return None


# --- notes ---------------------------------------------------------------------------------------


def add_note(scope: Scope, athlete: int, text: str, private: bool) -> Note:
    """A coach's note on a client: shared with the client (and their other coaches), or private
    to the coach who wrote it. Notes are the coach's: the client reads the shared ones."""
    text = text.strip()
    if not 1 <= len(text) <= MAX_NOTE_CHARS or "\0" in text:
        raise InvalidInput(f"a note has 1–{MAX_NOTE_CHARS} characters")
    with scope.access(athlete, Access.PLAN) as db:
        author = scope.actor.user_id
        if scope.actor.athlete_id == athlete or author is None:
            raise Forbidden(
                "notes on a client are written by their coach; you read the shared ones"
            )
        row = ClientNoteRow(
            athlete_id=athlete, author_id=author, private=private, text=text, created_at=now()
        )
        db.add(row)
        db.flush()
        return _note(row, scope.actor.email or "?")


def notes(scope: Scope, athlete: int, limit: int = MAX_NOTES) -> list[Note]:
    """The notes this reader may see, newest first: the client sees the shared ones; a coach the
    shared ones and their own private ones, never another coach's private notes."""
    if not 1 <= limit <= MAX_NOTES:
        raise InvalidInput(f"limit must be 1–{MAX_NOTES} (got {limit})")
    with scope.access(athlete) as db:
        query = (
            select(ClientNoteRow, UserRow.email)
            .join(UserRow, UserRow.id == ClientNoteRow.author_id)
            .where(ClientNoteRow.athlete_id == athlete, _visible(scope.actor, athlete))
            .order_by(ClientNoteRow.created_at.desc(), ClientNoteRow.id.desc())
            .limit(limit)
        )
        return [_note(row, email) for row, email in db.execute(query).all()]


def _visible(actor: Actor, athlete: int) -> ColumnElement[bool]:
    shared = ClientNoteRow.private.is_(False)
    if actor.athlete_id == athlete or actor.user_id is None:
        return shared
    return or_(shared, ClientNoteRow.author_id == actor.user_id)


def _note(row: ClientNoteRow, email: str) -> Note:
    created = _aware(row.created_at) or _EPOCH
    return Note(row.id, row.athlete_id, row.author_id, email, row.private, row.text, created)


# --- the audit log -------------------------------------------------------------------------------


def audit_log(scope: Scope, athlete: int, limit: int = 100) -> list[AuditEntry]:
    """Every read and change a coach made of the client's data, newest first: for the client
    only (a coach is told so; anyone else, that there is no such athlete)."""
    if not 1 <= limit <= MAX_AUDIT_ENTRIES:
        raise InvalidInput(f"limit must be 1–{MAX_AUDIT_ENTRIES} (got {limit})")
    if scope.actor.athlete_id != athlete:
        _refuse(scope, athlete, "only the client reads who read or changed their data")
    with scope.access(athlete) as db:
        query = (
            select(AuditRow.at, AuditRow.action, AuditRow.what, UserRow.email)
            .outerjoin(UserRow, UserRow.id == AuditRow.actor_id)
            .where(AuditRow.athlete_id == athlete)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        return [
            AuditEntry(_aware(at) or _EPOCH, email or "?", action, what, audit.in_words(what))
            for at, action, what, email in db.execute(query)
        ]


def _refuse(scope: Scope, athlete: int, message: str) -> None:
    """Someone other than the athlete: NotFound, as for anyone who may not see the athlete at
    all; Forbidden, with why, for a coach who may."""
    with scope.app.transaction() as db:
        check(db, scope.actor, athlete, Access.READ)
    raise Forbidden(message)
