"""What was done, week by week: the figures behind the History page's charts and table.

A week is an ISO week, Monday to Sunday, because that is how the plan is laid out. Weeks with
nothing done between the first and the last week are kept, with zeros: a gap in training is
something a runner and their physio need to see, not something a chart should close up.

A hand log and the imported activity linked to it (`core.completed`) are one session, counted
once, as load and practice count them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from retrorun.core.workout import Direction


@dataclass(frozen=True)
class Logged:
    """A hand log as the weekly view needs it."""

    day: date
    minutes: float
    direction: Direction
    pain_during: int
    pain_after: int
    pain_next_morning: int | None
    activity_id: int | None  # the imported activity of the same session, if linked


@dataclass(frozen=True)
class Imported:
    """An imported activity as the weekly view needs it."""

    id: int
    day: date  # the UTC start date, the day it counts for in the plan
    duration_s: float  # timer time
    backward_s: float
    direction_known: bool  # False when neither the file nor the person said which way
    kcal: float | None


@dataclass(frozen=True)
class Done:
    """One completed session as the weekly view sees it."""

    day: date
    backward_min: float
    forward_min: float
    kcal: float | None  # None when nobody estimated it (a log without an import)
    pain_during: int | None  # None for an import with no log
    pain_after: int | None
    pain_next_morning: int | None


@dataclass(frozen=True)
class Week:
    """One ISO week's totals; the worst pain, because the worst is what decides progression."""

    monday: date
    backward_min: float
    forward_min: float
    kcal: float  # of the sessions that have a figure; see `sessions_without_kcal`
    sessions: int
    sessions_without_kcal: int  # so a low energy bar is not read as a light week
    max_pain_during: int | None
    max_pain_after: int | None
    max_pain_next_morning: int | None


def sessions_done(logged: Sequence[Logged], imported: Sequence[Imported]) -> list[Done]:
    """Every completed session once, oldest first.

    A linked log and activity are one session on the log's day (the person's own calendar): the
    watch measured the time and, through its laps, the direction, so minutes come from it; pain
    only the person can give. When the activity's direction is unknown its time is all taken in
    the log's direction. A log on its own keeps its minutes and has no energy figure, since that
    needs the person's mass. An activity on its own counts its unknown-direction time forward,
    as its energy estimate does (`core.activity_energy`).
    """
    by_id: dict[int | None, Imported] = {activity.id: activity for activity in imported}
    used: set[int] = set()
    done: list[Done] = []
    for log in logged:
        activity = by_id.get(log.activity_id)
        kcal: float | None = None
        if activity is not None and activity.id not in used:  # it completes one log only
            used.add(activity.id)
            backward_min, forward_min = _split(activity, log.direction)
            kcal = activity.kcal
        else:
            backward_min = log.minutes if log.direction == Direction.BACKWARD else 0.0
            forward_min = log.minutes - backward_min
        done.append(
            Done(
                log.day,
                backward_min,
                forward_min,
                kcal,
                log.pain_during,
                log.pain_after,
                log.pain_next_morning,
            )
        )
    for activity in imported:
        if activity.id not in used:
            backward_min, forward_min = _split(activity, Direction.FORWARD)
            done.append(
                Done(activity.day, backward_min, forward_min, activity.kcal, None, None, None)
            )
    return sorted(done, key=lambda session: session.day)


def weeks(done: Sequence[Done], first: date | None = None, last: date | None = None) -> list[Week]:
    """One row per ISO week from the week of `first` to the week of `last`, gaps as zeros.

    `first` and `last` default to the first and last session; a page passes `last=today` so that
    the weeks missed since the last session show. Sessions outside the range are left out.
    """
    days = [session.day for session in done]
    start = first or min(days, default=None)
    end = last or max(days, default=None) or start
    if start is None or end is None:
        return []
    first_monday, last_monday = monday_of(start), monday_of(end)
    in_week: dict[date, list[Done]] = {}
    for session in done:
        in_week.setdefault(monday_of(session.day), []).append(session)
    count = (last_monday - first_monday).days // 7 + 1
    mondays = (first_monday + timedelta(weeks=i) for i in range(count))
    return [_week(monday, in_week.get(monday, [])) for monday in mondays]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week(monday: date, sessions: Sequence[Done]) -> Week:
    return Week(
        monday=monday,
        backward_min=sum(s.backward_min for s in sessions),
        forward_min=sum(s.forward_min for s in sessions),
        kcal=sum(s.kcal for s in sessions if s.kcal is not None),
        sessions=len(sessions),
        sessions_without_kcal=sum(1 for s in sessions if s.kcal is None),
        max_pain_during=_worst(s.pain_during for s in sessions),
        max_pain_after=_worst(s.pain_after for s in sessions),
        max_pain_next_morning=_worst(s.pain_next_morning for s in sessions),
    )


def _worst(pains: Iterable[int | None]) -> int | None:
    return max((pain for pain in pains if pain is not None), default=None)


def _split(activity: Imported, unknown: Direction) -> tuple[float, float]:
    """Backward and forward minutes; time of unknown direction goes to `unknown`."""
    if not activity.direction_known:
        minutes = activity.duration_s / 60
        return (0.0, minutes) if unknown == Direction.FORWARD else (minutes, 0.0)
    backward_s = min(activity.backward_s, activity.duration_s)
    return backward_s / 60, (activity.duration_s - backward_s) / 60
