"""The profile's own rules: what a person may enter, their default days, and how a change reads.

`test_profile.py` checks merging a change and which fields shape a plan; here each limit and
table of `core/profile.py` is pinned to what the person sees.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrorun.core.profile import (
    Experience,
    Goal,
    Profile,
    ProfileChange,
    Units,
    merge_profile,
    parse_weekdays,
    profile_changes,
    weekday_words,
    weekdays_for,
)
from retrorun.errors import InvalidInput

RUNNER = Profile(
    68, 41, Experience.REGULAR, Goal.FITNESS, (5, 6), 45, True, True, True, "female", Units.IMPERIAL
)
FIRST = ProfileChange(
    mass_kg=68.5, age_years=41, experience=Experience.OCCASIONAL, goal=Goal.VARIETY
)


# --- What a person may enter ------------------------------------------------------------------


def test_a_session_is_15_to_180_minutes() -> None:
    """The warm-up and cool-down take 10 minutes, and at least 5 are left for the work."""
    assert replace(RUNNER, minutes_per_session=15).minutes_per_session == 15
    assert replace(RUNNER, minutes_per_session=180).minutes_per_session == 180
    for minutes in (14, 181):
        with pytest.raises(InvalidInput, match="15–180"):
            replace(RUNNER, minutes_per_session=minutes)


def test_training_days_are_one_to_seven_distinct_weekdays() -> None:
    assert replace(RUNNER, weekdays=(0, 6)).days_per_week == 2
    assert replace(RUNNER, weekdays=tuple(range(7))).days_per_week == 7
    for weekdays in [(), (0, 0), (-1,), (7,), (3, 7)]:
        with pytest.raises(InvalidInput):
            replace(RUNNER, weekdays=weekdays)


def test_sex_is_female_male_or_not_given() -> None:
    """Only the energy estimate reads it (sex-specific heart-rate equations, Keytel 2005)."""
    for sex in ("female", "male", None):
        assert replace(RUNNER, sex=sex).sex == sex
    for sex in ("other", "Female", ""):
        with pytest.raises(InvalidInput):
            replace(RUNNER, sex=sex)


def test_only_knee_and_heel_goals_are_rehab() -> None:
    assert {goal for goal in Goal if goal.is_rehab} == {Goal.KNEE_REHAB, Goal.HEEL_REHAB}


# --- Training days ------------------------------------------------------------------------------


def test_default_days_spread_through_the_week() -> None:
    """A rest day between sessions for newcomers to a new movement, where the count allows."""
    defaults = {count: weekday_words(weekdays_for(count)) for count in range(1, 8)}
    assert defaults == {
        1: "wed",
        2: "tue, fri",
        3: "mon, wed, fri",
        4: "mon, wed, fri, sun",
        5: "mon, tue, thu, fri, sun",
        6: "mon, tue, wed, thu, fri, sat",
        7: "mon, tue, wed, thu, fri, sat, sun",
    }
    for days in (0, 8):
        with pytest.raises(InvalidInput):
            weekdays_for(days)


def test_weekdays_are_read_from_three_letters_up_to_their_full_name() -> None:
    assert parse_weekdays("mon, wed , fri") == (0, 2, 4)
    assert parse_weekdays("Sunday,Monday,TUESDAY") == (0, 1, 6)
    assert parse_weekdays("tues,thurs,sat") == (1, 3, 5)
    assert parse_weekdays("sun,sat,fri,thu,wed,tue,mon") == tuple(range(7))


@pytest.mark.parametrize(
    "text", ["funday", "mon,funday", "mo", "", "mon,,wed", "mon;wed", "monkey", "wed,fridays"]
)
def test_an_unknown_weekday_is_refused(text: str) -> None:
    """A wrong separator must not quietly drop a day: 'mon;wed' is not Monday."""
    with pytest.raises(InvalidInput, match="unknown weekday"):
        parse_weekdays(text)


# --- A first profile ----------------------------------------------------------------------------


def test_a_first_profile_keeps_what_was_given_and_has_no_equipment() -> None:
    """3 days and 30 minutes until the person says otherwise, and no treadmill, track or partner
    until they say they have one."""
    first = merge_profile(None, FIRST)
    assert (first.mass_kg, first.age_years, first.experience, first.goal) == (
        68.5,
        41,
        Experience.OCCASIONAL,
        Goal.VARIETY,
    )
    assert (first.weekdays, first.minutes_per_session) == ((0, 2, 4), 30)
    assert (first.has_treadmill, first.has_track, first.has_partner) == (False, False, False)
    assert (first.sex, first.units) == (None, Units.METRIC)
    added = merge_profile(first, ProfileChange(has_treadmill=True, has_partner=True))
    assert [str(change) for change in profile_changes(first, added)] == [
        "treadmill no → yes",
        "partner no → yes",
    ]


@pytest.mark.parametrize(
    ("left_out", "option"),
    [("mass_kg", "--mass-kg"), ("age_years", "--age"), ("experience", "--experience")],
)
def test_a_first_profile_names_what_is_missing(left_out: str, option: str) -> None:
    with pytest.raises(InvalidInput, match=rf"missing {option}$"):
        merge_profile(None, replace(FIRST, **{left_out: None}))
    with pytest.raises(InvalidInput, match=r"missing --goal$"):
        merge_profile(None, replace(FIRST, goal=None))


def test_a_change_with_only_a_day_count_takes_that_counts_default_days() -> None:
    """Days named by the person stay theirs; a new count without names takes the defaults."""
    assert merge_profile(RUNNER, ProfileChange(days_per_week=4)).weekdays == (0, 2, 4, 6)
    assert merge_profile(RUNNER, ProfileChange(days_per_week=2)).weekdays == (5, 6)
    assert merge_profile(RUNNER, ProfileChange(weekdays=(1, 3, 5))).weekdays == (1, 3, 5)
    assert merge_profile(RUNNER, ProfileChange(goal=Goal.KNEE_REHAB)).weekdays == (5, 6)


def test_a_day_count_and_named_days_must_agree() -> None:
    both = ProfileChange(days_per_week=3, weekdays=(0, 2, 4))
    assert merge_profile(RUNNER, both).weekdays == (0, 2, 4)
    with pytest.raises(InvalidInput, match="disagrees"):
        ProfileChange(days_per_week=3, weekdays=(0, 2))
    for days in (0, 8):
        with pytest.raises(InvalidInput):
            ProfileChange(days_per_week=days)


def test_a_given_sex_is_kept_and_none_removes_it() -> None:
    assert merge_profile(RUNNER, ProfileChange(sex="male")).sex == "male"
    assert merge_profile(RUNNER, ProfileChange(mass_kg=70)).sex == "female"
    assert merge_profile(RUNNER, ProfileChange(sex="none")).sex is None


# --- How a change reads -------------------------------------------------------------------------


def test_every_field_change_reads_in_the_persons_words() -> None:
    after = Profile(
        70.5, 42, Experience.OCCASIONAL, Goal.KNEE_REHAB, (0, 3), 60, False, False, False
    )
    assert [str(change) for change in profile_changes(RUNNER, after)] == [
        "mass 68 → 70.5 kg",
        "age 41 → 42",
        "experience regular-runner → occasional-runner",
        "goal fitness → knee-rehab",
        "days sat, sun → mon, thu",
        "minutes 45 → 60",
        "treadmill yes → no",
        "track yes → no",
        "partner yes → no",
        "sex female → not given",
        "units imperial → metric",
    ]
    assert [change.was for change in profile_changes(RUNNER, after)][:2] == ["mass 68 kg", "age 41"]


def test_only_changes_that_shape_the_plan_make_it_out_of_date() -> None:
    """Mass, age and sex only feed the energy estimate, units only how numbers are shown."""
    after = replace(RUNNER, mass_kg=70, age_years=42, sex=None, units=Units.METRIC, has_track=False)
    assert [(c.field, c.shapes_plan) for c in profile_changes(RUNNER, after)] == [
        ("mass_kg", False),
        ("age_years", False),
        ("has_track", True),
        ("sex", False),
        ("units", False),
    ]


def test_a_sex_given_for_the_first_time_reads_not_given_before() -> None:
    after = replace(RUNNER, sex=None)
    assert [str(change) for change in profile_changes(after, RUNNER)] == ["sex not given → female"]
    assert profile_changes(after, RUNNER)[0].was == "sex not given"
