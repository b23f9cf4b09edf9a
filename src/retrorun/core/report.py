"""The therapist's report: what a person planned, did and felt over a window of weeks.

A pure function of values the services have already read (planned session days, completed
sessions, hand logs, the progression engine's stored decisions, the timed 3-metre backward
walks), with the window's last day passed in. It adds no rule of its own: adherence is the plan's
sessions due by that day that have something done on their day (the same test as the plan page's
"done" and "missed"), minutes, energy and worst pain per week are `core.weekly`'s, and the
decisions are the engine's own, as they were made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from retrorun.core.log import LogEntry
from retrorun.core.progression import WALK_TEST_CUTOFF_S, WalkTest
from retrorun.core.weekly import Done, Week, monday_of, weeks
from retrorun.core.workout import Direction

# The window a report covers: eight weeks by default, the article's rehab block (the same as
# `core.plan.REHAB_WEEKS`); at most two years, a long course of care (our choice: the report
# stays readable and its queries bounded).
DEFAULT_WEEKS = 8
MAX_WEEKS = 104
VERDICTS = ("progress", "hold", "step back", "pause")  # core.progression.Verdict's words


@dataclass(frozen=True)
class PlannedDay:
    """A session of the plan on a day; a skipped one was taken out with a reason."""

    day: date
    skipped: bool


@dataclass(frozen=True)
class ReportDecision:
    """A decision of the progression engine as it was stored, in the words it was made with."""

    made_on: date
    verdict: str  # progress | hold | step back | pause
    reasons: tuple[str, ...]  # the most cautious first
    setting_limit: str  # where backward steps may happen next
    acute_chronic: float | None
    rules_version: str


@dataclass(frozen=True)
class ReportWeek:
    """One ISO week: what the plan asked, what was done (`core.weekly.Week`) and how steady."""

    done: Week
    planned: int  # sessions of the plan due by the report's day, skipped ones not counted
    planned_done: int  # of those, the ones with something logged or imported on their day
    skipped: int
    to_come: int  # sessions of the plan later than the report's day
    stumbles: int  # as logged; a log that did not say counts none
    falls: int

    @property
    def monday(self) -> date:
        return self.done.monday

    @property
    def adherence(self) -> float | None:
        """Done of due, 0–1; None when nothing was due (no plan, or a week not begun)."""
        return self.planned_done / self.planned if self.planned else None


@dataclass(frozen=True)
class Report:
    """Everything the report shows, oldest first; formatting is `formats.report`'s."""

    athlete: str  # the training record's name (an account's email, or "me")
    goal: str | None  # the profile's goal, e.g. "knee-rehab"; None without a profile
    first: date  # the Monday the window starts on
    last: date  # the report's day: today when it was made
    has_plan: bool
    pain_ceiling: int  # the athlete's own limits the engine decides by (core.progression)
    usual_pain: int
    weeks: tuple[ReportWeek, ...]
    sessions: tuple[LogEntry, ...]  # hand logs in the window: pain, effort, steadiness
    decisions: tuple[ReportDecision, ...]  # every stored decision in the window
    walk_tests: tuple[WalkTest, ...]  # in the window
    walk_test_cutoff_s: float = WALK_TEST_CUTOFF_S

    @property
    def planned(self) -> int:
        return sum(w.planned for w in self.weeks)

    @property
    def planned_done(self) -> int:
        return sum(w.planned_done for w in self.weeks)

    @property
    def adherence(self) -> float | None:
        return self.planned_done / self.planned if self.planned else None

    @property
    def backward_min(self) -> float:
        return sum(w.done.backward_min for w in self.weeks)

    @property
    def forward_min(self) -> float:
        return sum(w.done.forward_min for w in self.weeks)

    @property
    def kcal(self) -> float:
        return sum(w.done.kcal for w in self.weeks)

    @property
    def completed(self) -> int:
        return sum(w.done.sessions for w in self.weeks)

    @property
    def stumbles(self) -> int:
        return sum(w.stumbles for w in self.weeks)

    @property
    def falls(self) -> int:
        return sum(w.falls for w in self.weeks)

    @property
    def standing_decisions(self) -> tuple[ReportDecision, ...]:
        """The last decision of each day, oldest first: the one the plan followed from then.

        A day can have several (after a session, and after the morning pain of the one
        before); the earlier ones were replaced the same day.
        """
        last_of_day = {d.made_on: d for d in self.decisions}
        return tuple(last_of_day[day] for day in sorted(last_of_day))

    def verdict_counts(self) -> dict[str, int]:
        """How many days ended with each verdict, in the engine's order."""
        counts = dict.fromkeys(VERDICTS, 0)
        for decision in self.standing_decisions:
            counts[decision.verdict] = counts.get(decision.verdict, 0) + 1
        return counts


def window(last: date, weeks_shown: int) -> date:
    """The Monday `weeks_shown` ISO weeks back, counting the week of `last` as the last one."""
    if not 1 <= weeks_shown <= MAX_WEEKS:
        raise ValueError(f"a report covers 1–{MAX_WEEKS} weeks (got {weeks_shown})")
    return monday_of(last) - timedelta(weeks=weeks_shown - 1)


@dataclass(frozen=True)
class ReportInputs:
    """What the services read for one athlete and one window."""

    athlete: str
    goal: str | None
    first: date
    last: date
    planned: Sequence[PlannedDay] | None  # None: no plan
    done: Sequence[Done]  # every completed session once (core.weekly.sessions_done)
    logged: Sequence[LogEntry]
    decisions: Sequence[ReportDecision]
    walk_tests: Sequence[WalkTest]
    pain_ceiling: int
    usual_pain: int


def build_report(inputs: ReportInputs) -> Report:
    """The report of the window from `inputs.first` to `inputs.last`, both included."""
    first, last = inputs.first, inputs.last
    inside = [s for s in inputs.done if first <= s.day <= last]
    done_days = {s.day for s in inside}
    planned = [p for p in inputs.planned or () if first <= p.day]
    logged = sorted((e for e in inputs.logged if first <= e.date <= last), key=lambda e: e.date)
    shown = [
        _week(week, planned, done_days, logged, last)
        for week in weeks(inside, first=first, last=last)
    ]
    return Report(
        athlete=inputs.athlete,
        goal=inputs.goal,
        first=first,
        last=last,
        has_plan=inputs.planned is not None,
        pain_ceiling=inputs.pain_ceiling,
        usual_pain=inputs.usual_pain,
        weeks=tuple(shown),
        sessions=tuple(logged),
        decisions=tuple(
            sorted(
                (d for d in inputs.decisions if first <= d.made_on <= last),
                key=lambda d: d.made_on,
            )
        ),
        walk_tests=tuple(
            sorted((t for t in inputs.walk_tests if first <= t.date <= last), key=lambda t: t.date)
        ),
    )


def _week(
    week: Week,
    planned: Sequence[PlannedDay],
    done_days: set[date],
    logged: Sequence[LogEntry],
    last: date,
) -> ReportWeek:
    """A session of the plan is due once its day has passed, or on its day once it is done:
    a session later today is not missed yet."""
    sunday = week.monday + timedelta(days=6)
    in_week = [p for p in planned if week.monday <= p.day <= sunday]
    active = [p for p in in_week if not p.skipped]
    due = [p for p in active if p.day < last or (p.day == last and p.day in done_days)]
    entries = [e for e in logged if week.monday <= e.date <= sunday]
    return ReportWeek(
        done=week,
        planned=len(due),
        planned_done=sum(1 for p in due if p.day in done_days),
        skipped=len(in_week) - len(active),
        to_come=len(active) - len(due),
        stumbles=sum(e.stumbles or 0 for e in entries),
        falls=sum(e.falls or 0 for e in entries),
    )


def backward_minutes(entry: LogEntry) -> float:
    """A hand log's backward minutes: the load the progression engine reads from it
    (`services.progression.done_session`)."""
    return entry.minutes if entry.direction is Direction.BACKWARD else 0.0
