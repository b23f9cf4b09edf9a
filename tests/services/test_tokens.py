"""Secrets handed to people and devices, and the sign-in rate limit, on both databases.

Every check passes `now`, so expiry is tested to the minute without waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from retrorun.errors import Forbidden, InvalidInput, NotFound
from retrorun.services import accounts, rate_limits, tokens
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Settings
from retrorun.store.models import RateLimitRow, SecretTokenRow
from tests.conftest import new_postgres_database

T0 = datetime(2026, 12, 10, 12, tzinfo=UTC)
PASSWORD = "correct horse battery"
CHEAP = Settings(password_profile="cheapest")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One database per module and kind (making one costs a second or two): each test uses
    people, keys and addresses of its own."""
    if request.param == "sqlite":
        made = App(str(tmp_path_factory.mktemp("tokens") / "retrorun.db"), CHEAP)
        made.upgrade()
        yield made
        made.close()
        return
    with new_postgres_database() as url:
        made = App(url, CHEAP)
        made.upgrade()
        yield made
        made.close()


def _user(app: App, email: str, role: Role = Role.ATHLETE) -> Actor:
    return app.actor(accounts.add_user(app, app.local_owner(), email, PASSWORD, role).id)


# --- browser sessions -------------------------------------------------------------------------


def test_a_session_lasts_thirty_days_then_opens_nothing(app: App) -> None:
    actor = _user(app, "s@example.org")
    session = tokens.start_session(app, actor, T0)
    assert len(session.token) >= 40 and len(session.csrf_token) == 64
    assert tokens.session_user(app, session.token, T0) == (actor.user_id, session.csrf_token)
    last = T0 + timedelta(days=tokens.SESSION_DAYS) - timedelta(seconds=1)
    assert tokens.session_user(app, session.token, last) is not None
    assert tokens.session_user(app, session.token, T0 + timedelta(days=30)) is None
    assert tokens.session_user(app, session.token + "x", T0) is None
    assert tokens.session_user(app, "", T0) is None


def test_ending_a_session_ends_only_that_one(app: App) -> None:
    actor = _user(app, "two@example.org")
    phone, laptop = tokens.start_session(app, actor, T0), tokens.start_session(app, actor, T0)
    assert phone.csrf_token != laptop.csrf_token
    tokens.end_session(app, phone.token, T0 + timedelta(minutes=1))
    assert tokens.session_user(app, phone.token, T0 + timedelta(minutes=2)) is None
    assert tokens.session_user(app, laptop.token, T0 + timedelta(minutes=2)) is not None


def test_only_hashes_are_stored(app: App) -> None:
    actor = _user(app, "hash@example.org")
    session = tokens.start_session(app, actor, T0)
    _, api_secret = tokens.new_api_token(app.scope(actor), "script", T0)
    assert actor.athlete_id is not None
    feed = tokens.new_calendar_feed(app.scope(actor), actor.athlete_id, T0)
    reset = tokens.reset_token(app, app.local_owner(), "hash@example.org", T0)
    with app.transaction() as db:
        rows = db.scalars(
            select(SecretTokenRow).where(
                (SecretTokenRow.user_id == actor.user_id)
                | (SecretTokenRow.athlete_id == actor.athlete_id)
            )
        )
        stored = {row.token_sha256 for row in rows}
    assert len(stored) == 4
    for secret in (session.token, api_secret, feed, reset):
        assert secret not in stored
        assert tokens._hash(secret) in stored


def test_the_local_owner_has_no_session(app: App) -> None:
    with pytest.raises(InvalidInput):
        tokens.start_session(app, app.local_owner(), T0)


# --- password reset links -----------------------------------------------------------------------


def test_a_reset_link_works_once(app: App) -> None:
    actor = _user(app, "reset@example.org")
    session = tokens.start_session(app, actor, T0)
    link = tokens.reset_token(app, app.local_owner(), "Reset@Example.org", T0)
    assert tokens.reset_is_valid(app, link, T0 + timedelta(minutes=1))
    tokens.reset_password(app, link, "a new password", T0 + timedelta(minutes=5))
    assert accounts.sign_in(app, "reset@example.org", "a new password").user_id == actor.user_id
    with pytest.raises(InvalidInput):
        accounts.sign_in(app, "reset@example.org", PASSWORD)
    # Every session of that user ended; the link is spent.
    assert tokens.session_user(app, session.token, T0 + timedelta(minutes=6)) is None
    assert not tokens.reset_is_valid(app, link, T0 + timedelta(minutes=6))
    with pytest.raises(InvalidInput, match="used, or it expired"):
        tokens.reset_password(app, link, "another password", T0 + timedelta(minutes=7))
    assert accounts.sign_in(app, "reset@example.org", "a new password").user_id == actor.user_id


def test_a_reset_link_expires_after_an_hour(app: App) -> None:
    _user(app, "late@example.org")
    link = tokens.reset_token(app, app.local_owner(), "late@example.org", T0)
    hour = timedelta(minutes=tokens.RESET_MINUTES)
    assert tokens.reset_is_valid(app, link, T0 + hour - timedelta(seconds=1))
    assert not tokens.reset_is_valid(app, link, T0 + hour)
    with pytest.raises(InvalidInput):
        tokens.reset_password(app, link, "a new password", T0 + hour + timedelta(minutes=1))
    assert accounts.sign_in(app, "late@example.org", PASSWORD) is not None


def test_a_refused_password_leaves_the_link_usable(app: App) -> None:
    _user(app, "short@example.org")
    link = tokens.reset_token(app, app.local_owner(), "short@example.org", T0)
    with pytest.raises(InvalidInput, match="password"):
        tokens.reset_password(app, link, "short", T0)
    assert tokens.reset_is_valid(app, link, T0)


def test_only_the_owner_or_an_admin_makes_reset_links(app: App) -> None:
    athlete = _user(app, "a@example.org")
    coach = _user(app, "c@example.org", Role.COACH)
    admin = _user(app, "admin@example.org", Role.ADMIN)
    for someone in (athlete, coach):
        with pytest.raises(Forbidden):
            tokens.reset_token(app, someone, "a@example.org", T0)
    assert tokens.reset_token(app, admin, "a@example.org", T0)
    with pytest.raises(NotFound):
        tokens.reset_token(app, admin, "nobody@example.org", T0)


def test_a_session_token_is_not_a_reset_link(app: App) -> None:
    actor = _user(app, "kinds@example.org")
    session = tokens.start_session(app, actor, T0)
    assert not tokens.reset_is_valid(app, session.token, T0)
    with pytest.raises(InvalidInput):
        tokens.reset_password(app, session.token, "a new password", T0)
    assert tokens.api_token_user(app, session.token, T0) is None
    assert tokens.calendar_feed_reader(app, session.token, T0) is None


# --- API tokens -------------------------------------------------------------------------------


def test_a_revoked_api_token_stops_working(app: App) -> None:
    actor = _user(app, "api@example.org")
    scope = app.scope(actor)
    made, secret = tokens.new_api_token(scope, "  garmin sync  ", T0)
    other, other_secret = tokens.new_api_token(scope, "laptop", T0)
    assert made.name == "garmin sync" and made.revoked_at is None
    assert tokens.api_token_user(app, secret, T0) == actor.user_id
    tokens.revoke_api_token(scope, made.id, T0 + timedelta(hours=1))
    assert tokens.api_token_user(app, secret, T0 + timedelta(hours=2)) is None
    assert tokens.api_token_user(app, other_secret, T0 + timedelta(hours=2)) == actor.user_id
    listed = {t.id: t for t in tokens.api_tokens(scope)}
    assert listed[made.id].revoked_at == T0 + timedelta(hours=1)
    assert listed[other.id].revoked_at is None
    # Revoking again keeps the first moment.
    tokens.revoke_api_token(scope, made.id, T0 + timedelta(days=1))
    assert tokens.api_tokens(scope)[0].revoked_at == T0 + timedelta(hours=1)


def test_nobody_revokes_or_lists_another_persons_api_tokens(app: App) -> None:
    owner, thief = _user(app, "own@example.org"), _user(app, "thief@example.org")
    made, secret = tokens.new_api_token(app.scope(owner), "script", T0)
    with pytest.raises(NotFound):
        tokens.revoke_api_token(app.scope(thief), made.id, T0)
    with pytest.raises(NotFound):
        tokens.revoke_api_token(app.scope(thief), 10**30, T0)
    assert tokens.api_tokens(app.scope(thief)) == []
    assert tokens.api_token_user(app, secret, T0) == owner.user_id


def test_an_api_token_needs_a_name(app: App) -> None:
    actor = _user(app, "named@example.org")
    for name in ("", "   ", "x" * 101, "a\0b"):
        with pytest.raises(InvalidInput):
            tokens.new_api_token(app.scope(actor), name, T0)
    assert tokens.api_tokens(app.scope(actor)) == []
    assert tokens.new_api_token(app.scope(actor), "x" * 100, T0)[0].name == "x" * 100


# --- calendar feeds ---------------------------------------------------------------------------


def test_a_new_calendar_feed_replaces_the_old_one(app: App) -> None:
    actor = _user(app, "feed@example.org")
    scope, athlete = app.scope(actor), actor.athlete_id
    assert athlete is not None
    assert not tokens.has_calendar_feed(scope, athlete)
    first = tokens.new_calendar_feed(scope, athlete, T0)
    reader = tokens.calendar_feed_reader(app, first, T0)
    assert reader == Actor(user_id=None, role=Role.ATHLETE, athlete_id=athlete)
    second = tokens.new_calendar_feed(scope, athlete, T0 + timedelta(days=1))
    assert tokens.calendar_feed_reader(app, first, T0 + timedelta(days=1)) is None
    assert tokens.calendar_feed_reader(app, second, T0 + timedelta(days=1)) is not None
    assert tokens.has_calendar_feed(scope, athlete)
    tokens.revoke_calendar_feed(scope, athlete, T0 + timedelta(days=2))
    assert tokens.calendar_feed_reader(app, second, T0 + timedelta(days=2)) is None
    assert not tokens.has_calendar_feed(scope, athlete)


def test_one_athletes_new_feed_leaves_anothers_alone(app: App) -> None:
    one, two = _user(app, "feed-one@example.org"), _user(app, "feed-two@example.org")
    assert one.athlete_id is not None and two.athlete_id is not None
    theirs = tokens.new_calendar_feed(app.scope(two), two.athlete_id, T0)
    tokens.new_calendar_feed(app.scope(one), one.athlete_id, T0)
    tokens.revoke_calendar_feed(app.scope(one), one.athlete_id, T0)
    assert tokens.calendar_feed_reader(app, theirs, T0) is not None
    with pytest.raises(NotFound):
        tokens.revoke_calendar_feed(app.scope(one), two.athlete_id, T0)
    assert tokens.calendar_feed_reader(app, theirs, T0) is not None


# --- sign-in rate limits across worker processes ------------------------------------------------


def test_two_workers_count_the_same_sign_in_attempts(app: App) -> None:
    """Two App instances on one database are two worker processes: their hits add up."""
    other = App(app.url, Settings(password_profile="cheapest"))
    try:
        workers = [app, other]
        allowed = [
            rate_limits.sign_in_allowed(workers[n % 2], "Runner@example.org", "10.0.0.1", T0)
            for n in range(rate_limits.SIGN_IN_PER_ACCOUNT + 1)
        ]
        assert allowed == [True] * rate_limits.SIGN_IN_PER_ACCOUNT + [False]
        # Another account from the same address is counted apart, until the address's limit.
        assert rate_limits.sign_in_allowed(other, "coach@example.org", "10.0.0.1", T0)
        # The next window starts afresh.
        later = T0 + timedelta(seconds=rate_limits.SIGN_IN_WINDOW_S)
        assert rate_limits.sign_in_allowed(app, "runner@example.org", "10.0.0.1", later)
    finally:
        other.close()


def test_an_address_is_limited_whatever_the_accounts(app: App) -> None:
    allowed = [
        rate_limits.sign_in_allowed(app, f"user{n}@example.org", "10.0.0.2", T0)
        for n in range(rate_limits.SIGN_IN_PER_ADDRESS + 1)
    ]
    assert allowed == [True] * rate_limits.SIGN_IN_PER_ADDRESS + [False]
    assert rate_limits.sign_in_allowed(app, "user0@example.org", "10.0.0.3", T0)


def test_hits_at_the_same_moment_from_two_workers_are_all_counted(app: App) -> None:
    """The upsert is one statement: concurrent hits lose no count (no read-then-write race)."""
    other = App(app.url, Settings(password_profile="cheapest"))
    per_thread, threads = 10, 4
    try:
        workers = [app, other]
        errors: list[BaseException] = []

        def hammer(n: int) -> None:
            try:
                for _ in range(per_thread):
                    rate_limits.hit(workers[n % 2], "burst", T0, rate_limits.SIGN_IN_WINDOW_S)
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)

        started = [threading.Thread(target=hammer, args=(n,)) for n in range(threads)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
        assert errors == []
        final = rate_limits.hit(app, "burst", T0, rate_limits.SIGN_IN_WINDOW_S)
        assert final == per_thread * threads + 1
    finally:
        other.close()


def test_old_windows_are_dropped(app: App) -> None:
    window = rate_limits.SIGN_IN_WINDOW_S
    rate_limits.hit(app, "old", T0, window)
    rate_limits.hit(app, "new", T0 + timedelta(seconds=3 * window), window)
    with app.transaction() as db:
        keys = set(db.scalars(select(RateLimitRow.key)))
    assert "old" not in keys and "new" in keys
