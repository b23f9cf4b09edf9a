"""Lap directions: from the person or the watch workout, the activity's overall direction, and
which samples and seconds were backward. Stored values stay the plain strings they always were."""

from __future__ import annotations

import numpy as np
import pytest

from retrorun.core.lap_directions import (
    MIXED,
    OverallDirection,
    backward_mask,
    backward_seconds,
    direction_from_stored,
    lap_directions,
    overall_direction,
    stored_direction,
)
from retrorun.core.workout import Direction
from retrorun.formats.activity import Lap

B, F = Direction.BACKWARD, Direction.FORWARD
LAPS = (Lap(0.0, 60.0, 100.0, 0), Lap(60.0, 120.0, 150.0, 1), Lap(180.0, 60.0, 90.0, 2))


def test_a_direction_given_for_the_activity_covers_every_lap() -> None:
    assert lap_directions(LAPS, B, [F, F, F]) == ([B, B, B], "user")


def test_laps_take_the_direction_of_their_workout_step() -> None:
    assert lap_directions(LAPS, None, [F, B, None]) == ([F, B, None], "workout")


def test_a_lap_pointing_past_the_workout_means_another_workout_was_run() -> None:
    assert lap_directions(LAPS, None, [F, B]) == ([None, None, None], None)
    no_index = (Lap(0.0, 60.0, None),)
    assert lap_directions(no_index, None, [B]) == ([None], None)
    assert lap_directions((), None, [B]) == ([], None)


def test_the_overall_direction() -> None:
    assert overall_direction([B, B], None) is B
    assert overall_direction([F, F], None) is F
    assert overall_direction([B, F], None) == MIXED
    assert overall_direction([B, None], None) == MIXED  # one known lap does not speak for all
    assert overall_direction([None, None], None) is None
    assert overall_direction([], None) is None
    assert overall_direction([], F) is F
    assert overall_direction([B, F], F) is F  # given for the whole activity


def test_backward_samples_by_lap_even_when_laps_come_out_of_order() -> None:
    time_s = np.array([0.0, 30.0, 59.0, 60.0, 100.0, 179.0, 180.0, 239.0])
    laps = (LAPS[2], LAPS[0], LAPS[1])
    mask = backward_mask(time_s, laps, [None, F, B], MIXED)
    assert mask.tolist() == [False, False, False, True, True, True, False, False]


def test_a_one_way_activity_marks_every_sample() -> None:
    time_s = np.arange(5.0)
    assert backward_mask(time_s, LAPS, [None, None, None], B).all()
    assert not backward_mask(time_s, LAPS, [B, B, B], F).any()
    assert not backward_mask(time_s, (), [], None).any()


def test_backward_seconds() -> None:
    assert backward_seconds(240.0, LAPS, [B, F, B], MIXED) == 120.0
    assert backward_seconds(250.0, LAPS, [None, None, None], B) == 250.0  # the timer time
    assert backward_seconds(250.0, LAPS, [F, F, F], F) == 0.0


def test_stored_values_are_the_same_plain_strings_as_before() -> None:
    pairs: list[tuple[OverallDirection, str | None]] = [
        (B, "backward"),
        (F, "forward"),
        (MIXED, "mixed"),
        (None, None),
    ]
    for overall, text in pairs:
        stored = stored_direction(overall)
        assert stored == text and (stored is None or type(stored) is str)
        assert direction_from_stored(text) == overall
    assert direction_from_stored("backward") is B


def test_samples_before_the_first_lap_count_with_the_first_lap() -> None:
    """A watch may start its first lap a moment after its first sample."""
    laps = (Lap(5.0, 55.0, 80.0, 0), Lap(60.0, 60.0, 90.0, 1))
    mask = backward_mask(np.array([0.0, 4.0, 5.0, 59.0, 60.0]), laps, [B, F], MIXED)
    assert mask.tolist() == [True, True, True, True, False]


def test_a_lap_of_no_time_takes_no_samples() -> None:
    """A lap button pressed twice leaves an empty lap starting where the next one starts; the
    laps keep their file order, so the samples belong to the lap that was run."""
    laps = (Lap(0.0, 60.0, 100.0, 0), Lap(60.0, 0.0, 0.0, 1), Lap(60.0, 60.0, 90.0, 2))
    mask = backward_mask(np.array([30.0, 60.0, 90.0]), laps, [F, F, B], MIXED)
    assert mask.tolist() == [False, True, True]


def test_the_mask_selects_samples_even_with_no_laps() -> None:
    time_s = np.arange(3.0)
    for mask in (
        backward_mask(time_s, (), [], None),
        backward_mask(time_s, LAPS, [B, F, B], MIXED),
    ):
        assert mask.dtype == np.bool_
    assert time_s[backward_mask(time_s, (), [], None)].size == 0


def test_lap_directions_for_other_laps_are_refused() -> None:
    """One direction per lap: a list of another length is a mistake, not something to cut."""
    with pytest.raises(ValueError):
        backward_seconds(240.0, LAPS, [B, F], MIXED)
