"""Week by week: gaps show as zero weeks, and a log with its import counts once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from retrorun.core.log import LogEntry
from retrorun.core.weekly import Done, Imported, Logged, monday_of, sessions_done, weeks
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services.logs import LoggedSession
from retrorun.services.weekly import weekly_done
from retrorun.store.activities import StoredActivity

MONDAY = date(2026, 11, 2)  # a Monday
SUNDAY = date(2026, 11, 8)


def done(day: date, backward: float = 20, forward: float = 0, **pain: int | None) -> Done:
    return Done(
        day,
        backward,
        forward,
        kcal=pain.pop("kcal", None),
        pain_during=pain.get("during"),
        pain_after=pain.get("after"),
        pain_next_morning=pain.get("morning"),
    )


def log(day: date, minutes: float, direction: Direction, activity_id: int | None = None) -> Logged:
    return Logged(day, minutes, direction, 3, 2, 1, activity_id)


def test_the_week_runs_monday_to_sunday() -> None:
    assert monday_of(SUNDAY) == MONDAY
    assert monday_of(MONDAY) == MONDAY
    rows = weeks([done(MONDAY, 10), done(SUNDAY, 15), done(date(2026, 11, 9), 7)])
    assert [(w.monday, w.backward_min, w.sessions) for w in rows] == [
        (MONDAY, 25, 2),
        (date(2026, 11, 9), 7, 1),
    ]


def test_a_gap_in_training_shows_as_zero_weeks() -> None:
    rows = weeks([done(MONDAY, 10), done(date(2026, 11, 25), 12)])
    assert [w.monday for w in rows] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    gap = rows[1:3]
    assert all(w.sessions == 0 and w.backward_min == 0 and w.forward_min == 0 for w in gap)
    assert all(w.kcal == 0 and w.max_pain_during is None for w in gap)


def test_the_weeks_since_the_last_session_show_up_to_today() -> None:
    rows = weeks([done(MONDAY)], last=date(2026, 11, 18))
    assert [w.sessions for w in rows] == [1, 0, 0]
    assert weeks([done(MONDAY)], first=date(2026, 11, 9)) == []  # before the range: left out
    assert weeks([]) == []
    assert [w.sessions for w in weeks([], MONDAY, SUNDAY)] == [0]


def test_a_week_keeps_its_worst_pain_and_the_energy_it_has() -> None:
    rows = weeks(
        [
            done(MONDAY, during=2, morning=None, kcal=150),
            done(MONDAY, during=5, morning=1),
            done(SUNDAY, during=None, morning=3, kcal=100),
        ]
    )
    (week,) = rows
    assert (week.max_pain_during, week.max_pain_next_morning, week.max_pain_after) == (5, 3, None)
    assert (week.kcal, week.sessions_without_kcal) == (250, 1)


def test_a_linked_log_and_activity_count_once_with_measured_minutes_and_logged_pain() -> None:
    # The log says 30 min backward; the watch measured 40 min, 25 of them backward.
    activity = Imported(7, MONDAY, duration_s=2400, backward_s=1500, direction_known=True, kcal=310)
    (session,) = sessions_done([log(MONDAY, 30, Direction.BACKWARD, activity_id=7)], [activity])
    assert (session.backward_min, session.forward_min) == (25, 15)
    assert session.kcal == 310
    assert (session.pain_during, session.pain_after, session.pain_next_morning) == (3, 2, 1)
    (week,) = weeks([session])
    assert week.sessions == 1


def test_direction_splits_by_what_is_known() -> None:
    unknown = Imported(8, MONDAY, 1200, 0, direction_known=False, kcal=None)
    # linked, the watch did not know the direction: the log tells it
    (linked,) = sessions_done([log(MONDAY, 15, Direction.BACKWARD, activity_id=8)], [unknown])
    assert (linked.backward_min, linked.forward_min) == (20, 0)
    (linked_forward,) = sessions_done(
        [log(MONDAY, 15, Direction.FORWARD, activity_id=8)], [unknown]
    )
    assert (linked_forward.backward_min, linked_forward.forward_min) == (0, 20)
    # alone: counted forward, as its energy estimate counts it
    (alone,) = sessions_done([], [unknown])
    assert (alone.backward_min, alone.forward_min, alone.pain_during) == (0, 20, None)
    # a log on its own: its own minutes in its own direction, and no energy figure
    forward, backward = sessions_done(
        [log(MONDAY, 12, Direction.FORWARD), log(SUNDAY, 18, Direction.BACKWARD)], []
    )
    assert (forward.backward_min, forward.forward_min, forward.kcal) == (0, 12, None)
    assert (backward.backward_min, backward.forward_min) == (18, 0)


def test_unlinked_records_each_count_and_an_activity_completes_one_log_only() -> None:
    activity = Imported(9, SUNDAY, 600, 600, direction_known=True, kcal=80)
    other = Imported(10, SUNDAY, 300, 0, direction_known=True, kcal=20)
    rows = sessions_done(
        [log(MONDAY, 10, Direction.BACKWARD, 9), log(MONDAY, 5, Direction.BACKWARD, 9)],
        [activity, other],
    )
    assert [(s.backward_min, s.forward_min, s.kcal) for s in rows] == [
        (10, 0, 80),  # the first log, with the activity's figures
        (5, 0, None),  # the second cannot take the same activity
        (0, 5, 20),  # the unlinked activity on its own
    ]


def test_the_service_adapter_links_stored_logs_to_stored_activities() -> None:
    entry = LogEntry(SUNDAY, 30, Direction.BACKWARD, Mode.RUN, Setting.TRACK, 5, 4, 2)
    start = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)  # UTC date is the Sunday
    stored = StoredActivity(
        11, "run.fit", "fit", "running", start, 1800, 1800, 4000.0, "mixed", "workout",
        600, 250.0, None, None, None, None, 0, None, (),
    )  # fmt: skip
    (session,) = weekly_done([LoggedSession(1, False, entry, activity_id=11)], [stored])
    assert session == Done(SUNDAY, 10, 20, 250.0, 4, 2, None)


def test_nothing_done_yet_shows_no_weeks_even_up_to_today() -> None:
    assert weeks([], last=SUNDAY) == []


def test_a_week_keeps_the_worst_pain_after_its_sessions() -> None:
    """Pain after a session must settle by the next morning (Silbernagel et al. 2007); the
    week's worst is what a physio looks at first."""
    (week,) = weeks([done(MONDAY, after=2), done(SUNDAY, after=4), done(SUNDAY, after=None)])
    assert week.max_pain_after == 4
