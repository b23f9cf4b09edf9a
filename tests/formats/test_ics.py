"""The plan calendar, parsed by `ical` (a strict RFC 5545 parser independent of `icalendar`,
which writes it) and checked line by line for CRLF, 75-octet folding and required properties.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from ical.calendar import Calendar as ParsedCalendar
from ical.calendar_stream import IcsCalendarStream

from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.session_cost import session_cost
from retrorun.core.timeline import build_timeline
from retrorun.formats.ics import CalendarSession, plan_to_ics, session_uid

PROFILE = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
)
PLAN = make_plan(
    PROFILE, Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False)), date(2026, 12, 1)
)
ENTRIES = [
    CalendarSession(s, build_timeline(s.workout), session_cost(s.workout, 68))
    for s in PLAN.sessions
]
STAMP = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _export(entries: list[CalendarSession] = ENTRIES, **options: object) -> bytes:
    arguments: dict[str, object] = {"athlete": "me", "plan_start": PLAN.start, "stamp": STAMP}
    arguments.update(options)
    return plan_to_ics(entries, **arguments)  # type: ignore[arg-type]


def _parse(data: bytes) -> ParsedCalendar:
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def check_rfc5545_lines(data: bytes) -> list[str]:
    """CRLF endings, folded lines of at most 75 octets, balanced components and the properties
    RFC 5545 requires; returns the unfolded content lines."""
    assert data.endswith(b"\r\n")
    raw_lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in raw_lines)
    assert all(len(line) <= 75 for line in raw_lines), max(raw_lines, key=len)
    lines: list[str] = []
    for raw in raw_lines:
        if raw.startswith((b" ", b"\t")):
            lines[-1] += raw[1:].decode("utf-8")
        else:
            lines.append(raw.decode("utf-8"))
    stack: list[tuple[str, set[str]]] = []
    required = {
        "VCALENDAR": {"VERSION", "PRODID"},
        "VEVENT": {"UID", "DTSTAMP", "DTSTART"},
        "VALARM": {"ACTION", "TRIGGER", "DESCRIPTION"},
    }
    for line in lines:
        name = re.split("[;:]", line, maxsplit=1)[0]
        value = line.split(":", 1)[1]
        if name == "BEGIN":
            stack.append((value, set()))
        elif name == "END":
            component, seen = stack.pop()
            assert component == value
            assert required.get(component, set()) <= seen, (component, seen)
        else:
            stack[-1][1].add(name)
    assert stack == []
    assert "VERSION:2.0" in lines
    return lines


def test_strict_parser_reads_every_session_as_an_all_day_event() -> None:
    data = _export()
    check_rfc5545_lines(data)
    calendar = _parse(data)
    assert len(calendar.events) == len(PLAN.sessions) == 24
    for event, session in zip(calendar.events, PLAN.sessions, strict=True):
        assert event.dtstart == session.date
        assert event.dtend == session.date + timedelta(days=1)
        assert event.summary == session.workout.title
        assert event.uid == session_uid("me", PLAN.start, session.date)
        assert event.dtstamp == STAMP
        (alarm,) = event.alarm
        assert alarm.action == "DISPLAY"
        assert alarm.trigger == timedelta(hours=-6)  # 18:00 the evening before
    assert len({event.uid for event in calendar.events}) == 24


def test_timed_events_last_the_session_and_remind_before() -> None:
    calendar = _parse(_export(start_time=time(7, 0), alarm_minutes=45))
    for event, session in zip(calendar.events, PLAN.sessions, strict=True):
        assert event.dtstart == datetime.combine(session.date, time(7, 0))  # floating time
        assert event.dtend is not None
        assert event.dtend - event.dtstart == timedelta(seconds=session.workout.duration_s)
        assert event.alarm[0].trigger == timedelta(minutes=-45)


def test_uids_are_stable_across_exports_and_change_with_the_plan_start() -> None:
    first = _parse(_export())
    again = _parse(_export(stamp=STAMP + timedelta(days=3)))
    assert [e.uid for e in first.events] == [e.uid for e in again.events]
    other_start = _parse(_export(plan_start=date(2026, 12, 8)))
    assert not {e.uid for e in first.events} & {e.uid for e in other_start.events}
    other_person = _parse(_export(athlete="client-7"))
    assert not {e.uid for e in first.events} & {e.uid for e in other_person.events}
    assert re.fullmatch(r"retrorun-2026-12-02-[0-9a-f]{12}@retrorun", first.events[0].uid)


def test_description_lists_steps_setting_form_partner_and_cost() -> None:
    event = _parse(_export(ENTRIES[:1])).events[0]
    entry = ENTRIES[0]
    text = event.description or ""
    for step in entry.session.workout.steps:
        assert step.describe() in text
    assert "Where: a slow treadmill, hands near the handrails." in text
    assert "Stand tall: don't lean back." in text
    assert "Partner set-up:" in text
    assert entry.cost is not None and f"about {entry.cost.kcal:.0f} kcal" in text


def test_imperial_speeds_are_in_mph() -> None:
    """The trial's imperial calendar said "km/h" 168 times and "mph" never."""
    metric = "".join(check_rfc5545_lines(_export(ENTRIES[:3])))  # unfolded: no word is cut
    imperial_file = _export(ENTRIES[:3], imperial=True)
    imperial = "".join(check_rfc5545_lines(imperial_file))
    assert "km/h" in metric and "mph" not in metric
    assert "mph" in imperial and "km/h" not in imperial
    text = _parse(imperial_file).events[0].description or ""
    for step in ENTRIES[0].session.workout.steps:
        assert step.describe(imperial=True) in text


def test_long_non_ascii_text_is_folded_by_octets() -> None:
    session = PLAN.sessions[0]
    title = "Semaine 1 : marche arrière sur tapis — café ☕ " * 3
    odd = replace(session, workout=replace(session.workout, title=title))
    data = _export([CalendarSession(odd, build_timeline(odd.workout))])
    check_rfc5545_lines(data)
    assert _parse(data).events[0].summary == title


@pytest.mark.parametrize("weeks", [1, 3])
def test_a_subset_of_sessions_gives_that_many_events(weeks: int) -> None:
    entries = [e for e in ENTRIES if e.session.week <= weeks]
    assert len(_parse(_export(entries)).events) == 3 * weeks
