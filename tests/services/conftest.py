"""A small practice on a real database: an athlete, their coaches, and people who may not see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from retrorun.api import prepare
from retrorun.core.log import LogEntry
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.services import accounts, athletes, logs, plans
from retrorun.services.access import Actor, Role
from retrorun.services.app import App, Settings
from tests.conftest import new_postgres_database

TODAY = date(2026, 12, 10)
NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)
PLAN_START = date(2026, 12, 7)  # a Monday: sessions on the 7th, 9th, 11th, ...
RUNNER = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)
NO = dict.fromkeys(QUESTION_IDS, False)
DATA = Path(__file__).resolve().parents[1] / "data"


def a_log(day: date, direction: Direction = Direction.BACKWARD) -> LogEntry:
    return LogEntry(
        date=day,
        minutes=24,
        direction=direction,
        mode=Mode.WALK,
        setting=Setting.TREADMILL,
        rpe=4,
        pain_during=2,
        pain_after=1,
        distance_km=1.6,
    )


@dataclass
class World:
    """The athlete and one actor for every relation the permission check knows."""

    app: App
    athlete: int
    actors: dict[str, Actor]
    nobody: int  # an athlete id that does not exist

    def scope(self, role: str):  # type: ignore[no-untyped-def]
        return self.app.scope(self.actors[role])


def build_world(url: str) -> World:
    """Athlete A with a plan and a log; coach C linked; coach U unlinked; coach E whose link
    ended; athlete B with data of their own; an admin, who manages accounts and sees no data."""
    app = App(url, Settings(password_profile="cheapest"))
    prepare(app)
    password = "correct horse battery"
    made = {
        role: accounts.add_user(
            app,
            Actor(None, Role.ADMIN, None),
            f"{role.replace(' ', '-')}@example.org",
            password,
            kind,
        )
        for role, kind in (
            ("athlete", Role.ATHLETE),
            ("other athlete", Role.ATHLETE),
            ("linked coach", Role.COACH),
            ("unlinked coach", Role.COACH),
            ("ended coach", Role.COACH),
            ("admin", Role.ADMIN),
        )
    }
    actors = {role: app.actor(user.id) for role, user in made.items()}
    athlete = made["athlete"].athlete_id
    assert athlete is not None
    for role in ("athlete", "other athlete"):
        scope = app.scope(actors[role])
        own = scope.own_athlete
        athletes.set_profile(scope, own, RUNNER)
        athletes.screen(scope, own, NO, PLAN_START)
        plans.new_plan(scope, own, PLAN_START)
        logs.log(scope, own, a_log(date(2026, 12, 7)), TODAY)
    me = app.scope(actors["athlete"])
    for coach in ("linked coach", "ended coach"):
        invitation = accounts.invite(app.scope(actors[coach]), NOW)
        accounts.accept(me, invitation.code, NOW)
    ended = next(link for link in accounts.links(me) if link.coach_email.startswith("ended"))
    accounts.end_link(me, ended.id, NOW)
    return World(app, athlete, actors, nobody=athlete + 10_000)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    if request.param == "sqlite":
        built = build_world(str(tmp_path_factory.mktemp("world") / "retrorun.db"))
        yield built
        built.app.close()
        return
    with new_postgres_database() as url:
        built = build_world(url)
        yield built
        built.app.close()
