"""Seed a realistic practice: coaches, athletes and years of their training, in one transaction.

For benchmarks, load tests and trying the coach pages at scale: every row holds what the
services would have stored had each person used retrorun for real (the same columns, JSON
shapes from `core.serialize` and `services.schemas`, stored timelines, backward seconds,
linked logs and imports, energy estimates that are not stale), written in bulk because the
services would take hours. A database that already has users is refused: the seed is for a new,
empty database, never for a real practice's.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session as DbSession

from retrorun.core.progression import WalkTest
from retrorun.core.screening import Screening
from retrorun.errors import InvalidInput
from retrorun.services.accounts import _check_password, password_hasher
from retrorun.services.app import App
from retrorun.services.audit import CASELOAD_LIST
from retrorun.services.seed import decisions, training, watch
from retrorun.services.seed.people import (
    WATCH_MIN_SHARE,
    CoachLinks,
    Person,
    assign_coaches,
    coach_email,
    draw_person,
    person_rng,
)
from retrorun.services.seed.rows import Ids, Rows, move_sequences
from retrorun.services.seed.training import Done, StoredPlan, WorkoutCache
from retrorun.store.models import UserRow

# For seeded databases only: every seeded user signs in with it (benchmarks and load tests
# sign in as them). The seed refuses a database that has users, so it never lands in one.
SEED_PASSWORD = "seeded-practice-only"
INVITATION_DAYS = 14
CLIENT_PAGE = "caseload.client"  # the service call a coach's look at a client is recorded as
LIST_LOOK_DAYS = 14
COACH_NOTE_SHARE = 0.4  # months in which a coach writes a note on a client
PRIVATE_NOTE_SHARE = 0.4
COACH_NOTES = (
    "Good progress: keep the treadmill for two more weeks.",
    "Watch the knee after longer sessions; ice if it aches.",
    "Ask about the stairs at work next time.",
    "Cleared to try the path with a partner.",
    "Missed two sessions: check in by phone.",
    "Steadier on the walk test than last month.",
)


@dataclass(frozen=True)
class PracticeSize:
    """How big a practice to seed, and from which random seed."""

    coaches: int = 20
    athletes: int = 2000
    days: int = 2 * 365  # of history, up to today
    streams_share: float = 0.1  # of completed sessions with an imported watch file
    seed: int = 1

    def check(self) -> None:
        if not 1 <= self.coaches <= 1000:
            raise InvalidInput(f"coaches must be 1–1000 (got {self.coaches})")
        if not 1 <= self.athletes <= 100_000:
            raise InvalidInput(f"athletes must be 1–100,000 (got {self.athletes})")
        if not 14 <= self.days <= 20 * 365:
            raise InvalidInput(f"the history must be 2 weeks to 20 years (got {self.days} days)")
        if not 0 <= self.streams_share <= 1:
            raise InvalidInput(f"the streams share must be 0–1 (got {self.streams_share:g})")


@dataclass(frozen=True)
class Seeded:
    """What the seed made, and how the benchmarks sign in."""

    rows: dict[str, int]
    seconds: float
    first_day: date
    today: date
    busiest_coach: str  # the coach with the largest caseload (the benchmarks' coach)
    busiest_clients: int
    password: str


@dataclass
class _Context:
    rows: Rows
    ids: Ids
    size: PracticeSize
    today: date
    first_day: date
    password_hash: str
    coach_users: list[int]
    workouts: WorkoutCache
    watch_share: float
    streams_per_session: float


Progress = Callable[[int, int, dict[str, int]], None]


def seed_practice(
    app: App,
    size: PracticeSize,
    today: date,
    password: str = SEED_PASSWORD,
    progress: Progress | None = None,
) -> Seeded:
    """Fill an empty, migrated database with a practice whose history ends yesterday; refuses
    a database that has users. Nothing is written unless all of it is."""
    size.check()
    _check_password(password)
    started = time.perf_counter()
    hashed = password_hasher(app.settings.password_profile).hash(password)
    links = assign_coaches(size.seed, size.coaches, size.athletes)
    with app.transaction() as db:
        _refuse_used(db)
        context = _context(db, size, today, hashed)
        try:
            _everyone(context, links, progress)
        except BaseException:
            context.rows.stop()
            raise
        move_sequences(db)
        written = dict(context.rows.written)
    _analyze(app)
    busiest = sum(1 for found in links if found.main == 0)
    return Seeded(
        rows=written,
        seconds=time.perf_counter() - started,
        first_day=context.first_day,
        today=today,
        busiest_coach=coach_email(0),
        busiest_clients=busiest,
        password=password,
    )


def _everyone(context: _Context, links: list[CoachLinks], progress: Progress | None) -> None:
    _coaches(context)
    for index, coach_links in enumerate(links):
        _athlete(context, index, coach_links)
        context.rows.maybe_flush()
        if progress is not None and (index + 1) % 100 == 0:
            progress(index + 1, len(links), context.rows.written)
    context.rows.finish()


def _refuse_used(db: DbSession) -> None:
    users = int(db.scalar(select(func.count()).select_from(UserRow)) or 0)
    if users:
        raise InvalidInput(
            f"the database already has {users:,} users: the practice seed only fills a new, "
            "empty database (create one, then `retrorun --db URL init`)"
        )


def _context(db: DbSession, size: PracticeSize, today: date, hashed: str) -> _Context:
    watch_share = min(1.0, max(size.streams_share, WATCH_MIN_SHARE)) if size.streams_share else 0
    return _Context(
        rows=Rows(db),
        ids=Ids(db),
        size=size,
        today=today,
        first_day=today - timedelta(days=size.days),
        password_hash=hashed,
        coach_users=[],
        workouts=WorkoutCache(),
        watch_share=watch_share,
        streams_per_session=size.streams_share / watch_share if watch_share else 0.0,
    )


def _coaches(context: _Context) -> None:
    created = datetime.combine(context.first_day - timedelta(days=30), datetime.min.time(), UTC)
    for index in range(context.size.coaches):
        user_id = context.ids.take("users")
        context.coach_users.append(user_id)
        context.rows.add("users", _user_row(context, user_id, coach_email(index), None, created))


def _user_row(
    context: _Context, user_id: int, email: str, athlete: int | None, created: datetime
) -> dict[str, Any]:
    role = "coach" if athlete is None else "athlete"
    return {
        "id": user_id,
        "email": email,
        "password_hash": context.password_hash,
        "role": role,
        "athlete_id": athlete,
        "created_at": created,
    }


def _athlete(context: _Context, index: int, links: CoachLinks) -> None:
    """One athlete and everything they did, as rows."""
    size, ids, rows = context.size, context.ids, context.rows
    person = draw_person(size.seed, index, context.first_day, context.today, context.watch_share)
    rng = person_rng(size.seed, index, "training")
    athlete, user_id = ids.take("athletes"), ids.take("users")
    joined = person.at(person.joined, 8)
    rows.add("athletes", _athlete_row(person, athlete, joined))
    rows.add("users", _user_row(context, user_id, person.email, athlete, joined))
    _links(context, person, athlete, links, rng)
    screening = Screening(person.joined, person.answers, any(person.answers.values()))
    screening_id = ids.take("screenings")
    rows.add("screenings", _screening_row(screening_id, athlete, screening, joined))
    plans = training.plans_for(person, screening, context.today, rng, ids.take)
    coach = context.coach_users[links.main]
    training.skip_some(person, plans, user_id, coach, context.today, rng)
    done = training.what_was_done(
        person, plans, context.workouts, context.today, context.streams_per_session, rng
    )
    _imports(context, person, athlete, done)
    walk_tests = training.walk_tests_for(person, plans, context.today, rng)
    kept = [WalkTest(day, seconds) for day, seconds, _ in walk_tests]
    for row in decisions.decision_rows(person, athlete, plans, done, kept, context.today, ids.take):
        rows.add("progression_decisions", row)
    _plans(context, athlete, screening_id, plans)
    _done(context, person, athlete, done)
    for day, seconds, timed in walk_tests:
        walk_id = ids.take("walk_tests")
        rows.add("walk_tests", _walk_test_row(walk_id, athlete, day, seconds, timed, person))
    _notes(context, person, athlete, links, rng)
    last_done = max((item.record.session.date for item in done), default=person.joined)
    for looking in (links.main, links.second):
        if looking is not None:
            _looks(context, person, athlete, context.coach_users[looking], last_done, rng)


def _athlete_row(person: Person, athlete: int, joined: datetime) -> dict[str, Any]:
    """As `accounts.sign_up` makes it (named by the email), with the profile `profile set`
    stores and the pain limits a clinician set."""
    profile = person.profile
    return {
        "id": athlete,
        "name": person.email[:200],
        "mass_kg": profile.mass_kg,
        "age_years": profile.age_years,
        "sex": profile.sex,
        "experience": profile.experience.value,
        "goal": profile.goal.value,
        "weekdays": list(profile.weekdays),
        "minutes_per_session": profile.minutes_per_session,
        "has_treadmill": profile.has_treadmill,
        "has_track": profile.has_track,
        "has_partner": profile.has_partner,
        "units": profile.units.value,
        "created_at": joined,
        "pain_ceiling": person.pain_ceiling,
        "usual_pain": person.usual_pain,
    }


def _screening_row(
    screening_id: int, athlete: int, screening: Screening, joined: datetime
) -> dict[str, Any]:
    return {
        "id": screening_id,
        "athlete_id": athlete,
        "answered_on": screening.answered_on,
        "answers": dict(screening.answers),
        "cleared_by_doctor": screening.cleared_by_doctor,
        "created_at": joined,
    }


def _links(
    context: _Context, person: Person, athlete: int, links: CoachLinks, rng: random.Random
) -> None:
    """The coach links the athlete accepted: the main coach the day they joined, a second one
    later, and one that ended."""
    joined_days = max((context.today - person.joined).days, 1)
    _link(context, links.main, athlete, person.at(person.joined, 9), None)
    if links.second is not None:
        invited = person.joined + timedelta(days=rng.randrange(joined_days))
        _link(context, links.second, athlete, person.at(invited, 9), None)
    if links.ended is not None:
        ended = person.joined + timedelta(days=rng.randrange(joined_days))
        _link(context, links.ended, athlete, person.at(person.joined, 10), person.at(ended, 18))


def _link(
    context: _Context, coach: int, athlete: int, invited: datetime, ended: datetime | None
) -> None:
    """As `accounts.accept` (and `accounts.end_link`, by the athlete) leave it."""
    context.rows.add(
        "coach_links",
        {
            "id": context.ids.take("coach_links"),
            "coach_id": context.coach_users[coach],
            "athlete_id": athlete,
            "status": "active" if ended is None else "ended",
            "code_sha256": None,
            "expires_at": invited + timedelta(days=INVITATION_DAYS),
            "created_at": invited,
            "accepted_at": invited + timedelta(hours=3),
            "ended_at": ended,
            "ended_by": None if ended is None else "athlete",
        },
    )


def _imports(context: _Context, person: Person, athlete: int, done: list[Done]) -> None:
    """Ids for logs and activities in the order they happened, then the activities."""
    ids = context.ids
    for item in done:
        if item.entry is not None:
            item.log_id = ids.take("session_logs")
        if item.recording is not None:
            item.activity_id = ids.take("activities")
            directions = context.workouts.step_directions(
                item.record.session.workout, person.imperial
            )
            item.activity = watch.imported_activity(
                item.activity_id,
                athlete,
                item,
                item.recording,
                directions,
                lambda: ids.take("activity_laps"),
            )
    watch.with_energy(done, person.profile)


def _plans(context: _Context, athlete: int, screening_id: int, plans: list[StoredPlan]) -> None:
    rows, ids = context.rows, context.ids
    for plan in plans:
        rows.add("plans", training.plan_row(plan, athlete, screening_id))
        for record in plan.sessions:
            stored = context.workouts.stored(record.session.workout)
            rows.add("planned_sessions", training.session_row(record, stored))
            if record.status == "skipped":
                version_id = ids.take("planned_session_versions")
                row = training.first_version_row(version_id, record, stored)
                rows.add("planned_session_versions", row)


def _done(context: _Context, person: Person, athlete: int, done: list[Done]) -> None:
    rows = context.rows
    for item in done:
        if item.activity is not None:
            rows.add("activities", item.activity.row)
            for lap in item.activity.laps:
                rows.add("activity_laps", lap)
        if item.entry is not None and item.log_id is not None:
            minutes = person.habit.hour * 60 + person.habit.minute + item.entry.minutes + 15
            logged_at = person.at(item.entry.date, 0) + timedelta(minutes=minutes)
            rows.add("session_logs", training.log_row(item.log_id, athlete, item, logged_at))


def _walk_test_row(
    walk_id: int, athlete: int, day: date, seconds: float, timed: bool, person: Person
) -> dict[str, Any]:
    return {
        "id": walk_id,
        "athlete_id": athlete,
        "date": day,
        "seconds": seconds,
        "timed": timed,
        "created_at": person.at(day, person.habit.hour),
    }


def _notes(
    context: _Context, person: Person, athlete: int, links: CoachLinks, rng: random.Random
) -> None:
    """Now and then a note from the main coach: shared with the client, or private."""
    day = person.joined + timedelta(days=7)
    while day < context.today:
        if rng.random() < COACH_NOTE_SHARE:
            context.rows.add(
                "client_notes",
                {
                    "id": context.ids.take("client_notes"),
                    "athlete_id": athlete,
                    "author_id": context.coach_users[links.main],
                    "private": rng.random() < PRIVATE_NOTE_SHARE,
                    "text": rng.choice(COACH_NOTES),
                    "created_at": person.at(day, 12, rng.randrange(60)),
                },
            )
        day += timedelta(days=30)


def _looks(
    context: _Context,
    person: Person,
    athlete: int,
    coach_user: int,
    last_done: date,
    rng: random.Random,
) -> None:
    """The audit log of a coach's looks, as `services.audit` records them: the client's page
    every one to three weeks while they train, and the caseload list every morning of the last
    two weeks (one row a day a client)."""
    day = person.joined + timedelta(days=rng.randint(3, 10))
    until = min(context.today, last_done + timedelta(weeks=2))
    while day < until:
        _audit(context, athlete, coach_user, CLIENT_PAGE, person.at(day, 8, rng.randrange(60)))
        day += timedelta(days=rng.randint(7, 21))
    for back in range(LIST_LOOK_DAYS, 0, -1):
        day = context.today - timedelta(days=back)
        if day > person.joined:
            _audit(context, athlete, coach_user, CASELOAD_LIST, person.at(day, 7, back))


def _audit(context: _Context, athlete: int, coach_user: int, what: str, at: datetime) -> None:
    row = {
        "id": context.ids.take("audit_log"),
        "athlete_id": athlete,
        "actor_id": coach_user,
        "action": "read",
        "what": what,
        "at": at,
    }
    context.rows.add("audit_log", row)


def _analyze(app: App) -> None:
    """PostgreSQL: fresh statistics and visibility maps, so the query plans and index-only
    scans are those of a practice in use (the autovacuum daemon would get there by itself,
    later). VACUUM runs outside a transaction."""
    if app.engine.dialect.name != "postgresql":
        return
    with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
