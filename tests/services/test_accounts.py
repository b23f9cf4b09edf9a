"""Users and coach links: argon2 hashes, one message for a wrong sign-in, consent by code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from retrorun.errors import Forbidden, InvalidInput, NotFound
from retrorun.services import accounts, athletes
from retrorun.services.access import Actor, Role
from tests.services.conftest import NOW, World

ADMIN = Actor(None, Role.ADMIN, None)


def test_passwords_are_stored_as_argon2id_hashes(world: World) -> None:
    with world.app.engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("correct horse" in h for h in hashes)


def test_sign_in_says_the_same_for_a_wrong_password_and_an_unknown_email(world: World) -> None:
    actor = accounts.sign_in(world.app, "Athlete@Example.org ", "correct horse battery")
    assert actor == world.actors["athlete"]
    for email, password in (
        ("athlete@example.org", "wrong password"),
        ("nobody@example.org", "x" * 9),
    ):
        with pytest.raises(InvalidInput) as refused:
            accounts.sign_in(world.app, email, password)
        assert str(refused.value) == "wrong email or password"


def test_bad_accounts_are_refused(world: World) -> None:
    with pytest.raises(InvalidInput, match="already a user"):
        accounts.add_user(world.app, ADMIN, "ATHLETE@example.org", "long enough", Role.ATHLETE)
    with pytest.raises(InvalidInput, match="not an email"):
        accounts.add_user(world.app, ADMIN, "no-at-sign", "long enough", Role.ATHLETE)
    with pytest.raises(InvalidInput, match="8–1024 characters"):
        accounts.add_user(world.app, ADMIN, "short@example.org", "short", Role.ATHLETE)
    with pytest.raises(Forbidden):
        accounts.add_user(
            world.app, world.actors["athlete"], "x@example.org", "long enough", Role.COACH
        )
    with pytest.raises(Forbidden):
        accounts.users(world.app, world.actors["linked coach"])


def test_an_invitation_is_used_once_and_expires(world: World) -> None:
    coach = world.scope("unlinked coach")
    other = world.scope("other athlete")
    late = accounts.invite(coach, NOW - timedelta(days=accounts.INVITATION_DAYS + 1))
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.accept(other, late.code, NOW)
    with pytest.raises(Forbidden):
        accounts.invite(world.scope("athlete"), NOW)
    invitation = accounts.invite(coach, NOW)
    link = accounts.accept(other, invitation.code, NOW)
    assert link.status == "active" and link.athlete_id == world.scope("other athlete").own_athlete
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.accept(world.scope("athlete"), invitation.code, NOW)
    other_athlete = other.own_athlete
    assert athletes.profile(coach, other_athlete).mass_kg == 68
    # Ended by the coach this time: access ends at once, and only the two sides may end it.
    with pytest.raises(NotFound):
        accounts.end_link(world.scope("athlete"), link.id, NOW)
    ended = accounts.end_link(coach, link.id, NOW)
    assert ended.status == "ended" and ended.ended_by == "coach"
    with pytest.raises(NotFound):
        athletes.profile(coach, other_athlete)
    with pytest.raises(InvalidInput, match="already ended"):
        accounts.end_link(other, link.id, NOW)


def test_the_athlete_sees_which_coaches_can_see_their_data(world: World) -> None:
    seen = {(link.coach_email, link.status) for link in accounts.links(world.scope("athlete"))}
    assert ("linked-coach@example.org", "active") in seen
    assert ("ended-coach@example.org", "ended") in seen
    coach_view = accounts.links(world.scope("linked coach"))
    assert any(link.athlete_id == world.athlete and link.status == "active" for link in coach_view)


def test_anyone_may_sign_up_as_an_athlete_only(world: World) -> None:
    user = accounts.sign_up(world.app, "New.Runner@Example.org", "a long passphrase")
    assert user.role is Role.ATHLETE and user.athlete_id is not None
    assert user.email == "new.runner@example.org"
    actor = accounts.sign_in(world.app, "new.runner@example.org", "a long passphrase")
    assert actor.athlete_id == user.athlete_id
    with pytest.raises(InvalidInput, match="already a user"):
        accounts.sign_up(world.app, "new.runner@example.org", "another passphrase")


def test_an_invitation_code_is_typed_safely_on_a_command_line() -> None:
    """A code starting with "-" would be taken for an option by `retrorun coach accept CODE`:
    codes are 16 base32 letters and digits, 80 random bits."""
    from retrorun.services.accounts import new_invitation_code

    codes = {new_invitation_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 16 and code.isalnum() and code.isupper() for code in codes)
