"""People and links: users with roles, sign-in, and the coach links athletes consent to.

Passwords are hashed with argon2id (argon2-cffi). A coach reaches an athlete only through an
invitation code the athlete accepts; the code is shown once and stored only as its SHA-256.
Either side can end the link, and access ends with it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from retrorun.errors import Forbidden, InvalidInput, NotFound
from retrorun.services.access import Actor, Role
from retrorun.store.models import AthleteRow, CoachLinkRow, UserRow, possible_id

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from retrorun.services.app import App, Scope

# Our reasoning: long enough for a client to find time to accept, short enough that a code
# written on a card in a clinic does not stay usable for months.
INVITATION_DAYS = 14
MIN_PASSWORD_CHARS = 8  # NIST SP 800-63B, 5.1.1.2: at least 8 characters
MAX_PASSWORD_CHARS = 1024  # argon2 hashes any length; this only bounds the work per request
MAX_EMAIL_CHARS = 320  # RFC 3696 errata: 64 + 1 + 255


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: Role
    athlete_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CoachLink:
    id: int
    coach_id: int
    coach_email: str
    athlete_id: int | None
    athlete_name: str | None
    status: str  # invited | active | ended
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None


@dataclass(frozen=True)
class Invitation:
    link_id: int
    code: str  # shown once; the store keeps only its hash
    expires_at: datetime


def password_hasher(profile: str = "default") -> PasswordHasher:
    """argon2id with RFC 9106's low-memory profile, or the cheapest one for tests."""
    from argon2 import PasswordHasher, profiles

    if profile == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def normal_email(email: str) -> str:
    """The email as stored: trimmed, lower case, and plausibly an address."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if (
        not local
        or "." not in domain
        or len(email) > MAX_EMAIL_CHARS
        or any(c.isspace() or c == "\0" for c in email)
    ):
        raise InvalidInput(f"{email!r} is not an email address")
    return email


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidInput(f"a password has {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters")


def _may_manage_users(actor: Actor) -> None:
    """The local owner of the database (the CLI) and admins manage accounts."""
    if actor.user_id is not None and actor.role is not Role.ADMIN:
        raise Forbidden("only an admin can add or list users")


def add_user(app: App, actor: Actor, email: str, password: str, role: Role) -> User:
    """A new user; an athlete gets their own, empty, training record."""
    _may_manage_users(actor)
    return _create_user(app, email, password, role)


def sign_up(app: App, email: str, password: str) -> User:
    """Anyone may sign up as an athlete; coach and admin roles are given by an admin."""
    return _create_user(app, email, password, Role.ATHLETE)


def _create_user(app: App, email: str, password: str, role: Role) -> User:
    email = normal_email(email)
    _check_password(password)
    hashed = password_hasher(app.settings.password_profile).hash(password)
    now = datetime.now(UTC)
    try:
        with app.transaction() as db:
            athlete_id = None
            if role is Role.ATHLETE:
                athlete = AthleteRow(name=email[:200], created_at=now)
                db.add(athlete)
                db.flush()
                athlete_id = athlete.id
            row = UserRow(
                email=email,
                password_hash=hashed,
                role=role.value,
                athlete_id=athlete_id,
                created_at=now,
            )
            db.add(row)
            db.flush()
            return _user(row)
    except IntegrityError:
        raise InvalidInput(f"there is already a user with email {email}") from None


def users(app: App, actor: Actor) -> list[User]:
    _may_manage_users(actor)
    with app.transaction() as db:
        return [_user(row) for row in db.scalars(select(UserRow).order_by(UserRow.id))]


def sign_in(app: App, email: str, password: str) -> Actor:
    """The actor for a correct email and password; one message for every failure."""
    from argon2.exceptions import VerificationError

    hasher = password_hasher(app.settings.password_profile)
    wrong = InvalidInput("wrong email or password")
    with app.transaction() as db:
        row = db.scalars(select(UserRow).where(UserRow.email == email.strip().lower())).first()
    stored = row.password_hash if row is not None else None
    try:
        # With no such user, verify against a throwaway hash anyway: the answer takes as long.
        hasher.verify(stored or hasher.hash(secrets.token_hex(8)), password)
    except VerificationError:
        raise wrong from None
    if row is None or stored is None:
        raise wrong
    return Actor(row.id, Role(row.role), row.athlete_id, row.email)


def _user(row: UserRow) -> User:
    return User(row.id, row.email, Role(row.role), row.athlete_id, _aware(row.created_at))


# --- coach links ----------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def new_invitation_code() -> str:
    """16 letters and digits (80 random bits, base32): read aloud or typed by a person, and
    never starting with "-", which a command line would take for an option."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def invite(scope: Scope, now: datetime) -> Invitation:
    """A coach's invitation: a code the athlete accepts to let this coach see their data."""
    actor = scope.actor
    if actor.role is not Role.COACH or actor.user_id is None:
        raise Forbidden("only a coach can invite athletes")
    code = new_invitation_code()
    expires = now + timedelta(days=INVITATION_DAYS)
    with scope.app.transaction() as db:
        row = CoachLinkRow(
            coach_id=actor.user_id,
            status="invited",
            code_sha256=_code_hash(code),
            expires_at=expires,
            created_at=now,
        )
        db.add(row)
        db.flush()
        return Invitation(row.id, code, expires)


def accept(scope: Scope, code: str, now: datetime) -> CoachLink:
    """The athlete's consent: the coach who made this code may now read their data."""
    athlete = scope.own_athlete
    refused = InvalidInput("that invitation code is not valid: ask your coach for a new one")
    with scope.app.transaction() as db:
        row = db.scalars(
            select(CoachLinkRow).where(CoachLinkRow.code_sha256 == _code_hash(code))
        ).first()
        if row is None or row.status != "invited" or _aware(row.expires_at) < now:
            raise refused
        if scope.actor.user_id == row.coach_id:
            raise refused
        if _active_link(db, row.coach_id, athlete) is not None:
            raise InvalidInput("that coach can already see your data")
        row.athlete_id, row.status, row.accepted_at = athlete, "active", now
        row.code_sha256 = None  # used: it can never be accepted again
        db.flush()
        return _links(db, [row])[0]


def _active_link(db: DbSession, coach_id: int, athlete: int) -> CoachLinkRow | None:
    query = select(CoachLinkRow).where(
        CoachLinkRow.coach_id == coach_id,
        CoachLinkRow.athlete_id == athlete,
        CoachLinkRow.status == "active",
    )
    return db.scalars(query).first()


def links(scope: Scope) -> list[CoachLink]:
    """A coach's links and open invitations, or the coaches who can (or could) see an athlete."""
    actor = scope.actor
    with scope.app.transaction() as db:
        query = select(CoachLinkRow).order_by(CoachLinkRow.id)
        if actor.role is Role.COACH and actor.user_id is not None:
            query = query.where(CoachLinkRow.coach_id == actor.user_id)
        elif actor.athlete_id is not None:
            query = query.where(CoachLinkRow.athlete_id == actor.athlete_id)
        else:
            return []
        return _links(db, list(db.scalars(query)))


def end_link(scope: Scope, link_id: int, now: datetime) -> CoachLink:
    """Either side ends a link (or a coach withdraws an invitation); access ends at once."""
    actor = scope.actor
    with scope.app.transaction() as db:
        row = db.get(CoachLinkRow, link_id) if possible_id(link_id) else None
        side = _side(row, actor)
        if row is None or side is None:
            raise NotFound(f"no coach link with id {link_id}: see retrorun coach list")
        if row.status == "ended":
            raise InvalidInput(f"coach link {link_id} has already ended")
        row.status, row.ended_at, row.ended_by, row.code_sha256 = "ended", now, side, None
        db.flush()
        return _links(db, [row])[0]


def _side(row: CoachLinkRow | None, actor: Actor) -> str | None:
    if row is None:
        return None
    if actor.user_id is not None and row.coach_id == actor.user_id:
        return "coach"
    if actor.athlete_id is not None and row.athlete_id == actor.athlete_id:
        return "athlete"
    return None


def _links(db: DbSession, rows: list[CoachLinkRow]) -> list[CoachLink]:
    coach_ids = {row.coach_id for row in rows}
    athlete_ids = {row.athlete_id for row in rows if row.athlete_id is not None}
    emails = {
        row.id: row.email
        for row in db.execute(select(UserRow.id, UserRow.email).where(UserRow.id.in_(coach_ids)))
    }
    names = {
        row.id: row.name
        for row in db.execute(
            select(AthleteRow.id, AthleteRow.name).where(AthleteRow.id.in_(athlete_ids))
        )
    }
    return [
        CoachLink(
            id=row.id,
            coach_id=row.coach_id,
            coach_email=emails.get(row.coach_id, "?"),
            athlete_id=row.athlete_id,
            athlete_name=names.get(row.athlete_id) if row.athlete_id is not None else None,
            status=row.status,
            created_at=_aware(row.created_at),
            expires_at=_aware(row.expires_at),
            accepted_at=_maybe_aware(row.accepted_at),
            ended_at=_maybe_aware(row.ended_at),
            ended_by=row.ended_by,
        )
        for row in rows
    ]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _maybe_aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else _aware(moment)
