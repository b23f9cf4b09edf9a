"""Every program rule, checked on thousands of generated plans (property-based)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrorun.core.plan import (
    EASIER_EVERY,
    EASY_FORWARD_JOG_M_S,
    GROWTH_CAP,
    MAX_MIXED_BACKWARD_DAYS,
    MIN_SAFE_WEEKS,
    MIN_WALK_WEEKS,
    REHAB_WEEKS,
    Plan,
    make_plan,
)
from retrorun.core.profile import Experience, Profile
from retrorun.core.screening import Screening
from retrorun.core.workout import (
    BACKWARD_SETTINGS,
    FORM_CUES,
    SAFE_SETTINGS,
    SPOTTING_SETUP,
    Direction,
    Mode,
    Setting,
    StepKind,
)
from tests.core.strategies import (
    examples,
    plan_weeks,
    profiles,
    screenings,
    start_dates,
    week_window,
)

MANY = settings(
    max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _plan(profile: Profile, screening: Screening, start: date, weeks: int | None) -> Plan:
    if profile.goal.is_rehab:
        weeks = None
    return make_plan(profile, screening, start, weeks)


plans = st.builds(_plan, profiles, screenings(), start_dates, plan_weeks)


@MANY
@given(st.data())
def test_every_rule_holds_on_every_generated_plan(data: st.DataObject) -> None:
    profile = data.draw(profiles)
    screening = data.draw(screenings())
    start = data.draw(start_dates)
    weeks = data.draw(plan_weeks)
    plan = _plan(profile, screening, start, weeks)
    check_length(plan, profile, weeks)
    check_walk_first(plan, profile, screening)
    check_safe_settings_first(plan, profile)
    check_volume_growth(plan)
    check_session_shape(plan, profile)
    check_dates(plan, profile)
    check_mixing(plan, profile)
    check_notes_name_only_places_used(plan)
    check_treadmill_steps_carry_a_speed(plan)


def check_length(plan: Plan, profile: Profile, weeks: int | None) -> None:
    expected = REHAB_WEEKS if profile.goal.is_rehab else (weeks or 8)
    assert len(plan.weeks) == expected


# How many weeks are backward walking only, by running background (README, "The program").
WALK_WEEKS_BY_EXPERIENCE = {
    Experience.REGULAR: 2,
    Experience.OCCASIONAL: 3,
    Experience.NON_RUNNER: 4,
}


def check_walk_first(plan: Plan, profile: Profile, screening: Screening) -> None:
    """The first weeks are backward walking only: exactly 2 for regular runners, 3 for
    occasional runners, 4 for non-runners; one more for rehab (non-runners already walk
    longest) and one more after a balance "yes"; at most 5, and never more than the plan."""
    expected = WALK_WEEKS_BY_EXPERIENCE[profile.experience]
    if profile.goal.is_rehab and profile.experience is not Experience.NON_RUNNER:
        expected += 1
    if screening.balance_concern:
        expected += 1
    assert plan.walk_weeks == min(expected, 5, len(plan.weeks)), (profile, screening)
    assert plan.walk_weeks >= min(MIN_WALK_WEEKS, len(plan.weeks))
    for week in plan.weeks[: plan.walk_weeks]:
        for session in week.sessions:
            for step in session.workout.steps:
                if step.is_backward:
                    assert step.mode is Mode.WALK, (week.number, step)


def check_safe_settings_first(plan: Plan, profile: Profile) -> None:
    """Treadmill or level track first (2+ weeks); later only quiet paths; never a road."""
    has_safe = profile.has_treadmill or profile.has_track
    assert plan.safe_weeks >= min(MIN_SAFE_WEEKS, len(plan.weeks))
    for week in plan.weeks:
        for session in week.sessions:
            for step in session.workout.steps:
                if step.setting is Setting.TREADMILL:
                    assert profile.has_treadmill
                if step.setting is Setting.TRACK:
                    assert profile.has_track
                if not session.workout.has_backward:
                    continue
                assert step.setting in BACKWARD_SETTINGS
                if week.number <= plan.safe_weeks and has_safe:
                    assert step.setting in SAFE_SETTINGS, (week.number, step)
    if not has_safe:
        assert any("no treadmill and no track" in note for note in plan.notes)


def check_volume_growth(plan: Plan) -> None:
    """Weekly backward minutes grow at most GROWTH_CAP over the largest week so far; an easier
    week every EASIER_EVERY weeks."""
    largest = 0.0
    previous = 0.0
    for week in plan.weeks:
        minutes = week.backward_minutes
        if largest > 0:
            assert minutes <= largest * (1 + GROWTH_CAP) + 1e-9, (week.number, minutes, largest)
        if week.number % EASIER_EVERY == 0:
            assert week.easier and minutes <= previous
        else:
            largest = max(largest, minutes)
        previous = minutes


def check_session_shape(plan: Plan, profile: Profile) -> None:
    """Forward warm-up first, cool-down last, form cues, the partner set-up, time available."""
    for session in plan.sessions:
        workout = session.workout
        first, last = workout.steps[0], workout.steps[-1]
        assert first.kind is StepKind.WARM_UP and first.direction is Direction.FORWARD
        assert last.kind is StepKind.COOL_DOWN and last.direction is Direction.FORWARD
        assert workout.duration_s <= profile.minutes_per_session * 60
        if workout.has_backward:
            assert workout.backward_s > 0
            assert set(FORM_CUES) <= set(workout.form_cues)
            assert workout.spotting == (SPOTTING_SETUP if profile.has_partner else None)


def check_dates(plan: Plan, profile: Profile) -> None:
    """Sessions fall on the person's days, inside their week, in order, every week."""
    for week in plan.weeks:
        first, last = week_window(plan.start, week.number)
        assert len(week.sessions) == profile.days_per_week
        for session in week.sessions:
            assert first <= session.date <= last
            assert session.date.weekday() in profile.weekdays
    dates = [session.date for session in plan.sessions]
    assert dates == sorted(set(dates))


def check_mixing(plan: Plan, profile: Profile) -> None:
    """Rehab and non-runners: every day backward. Runners: backward days mixed into their week."""
    for week in plan.weeks:
        backward = sum(1 for session in week.sessions if session.workout.has_backward)
        if profile.goal.is_rehab or profile.experience is Experience.NON_RUNNER:
            assert backward == profile.days_per_week
        else:
            assert 1 <= backward <= MAX_MIXED_BACKWARD_DAYS
            if profile.days_per_week >= 2:
                assert backward < profile.days_per_week


# The word each place goes by in a note; "no treadmill" and "no track" say what is missing.
PLACE_WORDS = {Setting.TREADMILL: "treadmill", Setting.TRACK: "track", Setting.PATH: "path"}
MISSING = re.compile(r"\bno (treadmill|track)\b")


def named_places(note: str) -> set[Setting]:
    """The places a note names as somewhere to go (not as something the person lacks)."""
    said = MISSING.sub("", note.lower())
    return {place for place, word in PLACE_WORDS.items() if re.search(rf"\b{word}", said)}


def check_notes_name_only_places_used(plan: Plan) -> None:
    """The notes never name a place the plan does not use, and their claims hold."""
    used = {step.setting for session in plan.sessions for step in session.workout.steps}
    backward = {s.setting for x in plan.sessions for s in x.workout.steps if s.is_backward}
    for note in plan.notes:
        assert named_places(note) <= used, (note, used)
        claim = re.match(r"Weeks 1–(\d+) stay on ", note)
        if claim:  # and those weeks keep to the places it names
            places = {
                step.setting
                for week in plan.weeks[: int(claim.group(1))]
                for session in week.sessions
                for step in session.workout.steps
                if step.is_backward
            }
            assert places <= named_places(note), (note, places)
        if "every backward session is on" in note:
            assert backward == {Setting.PATH}, note


def check_treadmill_steps_carry_a_speed(plan: Plan) -> None:
    """The README's promise: on a treadmill every step has a belt speed, the forward jog too;
    elsewhere none is made up."""
    for session in plan.sessions:
        for step in session.workout.steps:
            if step.setting is not Setting.TREADMILL:
                assert step.speed_m_s is None
                continue
            assert step.speed_m_s is not None and step.speed_m_s > 0, step
            if step.direction is Direction.FORWARD and step.mode is Mode.RUN:
                assert step.speed_m_s == EASY_FORWARD_JOG_M_S


@MANY
@given(profiles, screenings(cleared=False), start_dates)
def test_a_yes_answer_without_clearance_is_refused(
    profile: Profile, screening: Screening, start: date
) -> None:
    from retrorun.errors import NotReady

    if screening.needs_clearance:
        with pytest.raises(NotReady, match="--cleared-by-doctor"):
            make_plan(profile, screening, start)
    else:
        assert not make_plan(profile, screening, start).cleared_by_doctor


@given(profiles, start_dates)
def test_no_screening_no_plan(profile: Profile, start: date) -> None:
    from retrorun.errors import NotReady

    with pytest.raises(NotReady, match="screen"):
        make_plan(profile, None, start)


def test_notes_say_what_the_person_lacks() -> None:
    from retrorun.core.profile import Goal, weekdays_for
    from retrorun.core.screening import QUESTION_IDS

    alone = Profile(
        80, 67, Experience.NON_RUNNER, Goal.FITNESS, weekdays_for(2), 40, False, False, False
    )
    answers = {**dict.fromkeys(QUESTION_IDS, False), "fall_last_year": True}
    plan = make_plan(alone, Screening(date(2026, 11, 1), answers, True), date(2026, 12, 1))
    assert plan.safe_weeks == len(plan.weeks)
    assert any("no treadmill and no track" in note for note in plan.notes)
    assert any("do not start alone" in note for note in plan.notes)
    for session in plan.sessions:
        assert {step.setting for step in session.workout.steps} == {Setting.PATH}


def test_no_treadmill_and_no_track_never_reads_treadmill_or_track() -> None:
    """The trial's case: notes said both "every session on a path" and "weeks 1–3 on a
    treadmill with handrails or a level track"."""
    from retrorun.core.profile import Goal, weekdays_for
    from retrorun.core.screening import QUESTION_IDS

    runner = Profile(
        70, 35, Experience.OCCASIONAL, Goal.FITNESS, weekdays_for(4), 40, False, False, True
    )
    plan = make_plan(
        runner, Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False)), date(2026, 12, 1)
    )
    assert plan.safe_weeks < len(plan.weeks)
    assert all(named_places(note) <= {Setting.PATH} for note in plan.notes), plan.notes


def test_a_treadmill_jog_has_a_belt_speed() -> None:
    """The trial's case: week 4 on a treadmill had "forward run, 1:00, RPE 2" with no speed."""
    from retrorun.core.profile import Goal, weekdays_for
    from retrorun.core.screening import QUESTION_IDS

    rehab = Profile(
        68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, False, False
    )
    no = Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False))
    jogs = [
        step
        for session in make_plan(rehab, no, date(2026, 12, 1)).weeks[3].sessions
        for step in session.workout.steps
        if step.setting is Setting.TREADMILL and step.mode is Mode.RUN and not step.is_backward
    ]
    assert jogs and all(step.speed_m_s == EASY_FORWARD_JOG_M_S for step in jogs)
    assert jogs[0].describe().endswith("7.6 km/h")
