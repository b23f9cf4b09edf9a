"""One record of what was done: a log and an imported activity of the same session are one.

A person may log a session by hand (pain, effort) and also import the watch file of it (time,
distance, heart rate). Counting both would double the practice count that lowers the energy
estimate, and the load and adherence built on it. The rule for which two records belong together
lives here; the store keeps the link and counts a linked pair once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Record:
    """A log or an imported activity as the matching rule sees it."""

    id: int
    day: date  # a log's date; an activity's UTC start date (files store UTC)
    planned_session_id: int | None
    linked: bool  # already part of a completed session with a record of the other kind


def same_session(log: Record, activity: Record) -> bool:
    """Both count for the same planned session, or, with no session planned, the same day.

    One planned session a day is the plan's rule, so the day decides; a record matched to a
    session and one that is not (made before the plan) are still the same day's training.
    """
    if log.planned_session_id is not None and activity.planned_session_id is not None:
        return log.planned_session_id == activity.planned_session_id
    return log.day == activity.day


def partner_for(record: Record, others: Sequence[Record], record_is_log: bool) -> int | None:
    """The id of the unlinked record of the other kind that completes the same session.

    The earliest one (lowest id) wins, so the outcome does not depend on query order; a record
    already linked is never taken twice.
    """
    if record.linked:
        return None
    candidates = [
        other.id
        for other in others
        if not other.linked
        and (same_session(record, other) if record_is_log else same_session(other, record))
    ]
    return min(candidates, default=None)
