"""One App per process (engine, settings) and a cheap Scope per actor and request on top of it.

Building an App connects to nothing, migrates nothing and writes nothing: migrations are an
explicit step (`retrorun db upgrade`, also run by `init`). An App is safe to share between
threads; a Scope is a small value made for one actor, for one request or one CLI run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from retrorun.errors import InvalidInput, NotFound
from retrorun.services import audit
from retrorun.services.access import Access, Actor, Role, check
from retrorun.store import database
from retrorun.store.models import UserRow, possible_id
from retrorun.store.repository import athlete_id

LOCAL_ATHLETE = "me"
MAX_NAME_CHARS = (
    200  # the athletes.name column  # the training record the local CLI works on, as it always has
)


@dataclass(frozen=True)
class Settings:
    """How the App hashes passwords: "default" (argon2id's RFC 9106 low-memory profile) or
    "cheapest" (for tests only: the same code path, a thousand times faster)."""

    password_profile: str = "default"


class App:
    """The application for one database: shared by every actor and every thread of a process."""

    def __init__(self, db: str | None = None, settings: Settings | None = None) -> None:
        self.url = database.database_url(db)
        self.engine = database.open_engine(self.url)
        self.settings = settings or Settings()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[DbSession]:
        """One database transaction: everything in it is stored, or nothing is."""
        with DbSession(self.engine, expire_on_commit=False) as db, db.begin():
            yield db

    # --- the schema ------------------------------------------------------------------------

    def check_schema(self) -> None:
        """Refuse to run on a missing or older schema, naming the command that fixes it."""
        database.check_schema(self.engine)

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate to the newest schema, once, even with several processes starting together."""
        return database.upgrade(self.engine)

    # --- who is acting ---------------------------------------------------------------------

    def local_owner(self) -> Actor:
        """The person at the terminal: no sign-in, and their training record is "me"."""
        with self.transaction() as db:
            own = athlete_id(db, LOCAL_ATHLETE)
        return Actor(user_id=None, role=Role.ATHLETE, athlete_id=own)

    def named_athlete(self, name: str) -> Actor:
        """Act as the athlete with this record name (created on first use), as the CLI's owner."""
        if not 1 <= len(name) <= MAX_NAME_CHARS or "\0" in name:
            raise InvalidInput(f"an athlete's name has 1–{MAX_NAME_CHARS} characters and no NUL")
        with self.transaction() as db:
            own = athlete_id(db, name)
        return Actor(user_id=None, role=Role.ATHLETE, athlete_id=own)

    def actor(self, user_id: int) -> Actor:
        """A signed-in user as an actor."""
        with self.transaction() as db:
            row = db.get(UserRow, user_id) if possible_id(user_id) else None
            if row is None:
                raise NotFound(f"no user with id {user_id}")
            return _actor(row)

    def actor_by_email(self, email: str) -> Actor:
        with self.transaction() as db:
            row = db.scalars(select(UserRow).where(UserRow.email == email.strip().lower())).first()
            if row is None:
                raise NotFound(f"no user with email {email!r}: see retrorun user list")
            return _actor(row)

    def scope(self, actor: Actor) -> Scope:
        return Scope(self, actor)


def _actor(row: UserRow) -> Actor:
    return Actor(user_id=row.id, role=Role(row.role), athlete_id=row.athlete_id, email=row.email)


class Scope:
    """What one actor does: every service call opens its transaction here, after the check."""

    def __init__(self, app: App, actor: Actor) -> None:
        self.app = app
        self.actor = actor
        self._audited: set[tuple[int, str, str]] = set()  # (athlete, action, what) committed

    @contextmanager
    def access(self, athlete: int, access: Access = Access.READ) -> Iterator[DbSession]:
        """A transaction on one athlete's data, opened only if the actor may do this.

        A coach's read or change is recorded in the audit log in the same transaction, so a
        refused or failed call records nothing (`services.audit`).
        """
        with self.app.transaction() as db:
            check(db, self.actor, athlete, access)
            entry = self._audit(db, athlete, access)
            yield db
        if entry is not None:
            self._audited.add(entry)

    def _audit(self, db: DbSession, athlete: int, access: Access) -> tuple[int, str, str] | None:
        """One audit row for a coach's call (the check has let them through). A service call
        opens the data several times (a week, then the profile, then the logs): within one
        scope (one request, one CLI run) the same call is recorded once, and a read once it
        has changed the same data."""
        if self.actor.athlete_id == athlete:
            return None  # the athlete's own data: nothing to record
        action = "read" if access is Access.READ else "change"
        what = audit.service_call()
        if (athlete, action, what) in self._audited or (athlete, "change", what) in self._audited:
            return None
        db.add(audit.audit_row(athlete, self.actor.user_id, action, what, audit.moment()))
        return athlete, action, what

    @property
    def own_athlete(self) -> int:
        """The actor's own training record (coaches and admins have none)."""
        if self.actor.athlete_id is None:
            raise NotFound(f"{self.actor.name} has no training record of their own")
        return self.actor.athlete_id
