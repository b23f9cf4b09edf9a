"""Four weeks of a knee-rehab block, made with the real services, for the therapist's report.

The plan starts on Monday 2 November 2026 with sessions on Mondays, Wednesdays and Fridays;
the report is made on Friday 27 November, before that day's session. What happened, and what
the report must therefore say (`EXPECTED_WEEKS`), is written out here by hand:

- week of 2 Nov: all three sessions (20, 20, 22 min backward), pain at most 3 during;
- week of 9 Nov: a flare on Monday (pain 6 during, 3 the next morning, one stumble), Wednesday
  missed, Friday done (18 min);
- week of 16 Nov: a fall on Monday; Wednesday skipped with a reason the day before; Friday done
  without the next-morning pain; an unplanned 15-minute forward run on Saturday;
- week of 23 Nov: Monday and Wednesday done (24 and 25.5 min); Friday is today, still to come.

3-metre backward walks: 6.1 s, 5.6 s, 5.2 s. The progression engine decides after each log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from retrorun.api import prepare
from retrorun.core.log import LogEntry
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import athletes, logs, plans, progression
from retrorun.services.app import App, Scope

START = date(2026, 11, 2)  # a Monday
TODAY = date(2026, 11, 27)  # a Friday: that day's session is still to come
WEEKS = 4
RUNNER = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)


@dataclass(frozen=True)
class Session:
    day: date
    minutes: float
    during: int
    after: int
    morning: int | None
    stumbles: int | None = None
    falls: int | None = None
    steadiness: int | None = None
    direction: Direction = Direction.BACKWARD


SESSIONS = [
    Session(date(2026, 11, 2), 20, 2, 1, 0, stumbles=0, falls=0, steadiness=3),
    Session(date(2026, 11, 4), 20, 2, 1, 1),
    Session(date(2026, 11, 6), 22, 3, 2, 1),
    Session(date(2026, 11, 9), 24, 6, 4, 3, stumbles=1, falls=0, steadiness=2),
    Session(date(2026, 11, 13), 18, 3, 2, 1),
    Session(date(2026, 11, 16), 20, 2, 1, 0, stumbles=0, falls=1, steadiness=2),
    Session(date(2026, 11, 20), 20, 2, 1, None),
    Session(date(2026, 11, 21), 15, 1, 1, 0, direction=Direction.FORWARD),
    Session(date(2026, 11, 23), 24, 2, 1, 0, steadiness=4),
    Session(date(2026, 11, 25), 25.5, 1, 1, 0, steadiness=4),
]
WALK_TESTS = [(date(2026, 11, 2), 6.1), (date(2026, 11, 16), 5.6), (date(2026, 11, 23), 5.2)]
SKIPPED = date(2026, 11, 18)

# Week of, done/due, adherence, skipped, sessions, backward min, forward min, worst pain during,
# worst next morning, stumbles, falls: as the report's table writes them.
EXPECTED_WEEKS = [
    ("2 Nov 2026", "3/3", "100 %", "0", "3", "62", "0", "3", "1", "0", "0"),
    ("9 Nov 2026", "2/3", "67 %", "0", "2", "42", "0", "6", "3", "1", "0"),
    ("16 Nov 2026", "2/2", "100 %", "1", "3", "40", "15", "2", "0", "0", "1"),
    ("23 Nov 2026", "2/2", "100 %", "0", "2", "49.5", "0", "2", "0", "0", "0"),
]
EXPECTED_TOTAL = ("All weeks", "9/10", "90 %", "1", "10", "193.5", "15", "6", "3", "1", "1")


def entry(session: Session) -> LogEntry:
    forward = session.direction is Direction.FORWARD
    return LogEntry(
        date=session.day,
        minutes=session.minutes,
        direction=session.direction,
        mode=Mode.RUN if forward else Mode.WALK,
        setting=Setting.USUAL_ROUTE if forward else Setting.TREADMILL,
        rpe=4,
        pain_during=session.during,
        pain_after=session.after,
        pain_next_morning=session.morning,
        stumbles=session.stumbles,
        falls=session.falls,
        steadiness=session.steadiness,
    )


def play(scope: Scope, athlete: int) -> None:
    """The four weeks, day by day: walk tests on their day, each session logged the next
    morning (so the decision after it is made that day), the skip the day before."""
    athletes.set_profile(scope, athlete, RUNNER)
    athletes.screen(scope, athlete, dict.fromkeys(QUESTION_IDS, False), START)
    plans.new_plan(scope, athlete, START)
    day = START
    while day <= TODAY:
        for tested, seconds in WALK_TESTS:
            if tested == day:
                progression.add_walk_test(scope, athlete, day, seconds, day, timed=True)
        if day == SKIPPED - timedelta(days=1):
            record = plans.session_record(scope, athlete, SKIPPED)
            assert record is not None
            plans.skip_session(scope, athlete, record.id, "knee sore after the fall", day)
        for session in SESSIONS:
            if session.day == day:
                logs.log(scope, athlete, entry(session), day + timedelta(days=1))
        day += timedelta(days=1)


def build(url: str) -> tuple[App, Scope, int]:
    """A new database at `url` with the local owner's four weeks in it."""
    app = App(url)
    prepare(app)
    actor = app.local_owner()
    scope = app.scope(actor)
    athlete = scope.own_athlete
    play(scope, athlete)
    return app, scope, athlete
