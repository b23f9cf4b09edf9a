"""The public Python API. The CLI, the web app and the tests call this; no rule lives in them.

Each call is one transaction: either everything it writes is stored, or nothing is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session as DbSession

from retrorun.core.log import LogEntry, validate_log
from retrorun.core.plan import Plan, make_plan
from retrorun.core.profile import Profile
from retrorun.core.screening import Screening
from retrorun.core.session_cost import SessionCost, session_cost
from retrorun.core.timeline import Timeline, build_timeline
from retrorun.core.workout import Session
from retrorun.errors import NotFound, NotReady
from retrorun.store import repository
from retrorun.store.database import database_url, open_engine, upgrade

DEFAULT_ATHLETE = "me"


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
        imperial = self.profile().units.value == "imperial"
        return session, build_timeline(session.workout, imperial=imperial)

    def session_cost(self, session: Session) -> SessionCost:
        """Estimated energy of a planned session, knowing how practised the person is by then."""
        practised = sum(
            1
            for item in self.history()
            if item.entry.direction.value == "backward" and item.entry.date < session.date
        )
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
