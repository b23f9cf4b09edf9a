"""Who may see and change whose data: the one permission check every service call goes through.

An athlete sees and changes their own data. A coach (trainer or physical therapist) linked by an
invitation the athlete accepted, and not ended since, may read the athlete's data and change
their plan, nothing else. Nobody else sees anything of anyone's, admins included. A call about
someone the actor may not see fails exactly like a call about someone who does not exist, so an
id tells nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from retrorun.errors import Forbidden, NotFound
from retrorun.store.models import AthleteRow, CoachLinkRow, possible_id


class Role(StrEnum):
    ATHLETE = "athlete"
    COACH = "coach"  # a trainer or a physical therapist
    ADMIN = "admin"  # manages accounts; sees no one's training data


class Access(StrEnum):
    READ = "read"  # the athlete, or a linked coach
    PLAN = "plan"  # change the plan: the athlete, or a linked coach
    OWN = "own"  # profile, screening, logs, imports: the athlete only


@dataclass(frozen=True)
class Actor:
    """Who is acting. `user_id` is None for the local owner of the database (the CLI)."""

    user_id: int | None
    role: Role
    athlete_id: int | None  # their own training record, if they have one
    email: str | None = None

    @property
    def name(self) -> str:
        return self.email or "the local owner"


def not_found(athlete: int) -> NotFound:
    return NotFound(f"no athlete with id {athlete}")


def check(db: DbSession, actor: Actor, athlete: int, access: Access) -> None:
    """Allow the call, or refuse it: NotFound when the actor may not see the athlete at all."""
    if not possible_id(athlete):
        raise not_found(athlete)
    if actor.athlete_id is not None and actor.athlete_id == athlete:
        if db.get(AthleteRow, athlete) is None:
            raise not_found(athlete)
        return
    if not is_linked_coach(db, actor, athlete):
        raise not_found(athlete)
    if access is Access.OWN:
        raise Forbidden(
            "a coach can read a client's data and change their plan; only the athlete can "
            "change their profile, screening, logs and imports"
        )


def is_linked_coach(db: DbSession, actor: Actor, athlete: int) -> bool:
    """An accepted, not ended, link between this coach and this athlete (one indexed query)."""
    if actor.role is not Role.COACH or actor.user_id is None:
        return False
    query = select(CoachLinkRow.id).where(
        CoachLinkRow.athlete_id == athlete,
        CoachLinkRow.coach_id == actor.user_id,
        CoachLinkRow.status == "active",
    )
    return db.scalars(query.limit(1)).first() is not None
