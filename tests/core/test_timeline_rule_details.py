"""The session timeline's rules one at a time, on small hand-made sessions with exact times.

`test_timeline_rules.py` checks the rules on every session of generated plans; here each rule is
pinned to the second, with the words a runner hears.
"""

from __future__ import annotations

from retrorun.core.timeline import (
    DONE_WORDS,
    Cue,
    CueKind,
    Side,
    Timeline,
    build_timeline,
    countdown_words,
    step_words,
)
from retrorun.core.workout import SPOTTING_SETUP, Direction, Mode, Setting, Step, StepKind, Workout

LEFT, RIGHT = Side.LEFT, Side.RIGHT
WARM_UP = Step(StepKind.WARM_UP, Direction.FORWARD, Mode.WALK, Setting.TRACK, 300, 2)
COOL_DOWN = Step(StepKind.COOL_DOWN, Direction.FORWARD, Mode.WALK, Setting.TRACK, 300, 1)


def backward(seconds: int) -> Step:
    return Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TRACK, seconds, 3)


def forward(seconds: int) -> Step:
    return Step(StepKind.RECOVERY, Direction.FORWARD, Mode.RUN, Setting.TRACK, seconds, 2)


def session(*steps: Step, spotting: str | None = None) -> Workout:
    return Workout("Backward walking on the track", steps, spotting=spotting)


def said(timeline: Timeline, kind: CueKind) -> list[tuple[int, str, int]]:
    """When each cue of one kind is said, its words, and the step it belongs to."""
    return [(cue.t_s, cue.text, cue.step_index) for cue in timeline.cues if cue.kind is kind]


def times(timeline: Timeline, kind: CueKind) -> list[int]:
    return [cue.t_s for cue in timeline.cues if cue.kind is kind]


def test_the_shoulder_switches_every_60_seconds_of_backward_movement() -> None:
    """The article: switch the shoulder you look over once a minute, against a stiff neck. The
    minute counts from the start of each backward step; a step's end is the next step's cue."""
    timeline = build_timeline(
        session(WARM_UP, backward(150), forward(60), backward(120), COOL_DOWN)
    )
    assert timeline.step_starts_s == (0, 300, 450, 510, 630)
    assert times(timeline, CueKind.SHOULDER) == [360, 420, 570]
    sides = [(cue.t_s, cue.side) for cue in timeline.cues if cue.side is not None]
    assert sides == [(300, LEFT), (360, RIGHT), (420, LEFT), (510, RIGHT), (570, LEFT)]
    assert [cue.step_index for cue in timeline.cues if cue.kind is CueKind.SHOULDER] == [1, 1, 3]
    assert (360, "Switch: look over your right shoulder.", 1) in said(timeline, CueKind.SHOULDER)


def test_each_step_is_announced_with_what_to_do_and_the_shoulder_to_look_over() -> None:
    timeline = build_timeline(
        session(WARM_UP, backward(150), forward(60), backward(45), forward(90), COOL_DOWN)
    )
    assert said(timeline, CueKind.STEP) == [
        (0, "Warm-up: walk forward easily for 5 minutes.", 0),
        (
            300,
            "Stop, then turn around. Backward walk for 2 minutes 30 seconds, effort 3 out of 10. "
            "Look over your left shoulder.",
            1,
        ),
        (450, "Stop, then turn around. Forward run for 1 minute, effort 2 out of 10.", 2),
        (
            510,
            "Stop, then turn around. Backward walk for 45 seconds, effort 3 out of 10. "
            "Look over your right shoulder.",
            3,
        ),
        (
            555,
            "Stop, then turn around. Forward run for 1 minute 30 seconds, effort 2 out of 10.",
            4,
        ),
        (645, "Cool-down: walk forward easily for 5 minutes.", 5),
    ]


def test_the_first_step_never_asks_to_turn_around() -> None:
    """Nothing came before it, whichever way the last step of the session goes."""
    timeline = build_timeline(session(backward(120), forward(60)))
    first = timeline.cues[0]
    assert first.text == (
        "Backward walk for 2 minutes, effort 3 out of 10. Look over your left shoulder."
    )
    assert said(timeline, CueKind.STEP)[1][1].startswith("Stop, then turn around. Forward run")


def test_turning_around_is_said_only_where_the_direction_changes() -> None:
    timeline = build_timeline(session(WARM_UP, backward(120), backward(120), COOL_DOWN))
    texts = [text for _, text, _ in said(timeline, CueKind.STEP)]
    assert [text.startswith("Stop, then turn around.") for text in texts] == [
        False,
        True,
        False,
        True,
    ]


def test_on_a_treadmill_the_turn_is_made_holding_the_handrails() -> None:
    """The article starts people on a slow treadmill with handrails: they hold on and slow the
    belt to turn round, rather than stopping on a moving belt; the belt speed is said too."""
    warm_up = Step(
        StepKind.WARM_UP, Direction.FORWARD, Mode.WALK, Setting.TREADMILL, 300, 2, None, 1.2
    )
    walk = Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TREADMILL, 120, 3, None, 0.6)
    metric = said(build_timeline(session(warm_up, walk)), CueKind.STEP)
    assert metric[0][1] == (
        "Warm-up: walk forward easily for 5 minutes. Belt at 4.3 kilometres an hour."
    )
    assert metric[1][1] == (
        "Hold the handrails and slow the belt to turn around. Backward walk for 2 minutes, "
        "effort 3 out of 10. Belt at 2.2 kilometres an hour. Look over your left shoulder."
    )
    imperial = said(build_timeline(session(warm_up, walk), imperial=True), CueKind.STEP)
    assert imperial[0][1].endswith("Belt at 2.7 miles an hour.")
    assert imperial[1][1].endswith("Belt at 1.3 miles an hour. Look over your left shoulder.")


def test_a_step_given_by_distance_is_said_in_metres() -> None:
    lap = Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TRACK, None, 3, 400.0)
    assert step_words(lap, None) == "Backward walk for 400 metres, effort 3 out of 10."


def test_words_are_metric_unless_asked_for_imperial() -> None:
    jog = Step(
        StepKind.COOL_DOWN, Direction.FORWARD, Mode.RUN, Setting.TREADMILL, 240, 1, None, 2.1
    )
    assert step_words(jog, None) == (
        "Cool-down: run forward easily for 4 minutes. Belt at 7.6 kilometres an hour."
    )
    assert step_words(jog, None, imperial=True).endswith("Belt at 4.7 miles an hour.")


def test_a_form_reminder_20_seconds_into_each_backward_step_taking_turns() -> None:
    """The article's three form rules, one per backward step in turn, once the person has
    settled into the step: never in a forward step, never before its step has started."""
    steps = [WARM_UP]
    for _ in range(4):
        steps += [backward(120), forward(60)]
    timeline = build_timeline(session(*steps[:-1], COOL_DOWN))
    assert timeline.step_starts_s == (0, 300, 420, 480, 600, 660, 780, 840, 960)
    assert said(timeline, CueKind.FORM) == [
        (320, "Stand tall: don't lean back.", 1),
        (500, "Only a little knee bend.", 3),
        (680, "Land toes first, not on your heels.", 5),
        (860, "Stand tall: don't lean back.", 7),
    ]


def test_a_countdown_10_seconds_before_each_step_ends_says_what_comes_next() -> None:
    timeline = build_timeline(session(WARM_UP, backward(120), COOL_DOWN))
    assert said(timeline, CueKind.COUNTDOWN) == [
        (290, "10 seconds, then backward walk.", 0),
        (410, "10 seconds, then forward walk.", 1),
        (710, "10 seconds to go.", 2),
    ]
    assert countdown_words(forward(60)) == "10 seconds, then forward run."


def test_steps_shorter_than_40_seconds_get_no_form_reminder_or_countdown() -> None:
    """Under 40 s there is no room for extra words between the step's own cues; a short step
    does not take a form rule's turn, and the steps after it still get theirs."""
    timeline = build_timeline(session(backward(39), backward(40), backward(39)))
    assert [(cue.t_s, cue.kind) for cue in timeline.cues] == [
        (0, CueKind.STEP),
        (39, CueKind.STEP),
        (59, CueKind.FORM),
        (69, CueKind.COUNTDOWN),
        (79, CueKind.STEP),
        (118, CueKind.DONE),
    ]
    assert said(timeline, CueKind.FORM) == [(59, "Stand tall: don't lean back.", 1)]


def test_the_partner_set_up_is_said_20_seconds_in_when_a_partner_comes() -> None:
    with_partner = build_timeline(session(WARM_UP, backward(120), spotting=SPOTTING_SETUP))
    assert said(with_partner, CueKind.PARTNER) == [(20, SPOTTING_SETUP, 0)]
    alone = build_timeline(session(WARM_UP, backward(120)))
    assert said(alone, CueKind.PARTNER) == []


def test_two_reminders_due_at_once_are_said_4_seconds_apart() -> None:
    """Spoken words must not overlap: an optional cue keeps 4 s from any other, and waits no
    longer than that."""
    timeline = build_timeline(session(backward(120), forward(60), spotting=SPOTTING_SETUP))
    assert [(t, kind) for t, kind in ((c.t_s, c.kind) for c in timeline.cues) if t < 40] == [
        (0, CueKind.STEP),
        (20, CueKind.PARTNER),
        (24, CueKind.FORM),
    ]


def strides(*seconds: int) -> Workout:
    """Quick forward strides, then a minute's easy running: step cues every few seconds."""
    return session(*(forward(s) for s in seconds), forward(60), spotting=SPOTTING_SETUP)


def test_an_optional_cue_waits_up_to_20_seconds_for_a_free_moment() -> None:
    # Step cues at 0, 6, … 36 leave no second from 20 to 39 that is 4 s from them all.
    timeline = build_timeline(strides(6, 6, 6, 6, 6, 6))
    assert times(timeline, CueKind.STEP) == [0, 6, 12, 18, 24, 30, 36]
    assert times(timeline, CueKind.PARTNER) == [40]


def test_an_optional_cue_with_no_room_within_20_seconds_is_left_out() -> None:
    # Step cues at 0, 6, … 30, 34, 37: the first free second, 41, is 21 s after the 20 s wanted.
    timeline = build_timeline(strides(6, 6, 6, 6, 6, 4, 3))
    assert times(timeline, CueKind.STEP) == [0, 6, 12, 18, 24, 30, 34, 37]
    assert times(timeline, CueKind.PARTNER) == []


def test_no_cue_comes_after_the_session_is_done() -> None:
    """An optional cue needs 4 s before the end; pushed later, it would follow 'session done'."""
    room = build_timeline(session(forward(24), spotting=SPOTTING_SETUP))
    assert [(cue.t_s, cue.kind) for cue in room.cues] == [
        (0, CueKind.STEP),
        (20, CueKind.PARTNER),
        (24, CueKind.DONE),
    ]
    no_room = build_timeline(session(forward(22), spotting=SPOTTING_SETUP))
    assert [(cue.t_s, cue.kind) for cue in no_room.cues] == [(0, CueKind.STEP), (22, CueKind.DONE)]


def test_halfway_is_said_in_sessions_of_160_seconds_or_more() -> None:
    """Four times the shortest step that has room for extras; on the whole second at or before
    the exact middle."""
    assert said(build_timeline(session(forward(160))), CueKind.HALFWAY) == [(80, "Halfway.", 0)]
    assert said(build_timeline(session(forward(161))), CueKind.HALFWAY) == [(80, "Halfway.", 0)]
    assert said(build_timeline(session(forward(159))), CueKind.HALFWAY) == []


def test_halfway_belongs_to_the_step_under_way_at_the_middle() -> None:
    """At a step boundary the middle belongs to the step that starts there (the cue waits 4 s
    for the step's own announcement)."""
    at_boundary = build_timeline(session(forward(100), backward(100)))
    assert said(at_boundary, CueKind.HALFWAY) == [(104, "Halfway.", 1)]
    in_last_step = build_timeline(session(forward(100), backward(200)))
    assert said(in_last_step, CueKind.HALFWAY) == [(150, "Halfway.", 1)]
    in_first_step = build_timeline(session(forward(200), backward(100)))
    assert said(in_first_step, CueKind.HALFWAY) == [(150, "Halfway.", 0)]


def test_the_session_ends_with_one_done_cue_on_the_last_step() -> None:
    workout = session(WARM_UP, backward(120), COOL_DOWN)
    timeline = build_timeline(workout)
    assert timeline.duration_s == workout.duration_s == 720
    assert timeline.cues[-1] == Cue(720, CueKind.DONE, DONE_WORDS, 2)
    assert DONE_WORDS == "Session done. Well done. Log how it felt: your effort and any pain."
