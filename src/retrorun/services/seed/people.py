"""Who is in the seeded practice: coaches, and athletes drawn like a real caseload.

Every athlete is drawn from their own random stream (the practice seed and their number), so
athlete 1,234 is the same person whatever the size of the practice or the order of the work.
The shares below are our own guesses at a mixed practice (a trainer's runners and a physical
therapist's knee and heel patients); nothing published describes such a caseload.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from retrorun.core.profile import Experience, Goal, Profile, Units, weekdays_for
from retrorun.core.screening import QUESTION_IDS

EMAIL_DOMAIN = "practice.example"  # .example is reserved for examples (RFC 2606)
# The coach the benchmarks read: one busy caseload, the others spread over the rest.
BUSIEST_COACH_CLIENTS = 300

EXPERIENCE_WEIGHTS = {Experience.NON_RUNNER: 25, Experience.OCCASIONAL: 35, Experience.REGULAR: 40}
GOAL_WEIGHTS = {
    Goal.KNEE_REHAB: 30,
    Goal.HEEL_REHAB: 15,
    Goal.FITNESS: 25,
    Goal.MUSCLE_BALANCE: 15,
    Goal.VARIETY: 15,
}
DAYS_WEIGHTS = {2: 15, 3: 50, 4: 25, 5: 10}
SESSION_MINUTES = (20, 30, 30, 40, 45)
SCREENING_YES_SHARE = 0.12  # a "yes" anywhere: cleared by a doctor before the plan
IMPERIAL_SHARE = 0.08
WATCH_MIN_SHARE = 0.3  # at least this share records with a watch when any session has a file
SECOND_COACH_SHARE = 0.10  # also seen by a physio or a second trainer
ENDED_LINK_SHARE = 0.03  # had another coach before, link ended
DROP_OUT_SHARE = 0.15  # stop logging at some point, their plan left as it was

T = TypeVar("T")


@dataclass(frozen=True)
class Coach:
    index: int
    email: str


@dataclass(frozen=True)
class Person:
    """One athlete and the habits their history is drawn from."""

    index: int
    email: str
    profile: Profile
    answers: dict[str, bool]
    joined: date  # signed up and screened
    adherence: float  # share of planned sessions done
    pain_base: float  # typical pain during a session at the start (0–10)
    pain_ceiling: int
    usual_pain: int
    watch: bool  # records sessions with a watch and imports the files
    goes_on: float  # chance of another plan when one ends
    stops_on: date  # drops out from this day (date.max: never)
    habit: time  # when they usually train (UTC)

    @property
    def imperial(self) -> bool:
        return self.profile.units is Units.IMPERIAL

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), UTC)


def coach_email(index: int) -> str:
    return f"coach-{index + 1:02d}@{EMAIL_DOMAIN}"


def athlete_email(index: int) -> str:
    return f"athlete-{index + 1:04d}@{EMAIL_DOMAIN}"


def person_rng(seed: int, index: int, part: str = "person") -> random.Random:
    """The athlete's own random stream for one part of them (who they are, their training)."""
    return random.Random(f"retrorun practice {seed} athlete {index} {part}")


def draw_person(seed: int, index: int, first_day: date, today: date, watch_share: float) -> Person:
    """An athlete who joined between `first_day` and a week before `today`."""
    rng = person_rng(seed, index)
    goal = _weighted(rng, GOAL_WEIGHTS)
    days = 3 if goal.is_rehab and rng.random() < 0.6 else _weighted(rng, DAYS_WEIGHTS)
    units = Units.IMPERIAL if rng.random() < IMPERIAL_SHARE else Units.METRIC
    profile = Profile(
        mass_kg=round(min(max(rng.gauss(72, 12), 45), 130) * 2) / 2,
        age_years=rng.randint(18, 75),
        experience=_weighted(rng, EXPERIENCE_WEIGHTS),
        goal=goal,
        weekdays=weekdays_for(days),
        minutes_per_session=rng.choice(SESSION_MINUTES),
        has_treadmill=rng.random() < 0.6,
        has_track=rng.random() < 0.5,
        has_partner=rng.random() < 0.55,
        sex=rng.choices(("female", "male", None), (55, 40, 5))[0],
        units=units,
    )
    span = max((today - first_day).days - 7, 1)
    # A growing practice: more clients joined lately (the density rises linearly).
    joined = first_day + timedelta(days=int(span * rng.random() ** 0.5))
    stops_on = date.max
    if rng.random() < DROP_OUT_SHARE:
        stops_on = joined + timedelta(days=rng.randint(21, max(22, (today - joined).days)))
    rehab = goal.is_rehab
    return Person(
        index=index,
        email=athlete_email(index),
        profile=profile,
        answers=_answers(rng),
        joined=joined,
        adherence=rng.uniform(0.55, 0.98),
        pain_base=rng.uniform(2.0, 4.5) if rehab else rng.uniform(0.0, 1.2),
        pain_ceiling=rng.choice((4, 5, 5, 5, 6)) if rehab else 5,
        usual_pain=rng.choice((0, 0, 0, 1, 2, 3)) if goal is Goal.KNEE_REHAB else 0,
        watch=rng.random() < watch_share,
        goes_on=0.6 if rehab else 0.85,
        stops_on=stops_on,
        habit=time(rng.randint(6, 19), rng.choice((0, 15, 30, 45))),
    )


def _answers(rng: random.Random) -> dict[str, bool]:
    answers = dict.fromkeys(QUESTION_IDS, False)
    if rng.random() < SCREENING_YES_SHARE:
        answers[rng.choice(QUESTION_IDS)] = True
    return answers


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), list(weights.values()))[0]


@dataclass(frozen=True)
class CoachLinks:
    """Which coaches see an athlete: the main one, maybe a second, maybe one who did before."""

    main: int
    second: int | None
    ended: int | None


def assign_coaches(seed: int, coaches: int, athletes: int) -> list[CoachLinks]:
    """The first coach gets the busy caseload the benchmarks read (300 clients, or half the
    athletes of a small practice); the others share the rest in turn. Second and ended links
    never go to the first coach, so their caseload is exactly that number."""
    rng = random.Random(f"retrorun practice {seed} coaches")
    order = list(range(athletes))
    rng.shuffle(order)
    busiest = athletes if coaches == 1 else min(BUSIEST_COACH_CLIENTS, athletes // 2)
    main = [0] * athletes
    for position, athlete in enumerate(order):
        main[athlete] = 0 if position < busiest else 1 + (position - busiest) % (coaches - 1)
    return [_links(rng, coaches, main[athlete]) for athlete in range(athletes)]


def _links(rng: random.Random, coaches: int, main: int) -> CoachLinks:
    others = [c for c in range(1, coaches) if c != main]
    second = rng.choice(others) if others and rng.random() < SECOND_COACH_SHARE else None
    ended = rng.choice(others) if others and rng.random() < ENDED_LINK_SHARE else None
    if ended == second:
        ended = None
    return CoachLinks(main, second, ended)
