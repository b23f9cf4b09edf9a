"""Energy cost of walking and running, forward and backward (pure: no I/O, no clock).

Why this model, in short (SCIENCE.md section 2 has the sources):

* **Forward** is the ACSM metabolic equations, exactly: walking VO2 = 3.5 + 0.1·S + 1.8·S·G,
  running VO2 = 3.5 + 0.2·S + 0.9·S·G (S in m/min, G a fraction). No backward equation exists.
* **Backward walking** = the forward ACSM walking cost plus an extra that grows with the square of
  speed, so the cost is convex in speed as Myatt 1995 and Clarkson 1997 measured over 0.89–1.91 m/s,
  the extra vanishes as speed goes to zero (the curve can never fall below forward), and the one
  number we have for it, Compendium 2011 code 17320 (93.8 m/min level = 6.0 MET), is hit exactly.
  That gives 21.0 ml/kg/min at 93.8 m/min (forward ACSM: 12.9), about 30 % above forward at
  0.89 m/s and about 80 % above forward at 1.91 m/s.
* **Backward running** = the forward ACSM running net (above-rest) cost × 1.35: Rasica 2020 found
  ~35 % more per distance at gradients 0–25 %; Cavagna 2011's "nearly 30 %" is a cross-check.
* **Grade, running backward**: Rasica 2020 saw the same ~35 % extra at every gradient from 0 to
  25 %, so the ACSM running grade term is × 1.35 backward.
* **Grade, walking backward**: Chaloupka 1997 measured backward walking at 93.8 m/min on the
  level and at 5 %, and the Compendium's two backward-walking codes are those bouts: 17320
  (level) 6.0 MET and 17325 (5 % grade) 8.0 MET. The climb from one to the other, 7.0 ml/kg/min,
  is 0.83 × the ACSM walking grade term (1.8·S·G = 8.44 there), so the backward walking grade
  term is the ACSM one × 0.83, fitted to that one pair. Carrying Rasica's running factor (× 1.35)
  over to walking, as this model once did, gave 9.3 MET at 5 %: 16 % above the measurement.
  Hooper 2004 (5, 7.5 and 10 %) found backward walking 17–20 % dearer than forward (as % of
  VO2max; their speed is not in the abstract); at 93.8 m/min this term gives 31, 23 and 18 %.
  Beyond 10 % nothing is published for backward walking: the same term is carried on in
  proportion, the plainest assumption, and the result is flagged. Backward has cost more than
  forward at every grade measured (Chaloupka 1997, Hooper 2004), and a smaller climb term would
  take slow, steep backward walking below forward: backward is never estimated below forward at
  the same speed, grade and gait.
* **Downhill** there is no backward evidence, and the ACSM equations are not validated downhill:
  the forward grade term is used unchanged for both directions, and the net cost is never allowed
  below half the level net cost (our own stated reasoning; the minimum downhill cost is about half
  of level, Minetti et al. 2002 [M]).
* **The walk–run switch** (`mode="auto"`): walking below the preferred transition speed, running
  from it (Hreljac 2005 backward, ≈ 2.0 m/s forward). The ACSM running grade term is half the
  walking one, so uphill the running estimate just past the switch can fall below the walking one
  just before it (forward from an 11 % grade; backward from 29 % for a novice, down to 11 %
  with practice), and going faster would cost less. In `auto`, running therefore never costs less
  than walking at the switch speed on the same grade (our stated reasoning: a change of gait at a
  steady effort is no saving); on the level it never binds, since running at the switch costs
  more than walking (Hreljac 2005).
* **Familiarisation**: study participants (and so Compendium 17320 and Rasica 2020) had at most a
  short lab familiarisation and no backward training; we take that as `backward_sessions_done = 0`.
  Practice multiplies the backward VO2 by 1 − 0.30·(1 − e^(−n/12)): Heath 2001's 12 sessions give
  −19.0 % (they measured −19 %), levelling toward Terblanche 2005's −30 %. The cost never rises
  with practice and never drops below forward at the same speed, grade and gait.
* **Heart rate**: when HR, age, sex and mass are all known, Keytel 2005 replaces the speed model,
  because a measured HR already carries the person's fitness and practice.

Comparisons here are at equal *speed*. The source article's "20–40 % more" is at equal *time*,
where a backward mover's slower pace makes the per-minute difference smaller.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from retrorun.core import limits, units
from retrorun.errors import InvalidInput

if TYPE_CHECKING:  # NumPy is imported where arrays are made, so importing this is quick
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    FloatArray = NDArray[np.float64]
    BoolArray = NDArray[np.bool_]

# One value or a series: the Keytel formulas are plain arithmetic, so floats never touch NumPy.
FloatOrArray = TypeVar("FloatOrArray", float, "FloatArray")

Direction = Literal["forward", "backward"]
Mode = Literal["walk", "run"]

# --- Units -----------------------------------------------------------------------------------
RESTING_VO2_ML_KG_MIN = 3.5  # ACSM: resting component of the metabolic equations, = 1 MET
ML_O2_PER_KG_MIN_PER_MET = 3.5  # ACSM: 1 MET = 3.5 ml O2/kg/min
KCAL_PER_LITRE_O2 = 5.0  # ACSM: ≈ 5 kcal per litre of O2
KJ_PER_KCAL = units.KJ_PER_KCAL  # the thermochemical calorie (Keytel 2005 reports kJ/min)
SECONDS_PER_MINUTE = units.S_PER_MIN

# --- Forward: ACSM metabolic equations --------------------------------------------------------
WALK_HORIZONTAL = 0.1  # ACSM walking: 0.1 ml/kg/min per m/min
WALK_VERTICAL = 1.8  # ACSM walking: 1.8 · S · G
RUN_HORIZONTAL = 0.2  # ACSM running: 0.2 ml/kg/min per m/min
RUN_VERTICAL = 0.9  # ACSM running: 0.9 · S · G
ACSM_WALK_MIN_M_MIN = 50.0  # ACSM: walking equation valid from 50 m/min
ACSM_WALK_MAX_M_MIN = 100.0  # ACSM: walking equation valid to 100 m/min
ACSM_RUN_MIN_M_MIN = 134.0  # ACSM: running equation valid above 134 m/min
ACSM_JOG_MIN_M_MIN = 80.0  # ACSM: or from 80 m/min if truly jogging
DOWNHILL_FLOOR_FRACTION = 0.5  # our reasoning: downhill net ≥ ½ level net (Minetti 2002 [M])

# --- Backward ---------------------------------------------------------------------------------
COMPENDIUM_BACKWARD_WALK_M_MIN = 93.8  # Compendium 2011 code 17320: 3.5 mph = 93.8 m/min, level
COMPENDIUM_BACKWARD_WALK_MET = 6.0  # Compendium 2011 code 17320: 6.0 MET
# [I] chosen so that 3.5 + 0.1·S + k·S² = 6.0 MET (21.0 ml/kg/min) at S = 93.8 m/min:
BACKWARD_WALK_QUADRATIC = (
    COMPENDIUM_BACKWARD_WALK_MET * ML_O2_PER_KG_MIN_PER_MET
    - RESTING_VO2_ML_KG_MIN
    - WALK_HORIZONTAL * COMPENDIUM_BACKWARD_WALK_M_MIN
) / COMPENDIUM_BACKWARD_WALK_M_MIN**2
BACKWARD_RUN_FACTOR = 1.35  # Rasica 2020: backward running ~35 % more per distance, 0–25 % grade
BACKWARD_RUN_UPHILL_FACTOR = 1.35  # Rasica 2020: the same ~35 % held up to 25 %, so on the lift too
BACKWARD_RUN_GRADE_STUDIED_MAX = 0.25  # Rasica 2020: gradients 0–25 %
COMPENDIUM_BACKWARD_UPHILL_GRADE = 0.05  # Compendium 2011 code 17325: 3.5 mph, 5 % grade
COMPENDIUM_BACKWARD_UPHILL_MET = 8.0  # Compendium 2011 code 17325: 8.0 MET (Chaloupka 1997)
# [I] chosen so that the climb from 17320 (6.0 MET) to 17325 (8.0 MET) at 93.8 m/min is
# factor × 1.8·S·G: (8.0 − 6.0) × 3.5 / (1.8 × 93.8 × 0.05) = 0.829
BACKWARD_WALK_UPHILL_FACTOR = (
    (COMPENDIUM_BACKWARD_UPHILL_MET - COMPENDIUM_BACKWARD_WALK_MET) * ML_O2_PER_KG_MIN_PER_MET
) / (WALK_VERTICAL * COMPENDIUM_BACKWARD_WALK_M_MIN * COMPENDIUM_BACKWARD_UPHILL_GRADE)
BACKWARD_WALK_GRADE_STUDIED_MAX = 0.10  # Hooper 2004: backward walking at 5, 7.5 and 10 %
BACKWARD_WALK_STUDIED_MIN_M_S = 0.89  # Myatt 1995, Clarkson 1997: treadmill 0.89–1.91 m/s
BACKWARD_WALK_STUDIED_MAX_M_S = 1.91  # Myatt 1995, Clarkson 1997: treadmill 0.89–1.91 m/s
BACKWARD_WALK_RUN_TRANSITION_M_S = 1.63  # Hreljac 2005: preferred transition 1.63 ± 0.11 m/s
FORWARD_WALK_RUN_TRANSITION_M_S = 2.0  # widely quoted ≈ 2.0 m/s [M], a default to revisit

# --- Familiarisation --------------------------------------------------------------------------
PRACTICE_MAX_SAVING = 0.30  # Terblanche 2005: 6 weeks of backward training cut VO2 ~30 %
PRACTICE_SESSION_SCALE = 12.0  # Heath 2001: 12 sessions → −19 %; 0.30·(1 − e^−1) = 0.190
PRACTICE_STUDIED_SESSIONS = 18  # Terblanche 2005: 6 weeks, ≈ 18 sessions at 3 a week [I]

# --- Heart rate: Keytel et al. 2005 (kJ/min; [M] in SCIENCE.md) --------------------------------
KEYTEL_MALE = (-55.0969, 0.6309, 0.1988, 0.2017)  # Keytel 2005: intercept, HR, mass, age
KEYTEL_FEMALE = (-20.4022, 0.4472, -0.1263, 0.074)  # Keytel 2005: intercept, HR, mass, age
KEYTEL_LOW_HR_BPM = 90.0  # our reasoning: the equations come from exercise HR; poor near rest

# --- Intensity bands --------------------------------------------------------------------------
LIGHT_BELOW_MET = 3.0  # ACSM: light < 3 MET
VIGOROUS_FROM_MET = 6.0  # ACSM (Riebe 2015): vigorous ≥ 6 MET; moderate 3 to < 6

# --- Physical limits (refuse beyond these): one table for every module, sources in core.limits --
MAX_FORWARD_SPEED_M_S = limits.MAX_FORWARD_SPEED_M_S
MAX_BACKWARD_SPEED_M_S = limits.MAX_BACKWARD_SPEED_M_S
MAX_ABS_GRADE = limits.MAX_ABS_GRADE
MIN_MASS_KG = limits.MIN_MASS_KG
MAX_MASS_KG = limits.MAX_MASS_KG
MIN_HEART_RATE_BPM = limits.MIN_HEART_RATE_BPM
MAX_HEART_RATE_BPM = limits.MAX_HEART_RATE_BPM
MAX_AGE_YEARS = limits.MAX_AGE_YEARS

# --- Typical speeds when none is known (SCIENCE.md sections 3 and 5, and our reasoning) ---------
TYPICAL_SPEED_M_S: dict[tuple[str, str], float] = {
    ("backward", "walk"): 0.9,  # SCIENCE.md §5: start at 0.5–0.9 m/s; §3: studies from 0.89 m/s
    ("backward", "run"): 2.2,  # SCIENCE.md §3: trained 134–161 m/min (Ordway 2016), lower end
    ("forward", "walk"): 1.4,  # our reasoning: a usual preferred walking speed [M]
    ("forward", "run"): 2.8,  # our reasoning: an easy run, ≈ 10 km/h
}

MODEL_NAMES: dict[tuple[str, str], str] = {
    ("forward", "walk"): "ACSM walking",
    ("forward", "run"): "ACSM running",
    ("backward", "walk"): "ACSM walking + convex backward extra (Compendium 17320)",
    ("backward", "run"): "ACSM running ×backward factor 1.35 (Rasica 2020)",
}
KEYTEL_MODEL_NAME = "Keytel 2005 heart rate"


@dataclass(frozen=True)
class EnergyEstimate:
    """One estimate of the energy cost of moving at a steady speed and grade."""

    vo2_ml_kg_min: float
    met: float
    kcal_per_min: float
    kcal: float | None  # for the duration, when one was given
    direction: Direction
    mode: Mode  # the gait used (after `auto` was resolved)
    intensity: str  # "light", "moderate" or "vigorous" (ACSM bands by MET)
    model: str  # which estimate this is, e.g. "ACSM walking" or "Keytel 2005 heart rate"
    practice_factor: float  # the multiplier for backward sessions done (1.0 forward or novice)
    flags: tuple[str, ...]  # warnings: outside validated ranges, assumptions made


@dataclass(frozen=True)
class EnergyComparison:
    """An estimate and the forward estimate at the same speed, grade and gait."""

    estimate: EnergyEstimate
    forward: EnergyEstimate
    ratio_to_forward: float  # estimate VO2 / forward VO2, at equal speed (not equal time)


@dataclass(frozen=True)
class EnergySeries:
    """Per-sample energy cost of a recorded activity, and its total."""

    vo2_ml_kg_min: FloatArray
    kcal_per_min: FloatArray
    running: BoolArray  # the gait used per sample
    heart_rate_used: BoolArray  # True where Keytel 2005 replaced the speed model
    total_kcal: float
    flags: tuple[str, ...]


# --- Validation -------------------------------------------------------------------------------


def _check_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise InvalidInput(f"{name} must be a finite number, got {value}")


def _check_direction(direction: str) -> Direction:
    """Plain strings back, even for a StrEnum such as `workout.Direction.BACKWARD`."""
    if direction == "forward":
        return "forward"
    if direction == "backward":
        return "backward"
    raise InvalidInput(f"direction must be 'forward' or 'backward', got {direction!r}")


def _check_mode(mode: str) -> Literal["walk", "run", "auto"]:
    """Plain strings back, even for a StrEnum such as `workout.Mode.WALK` (it hashes apart)."""
    if mode == "walk":
        return "walk"
    if mode == "run":
        return "run"
    if mode == "auto":
        return "auto"
    raise InvalidInput(f"mode must be 'walk', 'run' or 'auto', got {mode!r}")


def _check_speed(speed_m_s: float, direction: Direction) -> None:
    _check_finite("speed", speed_m_s)
    if speed_m_s < 0:
        raise InvalidInput(f"speed cannot be negative, got {speed_m_s} m/s")
    limit = MAX_BACKWARD_SPEED_M_S if direction == "backward" else MAX_FORWARD_SPEED_M_S
    if speed_m_s > limit:
        raise InvalidInput(
            f"speed {speed_m_s:g} m/s ({units.kmh_from_m_s(speed_m_s):.1f} km/h) is faster than "
            f"anyone moves {direction} (limit {limit:g} m/s)"
        )


def _check_grade(grade: float) -> None:
    """The grade is a fraction here, but people (and `retrorun energy --grade-percent`) speak
    in percent: the message gives it in percent only, so it reads right at every front door."""
    _check_finite("grade", grade)
    if abs(grade) > MAX_ABS_GRADE:
        raise InvalidInput(
            f"grade {grade * 100:g} % is beyond ±{MAX_ABS_GRADE * 100:g} % "
            "(a 5 % grade rises 5 m over 100 m)"
        )


def _check_mass(mass_kg: float) -> None:
    _check_finite("body mass", mass_kg)
    if not MIN_MASS_KG <= mass_kg <= MAX_MASS_KG:
        raise InvalidInput(
            f"body mass {mass_kg:g} kg is outside {MIN_MASS_KG:g}–{MAX_MASS_KG:g} kg"
        )


def _check_duration(duration_s: float | None) -> None:
    if duration_s is None:
        return
    _check_finite("duration", duration_s)
    if duration_s < 0:
        raise InvalidInput(f"duration cannot be negative, got {duration_s:g} s")


def _check_sessions(sessions: int) -> None:
    if isinstance(sessions, bool) or not isinstance(sessions, numbers.Integral):
        raise InvalidInput(f"backward sessions done must be a whole number, got {sessions!r}")
    if sessions < 0:
        raise InvalidInput(f"backward sessions done cannot be negative, got {sessions}")


def _check_heart_rate(heart_rate_bpm: float) -> None:
    _check_finite("heart rate", heart_rate_bpm)
    if not MIN_HEART_RATE_BPM <= heart_rate_bpm <= MAX_HEART_RATE_BPM:
        raise InvalidInput(
            f"heart rate {heart_rate_bpm:g} bpm is outside "
            f"{MIN_HEART_RATE_BPM:g}–{MAX_HEART_RATE_BPM:g} bpm"
        )


def _check_age(age_years: float) -> None:
    _check_finite("age", age_years)
    if not 0 < age_years <= MAX_AGE_YEARS:
        raise InvalidInput(f"age {age_years:g} years is outside 0–{MAX_AGE_YEARS:g} years")


def _check_sex(sex: str) -> None:
    if sex not in ("male", "female"):
        raise InvalidInput(f"sex must be 'male' or 'female' (Keytel 2005), got {sex!r}")


# --- Shared formulas (arrays, each with a float twin so one estimate never imports NumPy) -------


def practice_factor(backward_sessions_done: int) -> float:
    """Multiplier on backward VO2 after `n` backward sessions: 1.0 for a novice, → 0.70.

    An exponential approach to Terblanche 2005's ~30 % saving, scaled so that Heath 2001's
    12 sessions give 19 %. It only ever falls as sessions are added.
    """
    _check_sessions(backward_sessions_done)
    sessions = int(backward_sessions_done)
    saving = PRACTICE_MAX_SAVING * (1.0 - math.exp(-sessions / PRACTICE_SESSION_SCALE))
    return 1.0 - saving


def _gross_with_downhill_floor(level: FloatArray, vertical: FloatArray) -> FloatArray:
    """Rest + level + grade cost; downhill never below half the level cost (ACSM is uphill-only).

    Written as max(vertical, −½·level) + level + rest, in place, to keep memory passes few.
    """
    import numpy as np

    gross = np.multiply(level, -DOWNHILL_FLOOR_FRACTION)
    np.maximum(gross, vertical, out=gross)
    gross += level
    gross += RESTING_VO2_ML_KG_MIN
    return gross


def _gross_at(level: float, vertical: float) -> float:
    """`_gross_with_downhill_floor` for one value, in the same order of operations."""
    return max(level * -DOWNHILL_FLOOR_FRACTION, vertical) + level + RESTING_VO2_ML_KG_MIN


def _vo2_from_speed(
    speed_m_min: FloatArray,
    grade: FloatArray,
    backward: BoolArray,
    running: BoolArray,
    practice: float,
) -> FloatArray:
    """Gross VO2 (ml/kg/min) from speed, grade, direction and gait, sample by sample.

    In-place NumPy steps (1,000,000 samples in well under 0.1 s); the algebra, per sample:
    forward  = 3.5 + floor(h·S, v·S·G), with (h, v) = (0.1, 1.8) walking, (0.2, 0.9) running;
    backward = max(practice × (3.5 + floor(level_b, vertical_b)), forward), where
    level_b = 1.35·h·S running or h·S + k·S² walking, and vertical_b = v·S·G, uphill × 1.35
    running or × 0.83 walking.
    """
    import numpy as np

    level = _either(running, RUN_HORIZONTAL, WALK_HORIZONTAL)
    level *= speed_m_min
    vertical = _either(running, RUN_VERTICAL, WALK_VERTICAL)
    vertical *= speed_m_min
    vertical *= grade
    forward = _gross_with_downhill_floor(level, vertical)
    if not backward.any():
        return forward
    level_backward = np.multiply(speed_m_min, speed_m_min)
    level_backward *= BACKWARD_WALK_QUADRATIC  # walking: the convex extra k·S² ...
    np.multiply(level, BACKWARD_RUN_FACTOR - 1.0, out=level_backward, where=running)  # run: +35 %
    level_backward += level  # ... on top of the forward level cost
    uphill_extra = _either(
        running, BACKWARD_RUN_UPHILL_FACTOR - 1.0, BACKWARD_WALK_UPHILL_FACTOR - 1.0
    )
    vertical_backward = np.maximum(vertical, 0.0)  # the climb's own factor; downhill as forward
    vertical_backward *= uphill_extra
    vertical_backward += vertical
    backward_vo2 = _gross_with_downhill_floor(level_backward, vertical_backward)
    backward_vo2 *= practice
    np.maximum(backward_vo2, forward, out=backward_vo2)  # never below forward
    return np.where(backward, backward_vo2, forward)


def _either(choice: BoolArray, if_true: float, if_false: float) -> FloatArray:
    """`np.where(choice, if_true, if_false)` for two numbers, by looking them up: the same
    values, in about half the time on a series whose gait or direction keeps changing."""
    import numpy as np

    table = np.array([if_false, if_true])  # two floats: float64
    return table[choice.view(np.uint8)]


def _vo2_at(
    speed_m_min: float, grade: float, backward: bool, running: bool, practice: float
) -> float:
    """`_vo2_from_speed` for one value, in floats: one estimate need not import NumPy.

    Step for step the same operations in the same order as the array form, so the two agree to
    the last bit (tests/core/test_energy_scalar.py checks it over a grid).
    """
    level = (RUN_HORIZONTAL if running else WALK_HORIZONTAL) * speed_m_min
    vertical = (RUN_VERTICAL if running else WALK_VERTICAL) * speed_m_min * grade
    forward = _gross_at(level, vertical)
    if not backward:
        return forward
    if running:
        extra = level * (BACKWARD_RUN_FACTOR - 1.0)  # run: +35 %
        uphill_extra = BACKWARD_RUN_UPHILL_FACTOR - 1.0
    else:
        extra = speed_m_min * speed_m_min * BACKWARD_WALK_QUADRATIC  # walking: the convex k·S²
        uphill_extra = BACKWARD_WALK_UPHILL_FACTOR - 1.0
    level_backward = extra + level
    vertical_backward = max(vertical, 0.0) * uphill_extra + vertical
    backward_vo2 = _gross_at(level_backward, vertical_backward)
    return max(backward_vo2 * practice, forward)  # never below forward


def _keytel_kcal_per_min(
    heart_rate_bpm: FloatOrArray, mass_kg: float, age_years: float, sex: str
) -> FloatOrArray:
    """Keytel 2005: energy expenditure from heart rate, mass and age, in kcal/min."""
    intercept, per_bpm, per_kg, per_year = KEYTEL_MALE if sex == "male" else KEYTEL_FEMALE
    kj_per_min = intercept + per_bpm * heart_rate_bpm + per_kg * mass_kg + per_year * age_years
    return kj_per_min / KJ_PER_KCAL


def _kcal_per_min(vo2_ml_kg_min: FloatOrArray, mass_kg: float) -> FloatOrArray:
    """kcal/min = VO2 (ml/kg/min) × mass (kg) / 1000 × 5 kcal per litre."""
    return vo2_ml_kg_min * (mass_kg * KCAL_PER_LITRE_O2 / 1000.0)


def _vo2_from_kcal_per_min(kcal_per_min: FloatOrArray, mass_kg: float) -> FloatOrArray:
    return kcal_per_min * 1000.0 / (KCAL_PER_LITRE_O2 * mass_kg)


def _running_mask(mode: str, speed_m_s: FloatArray, backward: BoolArray) -> BoolArray:
    """Which samples are running: as asked, or in `auto` from the walk–run transition speed."""
    import numpy as np

    if mode == "walk":
        return np.zeros(speed_m_s.shape, dtype=np.bool_)
    if mode == "run":
        return np.ones(speed_m_s.shape, dtype=np.bool_)
    transition = _either(
        backward, BACKWARD_WALK_RUN_TRANSITION_M_S, FORWARD_WALK_RUN_TRANSITION_M_S
    )
    running: BoolArray = speed_m_s >= transition
    return running


def intensity_class(met: float) -> str:
    """ACSM band by MET. Rounded first so the Compendium's 6.0 MET lands on "vigorous"."""
    met = round(met, 6)
    if met < LIGHT_BELOW_MET:
        return "light"
    if met < VIGOROUS_FROM_MET:
        return "moderate"
    return "vigorous"


# --- Vectorised form --------------------------------------------------------------------------


def _as_float_array(name: str, values: ArrayLike) -> FloatArray:
    import numpy as np

    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise InvalidInput(f"{name} must be a one-dimensional series, got shape {array.shape}")
    return array


def _matching(name: str, values: ArrayLike, length: int, dtype: type[np.generic]) -> NDArray[Any]:
    """A per-sample series, or one value for every sample; refuse a length that does not fit."""
    import numpy as np

    array = np.asarray(values, dtype=dtype)
    if array.ndim == 0:
        return np.full(length, array)  # of the array's own dtype
    if array.shape != (length,):
        raise InvalidInput(f"{name} has shape {array.shape}, but there are {length} speed samples")
    return array


def _first_bad(name: str, values: FloatArray, bad: BoolArray, why: str) -> None:
    """Refuse a series naming its first offending sample, so a glitch can be found and fixed."""
    import numpy as np

    if bad.any():
        index = int(np.argmax(bad))
        raise InvalidInput(f"{name}[{index}] = {values[index]:g} {why}")


def _check_series(
    speed_m_s: FloatArray, grade: FloatArray, backward: BoolArray, heart_rate: FloatArray | None
) -> None:
    """Refuse impossible samples: a quick min/max pass, the detailed search only on failure."""
    import numpy as np

    if speed_m_s.size == 0:
        return
    speeds_plainly_fine = speed_m_s.min() >= 0 and speed_m_s.max() <= MAX_BACKWARD_SPEED_M_S
    if not speeds_plainly_fine:  # NaN fails the comparisons too
        _first_bad("speed_m_s", speed_m_s, ~np.isfinite(speed_m_s), "is not a number")
        _first_bad("speed_m_s", speed_m_s, speed_m_s < 0, "m/s: speed cannot be negative")
        limit = np.where(backward, MAX_BACKWARD_SPEED_M_S, MAX_FORWARD_SPEED_M_S)
        _first_bad("speed_m_s", speed_m_s, speed_m_s > limit, "m/s is faster than anyone moves")
    if not (grade.min() >= -MAX_ABS_GRADE and grade.max() <= MAX_ABS_GRADE):
        _first_bad("grade", grade, ~np.isfinite(grade), "is not a number")
        beyond = f"is beyond ±{MAX_ABS_GRADE:g} (±{MAX_ABS_GRADE * 100:g} %)"
        _first_bad("grade", grade, np.abs(grade) > MAX_ABS_GRADE, beyond)
    if heart_rate is not None:
        known = ~np.isnan(heart_rate)
        out = known & ((heart_rate < MIN_HEART_RATE_BPM) | (heart_rate > MAX_HEART_RATE_BPM))
        outside = f"bpm is outside {MIN_HEART_RATE_BPM:g}–{MAX_HEART_RATE_BPM:g} bpm"
        _first_bad("heart_rate_bpm", heart_rate, out, outside)


def _hold_at_the_switch(
    vo2: FloatArray, grade: FloatArray, backward: BoolArray, running: BoolArray, practice: float
) -> tuple[FloatArray, BoolArray]:
    """`auto`: running never costs less than walking at the walk–run switch on the same grade.

    The ACSM running grade term is half the walking one, so uphill the running estimate just
    past the switch can fall below the walking one just before it; held here, going faster
    never costs less. Only samples steeper than `_hold_from_grade` can be held, so only those
    are worked out (a recording seldom has any). Returns the VO2 and where it was held.
    """
    import numpy as np

    held = np.zeros(running.shape, dtype=np.bool_)
    backward_from, forward_from = (_hold_from_grade(d, practice) for d in ("backward", "forward"))
    if not grade.max() > min(backward_from, forward_from):  # one pass for most recordings
        return vo2, held
    steep = np.flatnonzero(running & (grade > _either(backward, backward_from, forward_from)))
    if steep.size == 0:
        return vo2, held
    backward_steep = backward[steep]
    switch = np.where(
        backward_steep, BACKWARD_WALK_RUN_TRANSITION_M_S, FORWARD_WALK_RUN_TRANSITION_M_S
    )
    walking = np.zeros(steep.shape, dtype=np.bool_)
    at_switch = _vo2_from_speed(
        switch * SECONDS_PER_MINUTE, grade[steep], backward_steep, walking, practice
    )
    binds = at_switch > vo2[steep]
    vo2 = vo2.copy()
    vo2[steep[binds]] = at_switch[binds]
    held[steep[binds]] = True
    return vo2, held


@functools.cache
def _hold_from_grade(direction: Direction, practice: float) -> float:
    """The grade above which walking at the switch speed costs more than running at it.

    Running costs more at the switch on the level and downhill (Hreljac 2005 measured it
    backward), and uphill the walking cost climbs faster than the running one (grade terms
    1.8 and 0.83 × 1.8 walking against 0.9 and 1.35 × 0.9 running), so the two cross once:
    below that grade the hold can never bind. Found by bisection in floats; the tests check
    the crossing against a fine grid.
    """
    switch_m_min = SECONDS_PER_MINUTE * (
        BACKWARD_WALK_RUN_TRANSITION_M_S
        if direction == "backward"
        else FORWARD_WALK_RUN_TRANSITION_M_S
    )
    backward = direction == "backward"

    def walking_dearer(grade: float) -> bool:
        walking = _vo2_at(switch_m_min, grade, backward, False, practice)
        return walking > _vo2_at(switch_m_min, grade, backward, True, practice)

    low, high = 0.0, MAX_ABS_GRADE
    if walking_dearer(low):
        return -MAX_ABS_GRADE - 1.0  # not with these constants; then every sample is looked at
    if not walking_dearer(high):
        return MAX_ABS_GRADE
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (low, middle) if walking_dearer(middle) else (middle, high)
    return low


def _series_flags(
    speed_m_s: FloatArray,
    grade: FloatArray,
    backward: BoolArray,
    running: BoolArray,
    held: BoolArray,
) -> tuple[str, ...]:
    """Counted warnings for a whole series (one line per kind, not per sample)."""
    flags: list[str] = []
    walk_back = backward & ~running
    outside = walk_back & (
        (speed_m_s < BACKWARD_WALK_STUDIED_MIN_M_S) | (speed_m_s > BACKWARD_WALK_STUDIED_MAX_M_S)
    )
    if outside.any():
        flags.append(
            f"{int(outside.sum())} backward walking samples outside the studied 0.89–1.91 m/s"
        )
    if (grade < 0).any():
        flags.append(f"{int((grade < 0).sum())} downhill samples: ACSM is not validated downhill")
    steepest = grade.max(initial=0.0)  # most recordings have no steep sample: one pass
    if steepest > BACKWARD_RUN_GRADE_STUDIED_MAX:
        steep_runs = backward & running & (grade > BACKWARD_RUN_GRADE_STUDIED_MAX)
        if steep_runs.any():
            flags.append(
                f"{int(steep_runs.sum())} backward running samples steeper than the studied 25 %"
            )
    if steepest > BACKWARD_WALK_GRADE_STUDIED_MAX:
        steep_walks = walk_back & (grade > BACKWARD_WALK_GRADE_STUDIED_MAX)
        if steep_walks.any():
            flags.append(
                f"{int(steep_walks.sum())} backward walking samples steeper than the studied 10 %"
            )
    if held.any():
        flags.append(
            f"{int(held.sum())} running samples just past the walk–run switch uphill: held at "
            "the cost of walking at the switch speed"
        )
    return tuple(flags)


def energy_series(
    speed_m_s: ArrayLike,
    grade: ArrayLike,
    backward: ArrayLike,
    *,
    mass_kg: float,
    sample_s: float | ArrayLike = 1.0,
    mode: str = "auto",
    backward_sessions_done: int = 0,
    heart_rate_bpm: ArrayLike | None = None,
    age_years: float | None = None,
    sex: str | None = None,
) -> EnergySeries:
    """Energy cost per sample of a recorded activity (e.g. one sample a second from a FIT file).

    Same formulas as `estimate_energy`. Heart rate, where given (NaN = missing), replaces the
    speed model sample by sample when age and sex are known. A series with an impossible value
    is refused with the index of the first one, so the importer can say where the glitch is.
    """
    import numpy as np

    speeds = _as_float_array("speed_m_s", speed_m_s)
    grades = _matching("grade", grade, len(speeds), np.float64)
    directions = _matching("backward", backward, len(speeds), np.bool_)
    seconds = _matching("sample_s", sample_s, len(speeds), np.float64)
    heart_rate = None
    if heart_rate_bpm is not None:
        heart_rate = _matching("heart_rate_bpm", heart_rate_bpm, len(speeds), np.float64)
    _check_mass(mass_kg)
    _check_mode(mode)
    _check_series(speeds, grades, directions, heart_rate)
    _first_bad("sample_s", seconds, ~(seconds >= 0), "s is not a duration of 0 s or more")
    running = _running_mask(mode, speeds, directions)
    practice = practice_factor(backward_sessions_done)
    vo2 = _vo2_from_speed(speeds * SECONDS_PER_MINUTE, grades, directions, running, practice)
    held = np.zeros(speeds.shape, dtype=np.bool_)
    if mode == "auto" and running.any():
        vo2, held = _hold_at_the_switch(vo2, grades, directions, running, practice)
    hr_used = np.zeros(speeds.shape, dtype=np.bool_)
    hr_flags: tuple[str, ...] = ()
    if heart_rate is not None and age_years is not None and sex is not None:
        _check_age(age_years)
        _check_sex(sex)
        vo2, hr_used = _apply_heart_rate(vo2, heart_rate, mass_kg, age_years, sex)
    elif heart_rate is not None:
        hr_flags = ("heart rate not used: Keytel 2005 needs age and sex as well",)
    kcal_per_min = _kcal_per_min(vo2, mass_kg)
    total = float(np.dot(kcal_per_min, seconds)) / SECONDS_PER_MINUTE
    return EnergySeries(
        vo2_ml_kg_min=vo2,
        kcal_per_min=kcal_per_min,
        running=running,
        heart_rate_used=hr_used,
        total_kcal=total,
        flags=_series_flags(speeds, grades, directions, running, held & ~hr_used) + hr_flags,
    )


def _apply_heart_rate(
    vo2: FloatArray, heart_rate: FloatArray, mass_kg: float, age_years: float, sex: str
) -> tuple[FloatArray, BoolArray]:
    """Replace the speed model by Keytel 2005 where HR is known; never below resting (1 MET)."""
    import numpy as np

    known = ~np.isnan(heart_rate)
    keytel_kcal = _keytel_kcal_per_min(heart_rate, mass_kg, age_years, sex)  # NaN where unknown
    keytel_vo2 = np.maximum(_vo2_from_kcal_per_min(keytel_kcal, mass_kg), RESTING_VO2_ML_KG_MIN)
    return np.where(known, keytel_vo2, vo2), known


# --- Scalar form ------------------------------------------------------------------------------


def _speed_flags(direction: Direction, mode: Mode, speed_m_s: float) -> list[str]:
    """Warnings for a speed outside the range the chosen equation or data came from."""
    speed_m_min = speed_m_s * SECONDS_PER_MINUTE
    if mode == "run":
        if speed_m_min < ACSM_JOG_MIN_M_MIN:
            return [
                f"running at {speed_m_min:.0f} m/min is below even the ACSM jogging range "
                f"({ACSM_JOG_MIN_M_MIN:.0f}–{ACSM_RUN_MIN_M_MIN:.0f} m/min)"
            ]
        if speed_m_min <= ACSM_RUN_MIN_M_MIN:
            return [
                f"running at {speed_m_min:.0f} m/min: the ACSM running equation is validated "
                f"above {ACSM_RUN_MIN_M_MIN:.0f} m/min ({ACSM_JOG_MIN_M_MIN:.0f}–"
                f"{ACSM_RUN_MIN_M_MIN:.0f} only if truly jogging)"
            ]
        return []
    if direction == "backward":
        if not BACKWARD_WALK_STUDIED_MIN_M_S <= speed_m_s <= BACKWARD_WALK_STUDIED_MAX_M_S:
            return [
                f"backward walking at {speed_m_s:.2f} m/s is outside the 0.89–1.91 m/s studied "
                "(Myatt 1995, Clarkson 1997)"
            ]
        return []
    if not ACSM_WALK_MIN_M_MIN <= speed_m_min <= ACSM_WALK_MAX_M_MIN:
        return [
            f"walking at {speed_m_min:.0f} m/min is outside the ACSM walking equation's "
            f"{ACSM_WALK_MIN_M_MIN:.0f}–{ACSM_WALK_MAX_M_MIN:.0f} m/min"
        ]
    return []


def _grade_flags(direction: Direction, mode: Mode, grade: float) -> list[str]:
    """Warnings for a grade where the backward or downhill evidence runs out."""
    flags: list[str] = []
    if grade < 0:
        flags.append(
            "downhill: the ACSM equations are not validated downhill; the net cost is kept at "
            "least half the level cost (our reasoning)"
        )
    if direction == "backward" and mode == "run" and grade > BACKWARD_RUN_GRADE_STUDIED_MAX:
        flags.append(f"backward running at {grade * 100:g} % grade: Rasica 2020 studied 0–25 %")
    if direction == "backward" and mode == "walk" and grade > BACKWARD_WALK_GRADE_STUDIED_MAX:
        flags.append(
            f"backward walking at {grade * 100:g} % grade: measured only up to 10 % (Chaloupka "
            "1997 at 5 %, Hooper 2004 at 5–10 %); the 5 % climb is carried on in proportion"
        )
    return flags


def _practice_flags(sessions: int, at_forward_floor: bool) -> list[str]:
    """Warnings about practice: extrapolated beyond the studies, or held at the forward cost.

    `at_forward_floor` is only ever true with practice: a novice's estimate is the novice cost.
    """
    flags: list[str] = []
    if sessions > PRACTICE_STUDIED_SESSIONS:
        flags.append(
            f"practice effect after {sessions} sessions is extrapolated beyond the "
            f"~{PRACTICE_STUDIED_SESSIONS} studied (Terblanche 2005)"
        )
    if at_forward_floor:
        flags.append(
            "with this much practice the backward estimate reached the forward cost at the same "
            "speed; it is never taken lower"
        )
    return flags


def _heart_rate_flags(
    heart_rate_bpm: float, age_years: float, sex: str, mass_kg: float
) -> list[str]:
    """Warnings for a Keytel 2005 estimate: a near-resting HR, or a result below resting."""
    flags: list[str] = []
    if heart_rate_bpm < KEYTEL_LOW_HR_BPM:
        flags.append(
            f"heart rate {heart_rate_bpm:g} bpm is low for Keytel 2005, whose equations come "
            "from exercise heart rates"
        )
    raw_kcal = _keytel_kcal_per_min(float(heart_rate_bpm), mass_kg, age_years, sex)
    if _vo2_from_kcal_per_min(raw_kcal, mass_kg) < RESTING_VO2_ML_KG_MIN:
        flags.append("Keytel 2005 gave less than resting; raised to resting (1 MET)")
    return flags


def _resolve_mode(mode: str, direction: Direction, speed_m_s: float) -> Mode:
    """`walk`/`run` as asked; `auto` from the preferred walk–run transition speed."""
    checked = _check_mode(mode)
    if checked != "auto":
        return checked
    transition = (
        BACKWARD_WALK_RUN_TRANSITION_M_S
        if direction == "backward"
        else FORWARD_WALK_RUN_TRANSITION_M_S
    )
    return "run" if speed_m_s >= transition else "walk"


def estimate_energy(
    direction: str,
    speed_m_s: float,
    mass_kg: float,
    *,
    mode: str = "auto",
    grade: float = 0.0,
    duration_s: float | None = None,
    backward_sessions_done: int = 0,
    heart_rate_bpm: float | None = None,
    age_years: float | None = None,
    sex: str | None = None,
) -> EnergyEstimate:
    """Energy cost of moving at a steady speed and grade, forward or backward.

    Uses Keytel 2005 when heart rate, age and sex are all given (a measured HR already reflects
    fitness and practice); otherwise the speed model described in the module docstring. Values
    outside validated ranges are estimated and flagged, never refused; physically impossible
    inputs raise `InvalidInput`.
    """
    checked_direction = _check_direction(direction)
    _check_speed(speed_m_s, checked_direction)
    _check_grade(grade)
    _check_mass(mass_kg)
    _check_duration(duration_s)
    _check_sessions(backward_sessions_done)
    if heart_rate_bpm is not None:
        _check_heart_rate(heart_rate_bpm)
    mode_used = _resolve_mode(mode, checked_direction, speed_m_s)
    sessions = backward_sessions_done if checked_direction == "backward" else 0
    practice = practice_factor(sessions)
    if heart_rate_bpm is not None and age_years is not None and sex is not None:
        _check_age(age_years)
        _check_sex(sex)
        vo2 = _keytel_vo2(float(heart_rate_bpm), mass_kg, age_years, sex)
        flags = _heart_rate_flags(heart_rate_bpm, age_years, sex, mass_kg)
        model = KEYTEL_MODEL_NAME
    else:
        vo2 = _vo2_at(
            speed_m_s * SECONDS_PER_MINUTE,
            grade,
            checked_direction == "backward",
            mode_used == "run",
            practice,
        )
        flags = _speed_model_flags(checked_direction, mode_used, speed_m_s, grade, sessions, vo2)
        if (
            mode == "auto"
            and mode_used == "run"
            and grade > _hold_from_grade(checked_direction, practice)
        ):
            at_switch = _walking_at_the_switch(checked_direction, grade, practice)
            if at_switch > vo2:
                vo2 = at_switch
                flags.append(_held_flag(checked_direction, grade))
        if heart_rate_bpm is not None:
            flags.append("heart rate not used: Keytel 2005 needs age and sex as well")
        model = MODEL_NAMES[(checked_direction, mode_used)]
    return _estimate(vo2, mass_kg, duration_s, checked_direction, mode_used, model, practice, flags)


def _walking_at_the_switch(direction: Direction, grade: float, practice: float) -> float:
    """`_hold_at_the_switch` for one value: walking VO2 at the walk–run switch speed."""
    switch = (
        BACKWARD_WALK_RUN_TRANSITION_M_S
        if direction == "backward"
        else FORWARD_WALK_RUN_TRANSITION_M_S
    )
    return _vo2_at(switch * SECONDS_PER_MINUTE, grade, direction == "backward", False, practice)


def _held_flag(direction: Direction, grade: float) -> str:
    switch = (
        BACKWARD_WALK_RUN_TRANSITION_M_S
        if direction == "backward"
        else FORWARD_WALK_RUN_TRANSITION_M_S
    )
    return (
        f"running just past the walk–run switch up {grade * 100:g} %: held at the cost of "
        f"walking at the switch ({switch:g} m/s), so going faster never costs less "
        "(the ACSM running grade term is half the walking one; our reasoning)"
    )


def _keytel_vo2(heart_rate_bpm: float, mass_kg: float, age_years: float, sex: str) -> float:
    """`_apply_heart_rate` for one known heart rate: Keytel 2005, never below resting (1 MET)."""
    keytel_kcal = _keytel_kcal_per_min(heart_rate_bpm, mass_kg, age_years, sex)
    return max(_vo2_from_kcal_per_min(keytel_kcal, mass_kg), RESTING_VO2_ML_KG_MIN)


def _speed_model_flags(
    direction: Direction, mode: Mode, speed_m_s: float, grade: float, sessions: int, vo2: float
) -> list[str]:
    """All warnings for an estimate from speed and grade."""
    flags = _speed_flags(direction, mode, speed_m_s) + _grade_flags(direction, mode, grade)
    if direction == "backward":
        forward = _forward_vo2(speed_m_s, grade, mode)
        novice = _vo2_at(speed_m_s * SECONDS_PER_MINUTE, grade, True, mode == "run", 1.0)
        if grade > 0 and math.isclose(novice, forward):
            flags.append(
                "steep, slow backward walking: kept at the forward cost, as backward has cost "
                "more than forward at every grade measured (Chaloupka 1997, Hooper 2004)"
            )
        at_floor = math.isclose(vo2, forward) and not math.isclose(novice, forward)
        flags += _practice_flags(sessions, at_floor)
    return flags


def _forward_vo2(speed_m_s: float, grade: float, mode: Mode) -> float:
    """Forward VO2 at the same speed, grade and gait (the floor for backward)."""
    return _vo2_at(speed_m_s * SECONDS_PER_MINUTE, grade, False, mode == "run", 1.0)


def _estimate(
    vo2: float,
    mass_kg: float,
    duration_s: float | None,
    direction: Direction,
    mode: Mode,
    model: str,
    practice: float,
    flags: list[str],
) -> EnergyEstimate:
    """Build the result: MET, kcal/min, kcal for the duration and the intensity band."""
    met = vo2 / ML_O2_PER_KG_MIN_PER_MET
    kcal_per_min = float(_kcal_per_min(vo2, mass_kg))
    kcal = None if duration_s is None else kcal_per_min * duration_s / SECONDS_PER_MINUTE
    return EnergyEstimate(
        vo2_ml_kg_min=vo2,
        met=met,
        kcal_per_min=kcal_per_min,
        kcal=kcal,
        direction=direction,
        mode=mode,
        intensity=intensity_class(met),
        model=model,
        practice_factor=practice,
        flags=tuple(flags),
    )


def compare_with_forward(
    direction: str,
    speed_m_s: float,
    mass_kg: float,
    *,
    mode: str = "auto",
    grade: float = 0.0,
    duration_s: float | None = None,
    backward_sessions_done: int = 0,
) -> EnergyComparison:
    """The estimate, and forward at the same speed, grade and gait (an equal-speed comparison).

    The same gait is kept on purpose: "backward running vs forward running at 2 m/s" is the
    comparison the evidence makes, even where `auto` would have a forward mover still walking.
    """
    estimate = estimate_energy(
        direction,
        speed_m_s,
        mass_kg,
        mode=mode,
        grade=grade,
        duration_s=duration_s,
        backward_sessions_done=backward_sessions_done,
    )
    forward = estimate_energy(
        "forward", speed_m_s, mass_kg, mode=estimate.mode, grade=grade, duration_s=duration_s
    )
    ratio = estimate.vo2_ml_kg_min / forward.vo2_ml_kg_min
    return EnergyComparison(estimate=estimate, forward=forward, ratio_to_forward=ratio)


def estimate_step_cost(
    direction: str,
    mode: str,
    speed_m_s: float | None,
    duration_s: float,
    mass_kg: float,
    backward_sessions_done: int = 0,
    grade: float = 0.0,
) -> EnergyEstimate:
    """Energy of one plan step; without a speed, a typical one for the direction and gait.

    Plan steps often say only "walk backward 5 min". The typical speeds are the cautious end of
    what SCIENCE.md sections 3 and 5 describe, and the result says it assumed one.
    """
    checked_direction = _check_direction(direction)
    assumed: list[str] = []
    if speed_m_s is None:
        gait = _typical_gait(mode)
        speed_m_s = TYPICAL_SPEED_M_S[(checked_direction, gait)]
        mode = gait
        assumed.append(
            f"no speed given: assumed a typical {checked_direction} {gait} of {speed_m_s:g} m/s"
        )
    estimate = estimate_energy(
        checked_direction,
        speed_m_s,
        mass_kg,
        mode=mode,
        grade=grade,
        duration_s=duration_s,
        backward_sessions_done=backward_sessions_done,
    )
    if not assumed:
        return estimate
    return replace(estimate, flags=(*assumed, *estimate.flags))


def _typical_gait(mode: str) -> Mode:
    """Without a speed, `auto` means walking: the article says walk for the first weeks."""
    checked = _check_mode(mode)
    return "run" if checked == "run" else "walk"
