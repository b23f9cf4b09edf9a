"""The energy of a recorded activity, second by second (pure: no I/O, no database).

A recording is noisy: GPS positions jitter, altitude drifts, sensors drop out, watches pause.
So the samples are cleaned before the energy model (`core.energy.energy_series`) sees them:
speed comes from the device where it wrote one, else from distance over a few samples; grade
from altitude over about half a minute of ground; impossible values (beyond `core.limits`) are
replaced by their neighbours' rather than failing the import; pauses cost nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from retrorun.core.energy import KEYTEL_MODEL_NAME, energy_series, estimate_energy
from retrorun.core.limits import (
    MAX_ABS_GRADE,
    MAX_BACKWARD_SPEED_M_S,
    MAX_FORWARD_SPEED_M_S,
    MAX_HEART_RATE_BPM,
    MIN_HEART_RATE_BPM,
)
from retrorun.core.profile import Profile
from retrorun.core.workout import Direction

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# Our reasoning: while moving, watches write a sample at least every ~8 s even in "smart"
# recording; a longer gap is a pause (auto-pause, a stop), which costs nothing extra here.
MAX_SAMPLE_GAP_S = 10.0
# Our reasoning: speed from GPS distance over ±2 samples (5 s at 1 Hz) evens out position
# jitter, which would otherwise inflate the cost (backward walking cost is convex in speed).
SPEED_WINDOW_SAMPLES = 2
# Our reasoning: grade over ±15 samples (~30 s) and at least 10 m of ground, so that altitude
# noise (GPS ±5 m, barometer ±1 m) does not turn a level run into steep hills.
GRADE_WINDOW_SAMPLES = 15
MIN_GRADE_RUN_M = 10.0

SPEED_MODEL_NAME = "speed (ACSM + backward model)"

# The energy model is for walking and running (ACSM; backward from the studies in core.energy).
# Sport names as the parsers write them: FIT's sport enum (formats.fit), GPX `trk/type` as
# Garmin Connect, Strava and phone apps write it (formats.gpx), TCX's Running (formats.tcx).
# Hiking is walking on hills, which the grade term covers.
WALK_OR_RUN_SPORTS = frozenset({"running", "walking", "hiking"})
# FIT sub-sports that are a walk or run whatever the sport says (FIT profile: treadmill is
# "Run/Fitness Equipment", indoor_walking "Walk/Fitness Equipment").
WALK_OR_RUN_SUB_SPORTS = frozenset(
    {"treadmill", "indoor_running", "indoor_walking", "casual_walking", "speed_walking"}
)
# Sports that say nothing: FIT "generic", and TCX "Other" (read as "generic"), which is how TCX
# writes every sport but running and biking, walks included. A backward walk exported as TCX
# cannot be told from a paddle, so these are estimated as a walk or run, and say so.
UNKNOWN_SPORTS = frozenset({"generic", "other"})
UNKNOWN_SPORT_NOTE = "sport unknown: taken as a walk or run"
SPORT_WORDS = {"stand_up_paddleboarding": "stand-up paddling", "e_biking": "e-biking"}
# Raise when the rules of the estimate change, so that stored estimates are worked out again
# (`energy_inputs`). 2: no estimate for sports other than walking or running. 3: backward
# walking uphill fitted to Compendium 17325; `auto` held at the walk–run switch uphill.
ENERGY_RULES_VERSION = 3


class RecordedStreams(Protocol):
    """The per-sample columns this needs (`formats.activity.Streams` is one). NaN = missing."""

    @property
    def time_s(self) -> FloatArray: ...

    @property
    def distance_m(self) -> FloatArray: ...

    @property
    def speed_m_s(self) -> FloatArray: ...

    @property
    def altitude_m(self) -> FloatArray: ...

    @property
    def heart_rate_bpm(self) -> FloatArray: ...

    def __len__(self) -> int: ...


class RecordedActivity(Protocol):
    """What this needs of an activity (`formats.activity.Activity` is one)."""

    @property
    def duration_s(self) -> float: ...

    @property
    def distance_m(self) -> float | None: ...

    @property
    def sport(self) -> str | None: ...

    @property
    def sub_sport(self) -> str | None: ...

    @property
    def streams(self) -> RecordedStreams: ...


@dataclass(frozen=True)
class Energy:
    kcal: float | None
    model: str  # which estimate, or why there is none


def estimate_kcal(
    activity: RecordedActivity,
    backward: BoolArray,
    backward_s: float,
    profile: Profile | None,
    practice_sessions: int,
) -> Energy:
    """The energy model over the recorded samples; Keytel 2005 where heart rate is known.

    Speed comes from the device where it wrote one, else from distance over time; impossible
    values (GPS spikes, sensor dropouts) are replaced by their neighbours' rather than failing
    the import. Heart rate is used when age and sex are known (Keytel 2005 needs both).
    `backward` marks the backward samples; `backward_s` is used when there are no samples.
    A sport that is not a walk or run gets no estimate: the model would be a guess for it.
    """
    other_sport = not_walk_or_run(activity.sport, activity.sub_sport)
    if other_sport is not None:
        return Energy(None, f"not a walk or run ({other_sport}): no estimate")
    energy = _walk_or_run_kcal(activity, backward, backward_s, profile, practice_sessions)
    if energy.kcal is not None and (activity.sport is None or activity.sport in UNKNOWN_SPORTS):
        return Energy(energy.kcal, f"{energy.model}; {UNKNOWN_SPORT_NOTE}")
    return energy


def not_walk_or_run(sport: str | None, sub_sport: str | None) -> str | None:
    """The sport in words when it is known and is neither a walk nor a run, else None."""
    if sport is None or sport in UNKNOWN_SPORTS or sport in WALK_OR_RUN_SPORTS:
        return None
    if sub_sport in WALK_OR_RUN_SUB_SPORTS:
        return None
    return SPORT_WORDS.get(sport, sport.replace("_", " "))


def _walk_or_run_kcal(
    activity: RecordedActivity,
    backward: BoolArray,
    backward_s: float,
    profile: Profile | None,
    practice_sessions: int,
) -> Energy:
    if profile is None:
        return Energy(None, "no profile: set your body mass (retrorun profile set) for energy")
    streams = activity.streams
    if len(streams) == 0:
        return _energy_from_totals(activity, backward_s, profile, practice_sessions)
    speed = _speed_m_s(streams, backward)
    # Keytel 2005 needs the sex as well as the age (a profile always has an age, 10 or more)
    heart_rate = _heart_rate_bpm(streams) if profile.sex in ("male", "female") else None
    if speed is None and heart_rate is None:
        return Energy(None, "no speed, distance or usable heart rate recorded")
    series = energy_series(
        speed if speed is not None else np.zeros(len(streams)),
        _grade(streams),
        backward,
        mass_kg=profile.mass_kg,
        sample_s=_sample_s(streams.time_s),
        backward_sessions_done=practice_sessions,
        heart_rate_bpm=heart_rate,
        age_years=float(profile.age_years),
        sex=profile.sex,
    )
    # the heart rate's gaps were filled, so it is used for every sample or for none
    model = KEYTEL_MODEL_NAME if heart_rate is not None else SPEED_MODEL_NAME
    return Energy(series.total_kcal, model)


def _energy_from_totals(
    activity: RecordedActivity, backward_s: float, profile: Profile, practice_sessions: int
) -> Energy:
    """No samples (a manual treadmill entry): the average speed, backward and forward time."""
    if not activity.distance_m or activity.duration_s <= 0:
        return Energy(None, "no samples and no distance to estimate from")
    speed = activity.distance_m / activity.duration_s
    kcal = 0.0
    parts = (
        (Direction.BACKWARD, backward_s),
        (Direction.FORWARD, activity.duration_s - backward_s),
    )
    for direction, seconds in parts:
        if seconds > 0:
            backward = direction is Direction.BACKWARD
            limit = MAX_BACKWARD_SPEED_M_S if backward else MAX_FORWARD_SPEED_M_S
            estimate = estimate_energy(
                direction,
                min(speed, limit),
                profile.mass_kg,
                duration_s=seconds,
                backward_sessions_done=practice_sessions,  # counts only backward
            )
            kcal += estimate.kcal or 0.0
    return Energy(kcal, f"{SPEED_MODEL_NAME}, from the average speed")


def _speed_m_s(streams: RecordedStreams, backward: BoolArray) -> FloatArray | None:
    speed = streams.speed_m_s.copy()
    missing = ~np.isfinite(speed)
    if missing.any():
        distance = _filled(streams.distance_m, streams.time_s)
        if distance is not None:
            speed[missing] = _windowed_rate(distance, streams.time_s, SPEED_WINDOW_SAMPLES)[missing]
    limit = np.where(backward, MAX_BACKWARD_SPEED_M_S, MAX_FORWARD_SPEED_M_S)
    with np.errstate(invalid="ignore"):
        possible = (speed >= 0) & (speed <= limit)
    return _filled(np.where(possible, speed, np.nan), streams.time_s)


def _heart_rate_bpm(streams: RecordedStreams) -> FloatArray | None:
    heart_rate = streams.heart_rate_bpm
    with np.errstate(invalid="ignore"):
        possible = (heart_rate >= MIN_HEART_RATE_BPM) & (heart_rate <= MAX_HEART_RATE_BPM)
    return _filled(np.where(possible, heart_rate, np.nan), streams.time_s)


def _grade(streams: RecordedStreams) -> FloatArray:
    altitude = _filled(streams.altitude_m, streams.time_s)
    distance = _filled(streams.distance_m, streams.time_s)
    if altitude is None or distance is None:
        return np.zeros(len(streams))
    first, last = _window(len(streams), GRADE_WINDOW_SAMPLES)
    run = distance[last] - distance[first]
    rise = altitude[last] - altitude[first]
    grade = np.divide(rise, run, out=np.zeros_like(rise), where=run >= MIN_GRADE_RUN_M)
    return np.clip(grade, -MAX_ABS_GRADE, MAX_ABS_GRADE)


def _sample_s(time_s: FloatArray) -> FloatArray:
    """Each sample stands for the time until the next one, pauses left out (samples: 1 or more)."""
    gaps = np.diff(time_s, append=time_s[-1] + 1.0)
    gaps[~np.isfinite(gaps)] = 0.0
    return np.clip(gaps, 0.0, MAX_SAMPLE_GAP_S)


def _window(n: int, half: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The first and last sample of the window `half` samples either side, cut at the ends."""
    index = np.arange(n)
    return np.maximum(index - half, 0), np.minimum(index + half, n - 1)


def _windowed_rate(values: FloatArray, time_s: FloatArray, half: int) -> FloatArray:
    first, last = _window(values.size, half)
    dt = time_s[last] - time_s[first]
    dv = values[last] - values[first]
    rate: FloatArray = np.divide(dv, dt, out=np.full(dv.shape, np.nan), where=dt > 0)
    return rate


def _filled(values: FloatArray, time_s: FloatArray) -> FloatArray | None:
    """Gaps filled from the neighbours in time (ends held flat); None when nothing is known."""
    known = np.isfinite(values)
    if not known.any():
        return None
    if known.all():
        return values
    in_order = np.isfinite(time_s).all() and bool((np.diff(time_s) >= 0).all())
    x = time_s if in_order else np.arange(time_s.size)
    return np.interp(x, x[known], values[known])


def energy_inputs(profile: Profile | None, practice_sessions: int) -> str:
    """What an estimate depends on besides the recording, as one comparable string: when it
    changes (body mass, age, sex, the practice before the activity, the rules themselves), the
    estimate is stale."""
    rules = f"rules={ENERGY_RULES_VERSION}"
    if profile is None:
        return f"{rules};no profile"
    return (
        f"{rules};mass={profile.mass_kg:g};age={profile.age_years};sex={profile.sex};"
        f"practice={practice_sessions}"
    )
