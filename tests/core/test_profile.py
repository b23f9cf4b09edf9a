"""Changing a profile: only the fields given change, and we know which changes shape a plan."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrorun.core.plan import make_plan
from retrorun.core.profile import (
    PLAN_FIELDS,
    Experience,
    Goal,
    Profile,
    ProfileChange,
    Units,
    merge_profile,
    parse_weekdays,
    profile_changes,
    weekdays_for,
)
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.errors import InvalidInput
from tests.core.strategies import examples, profiles, screenings

RUNNER = Profile(
    68, 41, Experience.REGULAR, Goal.FITNESS, (5, 6), 45, True, True, True, "female", Units.IMPERIAL
)
CLEAR = Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False))
START = date(2026, 12, 7)


def test_a_change_keeps_every_field_it_does_not_give() -> None:
    changed = merge_profile(RUNNER, ProfileChange(mass_kg=70, has_partner=False))
    assert changed == replace(RUNNER, mass_kg=70, has_partner=False)


def test_a_first_profile_needs_mass_age_experience_and_goal() -> None:
    with pytest.raises(InvalidInput, match="missing --age, --goal"):
        merge_profile(None, ProfileChange(mass_kg=68, experience=Experience.REGULAR))
    first = merge_profile(
        None,
        ProfileChange(mass_kg=68, age_years=41, experience=Experience.REGULAR, goal=Goal.FITNESS),
    )
    assert first.weekdays == weekdays_for(3) and first.minutes_per_session == 30
    assert not (first.has_treadmill or first.has_track or first.has_partner)


def test_days_alone_keeps_the_chosen_days_when_the_count_is_the_same() -> None:
    assert merge_profile(RUNNER, ProfileChange(days_per_week=2)).weekdays == (5, 6)
    assert merge_profile(RUNNER, ProfileChange(days_per_week=3)).weekdays == weekdays_for(3)
    both = ProfileChange(days_per_week=2, weekdays=(0, 3))
    assert merge_profile(RUNNER, both).weekdays == (0, 3)


def test_sex_none_removes_it() -> None:
    assert merge_profile(RUNNER, ProfileChange(sex="none")).sex is None


def test_changes_read_as_words() -> None:
    after = merge_profile(RUNNER, ProfileChange(mass_kg=70, has_partner=False, weekdays=(0, 2)))
    words = [str(change) for change in profile_changes(RUNNER, after)]
    assert words == ["mass 68 → 70 kg", "days sat, sun → mon, wed", "partner yes → no"]
    assert [c.shapes_plan for c in profile_changes(RUNNER, after)] == [False, True, True]
    assert profile_changes(None, after) == ()
    assert profile_changes(RUNNER, RUNNER) == ()


def test_a_weekday_named_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="mon is named twice in 'mon,mon,tue'"):
        parse_weekdays("mon,mon,tue")
    with pytest.raises(InvalidInput, match="named twice"):
        parse_weekdays("mon,Monday")
    assert parse_weekdays("fri,mon") == (0, 4)


def test_days_disagreeing_with_weekdays_is_refused() -> None:
    with pytest.raises(InvalidInput, match="--days 2 disagrees with --weekdays mon,wed,fri"):
        ProfileChange(days_per_week=2, weekdays=(0, 2, 4))
    with pytest.raises(InvalidInput, match="1–7"):
        ProfileChange(days_per_week=8)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    profile=profiles,
    screening=screenings(),
    mass_kg=st.floats(20, 350),
    age_years=st.integers(10, 110),
    sex=st.sampled_from([None, "female", "male"]),
    units=st.sampled_from(Units),
)
def test_fields_outside_plan_fields_never_change_a_plan(
    profile: Profile,
    screening: Screening,
    mass_kg: float,
    age_years: int,
    sex: str | None,
    units: Units,
) -> None:
    """Only PLAN_FIELDS may shape a plan, or a change of another would leave a stale plan
    without a word."""
    other = replace(profile, mass_kg=mass_kg, age_years=age_years, sex=sex, units=units)
    assert make_plan(other, screening, START) == make_plan(profile, screening, START)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("experience", Experience.NON_RUNNER),
        ("goal", Goal.KNEE_REHAB),
        ("weekdays", (1, 3)),
        ("minutes_per_session", 60),
        ("has_treadmill", False),
        ("has_track", False),
        ("has_partner", False),
    ],
)
def test_every_plan_field_can_change_a_plan(field: str, value: object) -> None:
    assert field in PLAN_FIELDS
    changed = replace(RUNNER, **{field: value})
    assert make_plan(changed, CLEAR, START) != make_plan(RUNNER, CLEAR, START)


def test_plan_fields_are_profile_fields() -> None:
    assert {item.name for item in fields(Profile)} >= PLAN_FIELDS
    assert len(PLAN_FIELDS) == 7
