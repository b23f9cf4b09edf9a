"""A hand log and the watch file of the same session are one session done, counted once.

Counting both would double the practice that lowers the energy estimate (Heath et al. 2001) and
the load and adherence built on it.
"""

from __future__ import annotations

from datetime import date

from retrorun.core.completed import Record, partner_for, same_session

MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)


def record(id_: int, day: date, planned: int | None = None, linked: bool = False) -> Record:
    return Record(id_, day, planned, linked)


log = activity = record  # the rule sees a log and an activity alike


def test_records_of_one_planned_session_are_the_same_session() -> None:
    assert same_session(log(1, MONDAY, planned=7), activity(10, MONDAY, planned=7))
    # A file whose UTC date is the next day still belongs to the session it was matched to.
    assert same_session(log(1, MONDAY, planned=7), activity(10, TUESDAY, planned=7))


def test_records_of_two_planned_sessions_are_not_even_on_the_same_day() -> None:
    assert not same_session(log(1, MONDAY, planned=7), activity(10, MONDAY, planned=8))


def test_without_a_planned_session_on_both_the_day_decides() -> None:
    """One planned session a day: a record made before the plan existed is still that day's."""
    assert same_session(log(1, MONDAY), activity(10, MONDAY))
    assert same_session(log(1, MONDAY, planned=7), activity(10, MONDAY))
    assert same_session(log(1, MONDAY), activity(10, MONDAY, planned=7))
    assert not same_session(log(1, MONDAY), activity(10, TUESDAY))
    assert not same_session(log(1, MONDAY, planned=7), activity(10, TUESDAY))
    assert not same_session(log(1, MONDAY), activity(10, TUESDAY, planned=7))


def test_a_new_log_is_paired_with_the_earliest_free_activity_of_its_session() -> None:
    """The lowest id wins, so the pairing does not depend on the order a query returns."""
    activities = [
        activity(14, MONDAY),
        activity(11, MONDAY, linked=True),  # already counted with another log
        activity(12, MONDAY),
        activity(9, TUESDAY),  # another day
    ]
    assert partner_for(log(1, MONDAY), activities, record_is_log=True) == 12


def test_a_new_activity_is_paired_with_the_earliest_free_log_of_its_session() -> None:
    logs = [log(5, MONDAY, planned=8), log(4, MONDAY, planned=7), log(3, MONDAY, linked=True)]
    assert partner_for(activity(20, MONDAY, planned=7), logs, record_is_log=False) == 4


def test_a_record_already_linked_or_with_nothing_to_match_has_no_partner() -> None:
    free = [activity(10, MONDAY)]
    assert partner_for(log(1, MONDAY, linked=True), free, record_is_log=True) is None
    assert partner_for(log(1, TUESDAY), free, record_is_log=True) is None
    assert partner_for(log(1, MONDAY), [], record_is_log=True) is None
