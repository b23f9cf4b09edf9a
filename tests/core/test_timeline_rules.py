"""The session timeline, checked on every session of generated plans (property-based)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.timeline import SHOULDER_SWITCH_S, CueKind, Side, Timeline, build_timeline
from retrorun.core.workout import Direction, Mode, Setting, Step, StepKind, Workout
from tests.core.strategies import examples, plan_weeks, profiles, screenings, start_dates

MANY = settings(
    max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@MANY
@given(profiles, screenings(), start_dates, plan_weeks)
def test_every_session_timeline_keeps_the_rules(
    profile: Profile, screening: Screening, start: date, weeks: int | None
) -> None:
    plan = make_plan(profile, screening, start, None if profile.goal.is_rehab else weeks)
    for session in plan.sessions:
        workout = session.workout
        timeline = build_timeline(workout)
        check_times(timeline, workout)
        check_step_cues(timeline, workout)
        check_shoulder_every_minute(timeline, workout)
        check_sides_alternate(timeline)
        check_optional_cues(timeline, workout)


def check_times(timeline: Timeline, workout: Workout) -> None:
    """Strictly increasing whole seconds inside the session; it ends with 'done' at the end."""
    times = [cue.t_s for cue in timeline.cues]
    assert times == sorted(set(times))
    assert times[0] == 0 and times[-1] == workout.duration_s
    assert timeline.cues[-1].kind is CueKind.DONE
    assert sum(cue.kind is CueKind.DONE for cue in timeline.cues) == 1


def check_step_cues(timeline: Timeline, workout: Workout) -> None:
    """Each step is announced at its start."""
    step_cues = [cue for cue in timeline.cues if cue.kind is CueKind.STEP]
    assert [cue.step_index for cue in step_cues] == list(range(len(workout.steps)))
    assert [cue.t_s for cue in step_cues] == list(timeline.step_starts_s)


def check_shoulder_every_minute(timeline: Timeline, workout: Workout) -> None:
    """A shoulder cue every 60 s of every backward step, and none in forward steps."""
    for index, (step, t0) in enumerate(zip(workout.steps, timeline.step_starts_s, strict=True)):
        shoulder_times = [
            cue.t_s
            for cue in timeline.cues
            if cue.kind is CueKind.SHOULDER and cue.step_index == index
        ]
        if step.is_backward:
            length = step.duration_s or 0
            assert shoulder_times == list(range(t0 + SHOULDER_SWITCH_S, t0 + length, 60))
            start_cue = next(c for c in timeline.cues if c.t_s == t0)
            assert start_cue.side is not None and "shoulder" in start_cue.text
        else:
            assert shoulder_times == []


def check_sides_alternate(timeline: Timeline) -> None:
    """Left, right, left...: every side instruction switches the shoulder."""
    sides = [cue.side for cue in timeline.cues if cue.side is not None]
    for before, after in itertools.pairwise(sides):
        assert after is not before
    for cue in timeline.cues:
        if cue.kind is CueKind.SHOULDER:
            assert cue.side is not None and f"{cue.side.value} shoulder" in cue.text


def test_a_knee_rehab_walking_session_reads_as_expected() -> None:
    profile = Profile(
        68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
    )
    screening = Screening(date(2026, 11, 25), dict.fromkeys(QUESTION_IDS, False))
    plan = make_plan(profile, screening, date(2026, 12, 1))
    timeline = build_timeline(plan.sessions[0].workout)
    texts = [(cue.t_s, cue.kind.value, cue.text) for cue in timeline.cues]
    assert texts[0] == (
        0,
        "step",
        "Warm-up: walk forward easily for 5 minutes. Belt at 4.3 kilometres an hour.",
    )
    assert (20, "partner", plan.sessions[0].workout.spotting) in texts
    backward_start = next(t for t in texts if t[0] == 300)
    assert backward_start[2].startswith(
        "Hold the handrails and slow the belt to turn around. Backward walk for 2 minutes"
    )
    assert backward_start[2].endswith("Look over your left shoulder.")
    assert (360, "shoulder", "Switch: look over your right shoulder.") in texts
    assert texts[-1][1] == "done"


def check_optional_cues(timeline: Timeline, workout: Workout) -> None:
    """Extra words never talk over other words (4 s apart), a form reminder comes 20 s or more
    into a backward step, and a countdown falls in the last 10 s of its own step."""
    ends = [*timeline.step_starts_s[1:], timeline.duration_s]
    cues = timeline.cues
    for before, cue, after in zip(cues, cues[1:], cues[2:], strict=False):
        if cue.kind in (CueKind.STEP, CueKind.SHOULDER, CueKind.DONE):
            continue
        assert cue.t_s - before.t_s >= 4 and after.t_s - cue.t_s >= 4  # times are in order
        start, end = timeline.step_starts_s[cue.step_index], ends[cue.step_index]
        if cue.kind is CueKind.FORM:
            assert workout.steps[cue.step_index].is_backward
            assert start + 20 <= cue.t_s < end
        if cue.kind is CueKind.COUNTDOWN:
            assert end - 10 <= cue.t_s < end


@given(st.sampled_from([Side.LEFT, Side.RIGHT]))
def test_other_side(side: Side) -> None:
    assert side.other() is not side and side.other().other() is side


def test_imperial_units_in_words_and_descriptions() -> None:
    profile = Profile(
        68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
    )
    screening = Screening(date(2026, 11, 25), dict.fromkeys(QUESTION_IDS, False))
    workout = make_plan(profile, screening, date(2026, 12, 1)).sessions[0].workout
    backward = workout.steps[1]
    assert backward.describe(imperial=True).endswith("1.3 mph")
    assert backward.describe().endswith("2.2 km/h")
    words = build_timeline(workout, imperial=True).cues
    assert any("1.3 miles an hour" in cue.text for cue in words)


def test_step_text_gives_time_as_minutes_and_seconds() -> None:
    """One way to read time everywhere: the trial saw "3 min" beside "210 s" in one session."""
    walk = Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.PATH, 210, 3)
    assert walk.describe() == "backward walk, 3:30, RPE 3"
    assert replace(walk, duration_s=180).describe() == "backward walk, 3:00, RPE 3"
    warm_up = replace(walk, kind=StepKind.WARM_UP, direction=Direction.FORWARD, duration_s=300)
    assert warm_up.describe() == "warm-up: forward walk, 5:00, RPE 3"
