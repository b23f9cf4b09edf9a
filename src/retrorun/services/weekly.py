"""The History page's sessions: stored logs and activities as the pure weekly view takes them.

No database here: the caller has already read both lists through `logs.history` and
`activities.activities`, each behind its permission check; this only converts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrorun.core.weekly import Done, Imported, Logged, sessions_done
from retrorun.services.logs import LoggedSession
from retrorun.store.activities import StoredActivity


def weekly_done(logs: Sequence[LoggedSession], activities: Sequence[StoredActivity]) -> list[Done]:
    """Every completed session once (a linked log and activity are one), oldest first."""
    logged = [
        Logged(
            day=log.entry.date,
            minutes=log.entry.minutes,
            direction=log.entry.direction,
            pain_during=log.entry.pain_during,
            pain_after=log.entry.pain_after,
            pain_next_morning=log.entry.pain_next_morning,
            activity_id=log.activity_id,
        )
        for log in logs
    ]
    imported = [
        Imported(
            id=activity.id,
            day=activity.start_date,
            duration_s=activity.duration_s,
            backward_s=activity.backward_s,
            direction_known=activity.direction is not None,
            kcal=activity.kcal,
        )
        for activity in activities
    ]
    return sessions_done(logged, imported)
