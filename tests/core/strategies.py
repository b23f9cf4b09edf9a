"""Hypothesis strategies for random people and their screenings."""

from __future__ import annotations

import os
from datetime import date, timedelta

from hypothesis import strategies as st

from retrorun.core.profile import Experience, Goal, Profile, Units
from retrorun.core.screening import BALANCE_IDS, QUESTION_IDS, Screening


def examples(count: int) -> int:
    """How many examples a property test draws: `count`, or a tenth of it under mutation testing
    (`bench/mutation.py` sets RETRORUN_MUTATION), where each of thousands of mutants runs the test
    again and the rule tests written for each rule do the precise work."""
    return max(count // 10, 20) if os.environ.get("RETRORUN_MUTATION") else count


weekdays = st.sets(st.integers(0, 6), min_size=1, max_size=7).map(lambda s: tuple(sorted(s)))

profiles = st.builds(
    Profile,
    mass_kg=st.floats(20, 350, allow_nan=False),
    age_years=st.integers(10, 110),
    experience=st.sampled_from(Experience),
    goal=st.sampled_from(Goal),
    weekdays=weekdays,
    minutes_per_session=st.integers(15, 180),
    has_treadmill=st.booleans(),
    has_track=st.booleans(),
    has_partner=st.booleans(),
    sex=st.sampled_from([None, "female", "male"]),
    units=st.sampled_from(Units),
)


@st.composite
def screenings(draw: st.DrawFn, cleared: bool | None = None) -> Screening:
    """Screenings with any answers; cleared when any answer is yes (unless told otherwise)."""
    answers = {
        qid: draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else False for qid in QUESTION_IDS
    }
    if draw(st.booleans()):
        answers[draw(st.sampled_from(BALANCE_IDS))] = draw(st.booleans())
    needs = any(answers.values())
    is_cleared = needs if cleared is None else cleared
    return Screening(date(2026, 11, 1), answers, cleared_by_doctor=is_cleared)


start_dates = st.dates(date(2024, 1, 1), date(2030, 12, 31))
plan_weeks = st.one_of(st.none(), st.integers(4, 52))


def week_window(start: date, number: int) -> tuple[date, date]:
    first = start + timedelta(days=7 * (number - 1))
    return first, first + timedelta(days=6)
