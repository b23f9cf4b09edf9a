"""The plan as an iCalendar file: one event per planned session, with a reminder.

Sessions have a date but no time of day, so by default each is an all-day event (a DATE value):
it marks the day without blocking a made-up hour. With a start time the events are timed, in
floating local time (no time zone: 07:00 wherever the person is), and last as long as the
session.

UIDs are derived from the athlete, the plan's start date and the session date. Exporting the
same plan again gives the same UIDs, so a calendar that re-imports the file updates its events
instead of doubling them. A plan remade with the same start keeps its UIDs (its sessions replace
the old ones day by day; a day no longer planned keeps its old event until deleted); a plan
with another start gets new UIDs, so its events never overwrite those of the earlier plan.

The description renders the session timeline's words (form cues, partner set-up), like every
other front end; the steps come from `Step.describe()`, in the person's units (km/h or mph).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

from retrorun.core.session_cost import SessionCost
from retrorun.core.timeline import CueKind, Timeline
from retrorun.core.workout import Session

PRODID = "-//retrorun//retrorun plan//EN"
UID_DOMAIN = "retrorun"
# An all-day event starts at midnight; its reminder comes at 18:00 the evening before, in time
# to plan the day (our choice: a reminder minutes before midnight would be no use).
ALL_DAY_REMINDER = timedelta(hours=-6)


@dataclass(frozen=True)
class CalendarSession:
    """A planned session with its timeline and, where known, its estimated energy."""

    session: Session
    timeline: Timeline
    cost: SessionCost | None = None


def plan_to_ics(
    sessions: Sequence[CalendarSession],
    *,
    athlete: str,
    plan_start: date,
    stamp: datetime,
    start_time: time | None = None,
    alarm_minutes: int = 30,
    imperial: bool = False,
) -> bytes:
    """The calendar file (CRLF lines folded at 75 octets, as RFC 5545 asks).

    `stamp` is the DTSTAMP (an aware datetime, written in UTC); `start_time` makes timed
    events, else all-day ones; `alarm_minutes` is how long before a timed event to remind;
    `imperial` writes speeds in mph, as the person's profile asks.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "retrorun plan")
    for entry in sessions:
        event = _event(entry, athlete, plan_start, stamp, start_time, alarm_minutes, imperial)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def session_uid(athlete: str, plan_start: date, day: date) -> str:
    """A UID that stays the same for the same athlete, plan start and session date."""
    digest = hashlib.sha256(f"{athlete}\n{plan_start.isoformat()}".encode()).hexdigest()[:12]
    return f"retrorun-{day.isoformat()}-{digest}@{UID_DOMAIN}"


def event_description(entry: CalendarSession, imperial: bool = False) -> str:
    """The session in words: where, the steps, form cues, partner set-up and estimated cost."""
    workout = entry.session.workout
    lines = [*workout.notes, "", "Steps:"]
    lines += [
        f"{number}. {step.describe(imperial)}" for number, step in enumerate(workout.steps, 1)
    ]
    form = _distinct_texts(entry.timeline, CueKind.FORM)
    if form:
        lines += ["", "Form:", *(f"- {text}" for text in form)]
    lines += ["", *_distinct_texts(entry.timeline, CueKind.PARTNER)]
    if entry.cost is not None:
        lines.append(
            f"Estimated energy: about {entry.cost.kcal:.0f} kcal "
            f"(hardest step {entry.cost.peak_met:.1f} MET, {entry.cost.intensity})."
        )
    return "\n".join(lines).strip()


def _event(
    entry: CalendarSession,
    athlete: str,
    plan_start: date,
    stamp: datetime,
    start_time: time | None,
    alarm_minutes: int,
    imperial: bool,
) -> Event:
    session = entry.session
    event = Event()
    event.add("uid", session_uid(athlete, plan_start, session.date))
    event.add("dtstamp", stamp)
    if start_time is None:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # the day is marked, not blocked
        trigger = ALL_DAY_REMINDER
    else:
        start = datetime.combine(session.date, start_time)  # floating: the person's local time
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(seconds=session.workout.duration_s))
        trigger = timedelta(minutes=-alarm_minutes)
    event.add("summary", session.workout.title)
    event.add("description", event_description(entry, imperial))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", session.workout.title)
    alarm.add("trigger", trigger)
    event.add_component(alarm)
    return event


def _distinct_texts(timeline: Timeline, kind: CueKind) -> list[str]:
    """The texts of one kind of cue, each once, in the order the timeline says them."""
    return list(dict.fromkeys(cue.text for cue in timeline.cues if cue.kind is kind))
