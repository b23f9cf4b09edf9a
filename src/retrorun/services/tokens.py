"""Secrets handed to people and devices: browser sessions, API tokens, password reset links and
private calendar feed URLs.

Each is a random token shown once; the store keeps only its SHA-256, so a copy of the database
opens no account. Each can be ended (signed out, revoked, used) and then opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from retrorun.errors import InvalidInput, NotFound
from retrorun.services.access import Access, Actor, Role
from retrorun.services.accounts import _check_password, _may_manage_users, normal_email
from retrorun.store.models import SecretTokenRow, UserRow, possible_id

if TYPE_CHECKING:
    from retrorun.services.app import App, Scope

# Our choice: a phone stays signed in for a month, like the training apps people use; signing
# out, or resetting the password, ends it at once.
SESSION_DAYS = 30
# OWASP Forgot Password Cheat Sheet: reset tokens single-use and short-lived.
RESET_MINUTES = 60
MAX_TOKEN_NAME_CHARS = 100  # the secret_tokens.name column


@dataclass(frozen=True)
class BrowserSession:
    token: str  # goes in the session cookie
    csrf_token: str  # goes in every form of the session's pages


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _active(row: SecretTokenRow | None, kind: str, now: datetime) -> bool:
    return (
        row is not None
        and row.kind == kind
        and row.revoked_at is None
        and row.used_at is None
        and (row.expires_at is None or _aware(row.expires_at) > now)
    )


def _row(app: App, token: str, kind: str, now: datetime) -> SecretTokenRow | None:
    if not token or len(token) > 200:
        return None
    with app.transaction() as db:
        row = db.scalars(
            select(SecretTokenRow).where(SecretTokenRow.token_sha256 == _hash(token))
        ).first()
    return row if _active(row, kind, now) else None


def token_actor(app: App, token: str, kind: str, now: datetime) -> tuple[Actor, str | None] | None:
    """The user a live session or API token belongs to, and the session's CSRF token: one
    query, since every request asks it."""
    if not token or len(token) > 200:
        return None
    with app.transaction() as db:
        found = db.execute(
            select(SecretTokenRow, UserRow)
            .join(UserRow, UserRow.id == SecretTokenRow.user_id)
            .where(SecretTokenRow.token_sha256 == _hash(token))
        ).first()
    if found is None or not _active(found[0], kind, now):
        return None
    row, user = found
    return Actor(user.id, Role(user.role), user.athlete_id, user.email), row.csrf_token


# --- browser sessions ------------------------------------------------------------------------


def start_session(app: App, actor: Actor, now: datetime) -> BrowserSession:
    """A new session for a signed-in user, with its own CSRF token."""
    if actor.user_id is None:
        raise InvalidInput("only a user account can sign in")
    token, csrf = _new_token(), secrets.token_hex(32)
    with app.transaction() as db:
        db.add(
            SecretTokenRow(
                kind="session",
                token_sha256=_hash(token),
                user_id=actor.user_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(days=SESSION_DAYS),
            )
        )
    return BrowserSession(token, csrf)


def session_user(app: App, token: str, now: datetime) -> tuple[int, str] | None:
    """The user id and CSRF token of a live session, or None (unknown, ended or expired)."""
    row = _row(app, token, "session", now)
    if row is None or row.user_id is None or row.csrf_token is None:
        return None
    return row.user_id, row.csrf_token


def end_session(app: App, token: str, now: datetime) -> None:
    with app.transaction() as db:
        db.execute(
            update(SecretTokenRow)
            .where(SecretTokenRow.token_sha256 == _hash(token), SecretTokenRow.kind == "session")
            .values(revoked_at=now)
        )


# --- personal API tokens ---------------------------------------------------------------------


def new_api_token(scope: Scope, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A personal API token for scripts; the secret is returned once, here."""
    user_id = _user_id(scope.actor)
    name = name.strip()
    if not 1 <= len(name) <= MAX_TOKEN_NAME_CHARS or "\0" in name:
        raise InvalidInput(f"a token's name has 1–{MAX_TOKEN_NAME_CHARS} characters")
    token = _new_token()
    with scope.app.transaction() as db:
        row = SecretTokenRow(
            kind="api", token_sha256=_hash(token), user_id=user_id, name=name, created_at=now
        )
        db.add(row)
        db.flush()
        return _api_token(row), token


def api_tokens(scope: Scope) -> list[ApiToken]:
    user_id = _user_id(scope.actor)
    with scope.app.transaction() as db:
        rows = db.scalars(
            select(SecretTokenRow)
            .where(SecretTokenRow.user_id == user_id, SecretTokenRow.kind == "api")
            .order_by(SecretTokenRow.id)
        )
        return [_api_token(row) for row in rows]


def revoke_api_token(scope: Scope, token_id: int, now: datetime) -> None:
    user_id = _user_id(scope.actor)
    with scope.app.transaction() as db:
        row = db.get(SecretTokenRow, token_id) if possible_id(token_id) else None
        if row is None or row.kind != "api" or row.user_id != user_id:
            raise NotFound(f"no API token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = now


def api_token_user(app: App, token: str, now: datetime) -> int | None:
    row = _row(app, token, "api", now)
    return None if row is None else row.user_id


def _api_token(row: SecretTokenRow) -> ApiToken:
    return ApiToken(row.id, row.name or "", _aware(row.created_at), _maybe(row.revoked_at))


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise InvalidInput("tokens belong to user accounts: sign in, or use --as EMAIL")
    return actor.user_id


# --- password reset links --------------------------------------------------------------------


def reset_token(app: App, actor: Actor, email: str, now: datetime) -> str:
    """A one-time password reset token for a user, made by an admin (or the database's owner
    at the CLI) and handed over by them: no mail server is needed."""
    _may_manage_users(actor)
    email = normal_email(email)
    token = _new_token()
    with app.transaction() as db:
        user = db.scalars(select(UserRow).where(UserRow.email == email)).first()
        if user is None:
            raise NotFound(f"no user with email {email!r}: see retrorun user list")
        db.add(
            SecretTokenRow(
                kind="reset",
                token_sha256=_hash(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(minutes=RESET_MINUTES),
            )
        )
    return token


def reset_is_valid(app: App, token: str, now: datetime) -> bool:
    return _row(app, token, "reset", now) is not None


def reset_password(app: App, token: str, password: str, now: datetime) -> None:
    """Set a new password with a reset token, once; every session of the user ends."""
    from retrorun.services.accounts import password_hasher

    _check_password(password)
    refused = InvalidInput("this reset link is not valid: it was used, or it expired")
    hashed = password_hasher(app.settings.password_profile).hash(password)
    with app.transaction() as db:
        row = db.scalars(
            select(SecretTokenRow)
            .where(SecretTokenRow.token_sha256 == _hash(token))
            .with_for_update()
        ).first()
        if row is None or not _active(row, "reset", now) or row.user_id is None:
            raise refused
        row.used_at = now
        db.get_one(UserRow, row.user_id).password_hash = hashed
        db.execute(
            update(SecretTokenRow)
            .where(
                SecretTokenRow.user_id == row.user_id,
                SecretTokenRow.kind == "session",
                SecretTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )


# --- private calendar feeds ------------------------------------------------------------------


def new_calendar_feed(scope: Scope, athlete: int, now: datetime) -> str:
    """A new secret feed token for the athlete's plan; the previous one stops working."""
    with scope.access(athlete, Access.OWN) as db:
        db.execute(
            update(SecretTokenRow)
            .where(
                SecretTokenRow.athlete_id == athlete,
                SecretTokenRow.kind == "calendar",
                SecretTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        token = _new_token()
        db.add(
            SecretTokenRow(
                kind="calendar", token_sha256=_hash(token), athlete_id=athlete, created_at=now
            )
        )
    return token


def has_calendar_feed(scope: Scope, athlete: int) -> bool:
    with scope.access(athlete) as db:
        return (
            db.scalars(
                select(SecretTokenRow.id).where(
                    SecretTokenRow.athlete_id == athlete,
                    SecretTokenRow.kind == "calendar",
                    SecretTokenRow.revoked_at.is_(None),
                )
            ).first()
            is not None
        )


def revoke_calendar_feed(scope: Scope, athlete: int, now: datetime) -> None:
    with scope.access(athlete, Access.OWN) as db:
        db.execute(
            update(SecretTokenRow)
            .where(
                SecretTokenRow.athlete_id == athlete,
                SecretTokenRow.kind == "calendar",
                SecretTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )


def calendar_feed_reader(app: App, token: str, now: datetime) -> Actor | None:
    """The feed's athlete as a read-only actor, or None: the URL is the only credential."""
    row = _row(app, token, "calendar", now)
    if row is None or row.athlete_id is None:
        return None
    return Actor(user_id=None, role=Role.ATHLETE, athlete_id=row.athlete_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe(moment: datetime | None) -> datetime | None:
    return None if moment is None else _aware(moment)
