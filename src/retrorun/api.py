"""The public Python API. The CLI, the web app and the tests call this; no rule lives in them.

Each call is one transaction: either everything it writes is stored, or nothing is. The one
exception is `import_files`, which runs one transaction per file, so that a bad file among
many adds nothing while the others are still imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as DbSession

from retrorun import importing
from retrorun.core.log import LogEntry, validate_log
from retrorun.core.plan import Plan, make_plan
from retrorun.core.profile import Profile
from retrorun.core.screening import Screening
from retrorun.core.session_cost import SessionCost, session_cost
from retrorun.core.timeline import Timeline, build_timeline
from retrorun.core.workout import Session
from retrorun.errors import InvalidInput, NotFound, NotReady, RetrorunError
from retrorun.formats import archive
from retrorun.formats.archive import FoundFile
from retrorun.importing import ImportResult
from retrorun.store import activities as stored_activities
from retrorun.store import repository
from retrorun.store.activities import StoredActivity
from retrorun.store.database import database_url, open_engine, upgrade

DEFAULT_ATHLETE = "me"
DIRECTIONS = ("backward", "forward")

# Called after each file: (what became of it, files done, files in all so far).
ImportProgress = Callable[[ImportResult, int, int], None]


@dataclass(frozen=True)
class LoggedSession:
    id: int
    matched_plan: bool
    entry: LogEntry


class Retrorun:
    """One person's retro running, on one database (SQLite file or PostgreSQL URL)."""

    def __init__(self, db: str | None = None, athlete: str = DEFAULT_ATHLETE) -> None:
        self.url = database_url(db)
        self.engine = open_engine(self.url)
        upgrade(self.engine)
        self.athlete = athlete
        with self._transaction() as db_session:
            repository.athlete_id(db_session, athlete)

    @contextmanager
    def _transaction(self) -> Iterator[DbSession]:
        with DbSession(self.engine) as db_session, db_session.begin():
            yield db_session

    def _athlete(self, db_session: DbSession) -> int:
        found = repository.athlete_id(db_session, self.athlete)
        assert found is not None
        return found

    def close(self) -> None:
        self.engine.dispose()

    # --- profile and screening ---------------------------------------------------------------

    def set_profile(self, profile: Profile) -> None:
        with self._transaction() as db:
            repository.save_profile(db, self._athlete(db), profile)

    def profile(self) -> Profile:
        with self._transaction() as db:
            profile = repository.load_profile(db, self._athlete(db))
        if profile is None:
            raise NotReady("set your profile first: retrorun profile set --help")
        return profile

    def screen(self, answers: Mapping[str, bool], today: date, cleared: bool = False) -> Screening:
        screening = Screening(today, dict(answers), cleared_by_doctor=cleared)
        with self._transaction() as db:
            repository.save_screening(db, self._athlete(db), screening)
        return screening

    def screening(self) -> Screening | None:
        with self._transaction() as db:
            found = repository.latest_screening(db, self._athlete(db))
        return found[1] if found else None

    # --- plan and sessions -------------------------------------------------------------------

    def new_plan(self, start: date, weeks: int | None = None, cleared: bool = False) -> Plan:
        """Make and store a plan; `cleared` records the person's statement of a doctor's OK."""
        profile = self.profile()
        with self._transaction() as db:
            athlete = self._athlete(db)
            found = repository.latest_screening(db, athlete)
            if found is None:
                raise NotReady("answer the screening questions first: retrorun screen")
            screening_id, screening = found
            if cleared and screening.needs_clearance and not screening.cleared_by_doctor:
                screening = Screening(screening.answered_on, screening.answers, True)
                repository.mark_cleared(db, screening_id)
            plan = make_plan(profile, screening, start, weeks)
            repository.save_plan(db, athlete, screening_id, plan)
        return plan

    def plan(self) -> Plan:
        with self._transaction() as db:
            plan = repository.active_plan(db, self._athlete(db))
        if plan is None:
            raise NotReady("no plan yet: retrorun plan new --start YYYY-MM-DD")
        return plan

    def session(self, day: date) -> tuple[Session, Timeline]:
        """The planned session on a day and its cue timeline."""
        plan = self.plan()
        session = plan.session_on(day)
        if session is None:
            upcoming = [s.date for s in plan.sessions if s.date > day]
            hint = f"; the next one is on {upcoming[0].isoformat()}" if upcoming else ""
            raise NotFound(f"no session planned on {day.isoformat()}{hint}")
        return session, self.timeline(session)

    def timeline(self, session: Session) -> Timeline:
        """A session's cue timeline, spoken in the person's units."""
        imperial = self.profile().units.value == "imperial"
        return build_timeline(session.workout, imperial=imperial)

    def session_cost(self, session: Session) -> SessionCost:
        """Estimated energy of a planned session, knowing how practised the person is by then.

        Practice counts the backward sessions logged or imported before the session's day.
        """
        day_start = datetime.combine(session.date, time.min, tzinfo=UTC)
        with self._transaction() as db:
            practised = stored_activities.backward_sessions_before(db, self._athlete(db), day_start)
        return session_cost(session.workout, self.profile().mass_kg, practised)

    # --- logs --------------------------------------------------------------------------------

    def log(self, entry: LogEntry, today: date) -> int:
        """Store a logged session after checking it; nothing is written if it is refused."""
        validate_log(entry, today)
        with self._transaction() as db:
            return repository.add_log(db, self._athlete(db), entry)

    def history(self) -> list[LoggedSession]:
        with self._transaction() as db:
            rows = repository.logs(db, self._athlete(db))
        return [LoggedSession(row_id, matched, entry) for row_id, matched, entry in rows]

    # --- imported activities -----------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[str | os.PathLike[str]],
        direction: str | None = None,
        progress: ImportProgress | None = None,
    ) -> list[ImportResult]:
        """Import FIT, GPX and TCX files (also gzipped), folders and zip archives.

        One transaction per file: a file that is damaged, hostile or not an activity is
        reported as rejected with its reason and adds nothing; one already stored (same
        content, any name) is reported as a duplicate. `direction` marks every imported
        activity backward or forward; without it, laps recorded from a retrorun watch workout
        take their step's direction and the rest stay unknown until marked.
        """
        if direction is not None and direction not in DIRECTIONS:
            raise InvalidInput(f"direction must be backward or forward, got {direction!r}")
        paths = list(paths)
        profile = self._profile_or_none()
        total = archive.count_files(paths)
        results: list[ImportResult] = []
        for found in archive.walk(paths):
            results.append(self._import_one(found, direction, profile))
            if progress is not None:
                progress(results[-1], len(results), max(total, len(results)))
        return results

    def _import_one(
        self, found: FoundFile, direction: str | None, profile: Profile | None
    ) -> ImportResult:
        if found.data is None:
            return ImportResult(found.path, "rejected", found.reason)
        sha256 = importing.content_hash(found.data)
        try:
            with self._transaction() as db:
                athlete = self._athlete(db)
                existing = stored_activities.find_by_hash(db, athlete, sha256)
                if existing is not None:
                    return ImportResult(found.path, "duplicate", activity_id=existing)
                activity = importing.parse_activity(found)
                stored = importing.store_activity(
                    db,
                    athlete,
                    activity,
                    content_sha256=sha256,
                    source_path=found.path,
                    direction=direction,
                    profile=profile,
                )
        except IntegrityError:  # another process stored the same file a moment ago
            with self._transaction() as db:
                existing = stored_activities.find_by_hash(db, self._athlete(db), sha256)
            if existing is None:
                raise
            return ImportResult(found.path, "duplicate", activity_id=existing)
        except RetrorunError as error:
            return ImportResult(found.path, "rejected", str(error))
        except SQLAlchemyError:
            raise  # the database itself failed: not this file's fault, stop
        except Exception as error:  # a file no parser foresaw must not stop the others
            reason = f"could not be read ({type(error).__name__}: {error})"
            return ImportResult(found.path, "rejected", reason)
        return ImportResult(
            found.path, "imported", activity_id=stored.id, activity=stored, samples=stored.samples
        )

    def _profile_or_none(self) -> Profile | None:
        with self._transaction() as db:
            return repository.load_profile(db, self._athlete(db))

    def activities(self) -> list[StoredActivity]:
        """Imported activities, oldest first, with their laps."""
        with self._transaction() as db:
            return stored_activities.activities(db, self._athlete(db))

    def activity(self, activity_id: int) -> StoredActivity:
        with self._transaction() as db:
            row = stored_activities.activity_row(db, self._athlete(db), activity_id)
            return stored_activities.stored(row, stored_activities.lap_rows(db, activity_id))

    def set_activity_direction(
        self, activity_id: int, direction: str, laps: Sequence[int] | None = None
    ) -> StoredActivity:
        """Mark an imported activity (or only the given laps) backward or forward.

        Its backward time and energy are worked out again from the stored streams.
        """
        profile = self._profile_or_none()
        with self._transaction() as db:
            return importing.redirect_activity(
                db, self._athlete(db), activity_id, direction, laps, profile
            )
