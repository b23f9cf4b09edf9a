"""Who needs their coach first: a coach's clients ranked by what needs attention, and why.

Every morning a trainer or physical therapist opens a list of their clients and must see at once
who needs them. This ranks one summary per client (gathered by `services.caseload` with a fixed
number of queries, whatever the number of clients) and gives each row its reasons in words:
a paused plan or a red flag first, then rising pain, next-morning pain not given, missed
sessions, a change of stage, new imports, then everyone else. Pure: no clock, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from retrorun.core.plan import Phase
from retrorun.core.progression import WEEKLY_RISE, SettingLimit, Verdict

# The windows the caseload reads (the issue: adherence "over the last 2 and 6 weeks"). The pain
# sparkline shows the longer window, one point a week.
RECENT_WEEKS = 2
LONGER_WEEKS = 6
# A weekly mean pain one whole point above the week before is rising: the progression engine's
# own rule (`core.progression.WEEKLY_RISE`: Thomeé 1997; whole points, our reasoning).
PAIN_RISE = WEEKLY_RISE
# One missed session in the recent window is worth a word to the client (our choice: at three
# sessions a week, one missed is already a sixth of two weeks).
MISSED_SESSIONS = 1
# What "next-morning pain not given" looks at: sessions of the last week whose next morning has
# come (`core.progression.missing_next_morning`, Silbernagel 2007). Only rehab clients must give
# it; for others it is optional and never a reason.
NEXT_MORNING_DAYS = 7

PHASE_WORDS = {
    Phase.WALK: "backward walking",
    Phase.RUN: "backward walking and running",
    Phase.RETURN: "the return to forward running",
}


# Looked up for two weeks of each of hundreds of plans: a dict, not an Enum call each.
PHASES = {phase.value: phase for phase in Phase}


class Attention(IntEnum):
    """What needs the coach, most urgent first (the issue's order)."""

    PAUSED = 0  # a paused plan or a red flag: the client should see a clinician
    PAIN_RISING = 1
    NEXT_MORNING_MISSING = 2
    MISSED_SESSIONS = 3
    STAGE_CHANGE = 4
    NEW_IMPORTS = 5


@dataclass(frozen=True)
class Reason:
    """One thing that needs the coach: its kind (for scripts and filters) and its words."""

    kind: str  # paused | red-flag | pain-rising | next-morning-missing | missed-sessions |
    # stage-change | new-imports
    attention: Attention
    words: str


@dataclass(frozen=True)
class Adherence:
    """Sessions of the plan due in a window (skipped ones not counted) and those done on their
    day: the report's rule (`core.report`): a session later today is not missed yet."""

    due: int = 0
    done: int = 0

    @property
    def ratio(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def missed(self) -> int:
        return self.due - self.done


@dataclass(frozen=True)
class PlanWeekShape:
    """One week of a stored plan as the caseload needs it."""

    number: int
    start: date
    phase: Phase


@dataclass(frozen=True)
class Stage:
    """Where the client is in their plan today."""

    week: int
    weeks: int
    phase: Phase
    setting_limit: SettingLimit | None  # None: the plan's own schedule, no decision yet
    next_phase: Phase | None = None  # next week's phase, when it is another one
    next_phase_starts: date | None = None

    @property
    def words(self) -> str:
        return f"week {self.week} of {self.weeks}, {PHASE_WORDS[self.phase]}"


@dataclass(frozen=True)
class LatestDecision:
    """The progression engine's latest kept decision."""

    made_on: date
    verdict: Verdict
    setting_limit: str  # in words, as the decision gave it
    setting_limit_before: str
    first_reason: str
    new: bool  # made since the coach last looked at this client


@dataclass(frozen=True)
class ClientSummary:
    """What the caseload knows about one client today."""

    athlete_id: int
    name: str
    email: str | None = None
    rehab: bool = False
    stage: Stage | None = None  # None: no plan
    paused_since: date | None = None
    paused_reason: str | None = None
    red_flags: tuple[tuple[date, str], ...] = ()  # (day, flag) reported since the coach looked
    # Mean pain of each seven days ending today, oldest first, this week last; None: no log.
    pain_during_weeks: tuple[float | None, ...] = ()
    pain_morning_weeks: tuple[float | None, ...] = ()
    next_morning_missing: tuple[date, ...] = ()
    recent: Adherence = Adherence()
    longer: Adherence = Adherence()
    decision: LatestDecision | None = None
    new_imports: int = 0  # imported since the coach last looked
    last_session: date | None = None


@dataclass(frozen=True)
class CaseloadRow:
    client: ClientSummary
    reasons: tuple[Reason, ...]  # most urgent first

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


def plan_stage(
    weeks: Sequence[PlanWeekShape],
    today: date,
    setting_limit: SettingLimit | None,
    total_weeks: int | None = None,
) -> Stage | None:
    """The week `today` falls in (the first before the plan starts, the last after it ends, as
    the plan page shows it) and whether next week starts another phase. `weeks` may be only the
    weeks around today when `total_weeks` says how many the plan has."""
    ordered = sorted(weeks, key=lambda w: w.number)
    if not ordered:
        return None
    index = 0
    for position, week in enumerate(ordered):
        if week.start <= today:
            index = position
    now = ordered[index]
    following = ordered[index + 1] if index + 1 < len(ordered) else None
    changes = following is not None and following.phase is not now.phase and now.start <= today
    return Stage(
        week=now.number,
        weeks=len(ordered) if total_weeks is None else total_weeks,
        phase=now.phase,
        setting_limit=setting_limit,
        next_phase=following.phase if changes and following else None,
        next_phase_starts=following.start if changes and following else None,
    )


def weeks_around(start: date, week_phases: str, today: date) -> tuple[list[PlanWeekShape], int]:
    """The plan week `today` falls in (the first before the plan starts, the last after it
    ends) and the one after, and how many weeks the plan has: all `plan_stage` reads, from a
    plan's start and its weeks' phases, comma-separated (week N starts N-1 weeks after the
    start: `core.serialize.week_phases`). Two weeks, not the 52 of a long plan, for each of
    hundreds of clients."""
    phases = week_phases.split(",") if week_phases else []
    if not phases:
        return [], 0
    index = min(max((today - start).days // 7, 0), len(phases) - 1)
    shapes = [
        PlanWeekShape(n + 1, start + timedelta(weeks=n), PHASES[phases[n]])
        for n in range(index, min(index + 2, len(phases)))
    ]
    return shapes, len(phases)


def reasons(client: ClientSummary) -> tuple[Reason, ...]:
    """Everything about this client that needs the coach, most urgent first."""
    found = [
        *_paused(client),
        *_red_flags(client),
        *_pain_rising(client),
        *_next_morning(client),
        *_missed(client),
        *_stage_change(client),
        *_new_imports(client),
    ]
    return tuple(sorted(found, key=lambda reason: reason.attention))


def rank(clients: Iterable[ClientSummary]) -> list[CaseloadRow]:
    """The clients, who needs the coach first.

    Ordered by the most urgent reason; clients with the same one by their next most urgent, and
    so on (a client with more needs comes before one whose needs are a subset of theirs); then
    by name. Clients with nothing to look at come last, by name.
    """
    rows = [CaseloadRow(client, reasons(client)) for client in clients]
    return sorted(rows, key=_order)


def _order(row: CaseloadRow) -> tuple[tuple[int, ...], str, int]:
    urgencies = sorted({int(reason.attention) for reason in row.reasons})
    # The end mark sorts after every urgency: [paused, pain] comes before [paused] alone.
    return (*urgencies, len(Attention)), row.client.name.casefold(), row.client.athlete_id


def _paused(client: ClientSummary) -> list[Reason]:
    if client.paused_since is None:
        return []
    why = f": {client.paused_reason}" if client.paused_reason else ""
    words = f"plan paused since {client.paused_since.isoformat()}{why}"
    return [Reason("paused", Attention.PAUSED, words)]


def _red_flags(client: ClientSummary) -> list[Reason]:
    return [
        Reason("red-flag", Attention.PAUSED, f"{flag} reported on {day.isoformat()}")
        for day, flag in sorted(client.red_flags)
    ]


def _pain_rising(client: ClientSummary) -> list[Reason]:
    """Week on week, during the sessions and the next mornings, each by itself (as the
    progression engine's rule reads them)."""
    found = []
    for when, weeks in (
        ("during sessions", client.pain_during_weeks),
        ("the next morning", client.pain_morning_weeks),
    ):
        rise = pain_rise(weeks)
        if rise is not None:
            before, now = rise
            found.append(
                Reason(
                    "pain-rising",
                    Attention.PAIN_RISING,
                    f"pain {when} rose week on week ({before:.1f} → {now:.1f})",
                )
            )
    return found


def pain_rise(weeks: Sequence[float | None]) -> tuple[float, float] | None:
    """The week before and this week, when this week's mean pain rose by `PAIN_RISE` or more."""
    if len(weeks) < 2:
        return None
    before, now = weeks[-2], weeks[-1]
    if before is None or now is None or now - before < PAIN_RISE:
        return None
    return before, now


def _next_morning(client: ClientSummary) -> list[Reason]:
    if not client.rehab or not client.next_morning_missing:
        return []
    days = ", ".join(day.isoformat() for day in sorted(client.next_morning_missing))
    return [
        Reason(
            "next-morning-missing",
            Attention.NEXT_MORNING_MISSING,
            f"next-morning pain not given for {days}",
        )
    ]


def _missed(client: ClientSummary) -> list[Reason]:
    missed = client.recent.missed
    if missed < MISSED_SESSIONS:
        return []
    sessions = "session" if missed == 1 else "sessions"
    words = f"{missed} planned {sessions} missed in the last {RECENT_WEEKS} weeks"
    return [Reason("missed-sessions", Attention.MISSED_SESSIONS, words)]


def _stage_change(client: ClientSummary) -> list[Reason]:
    """Next week starts another phase (the first backward running week, the return to forward
    running), or the engine changed the stage since the coach last looked: a step back, or
    backward steps moved to another place."""
    found = []
    stage = client.stage
    if stage is not None and stage.next_phase is not None and stage.next_phase_starts:
        found.append(
            Reason(
                "stage-change",
                Attention.STAGE_CHANGE,
                f"{PHASE_WORDS[stage.next_phase]} starts on {stage.next_phase_starts.isoformat()}"
                f" (week {stage.week + 1})",
            )
        )
    decision = client.decision
    if decision is not None and decision.new:
        found.extend(_decision_change(decision))
    return found


def _decision_change(decision: LatestDecision) -> list[Reason]:
    day = decision.made_on.isoformat()
    found = []
    if decision.verdict is Verdict.STEP_BACK:
        words = f"the plan stepped back on {day}: {decision.first_reason}"
        found.append(Reason("stage-change", Attention.STAGE_CHANGE, words))
    if decision.setting_limit != decision.setting_limit_before:
        words = (
            f"backward steps moved from {decision.setting_limit_before} to "
            f"{decision.setting_limit} on {day}"
        )
        found.append(Reason("stage-change", Attention.STAGE_CHANGE, words))
    return found


def _new_imports(client: ClientSummary) -> list[Reason]:
    count = client.new_imports
    if count <= 0:
        return []
    imports = "import" if count == 1 else "imports"
    words = f"{count} new {imports} since you last looked"
    return [Reason("new-imports", Attention.NEW_IMPORTS, words)]


def week_windows(today: date, weeks: int = LONGER_WEEKS) -> list[tuple[date, date]]:
    """The seven-day weeks ending today, oldest first: (first day, last day) of each, the
    windows the pain trend is averaged over (as `core.progression` rolls its weeks)."""
    return [
        (today - timedelta(weeks=back + 1) + timedelta(days=1), today - timedelta(weeks=back))
        for back in range(weeks - 1, -1, -1)
    ]
