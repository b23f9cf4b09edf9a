"""Watch workouts from real generated plans, checked with Garmin's SDK and with fitdecode.

The timeline is the oracle: once the FIT repeats are expanded, the watch steps must cover the
session exactly, name the shoulder of every step and shoulder cue in order, and change step at
every shoulder cue.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any, cast

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream
from hypothesis import given
from hypothesis import strategies as st

from retrorun.core.plan import EASY_FORWARD_JOG_M_S, Plan, make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.timeline import CueKind, Side, Timeline, build_timeline
from retrorun.core.workout import Direction, Mode, Session, StepKind
from retrorun.formats.fit_workout import (
    WatchRepeat,
    WatchStep,
    compress,
    fit_step_messages,
    step_directions,
    watch_blocks,
    workout_name,
    workout_to_fit,
)

SCREENING = Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False))
START = date(2026, 12, 1)
REHAB = Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True)
RUNNER = Profile(70, 35, Experience.REGULAR, Goal.FITNESS, weekdays_for(5), 45, True, True, False)
NOVICE = Profile(
    80, 60, Experience.NON_RUNNER, Goal.VARIETY, weekdays_for(3), 40, False, False, True
)


def _plans() -> dict[str, Plan]:
    return {
        "rehab": make_plan(REHAB, SCREENING, START),
        "runner": make_plan(RUNNER, SCREENING, START, 12),
        "novice": make_plan(NOVICE, SCREENING, START, 10),
    }


PLANS = _plans()
SESSIONS = [
    pytest.param(session, id=f"{name}-{session.date}")
    for name, plan in PLANS.items()
    for session in plan.sessions
]


def _decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Garmin's SDK: a FIT file, intact, read without errors (a new Decoder after the check)."""
    stream = Stream.from_byte_array(bytearray(data))
    decoder = Decoder(stream)
    assert decoder.is_fit()
    assert decoder.check_integrity()
    stream.reset()  # check_integrity() does not rewind (DEPENDENCIES.md 2a, gotcha 1)
    messages, errors = decoder.read()
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)


def _expand(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the workout as a watch would: follow each repeat back `repeat_steps` times in all."""
    done: list[dict[str, Any]] = []
    rounds: dict[int, int] = {}
    index = 0
    while index < len(steps):
        step = steps[index]
        assert step["message_index"] == index
        if step["duration_type"] != "repeat_until_steps_cmplt":
            done.append(step)
            index += 1
            continue
        rounds[index] = rounds.get(index, 1) + 1
        if rounds[index] <= step["repeat_steps"]:
            index = step["duration_step"]
        else:
            del rounds[index]
            index += 1
    return done


def _boundaries(steps: list[dict[str, Any]]) -> list[int]:
    times = [0]
    for step in steps:
        times.append(times[-1] + round(step["duration_time"]))
    return times


def _shoulder_turns(timeline: Timeline) -> list[tuple[int, Side]]:
    """Every time the timeline says which shoulder to look over, with that side."""
    return [
        (cue.t_s, cue.side)
        for cue in timeline.cues
        if cue.kind in (CueKind.STEP, CueKind.SHOULDER) and cue.side is not None
    ]


@pytest.mark.parametrize("session", SESSIONS)
def test_sdk_reads_back_a_valid_workout_that_follows_the_timeline(session: Session) -> None:
    timeline = build_timeline(session.workout)
    data = workout_to_fit(session, timeline)
    messages = _decode(data)
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    (workout,) = messages["workout_mesgs"]
    steps = messages["workout_step_mesgs"]
    assert workout["num_valid_steps"] == len(steps)
    assert workout["wkt_name"] == workout_name(session) and len(workout["wkt_name"]) <= 15
    walking = all(step.mode is Mode.WALK for step in session.workout.steps)
    assert workout["sport"] == ("walking" if walking else "running")

    done = _expand(steps)
    ends = _boundaries(done)
    assert ends[-1] == session.workout.duration_s == timeline.duration_s
    assert set(timeline.step_starts_s) <= set(ends)
    turns = _shoulder_turns(timeline)
    assert {t for t, _ in turns} <= set(ends)  # the watch changes step at every shoulder cue
    backward = [step["wkt_step_name"] for step in done if step["wkt_step_name"].startswith("BACK")]
    assert backward == [f"BACK {side.value[0].upper()}" for _, side in turns]
    for step in done:
        assert step["duration_type"] == "time" and step["duration_time"] > 0
        assert len(step["wkt_step_name"]) <= 15
        if step["wkt_step_name"].startswith("BACK"):
            assert step["duration_time"] <= 60


@pytest.mark.parametrize("session", SESSIONS[::7])
def test_every_field_written_is_read_back(session: Session) -> None:
    timeline = build_timeline(session.workout)
    written = fit_step_messages(watch_blocks(session.workout, timeline))
    read = _decode(workout_to_fit(session, timeline))["workout_step_mesgs"]
    assert len(read) == len(written)
    for mine, theirs in zip(written, read, strict=True):
        for field, value in mine.items():
            if field != "mesg_num":
                assert theirs[field] == value, field


def test_repeats_fold_the_shoulder_pairs_and_the_recovery_rounds() -> None:
    session = PLANS["rehab"].sessions[0]  # 4 × (2 min backward + 1 min recovery) + 2 min
    blocks = watch_blocks(session.workout, build_timeline(session.workout))
    repeats = [block for block in blocks if isinstance(block, WatchRepeat)]
    assert repeats, blocks
    names = [[step.name for step in repeat.steps] for repeat in repeats]
    assert ["BACK L", "BACK R", "FWD WALK"] in names
    read = _decode(workout_to_fit(session, build_timeline(session.workout)))
    steps = read["workout_step_mesgs"]
    assert len(steps) < len(_expand(steps))
    assert any(step["duration_type"] == "repeat_until_steps_cmplt" for step in steps)


def test_intensity_names_and_speed_targets() -> None:
    session = PLANS["rehab"].sessions[0]  # on a treadmill: every step has a belt speed
    steps = _decode(workout_to_fit(session, build_timeline(session.workout)))["workout_step_mesgs"]
    done = _expand(steps)
    assert done[0]["intensity"] == "warmup" and done[0]["wkt_step_name"] == "WARM UP"
    assert done[-1]["intensity"] == "cooldown" and done[-1]["wkt_step_name"] == "COOL DOWN"
    assert {s["intensity"] for s in done if s["wkt_step_name"].startswith("BACK")} == {"active"}
    assert {s["intensity"] for s in done if s["wkt_step_name"] == "FWD WALK"} == {"recovery"}
    backward_speed = next(s.speed_m_s for s in session.workout.steps if s.is_backward)
    for step in done:
        assert step["target_type"] == "speed"
        low, high = step["custom_target_speed_low"], step["custom_target_speed_high"]
        assert low < high
    back = next(s for s in done if s["wkt_step_name"] == "BACK L")
    assert back["custom_target_speed_low"] < backward_speed < back["custom_target_speed_high"]
    assert "Stand tall" in back["notes"] and "Backward walk" in back["notes"]
    assert "Partner set-up" in done[0]["notes"]


def test_a_treadmill_jog_targets_its_belt_speed() -> None:
    """The trial's week 4: the forward jog between backward runs had an open target."""
    runner = Profile(
        68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, False, False
    )
    session = make_plan(runner, SCREENING, START).weeks[3].sessions[0]  # on the treadmill
    steps = _decode(workout_to_fit(session, build_timeline(session.workout)))["workout_step_mesgs"]
    jogs = [s for s in _expand(steps) if s["wkt_step_name"] == "FWD JOG"]
    assert jogs
    for jog in jogs:
        assert jog["target_type"] == "speed"
        low, high = jog["custom_target_speed_low"], jog["custom_target_speed_high"]
        assert low < EASY_FORWARD_JOG_M_S < high
    assert {s["target_type"] for s in steps if "duration_time" in s} == {"speed"}


def test_off_treadmill_targets_are_open() -> None:
    session = PLANS["novice"].sessions[0]  # no treadmill, no track: a quiet path
    steps = _decode(workout_to_fit(session, build_timeline(session.workout)))["workout_step_mesgs"]
    assert {s["target_type"] for s in steps} == {"open"}


def test_heart_rate_targets_off_the_belt_and_the_belt_speed_on_it() -> None:
    """A converted plan's running steps carry a heart-rate range: on the watch it is the target
    (bpm written plus 100), unless a belt speed is set, which the watch can hold better."""
    on_belt = PLANS["rehab"].sessions[0]
    off_belt = PLANS["novice"].sessions[0]
    for session, target in ((on_belt, "speed"), (off_belt, "heart_rate")):
        steps = tuple(
            replace(s, heart_rate_bpm=(120, 130)) if s.is_backward else s
            for s in session.workout.steps
        )
        workout = replace(session.workout, steps=steps)
        made = replace(session, workout=workout)
        done = _expand(_decode(workout_to_fit(made, build_timeline(workout)))["workout_step_mesgs"])
        back = [s for s in done if s["wkt_step_name"].startswith("BACK")]
        assert back and {s["target_type"] for s in back} == {target}
        if target == "heart_rate":
            assert {
                (s["custom_target_heart_rate_low"], s["custom_target_heart_rate_high"])
                for s in back
            } == {(220, 230)}


@pytest.mark.parametrize("session", SESSIONS[::5])
def test_step_directions_match_the_timeline_and_repeats_are_none(session: Session) -> None:
    timeline = build_timeline(session.workout)
    directions = step_directions(session.workout, timeline)
    steps = _decode(workout_to_fit(session, timeline))["workout_step_mesgs"]
    assert len(directions) == len(steps)
    for step, direction in zip(steps, directions, strict=True):
        is_repeat = step["duration_type"] == "repeat_until_steps_cmplt"
        assert (direction is None) == is_repeat
        if not is_repeat:
            backward = step["wkt_step_name"].startswith("BACK")
            assert direction is (Direction.BACKWARD if backward else Direction.FORWARD)
    # Each expanded step's direction is that of the workout step it falls in.
    start = 0
    expanded = _expand(steps)
    for step in expanded:
        index = max(i for i, t in enumerate(timeline.step_starts_s) if t <= start)
        assert directions[step["message_index"]] is session.workout.steps[index].direction
        start += round(step["duration_time"])


def test_fitdecode_reads_it_too() -> None:
    session = PLANS["runner"].sessions[-1]
    timeline = build_timeline(session.workout)
    data = workout_to_fit(session, timeline)
    names: dict[str, int] = {}
    step_names: list[str] = []
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                names[frame.name] = names.get(frame.name, 0) + 1
                if frame.name == "file_id":
                    assert frame.get_value("type") == "workout"
                if frame.name == "workout_step" and frame.has_field("wkt_step_name"):
                    step_names.append(frame.get_value("wkt_step_name"))
    expected = len(fit_step_messages(watch_blocks(session.workout, timeline)))
    assert names == {"file_id": 1, "workout": 1, "workout_step": expected}
    assert step_names[0] == "WARM UP" and step_names[-1] == "COOL DOWN"
    assert "BACK L" in step_names


def test_same_session_same_bytes_and_days_differ() -> None:
    first, second = PLANS["rehab"].sessions[:2]
    one = workout_to_fit(first, build_timeline(first.workout))
    assert one == workout_to_fit(first, build_timeline(first.workout))
    ids = [
        _decode(workout_to_fit(s, build_timeline(s.workout)))["file_id_mesgs"][0]["serial_number"]
        for s in (first, second)
    ]
    assert ids[0] != ids[1]


def test_names_are_short_and_say_the_day() -> None:
    assert workout_name(PLANS["rehab"].sessions[0]) == "Retro W1 Wed"  # 2026-12-02
    assert (
        workout_name(PLANS["rehab"].sessions[-1]) == "Retro W8 Mon"
    )  # weeks run Tuesday to Monday
    forward = next(s for s in PLANS["runner"].sessions if not s.workout.has_backward)
    assert workout_name(forward) == "Run W1 Thu"


def test_a_timeline_of_another_workout_is_refused() -> None:
    first, other = PLANS["runner"].sessions[0], PLANS["runner"].sessions[1]
    with pytest.raises(ValueError, match="does not belong"):
        workout_to_fit(first, build_timeline(other.workout))


def _step(name: str) -> WatchStep:
    return WatchStep(name, "", "active", 60, None, Direction.BACKWARD)


def _unfold(blocks: list[WatchStep | WatchRepeat]) -> list[WatchStep]:
    steps: list[WatchStep] = []
    for block in blocks:
        steps.extend(block.steps * block.times if isinstance(block, WatchRepeat) else [block])
    return steps


@given(st.lists(st.sampled_from("ABC"), max_size=30))
def test_compress_keeps_the_sequence_and_never_grows_it(names: list[str]) -> None:
    steps = [_step(name) for name in names]
    blocks = compress(steps)
    assert _unfold(blocks) == steps
    assert len(fit_step_messages(blocks)) <= len(steps)
    assert all(block.times >= 2 for block in blocks if isinstance(block, WatchRepeat))


def test_compress_folds_pairs_and_leaves_single_twins() -> None:
    a, b = _step("A"), _step("B")
    assert compress([a, b, a, b, a, b]) == [WatchRepeat((a, b), 3)]
    assert compress([a, a]) == [a, a]  # a repeat would cost as many steps as it saves
    assert compress([a, a, a]) == [WatchRepeat((a,), 3)]


def test_kinds_map_to_fit_intensities() -> None:
    session = PLANS["runner"].sessions[-1]
    blocks = watch_blocks(session.workout, build_timeline(session.workout))
    kinds = {step.kind for step in session.workout.steps}
    assert StepKind.RECOVERY in kinds
    intensities = {step.intensity for step in _unfold(blocks)}
    assert intensities == {"warmup", "active", "recovery", "cooldown"}
