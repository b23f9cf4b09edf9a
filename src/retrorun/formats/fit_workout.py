"""A session as a FIT workout file that a Garmin watch runs step by step.

The watch renders the session timeline, like every other front end: each backward step is cut
at the timeline's step and shoulder cues into pieces named "BACK L" / "BACK R", so the watch
beeps at every shoulder switch and shows which shoulder to look over. Forward steps are one
watch step each, with the words of their timeline cues as notes. Runs of identical pieces are
written once inside a repeat step, which keeps the file short and the watch screen readable.

Written with Garmin's own FIT SDK Encoder. It drops sub-field names (`duration_time`,
`custom_target_speed_low`, `repeat_steps`, ...), so the main fields are written with raw values:
durations in ms, speeds in mm/s, repeat start index and count (DEPENDENCIES.md section 2b).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from garmin_fit_sdk import Encoder, Profile

from retrorun.core.timeline import Cue, CueKind, Side, Timeline
from retrorun.core.workout import Direction, Mode, Session, Step, StepKind, Workout

# FIT strings are one length byte long, with a terminating zero: at most 254 bytes of text.
MAX_TEXT_BYTES = 254
# Our reasoning: a speed target of about one treadmill belt setting either side of the planned
# speed; a wrist watch measures belt speed roughly, so a tighter range would only nag.
SPEED_MARGIN_M_S = 0.1
# FIT custom heart-rate targets: 0–100 is a percentage of maximum, bpm are written plus 100
# (the FIT profile's workout_hr type).
FIT_BPM_OFFSET = 100
# Watches show about 15 characters of a workout or step name.
MAX_NAME_CHARS = 15

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SIDE_LETTER = {Side.LEFT: "L", Side.RIGHT: "R"}
INTENSITY = {
    StepKind.WARM_UP: "warmup",
    StepKind.MAIN: "active",
    StepKind.RECOVERY: "recovery",
    StepKind.COOL_DOWN: "cooldown",
}

_MESG = Profile["mesg_num"]


@dataclass(frozen=True)
class WatchStep:
    """One timed step as the watch shows it (a backward step gives one per minute)."""

    name: str
    notes: str
    intensity: str  # FIT intensity: warmup, active, recovery, cooldown
    duration_s: int
    speed_range_m_s: tuple[float, float] | None
    direction: Direction
    heart_rate_bpm: tuple[int, int] | None = None  # a target where no belt speed is set


@dataclass(frozen=True)
class WatchRepeat:
    """`steps`, done `times` times in all (FIT: a repeat_until_steps_cmplt step after them)."""

    steps: tuple[WatchStep, ...]
    times: int


WatchBlock = WatchStep | WatchRepeat


def workout_to_fit(session: Session, timeline: Timeline) -> bytes:
    """The FIT workout file for a session: file_id, workout, then the workout steps.

    The file's identity (serial number, creation time) comes from the session date, so the
    same session always gives the same bytes and a watch tells the days of a week apart.
    """
    messages = fit_step_messages(watch_blocks(session.workout, timeline))
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": _MESG["FILE_ID"],
            "type": "workout",
            "manufacturer": "development",
            "product": 0,
            "serial_number": int(session.date.strftime("%Y%m%d")),
            "time_created": datetime.combine(session.date, time(0), tzinfo=UTC),
        }
    )
    encoder.write_mesg(
        {
            "mesg_num": _MESG["WORKOUT"],
            "wkt_name": workout_name(session),
            "sport": workout_sport(session.workout),
            "num_valid_steps": len(messages),
            "wkt_description": fit_text(session.workout.title),
        }
    )
    for message in messages:
        encoder.write_mesg(message)
    data: bytes = encoder.close()
    return data


def workout_name(session: Session) -> str:
    """A name short enough for a watch screen, e.g. 'Retro W1 Wed' or 'Run W2 Thu'."""
    kind = "Retro" if session.workout.has_backward else "Run"
    return f"{kind} W{session.week} {WEEKDAYS[session.date.weekday()]}"[:MAX_NAME_CHARS]


def workout_sport(workout: Workout) -> str:
    """Walking when every step is a walk (the watch then shows walking data), else running."""
    return "walking" if all(step.mode is Mode.WALK for step in workout.steps) else "running"


def step_directions(workout: Workout, timeline: Timeline) -> list[Direction | None]:
    """The direction of each FIT workout step written for this workout, by message_index.

    A watch activity recorded from the workout marks each lap with the `wkt_step_index` it
    ran, so this tells which laps were backward. Repeat steps have no direction (None).
    """
    directions: list[Direction | None] = []
    for block in watch_blocks(workout, timeline):
        if isinstance(block, WatchRepeat):
            directions.extend(step.direction for step in block.steps)
            directions.append(None)
        else:
            directions.append(block.direction)
    return directions


def watch_blocks(workout: Workout, timeline: Timeline) -> list[WatchBlock]:
    """The watch steps with identical consecutive groups folded into repeats."""
    return compress(watch_steps(workout, timeline))


def watch_steps(workout: Workout, timeline: Timeline) -> list[WatchStep]:
    """Every step the watch will run, in order, cut at the timeline's step and shoulder cues."""
    _check_timeline(workout, timeline)
    form_notes = " ".join(_distinct_texts(timeline, CueKind.FORM))
    ends = [*timeline.step_starts_s[1:], timeline.duration_s]
    pieces: list[WatchStep] = []
    for index, step in enumerate(workout.steps):
        cues = [cue for cue in timeline.cues if cue.step_index == index]
        if step.is_backward:
            start, end = timeline.step_starts_s[index], ends[index]
            pieces.extend(_backward_pieces(step, cues, start, end, form_notes))
        else:
            pieces.append(_forward_step(step, cues))
    return pieces


def compress(steps: list[WatchStep]) -> list[WatchBlock]:
    """Fold runs of an identical group of steps into one repeat, greedily from the start.

    At each position the group length that saves the most FIT steps wins (a repeat costs one
    step itself); with no saving the step is written as it is. Repeats are never nested, which
    every watch that runs workouts understands.
    """
    blocks: list[WatchBlock] = []
    start = 0
    while start < len(steps):
        best_saving, best_length, best_times = 0, 1, 1
        for length in range(1, (len(steps) - start) // 2 + 1):
            group = steps[start : start + length]
            times = 1
            while steps[start + times * length : start + (times + 1) * length] == group:
                times += 1
            saving = length * (times - 1) - 1
            if saving > best_saving:
                best_saving, best_length, best_times = saving, length, times
        if best_times > 1:
            blocks.append(WatchRepeat(tuple(steps[start : start + best_length]), best_times))
        else:
            blocks.append(steps[start])
        start += best_length * best_times
    return blocks


def fit_step_messages(blocks: list[WatchBlock]) -> list[dict[str, Any]]:
    """The workout_step messages, numbered; a repeat points back at its first step."""
    messages: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, WatchStep):
            messages.append(_step_message(len(messages), block))
            continue
        first = len(messages)
        for step in block.steps:
            messages.append(_step_message(len(messages), step))
        messages.append(
            {
                "mesg_num": _MESG["WORKOUT_STEP"],
                "message_index": len(messages),
                "duration_type": "repeat_until_steps_cmplt",
                "duration_value": first,  # the message_index to go back to
                "target_type": "open",
                "target_value": block.times,  # how many times in all
            }
        )
    return messages


def fit_text(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    """`text` cut to fit a FIT string field, at a word, with an ellipsis when cut."""
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[: limit - len("…".encode())].decode(errors="ignore")
    return cut.rsplit(" ", 1)[0] + "…"


def _step_message(index: int, step: WatchStep) -> dict[str, Any]:
    message: dict[str, Any] = {
        "mesg_num": _MESG["WORKOUT_STEP"],
        "message_index": index,
        "wkt_step_name": step.name,
        "notes": step.notes,
        "intensity": step.intensity,
        "duration_type": "time",
        "duration_value": step.duration_s * 1000,  # ms
    }
    if step.speed_range_m_s is None and step.heart_rate_bpm is not None:
        low_bpm, high_bpm = step.heart_rate_bpm
        message |= {
            "target_type": "heart_rate",
            "target_value": 0,  # 0: a custom range, not a heart-rate zone
            "custom_target_value_low": low_bpm + FIT_BPM_OFFSET,
            "custom_target_value_high": high_bpm + FIT_BPM_OFFSET,
        }
    elif step.speed_range_m_s is None:
        message |= {"target_type": "open", "target_value": 0}
    else:
        low, high = step.speed_range_m_s
        message |= {
            "target_type": "speed",
            "target_value": 0,  # 0: a custom range, not a speed zone
            "custom_target_value_low": round(low * 1000),  # mm/s
            "custom_target_value_high": round(high * 1000),
        }
    return message


def _backward_pieces(
    step: Step, cues: list[Cue], start_s: int, end_s: int, form_notes: str
) -> list[WatchStep]:
    """One watch step from each step or shoulder cue to the next: one per shoulder.

    The notes say walk or run (the name has no room for it) and the timeline's form cues.
    """
    turns = [
        (cue.t_s, cue.side)
        for cue in cues
        if cue.kind in (CueKind.STEP, CueKind.SHOULDER) and cue.side is not None
    ]
    if not turns or turns[0][0] != start_s:
        raise ValueError("the timeline has no shoulder cue at the start of a backward step")
    bounds = [t_s for t_s, _ in turns[1:]] + [end_s]
    what = f"Backward {step.mode.value}, effort {step.rpe} out of 10."
    return [
        WatchStep(
            name=f"BACK {SIDE_LETTER[side]}",
            notes=fit_text(f"{what} {form_notes}".strip()),
            intensity=INTENSITY[step.kind],
            duration_s=bound - t_s,
            speed_range_m_s=_speed_range(step),
            direction=step.direction,
            heart_rate_bpm=step.heart_rate_bpm,
        )
        for (t_s, side), bound in zip(turns, bounds, strict=True)
    ]


def _forward_step(step: Step, cues: list[Cue]) -> WatchStep:
    """The whole step as one watch step; its notes are what the timeline says as it starts."""
    said = [cue.text for cue in cues if cue.kind in (CueKind.STEP, CueKind.PARTNER)]
    return WatchStep(
        name=_forward_name(step),
        notes=fit_text(" ".join(said)),
        intensity=INTENSITY[step.kind],
        duration_s=step.duration_s or 0,
        speed_range_m_s=_speed_range(step),
        direction=step.direction,
        heart_rate_bpm=step.heart_rate_bpm,
    )


def _forward_name(step: Step) -> str:
    if step.kind is StepKind.WARM_UP:
        return "WARM UP"
    if step.kind is StepKind.COOL_DOWN:
        return "COOL DOWN"
    if step.mode is Mode.WALK:
        return "FWD WALK"
    # Recovery between backward intervals is slow forward jogging (Guardian 2006).
    return "FWD JOG" if step.kind is StepKind.RECOVERY else "FWD RUN"


def _speed_range(step: Step) -> tuple[float, float] | None:
    if not step.speed_m_s:
        return None
    low = max(step.speed_m_s - SPEED_MARGIN_M_S, 0.1)
    return round(low, 3), round(step.speed_m_s + SPEED_MARGIN_M_S, 3)


def _distinct_texts(timeline: Timeline, kind: CueKind) -> list[str]:
    """The texts of one kind of cue, each once, in the order the timeline says them."""
    return list(dict.fromkeys(cue.text for cue in timeline.cues if cue.kind is kind))


def _check_timeline(workout: Workout, timeline: Timeline) -> None:
    """Refuse a timeline of another workout, and steps a watch cannot time."""
    if any(step.duration_s is None for step in workout.steps):
        raise ValueError("a watch workout needs timed steps; this workout has a distance step")
    starts, t = [], 0
    for step in workout.steps:
        starts.append(t)
        t += step.duration_s or 0
    if tuple(starts) != timeline.step_starts_s or t != timeline.duration_s:
        raise ValueError("the timeline does not belong to this workout")
