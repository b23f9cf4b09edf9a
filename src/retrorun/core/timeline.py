"""The session timeline: the one list of cues (time, kind, words) every renderer plays.

The terminal timer, the web timer, the audio track, the watch file and the calendar text all
render this list; none of them makes up cues of its own. Cue times are whole seconds from the
start and strictly increasing, so a renderer never has to play two cues at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from retrorun.core.units import kmh_from_m_s, mph_from_m_s
from retrorun.core.workout import Mode, Setting, Step, StepKind, Workout

# The article: switch the shoulder you look over once a minute, to avoid a stiff neck.
SHOULDER_SWITCH_S = 60
# Our reasoning: a form reminder 20 s into a backward step, once the person has settled in.
FORM_CUE_AT_S = 20
# Our reasoning: a 10-second warning before each step ends, for steps long enough to need one.
COUNTDOWN_S = 10
MIN_STEP_FOR_EXTRAS_S = 40
PARTNER_CUE_AT_S = 20
# Optional cues keep this many seconds from any other cue, so spoken words never overlap.
MIN_GAP_S = 4


class CueKind(StrEnum):
    STEP = "step"
    SHOULDER = "shoulder"
    FORM = "form"
    PARTNER = "partner"
    HALFWAY = "halfway"
    COUNTDOWN = "countdown"
    DONE = "done"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


@dataclass(frozen=True)
class Cue:
    t_s: int
    kind: CueKind
    text: str
    step_index: int
    side: Side | None = None


@dataclass(frozen=True)
class Timeline:
    duration_s: int
    cues: tuple[Cue, ...]
    step_starts_s: tuple[int, ...]


def build_timeline(workout: Workout, imperial: bool = False) -> Timeline:
    """Compile a workout into its cues: required ones first, then extras where there is room."""
    starts = _step_starts(workout.steps)
    required = _required_cues(workout, starts, imperial)
    cues = {cue.t_s: cue for cue in required}
    for extra in _extra_cues(workout, starts):
        placed = _free_time(cues, extra.t_s, starts[-1])
        if placed is not None:
            cues[placed] = replace(extra, t_s=placed)
    ordered = tuple(cues[t] for t in sorted(cues))
    return Timeline(duration_s=workout.duration_s, cues=ordered, step_starts_s=tuple(starts[:-1]))


def _step_starts(steps: tuple[Step, ...]) -> list[int]:
    """Start second of each step, plus the end of the session as a last entry."""
    starts = [0]
    for step in steps:
        starts.append(starts[-1] + (step.duration_s or 0))
    return starts


def _required_cues(workout: Workout, starts: list[int], imperial: bool) -> list[Cue]:
    """Step starts, shoulder switches every minute of backward movement, and the end."""
    cues: list[Cue] = []
    side = Side.LEFT
    steps = workout.steps
    for index, step in enumerate(steps):
        t0, end = starts[index], starts[index + 1]
        previous = steps[index - 1] if index else None
        text = step_words(step, previous, imperial)
        if step.is_backward:
            cues.append(
                Cue(t0, CueKind.STEP, f"{text} Look over your {side} shoulder.", index, side)
            )
            for t in range(t0 + SHOULDER_SWITCH_S, end, SHOULDER_SWITCH_S):
                side = side.other()
                cues.append(Cue(t, CueKind.SHOULDER, shoulder_words(side), index, side))
            side = side.other()
        else:
            cues.append(Cue(t0, CueKind.STEP, text, index))
    cues.append(Cue(starts[-1], CueKind.DONE, DONE_WORDS, len(steps) - 1))
    return cues


def _extra_cues(workout: Workout, starts: list[int]) -> list[Cue]:
    """Form reminders, the partner set-up, countdowns and halfway: said only where they fit."""
    extras: list[Cue] = []
    steps = workout.steps
    if workout.spotting and steps:
        extras.append(Cue(PARTNER_CUE_AT_S, CueKind.PARTNER, workout.spotting, 0))
    form_index = 0
    for index, step in enumerate(steps):
        t0, end = starts[index], starts[index + 1]
        if end - t0 < MIN_STEP_FOR_EXTRAS_S:
            continue
        if step.is_backward and workout.form_cues:
            text = workout.form_cues[form_index % len(workout.form_cues)]
            extras.append(Cue(t0 + FORM_CUE_AT_S, CueKind.FORM, text, index))
            form_index += 1
        upcoming = steps[index + 1] if index + 1 < len(steps) else None
        extras.append(Cue(end - COUNTDOWN_S, CueKind.COUNTDOWN, countdown_words(upcoming), index))
    total = starts[-1]
    if total >= 4 * MIN_STEP_FOR_EXTRAS_S:
        half = total // 2
        extras.append(Cue(half, CueKind.HALFWAY, "Halfway.", _step_at(starts, half)))
    return extras


def _free_time(cues: dict[int, Cue], wanted: int, end: int) -> int | None:
    """The first time from `wanted` on, within 20 s, that keeps MIN_GAP_S from every cue."""
    for t in range(wanted, min(wanted + 20, end - MIN_GAP_S) + 1):
        if all(abs(t - other) >= MIN_GAP_S for other in cues):
            return t
    return None


def _step_at(starts: list[int], t: int) -> int:
    return max(i for i, start in enumerate(starts[:-1]) if start <= t)


DONE_WORDS = "Session done. Well done. Log how it felt: your effort and any pain."


def shoulder_words(side: Side) -> str:
    return f"Switch: look over your {side} shoulder."


def countdown_words(upcoming: Step | None) -> str:
    if upcoming is None:
        return "10 seconds to go."
    return f"10 seconds, then {upcoming.direction.value} {upcoming.mode.value}."


def step_words(step: Step, previous: Step | None, imperial: bool = False) -> str:
    """What to say as a step starts, in plain words."""
    amount = _amount_words(step)
    movement = f"{step.direction.value} {_verb(step.mode)}"
    if step.kind is StepKind.WARM_UP:
        words = f"Warm-up: {_verb(step.mode)} forward easily for {amount}."
    elif step.kind is StepKind.COOL_DOWN:
        words = f"Cool-down: {_verb(step.mode)} forward easily for {amount}."
    else:
        words = f"{movement.capitalize()} for {amount}, effort {step.rpe} out of 10."
    turning = previous is not None and previous.direction is not step.direction
    if turning and step.setting is Setting.TREADMILL:
        words = f"Hold the handrails and slow the belt to turn around. {words}"
    elif turning:
        words = f"Stop, then turn around. {words}"
    if step.speed_m_s:
        words += f" Belt at {_speed_words(step.speed_m_s, imperial)}."
    return words


def _verb(mode: Mode) -> str:
    return "walk" if mode is Mode.WALK else "run"


def _amount_words(step: Step) -> str:
    if step.duration_s is None:
        return f"{(step.distance_m or 0):.0f} metres"
    minutes, seconds = divmod(step.duration_s, 60)
    if seconds == 0:
        return _count(minutes, "minute")
    if minutes == 0:
        return _count(seconds, "second")
    return f"{_count(minutes, 'minute')} {_count(seconds, 'second')}"


def _count(number: int, unit: str) -> str:
    """'1 minute', '2 minutes': a step of 90 s is '1 minute 30 seconds', not '1 minutes'."""
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _speed_words(speed_m_s: float, imperial: bool) -> str:
    if imperial:
        return f"{mph_from_m_s(speed_m_s):.1f} miles an hour"
    return f"{kmh_from_m_s(speed_m_s):.1f} kilometres an hour"
