"""A workout's steps in a runner's words, and the article's rules the workout carries with it:
where backward steps may happen, the form rules, the partner set-up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrorun.core.workout import (
    BACKWARD_SETTINGS,
    FORM_CUES,
    SAFE_SETTINGS,
    SETTING_WORDS,
    SPOTTING_SETUP,
    Direction,
    Mode,
    Setting,
    Step,
    StepKind,
    Workout,
    as_direction,
)
from retrorun.errors import InvalidInput

TREADMILL_WALK = Step(
    StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TREADMILL, 210, 3, speed_m_s=0.6
)


def test_a_step_reads_with_its_time_effort_and_belt_speed() -> None:
    """0.6 m/s is 2.16 km/h and 1.34 mph; metric unless the person chose imperial."""
    assert TREADMILL_WALK.describe() == "backward walk, 3:30, RPE 3, 2.2 km/h"
    assert TREADMILL_WALK.describe(imperial=True) == "backward walk, 3:30, RPE 3, 1.3 mph"


def test_a_step_off_the_treadmill_has_no_speed_to_read() -> None:
    on_track = replace(TREADMILL_WALK, setting=Setting.TRACK, speed_m_s=None)
    assert on_track.describe(imperial=True) == "backward walk, 3:30, RPE 3"


def test_warm_up_and_cool_down_say_so() -> None:
    jog = Step(StepKind.COOL_DOWN, Direction.FORWARD, Mode.RUN, Setting.PATH, 300, 1)
    assert jog.describe() == "cool-down: forward run, 5:00, RPE 1"
    assert replace(jog, kind=StepKind.RECOVERY).describe() == "forward run, 5:00, RPE 1"


def test_a_step_given_by_distance_reads_in_kilometres() -> None:
    lap = Step(StepKind.MAIN, Direction.BACKWARD, Mode.RUN, Setting.TRACK, None, 5, 400.0)
    assert lap.describe() == "backward run, 0.4 km, RPE 5"


def test_a_workout_adds_up_its_time_and_its_backward_time() -> None:
    warm_up = Step(StepKind.WARM_UP, Direction.FORWARD, Mode.WALK, Setting.TRACK, 300, 2)
    workout = Workout("Backward walk", (warm_up, TREADMILL_WALK, TREADMILL_WALK))
    assert (workout.duration_s, workout.backward_s, workout.has_backward) == (720, 420, True)
    forward_only = Workout("Easy run", (warm_up,))
    assert (forward_only.backward_s, forward_only.has_backward) == (0, False)


@pytest.mark.parametrize("text", ["backward", "forward", Direction.BACKWARD, Direction.FORWARD])
def test_a_direction_is_read_from_its_text_or_its_enum(text: str) -> None:
    direction = as_direction(text)
    assert direction is Direction(text)


@pytest.mark.parametrize("text", ["sideways", "Backward", "back", "", "mixed"])
def test_any_other_direction_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="direction must be backward or forward"):
        as_direction(text)


def test_backward_steps_happen_only_where_the_article_allows() -> None:
    """Avoid busy streets and uneven paths; start on a slow treadmill with handrails or a level
    track, a few weeks there before a quiet path. There is no road setting at all."""
    assert {Setting.TREADMILL, Setting.TRACK} == SAFE_SETTINGS
    assert {Setting.TREADMILL, Setting.TRACK, Setting.PATH} == BACKWARD_SETTINGS
    assert Setting.USUAL_ROUTE not in BACKWARD_SETTINGS
    assert "road" not in {setting.value for setting in Setting}


def test_every_setting_is_described_with_what_makes_it_safe() -> None:
    assert set(SETTING_WORDS) == set(Setting)
    assert "handrails" in SETTING_WORDS[Setting.TREADMILL]
    assert "between the lines" in SETTING_WORDS[Setting.TRACK]
    assert "no traffic, no roots, branches or shrubs" in SETTING_WORDS[Setting.PATH]


def test_the_articles_three_form_rules_and_partner_set_up() -> None:
    """Don't lean too far back; not much knee bend; land toes first. The backward runner goes
    in front, the forward partner behind, spotting obstacles."""
    assert FORM_CUES == (
        "Stand tall: don't lean back.",
        "Only a little knee bend.",
        "Land toes first, not on your heels.",
    )
    assert Workout("Backward walk", ()).form_cues == FORM_CUES
    assert "you move backward in front" in SPOTTING_SETUP
    assert "your partner moves forward behind you" in SPOTTING_SETUP
    assert "calls out obstacles" in SPOTTING_SETUP
