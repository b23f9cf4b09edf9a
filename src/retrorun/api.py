"""The local owner's API: one person's retro running on one database, with no sign-in.

A thin handle on the service layer (`retrorun.services`) for the CLI, scripts and tests that
act as the owner of a database: it builds an App, makes sure the schema exists, and calls the
services for one athlete. Everything it does goes through the same permission-checked service
calls as the web app; no rule lives here.

`Retrorun(db)` sets up a brand-new database as `retrorun init` would: a script that names a
database owns it. The CLI does not: it passes its own App, already checked, and only `init`,
`db upgrade` and `serve` create a database there (`cli.context`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import IO

from sqlalchemy import Engine

from retrorun.core.log import LogEntry
from retrorun.core.plan import Plan
from retrorun.core.profile import Profile, ProfileChange
from retrorun.core.progression import RedFlag, WalkTest
from retrorun.core.screening import Screening
from retrorun.core.session_cost import SessionCost
from retrorun.core.timeline import Timeline
from retrorun.core.workout import Session, Setting
from retrorun.errors import RetrorunError
from retrorun.importing import ImportResult
from retrorun.services import activities, adaptation, athletes, logs, plans, progression
from retrorun.services.access import Actor
from retrorun.services.app import LOCAL_ATHLETE, App, Scope
from retrorun.services.logs import LoggedSession
from retrorun.services.progression import Why
from retrorun.store.activities import StoredActivity
from retrorun.store.database import NoDatabase, current_revision

DEFAULT_ATHLETE = LOCAL_ATHLETE

# Called after each file: (what became of it, files done, files in all so far).
ImportProgress = Callable[[ImportResult, int, int], None]

__all__ = ["DEFAULT_ATHLETE", "LoggedSession", "Retrorun", "prepare"]


def prepare(app: App) -> None:
    """Set up a brand-new database (no file, or no tables at all) as `init` does; refuse an
    older schema.

    An existing database is never migrated behind the owner's back: `retrorun db upgrade` does
    that, and the error says so.
    """
    try:
        new = current_revision(app.engine) is None
    except NoDatabase:
        new = True
    if new:
        app.upgrade()
    app.check_schema()


class Retrorun:
    """One athlete's retro running, acted on by the local owner (or by `actor`)."""

    def __init__(
        self,
        db: str | None = None,
        athlete: str = DEFAULT_ATHLETE,
        *,
        app: App | None = None,
        actor: Actor | None = None,
    ) -> None:
        self.app = app or App(db)
        self._owns_app = app is None
        if self._owns_app:  # else the caller's App, checked by its owner (the CLI creates none)
            try:
                prepare(self.app)
            except RetrorunError:
                self.close()
                raise
        self.actor = actor or self.app.named_athlete(athlete)
        self.scope: Scope = self.app.scope(self.actor)
        self.athlete_id = self.scope.own_athlete
        self.athlete = self._record_name()

    def _record_name(self) -> str:
        """The training record's name ("me" for the local owner): calendar UIDs are made from it."""
        from retrorun.store.models import AthleteRow

        with self.scope.access(self.athlete_id) as db:
            return db.get_one(AthleteRow, self.athlete_id).name

    @property
    def url(self) -> str:
        return self.app.url

    @property
    def engine(self) -> Engine:
        return self.app.engine

    def close(self) -> None:
        if self._owns_app:
            self.app.close()

    # --- profile and screening ---------------------------------------------------------------

    def set_profile(self, profile: Profile) -> Profile | None:
        return athletes.set_profile(self.scope, self.athlete_id, profile)

    def change_profile(self, change: ProfileChange) -> athletes.ProfileSaved:
        """Change only the fields given; says what changed and whether the plan is now stale."""
        return athletes.change_profile(self.scope, self.athlete_id, change)

    def profile(self) -> Profile:
        return athletes.profile(self.scope, self.athlete_id)

    def profile_or_none(self) -> Profile | None:
        return athletes.profile_or_none(self.scope, self.athlete_id)

    def screen(self, answers: Mapping[str, bool], today: date, cleared: bool = False) -> Screening:
        return athletes.screen(self.scope, self.athlete_id, answers, today, cleared)

    def screening(self) -> Screening | None:
        return athletes.screening(self.scope, self.athlete_id)

    # --- plan and sessions -------------------------------------------------------------------

    def new_plan(self, start: date, weeks: int | None = None, cleared: bool = False) -> Plan:
        return plans.new_plan(self.scope, self.athlete_id, start, weeks, cleared)

    def plan(self) -> Plan:
        return plans.plan(self.scope, self.athlete_id)

    def session(self, day: date) -> tuple[Session, Timeline]:
        return plans.session(self.scope, self.athlete_id, day)

    def timeline(self, session: Session) -> Timeline:
        """The stored cue timeline of a planned session (the one on its day)."""
        return plans.session(self.scope, self.athlete_id, session.date)[1]

    def session_cost(self, session: Session) -> SessionCost:
        return plans.session_cost(self.scope, self.athlete_id, session)

    def planned_sessions(self) -> list[plans.PlannedSession]:
        return plans.planned_sessions(self.scope, self.athlete_id)

    def move_session(
        self, session_id: int, to: date, reason: str, today: date
    ) -> plans.PlannedSession:
        return plans.move_session(self.scope, self.athlete_id, session_id, to, reason, today)

    def skip_session(self, session_id: int, reason: str, today: date) -> plans.PlannedSession:
        return plans.skip_session(self.scope, self.athlete_id, session_id, reason, today)

    def edit_session(
        self,
        session_id: int,
        reason: str,
        today: date,
        *,
        title: str | None = None,
        backward_setting: Setting | None = None,
    ) -> plans.PlannedSession:
        return plans.edit_session(
            self.scope,
            self.athlete_id,
            session_id,
            reason,
            today,
            title=title,
            backward_setting=backward_setting,
        )

    def session_versions(self, session_id: int) -> list[plans.SessionVersion]:
        return plans.session_versions(self.scope, self.athlete_id, session_id)

    # --- logs --------------------------------------------------------------------------------

    def log(self, entry: LogEntry, today: date) -> int:
        return logs.log(self.scope, self.athlete_id, entry, today).id

    def add_log(self, entry: LogEntry, today: date, *, force: bool = False) -> LoggedSession:
        """Log a session; a day already logged is refused (AlreadyLogged) unless `force`."""
        return logs.log(self.scope, self.athlete_id, entry, today, force=force)

    def complete_log(
        self,
        day: date,
        pain_next_morning: int,
        today: date,
        red_flags: frozenset[RedFlag] = frozenset(),
    ) -> LoggedSession:
        return logs.complete_log(
            self.scope, self.athlete_id, day, pain_next_morning, today, red_flags
        )

    def history(self) -> list[LoggedSession]:
        return logs.history(self.scope, self.athlete_id)

    def why(self, today: date) -> Why:
        """The progression engine's decision for the sessions after `today`, and its inputs."""
        return progression.why(self.scope, self.athlete_id, today)

    def decisions(self, limit: int = 20) -> list[progression.StoredDecision]:
        return progression.decisions(self.scope, self.athlete_id, limit)

    def resume(self, reason: str, today: date) -> list[adaptation.PlanChange]:
        """Resume a paused plan; it restarts one step lower."""
        return adaptation.resume(self.scope, self.athlete_id, reason, today)

    def pause_state(self) -> adaptation.Paused | None:
        return adaptation.pause_state(self.scope, self.athlete_id)

    def add_walk_test(self, day: date, seconds: float, today: date, *, timed: bool) -> WalkTest:
        return progression.add_walk_test(
            self.scope, self.athlete_id, day, seconds, today, timed=timed
        )

    def walk_tests(self, today: date) -> list[WalkTest]:
        return progression.walk_tests(self.scope, self.athlete_id, today)

    def pain_limits(self) -> progression.PainLimits:
        return progression.pain_limits(self.scope, self.athlete_id)

    def set_pain_limits(
        self, pain_ceiling: int | None, usual_pain: int | None
    ) -> progression.PainLimits:
        return progression.set_pain_limits(self.scope, self.athlete_id, pain_ceiling, usual_pain)

    # --- imported activities -----------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        direction: str | None = None,
        progress: ImportProgress | None = None,
    ) -> list[ImportResult]:
        return activities.import_files(self.scope, self.athlete_id, paths, direction, progress)

    def import_upload(
        self, name: str, data: bytes | IO[bytes], direction: str | None = None
    ) -> list[ImportResult]:
        return activities.import_upload(self.scope, self.athlete_id, name, data, direction)

    def activities(self) -> list[StoredActivity]:
        return activities.activities(self.scope, self.athlete_id)

    def activity(self, activity_id: int) -> StoredActivity:
        return activities.activity(self.scope, self.athlete_id, activity_id)

    def set_activity_direction(
        self, activity_id: int, direction: str, laps: Sequence[int] | None = None
    ) -> StoredActivity:
        return activities.set_activity_direction(
            self.scope, self.athlete_id, activity_id, direction, laps
        )
