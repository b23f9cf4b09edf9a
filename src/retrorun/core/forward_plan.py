"""A runner's own forward plan as plain data, and the step notation its workouts are written in.

Every reader (FIT and TCX workouts, an iCalendar export, CSV, plain text) turns its file into a
`ForwardPlan`: dated workouts made of steps (so long or so far, at an intensity, with pace or
heart-rate targets, repeats, hills) or, where the words cannot be read as steps, free text kept
as written. The converter (`core.convert`) then makes a backward plan of it.

The notation is ours, close to the one intervals.icu's workout builder reads: `10m warm-up`,
`6x 400mtr hard / 90s easy`, `40m easy 130-145bpm`, `Main set 5x` with `- ` step lines under
it. The README has the full reference. A workout with any line we cannot read is free text as a
whole: reading half of it could turn a hard session into an easy one without anyone noticing.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from retrorun.core import limits
from retrorun.core.units import M_PER_KM, M_PER_MILE, S_PER_HOUR, S_PER_MIN, format_duration


class Intensity(StrEnum):
    """How hard a step is, in the words running plans use (easiest first)."""

    RECOVERY = "recovery"
    EASY = "easy"
    STEADY = "steady"
    TEMPO = "tempo"
    HARD = "hard"


INTENSITY_ORDER = tuple(Intensity)


class Part(StrEnum):
    WARM_UP = "warm-up"
    MAIN = "main"
    COOL_DOWN = "cool-down"


class Sport(StrEnum):
    RUN = "run"
    REST = "rest"
    OTHER = "other"  # cycling, swimming, strength: not part of a running plan


@dataclass(frozen=True)
class ForwardStep:
    """One step as the forward plan wrote it: a time or a distance, and how hard.

    `intensity` is None when the plan did not say; the converter then reads it from the pace.
    `pace_s_per_km` is the middle of the plan's pace range; `heart_rate_bpm` its range.
    """

    part: Part
    intensity: Intensity | None
    duration_s: int | None = None
    distance_m: float | None = None
    pace_s_per_km: float | None = None
    heart_rate_bpm: tuple[int, int] | None = None
    hill: bool = False
    walk: bool = False
    words: str = ""


@dataclass(frozen=True)
class Repeat:
    """`steps`, done `times` times in all."""

    times: int
    steps: tuple[ForwardStep, ...]


Block = ForwardStep | Repeat


@dataclass(frozen=True)
class ForwardWorkout:
    """A dated workout of the forward plan.

    `free_text` holds words no step could be read from (then `blocks` is empty), with
    `free_text_s`, its time where the source states one. `source` says where it came from, so
    a person can find it in their file.
    """

    date: date
    title: str
    blocks: tuple[Block, ...] = ()
    sport: Sport = Sport.RUN
    race: bool = False
    free_text: str | None = None
    free_text_s: int | None = None
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def steps(self) -> tuple[ForwardStep, ...]:
        return expanded(self.blocks)


@dataclass(frozen=True)
class ForwardPlan:
    """The workouts of one or more files, by date; `notes` says what was not read and why."""

    workouts: tuple[ForwardWorkout, ...]
    notes: tuple[str, ...] = ()

    @property
    def runs(self) -> tuple[ForwardWorkout, ...]:
        return tuple(w for w in self.workouts if w.sport is Sport.RUN)


def expanded(blocks: tuple[Block, ...]) -> tuple[ForwardStep, ...]:
    """Every step in the order it is run, repeats written out."""
    steps: list[ForwardStep] = []
    for block in blocks:
        if isinstance(block, Repeat):
            steps.extend(block.steps * block.times)
        else:
            steps.append(block)
    return tuple(steps)


def plan_of(workouts: list[ForwardWorkout], notes: list[str]) -> ForwardPlan:
    """The workouts in date order (a stable sort keeps a file's order within a day)."""
    return ForwardPlan(tuple(sorted(workouts, key=lambda w: w.date)), tuple(notes))


# --- Limits on what a step may say (beyond them a line is not read) ---------------------------

# Our reasoning: no single step of a running plan lasts more than six hours or runs further than
# 100 km; a repeat of more than 99 is a typo.
MAX_STEP_S = 6 * 3600
MAX_STEP_M = 100_000.0
MAX_REPEATS = 99
# Paces between the fastest forward speed we accept anywhere (limits.MAX_FORWARD_SPEED_M_S,
# 1:20 min/km) and 30:00 min/km, slower than a stroll (our reasoning).
FASTEST_PACE_S_PER_KM = M_PER_KM / limits.MAX_FORWARD_SPEED_M_S
SLOWEST_PACE_S_PER_KM = 30 * S_PER_MIN
# `400m` means 400 metres, `40m` 40 minutes: from this many, `m` is metres (our rule; write
# `2h` or `120min` for a long time, `50mtr` for a short distance).
METRES_FROM = 100

# --- Words ---------------------------------------------------------------------------------

INTENSITY_WORDS: dict[str, Intensity] = {
    "recovery": Intensity.RECOVERY,
    "rec": Intensity.RECOVERY,
    "jog": Intensity.RECOVERY,
    "easy": Intensity.EASY,
    "conversational": Intensity.EASY,
    "aerobic": Intensity.EASY,
    "long": Intensity.EASY,
    "steady": Intensity.STEADY,
    "moderate": Intensity.STEADY,
    "marathon": Intensity.STEADY,
    "mp": Intensity.STEADY,
    "progression": Intensity.STEADY,
    "tempo": Intensity.TEMPO,
    "threshold": Intensity.TEMPO,
    "cruise": Intensity.TEMPO,
    "hmp": Intensity.TEMPO,
    "race": Intensity.TEMPO,  # a half marathon is run a little below threshold pace
    "hard": Intensity.HARD,
    "interval": Intensity.HARD,
    "intervals": Intensity.HARD,
    "vo2": Intensity.HARD,
    "vo2max": Intensity.HARD,
    "fast": Intensity.HARD,
    "strides": Intensity.HARD,
    "sprint": Intensity.HARD,
    "sprints": Intensity.HARD,
    "speed": Intensity.HARD,
}
# Race paces name an intensity, not a distance: "10k pace" is tempo, "5k pace" hard.
RACE_PACE_INTENSITY: dict[str, Intensity] = {
    "1500": Intensity.HARD,
    "mile": Intensity.HARD,
    "3k": Intensity.HARD,
    "5k": Intensity.HARD,
    "10k": Intensity.TEMPO,
    "15k": Intensity.TEMPO,
    "half marathon": Intensity.TEMPO,
    "half-marathon": Intensity.TEMPO,
    "marathon": Intensity.STEADY,
}
# Zones 1–5 of heart rate or pace, in the five-zone model watches and intervals.icu use.
ZONE_INTENSITY = dict(zip(range(1, 6), INTENSITY_ORDER, strict=True))
# Percent of threshold (pace or LTHR) and of maximum heart rate, up to which each intensity
# lies (our reasoning, after the usual five-zone tables: easy runs near 80 % of threshold pace;
# ACSM's moderate band is 64–76 % of maximum heart rate).
THRESHOLD_PERCENT_UPTO = (
    (77, Intensity.RECOVERY),
    (87, Intensity.EASY),
    (94, Intensity.STEADY),
    (100, Intensity.TEMPO),
)
MAX_HR_PERCENT_UPTO = (
    (63, Intensity.RECOVERY),
    (76, Intensity.EASY),
    (84, Intensity.STEADY),
    (90, Intensity.TEMPO),
)

PART_WORDS: dict[str, Part] = {
    "warm-up": Part.WARM_UP,
    "warmup": Part.WARM_UP,
    "warm up": Part.WARM_UP,
    "wu": Part.WARM_UP,
    "cool-down": Part.COOL_DOWN,
    "cooldown": Part.COOL_DOWN,
    "cool down": Part.COOL_DOWN,
    "cd": Part.COOL_DOWN,
}
# Lines that only name a section of the workout (intervals.icu's headers).
SECTION_WORDS = frozenset({"main", "main set", "set", "intervals", "repeat", "repeats", "workout"})
HILL_WORDS = frozenset({"hill", "hills", "uphill"})
WALK_WORDS = frozenset({"walk", "walking"})

REST_TITLE = re.compile(r"^\s*(rest|off|day off|rest day)\b", re.I)
OTHER_SPORT = re.compile(
    r"\b(bike|biking|cycle|cycling|swim|swimming|strength|gym|yoga|pilates|cross[- ]?train(ing)?"
    r"|elliptical|rowing|mobility|weights)\b",
    re.I,
)
RUN_WORD = re.compile(r"\b(run|running|jog|race|intervals?|tempo|strides)\b", re.I)
RACE_TITLE = re.compile(r"\brace\b(?!\s*pace)", re.I)

# --- The notation ---------------------------------------------------------------------------

_PACE = r"(?P<p1>\d{1,2}:\d{2})(?:\s*-\s*(?P<p2>\d{1,2}:\d{2}))?"
_TOKENS = re.compile(
    rf"(?P<pace>@?\s*{_PACE}\s*(?:/\s*(?P<punit>km|mi|mile)\b(?:\s*pace\b)?|pace\b))"
    r"|(?P<racepace>\b(?P<race>1500|mile|3k|5k|10k|15k|half[ -]marathon|marathon)"
    r"\s+(?:race\s+)?pace\b)"
    r"|(?P<bpm>(?<![\d.])(?P<b1>\d{2,3})(?:\s*-\s*(?P<b2>\d{2,3}))?\s*bpm\b)"
    r"|(?P<percent>(?<![\d.])(?P<c1>\d{1,3})(?:\s*-\s*(?P<c2>\d{1,3}))?\s*%\s*(?P<of>lthr|hr|pace)\b)"
    r"|(?P<zone>\bz(?P<z1>[1-5])(?:\s*-\s*z?(?P<z2>[1-5]))?(?:\s+(?:hr|pace))?\b)"
    r"|(?P<cadence>(?<![\d.])\d+(?:\s*-\s*\d+)?\s*(?:rpm|spm)\b)"
    r"|(?P<repeat>(?<![\d.])(?P<times>\d+)\s*[x×](?![a-z]))"
    r"|(?P<mmss>(?<![\d.])(?P<mm>\d+)m(?P<ss>\d{1,2})\b)"
    r"|(?P<quote>(?<![\d.])(?P<qm>\d+)'(?:(?P<qs>\d{1,2})(?:\"|'')?)?|(?<![\d.])(?P<qs2>\d+)\")"
    r"|(?P<amount>(?<![\d.])(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|m|seconds?"
    r"|secs?|s|kilometers?|kilometres?|km|k|miles?|mi|meters?|metres?|mtr)(?![a-z]))",
    re.I,
)
_UNIT_SECONDS = {"h": S_PER_HOUR, "m": S_PER_MIN, "s": 1.0}
_UNIT_METRES = {"k": M_PER_KM, "mi": M_PER_MILE, "mtr": 1.0}
_SEPARATORS = re.compile(r"[,;]|\s\+\s")
_STEP_SPLIT = re.compile(r"\s*/\s*(?!(?:km|mi|mile)\b)", re.I)
# A number no token took (`200w`, `Set 2`); digits inside a word (`vo2`) are part of the word.
_STRAY_NUMBER = re.compile(r"(?<![a-z])\d", re.I)
_WORD = re.compile(r"[a-z][a-z0-9]*(?:[-'][a-z0-9]+)*", re.I)


@dataclass
class _Read:
    """What one line says, token by token."""

    seconds: float = 0.0
    time_pieces: int = 0
    metres: float | None = None
    amounts: int = 0
    times: int | None = None
    pace_s_per_km: float | None = None
    heart_rate_bpm: tuple[int, int] | None = None
    intensity: Intensity | None = None
    leftover: str = ""


def read_steps(text: str) -> tuple[Block, ...] | None:
    """The steps of a workout written in the notation, or None when any line is unreadable.

    Lines are separated by newlines, `,`, `;` or ` + `; a blank line ends a repeat block.
    """
    blocks: list[Block] = []
    part = Part.MAIN
    repeat: tuple[int, list[ForwardStep]] | None = None
    for raw_line in text.splitlines():
        if not raw_line.strip():
            if not _close(repeat, blocks):
                return None
            repeat = None
            continue
        for piece in _SEPARATORS.split(raw_line):
            line = piece.strip().lstrip("-•*").strip()
            if not line:
                continue
            read = _scan(line)
            if read.amounts == 0:
                header = _header(line, read)
                if header is None or not _close(repeat, blocks):
                    return None
                part, times = header
                repeat = (times, []) if times else None
                continue
            steps = _line_steps(line, part)
            if steps is None:
                return None
            if repeat is not None and not isinstance(steps, Repeat):
                repeat[1].extend(steps)
            elif isinstance(steps, Repeat):
                if not _close(repeat, blocks):
                    return None
                repeat = None
                blocks.append(steps)
            else:
                blocks.extend(steps)
    if not _close(repeat, blocks):
        return None
    return tuple(blocks) or None


def _close(repeat: tuple[int, list[ForwardStep]] | None, blocks: list[Block]) -> bool:
    """End an open repeat block; one with no steps under it cannot be read."""
    if repeat is None:
        return True
    times, steps = repeat
    if not steps:
        return False
    blocks.append(Repeat(times, tuple(steps)))
    return True


def _header(line: str, read: _Read) -> tuple[Part, int | None] | None:
    """A section line (`Warm-up`, `Main set 6x`, `Cool-down:`): its part and repeat count."""
    words = read.leftover.strip().rstrip(":").strip().lower()
    if read.heart_rate_bpm or read.pace_s_per_km or _STRAY_NUMBER.search(read.leftover):
        return None
    named = PART_WORDS.get(words)
    if named is not None:
        return named, read.times
    if words in SECTION_WORDS or read.times is not None or line.endswith(":"):
        return Part.MAIN, read.times
    return None


def _line_steps(line: str, part: Part) -> Repeat | list[ForwardStep] | None:
    """`6x 400mtr hard / 90s easy` is a repeat; `10m easy / 5m steady` two steps."""
    match = re.match(r"\s*(\d+)\s*[x×](?![a-z])\s*\(?(.*?)\)?\s*$", line, re.I)
    body = match.group(2) if match else line
    steps = [_step(piece, part) for piece in _STEP_SPLIT.split(body) if piece.strip()]
    if not steps or any(step is None for step in steps):
        return None
    found = [step for step in steps if step is not None]
    if match is None:
        return found
    times = int(match.group(1))
    if not 1 <= times <= MAX_REPEATS:
        return None
    return Repeat(times, tuple(found))


def _step(text: str, part: Part) -> ForwardStep | None:
    """One step: exactly one time or distance, at most one pace and one heart-rate range."""
    read = _scan(text)
    if read.amounts != 1 or read.times is not None or _STRAY_NUMBER.search(read.leftover):
        return None
    words = read.leftover  # every reader of words below ignores case
    named_part = part_in(words)
    intensity = read.intensity or intensity_in(words)
    duration = round(read.seconds) if read.time_pieces else None
    if duration is not None and not 0 < duration <= MAX_STEP_S:
        return None
    if read.metres is not None and not 0 < read.metres <= MAX_STEP_M:
        return None
    return ForwardStep(
        part=named_part or part,
        intensity=intensity,
        duration_s=duration,
        distance_m=read.metres,
        pace_s_per_km=read.pace_s_per_km,
        heart_rate_bpm=read.heart_rate_bpm,
        hill=says_hill(words),
        walk=says_walk(words),
        words=" ".join(text.split()),
    )


def _scan(text: str) -> _Read:
    """Every token of a line; what no token took is left over (prompt words, or an error)."""
    read = _Read()
    leftover: list[str] = []
    at = 0
    amount_end = 0  # where the last time or distance ended (it counts once one was read)
    for match in _TOKENS.finditer(text):
        leftover.append(text[at : match.start()])
        joins = not text[amount_end : match.start()].strip()
        if not _take(read, match, joins):
            leftover.append(" 0 ")  # a value out of range: the line cannot be read
        if match.group("amount") or match.group("mmss") or match.group("quote"):
            amount_end = match.end()
        at = match.end()
    leftover.append(text[at:])
    read.leftover = " ".join("".join(leftover).split())
    return read


def _take(read: _Read, match: re.Match[str], joins_time: bool) -> bool:
    """Record one token; False when its value is impossible."""
    kind = match.lastgroup
    if kind == "pace":
        return _take_pace(read, match)
    if kind == "racepace":
        read.intensity = read.intensity or RACE_PACE_INTENSITY[match.group("race").lower()]
    elif kind == "bpm":
        return _take_heart_rate(read, match)
    elif kind == "percent":
        read.intensity = read.intensity or _percent_intensity(match)
    elif kind == "zone":
        read.intensity = read.intensity or ZONE_INTENSITY[int(match.group("z1"))]
    elif kind == "repeat":
        read.times = int(match.group("times"))
    elif kind == "mmss":
        _add_time(read, int(match.group("mm")) * S_PER_MIN + int(match.group("ss")), joins_time)
    elif kind == "quote":
        minutes = int(match.group("qm") or 0) * S_PER_MIN
        _add_time(read, minutes + int(match.group("qs") or match.group("qs2") or 0), joins_time)
    elif kind == "amount":
        _take_amount(read, float(match.group("value")), match.group("unit").lower(), joins_time)
    return True


def _take_pace(read: _Read, match: re.Match[str]) -> bool:
    paces = [_clock_seconds(match.group("p1"))]
    if match.group("p2"):
        paces.append(_clock_seconds(match.group("p2")))
    per_mile = (match.group("punit") or "").lower().startswith("mi")
    pace = statistics.fmean(paces) * (M_PER_KM / M_PER_MILE if per_mile else 1.0)
    if not FASTEST_PACE_S_PER_KM <= pace <= SLOWEST_PACE_S_PER_KM:
        return False
    read.pace_s_per_km = round(pace, 1)
    return True


def _take_heart_rate(read: _Read, match: re.Match[str]) -> bool:
    low = int(match.group("b1"))
    high = int(match.group("b2") or low)
    low, high = min(low, high), max(low, high)
    if low < limits.MIN_HEART_RATE_BPM or high > limits.MAX_HEART_RATE_BPM:
        return False
    read.heart_rate_bpm = (low, high)
    return True


def _percent_intensity(match: re.Match[str]) -> Intensity:
    percent = statistics.fmean(
        [int(match.group("c1")), int(match.group("c2") or match.group("c1"))]
    )
    return intensity_from_percent(percent, of_max_hr=match.group("of").lower() == "hr")


def intensity_from_percent(percent: float, of_max_hr: bool) -> Intensity:
    """A target given as a percentage of maximum heart rate, or of threshold pace or LTHR."""
    table = MAX_HR_PERCENT_UPTO if of_max_hr else THRESHOLD_PERCENT_UPTO
    return next((found for upto, found in table if percent <= upto), Intensity.HARD)


def _take_amount(read: _Read, value: float, unit: str, joins_time: bool) -> None:
    short = _short_unit(unit)
    if short == "m" and value >= METRES_FROM:
        short = "mtr"
    if short in _UNIT_SECONDS:
        _add_time(read, value * _UNIT_SECONDS[short], joins_time)
        return
    read.metres = value * _UNIT_METRES[short]
    read.amounts += 1


def _short_unit(unit: str) -> str:
    """'minutes' → 'm', 'kilometres' → 'k', 'miles' → 'mi', 'metres' → 'mtr'."""
    if unit.startswith(("me", "mtr")):
        return "mtr"
    if unit.startswith("mi") and not unit.startswith("min"):
        return "mi"
    return unit[0]


def _add_time(read: _Read, seconds: float, joins: bool) -> None:
    """`1h 30m` is one time: a time straight after another adds to it."""
    if not (joins and read.time_pieces):
        read.amounts += 1
    read.seconds += seconds
    read.time_pieces += 1


def _clock_seconds(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * S_PER_MIN + int(seconds)


def part_in(words: str) -> Part | None:
    """The part a step's words name (`warm-up`, `cd`), if any."""
    lowered = words.lower()
    return next((part for name, part in PART_WORDS.items() if _has_phrase(lowered, name)), None)


def says_hill(words: str) -> bool:
    return _has_word(words.lower(), HILL_WORDS)


def says_walk(words: str) -> bool:
    return _has_word(words.lower(), WALK_WORDS)


def _has_word(words: str, wanted: frozenset[str]) -> bool:
    return any(word in wanted for word in _WORD.findall(words))


def _has_phrase(words: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z-]){re.escape(phrase)}(?![a-z-])", words) is not None


def intensity_in(text: str) -> Intensity | None:
    """The first intensity word of a text (`Easy run` → easy), or None."""
    for word in _WORD.findall(text.lower()):
        if word in INTENSITY_WORDS:
            return INTENSITY_WORDS[word]
    return None


def read_duration(text: str) -> int | None:
    """A stated time: `40` (minutes), `40:00`, `1:10:00`, or the notation's `40m`, `1h10m`."""
    text = text.strip()
    clock = re.fullmatch(r"(\d+):([0-5]\d)(?::([0-5]\d))?", text)
    if clock:
        first, second, third = clock.groups()
        if third is None:  # minutes:seconds
            seconds = int(first) * S_PER_MIN + int(second)
        else:
            seconds = int(first) * S_PER_HOUR + int(second) * S_PER_MIN + int(third)
    elif re.fullmatch(r"\d+(\.\d+)?", text):
        seconds = float(text) * S_PER_MIN
    else:
        read = _scan(text)
        whole = read.amounts == 1 and read.time_pieces > 0 and not read.leftover
        seconds = read.seconds if whole else 0.0
    return round(seconds) if 0 < seconds <= MAX_STEP_S else None


def read_distance(text: str) -> float | None:
    """A stated distance: `12` (km), `12 km`, `8 mi`, `400m` (metres from 100 on)."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        metres: float | None = float(text) * M_PER_KM
    else:
        read = _scan(text)
        ok = read.amounts == 1 and not read.time_pieces and not read.leftover
        metres = read.metres if ok else None
    return metres if metres is not None and 0 < metres <= MAX_STEP_M else None


# --- Whole workouts from a title, words and a stated time or distance ----------------------


def _stated_words(stated_s: int | None, stated_m: float | None) -> str:
    """A stated amount as the plan's words: `40:00`, `12 km`."""
    if stated_s is not None:
        return format_duration(stated_s)
    return f"{(stated_m or 0.0) / M_PER_KM:g} km"


def sport_of(title: str, text: str = "") -> Sport:
    """Rest days and other sports by their title's words; anything else is a run."""
    if REST_TITLE.match(title) and not RUN_WORD.search(f"{title} {text}"):
        return Sport.REST
    if OTHER_SPORT.search(title) and not RUN_WORD.search(title):
        return Sport.OTHER
    return Sport.RUN


def is_race(title: str) -> bool:
    """`Half marathon race`, but not `race pace intervals`."""
    return RACE_TITLE.search(title) is not None


def read_workout(
    day: date,
    title: str,
    text: str,
    *,
    stated_s: int | None = None,
    stated_m: float | None = None,
    source: str = "",
) -> ForwardWorkout:
    """A workout from its title and description, as calendars and spreadsheets hold them.

    The description is read as steps. When it cannot be, a time or distance the source states
    (a spreadsheet column, a timed calendar event) makes one step at the intensity its title
    or words name, and the description is kept as a note. Else the title itself may be steps
    (`40m easy`); else the workout is free text.
    """
    title = " ".join(title.split())
    text = text.strip()
    sport = sport_of(title, text)
    base = ForwardWorkout(day, title, sport=sport, race=is_race(title), source=source)
    if sport is not Sport.RUN:
        return base
    blocks = read_steps(text)
    if blocks is not None:
        return replace(base, blocks=blocks)
    if stated_s is not None or stated_m is not None:
        step = ForwardStep(
            Part.MAIN,
            intensity_in(title) or intensity_in(text),
            duration_s=stated_s,
            distance_m=None if stated_s is not None else stated_m,
            hill=says_hill(f"{title} {text}"),
            words=_stated_words(stated_s, stated_m),
        )
        notes = (f"Your plan's words: {text}",) if text else ()
        return replace(base, blocks=(step,), notes=notes)
    from_title = None if text else read_steps(title)
    if from_title is not None:
        return replace(base, blocks=from_title)
    return replace(base, free_text=text or title)
