"""A runner's forward plan from the files training apps and watches export.

One reader per format, each giving the same plain `ForwardPlan` (`core.forward_plan`):
- FIT workout files (one a session, as Garmin Connect and many apps export them), read with
  Garmin's FIT SDK; a FIT workout has no date, so the date comes from the file name
  (`2026-12-08-intervals.fit`, as `retrorun export fit --week` names its files);
- TCX workouts (`<Workouts>`, dated by `<ScheduledOn>`), read with lxml, entities and DOCTYPEs
  refused as for TCX activities;
- an iCalendar export of a training calendar (one event a workout), read with `icalendar`;
- CSV with the columns date, title, duration, distance, description;
- plain text: a line starting with a date begins a workout, the lines under it are its steps.
Calendar, CSV and text descriptions are read with the step notation (`core.forward_plan`).

A file that cannot be read at all is refused with its name and the reason, and nothing of it
is used; a workout whose words cannot be read becomes free text, never dropped.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from retrorun.core.forward_plan import (
    ZONE_INTENSITY,
    Block,
    ForwardPlan,
    ForwardStep,
    ForwardWorkout,
    Intensity,
    Part,
    Repeat,
    Sport,
    intensity_from_percent,
    intensity_in,
    is_race,
    part_in,
    plan_of,
    read_distance,
    read_duration,
    read_workout,
    says_hill,
    says_walk,
    sport_of,
)
from retrorun.core.units import M_PER_KM, format_duration
from retrorun.errors import InvalidInput

# Our reasoning: a year of daily workouts in any of these formats is well under a megabyte.
MAX_FILE_BYTES = 10 * 2**20
MAX_FILES = 1000
SUFFIXES = (".fit", ".tcx", ".ics", ".csv", ".txt")
DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


class PlanFileRejected(InvalidInput):
    """A plan file that cannot be read: the message names the file and says why."""


def read_forward_plan(path: Path) -> ForwardPlan:
    """The workouts of a file, or of every plan file in a folder (not its sub-folders)."""
    if path.is_dir():
        return _read_folder(path)
    if not path.is_file():
        raise PlanFileRejected(f"{path}: no such file or folder")
    return plan_of(read_plan_file(path.name, _bytes(path)), [])


def _read_folder(folder: Path) -> ForwardPlan:
    workouts: list[ForwardWorkout] = []
    notes: list[str] = []
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    if len(files) > MAX_FILES:
        raise PlanFileRejected(f"{folder}: more than {MAX_FILES} files; give a smaller folder")
    for path in files:
        if path.suffix.lower() in SUFFIXES and path.is_file():
            workouts += read_plan_file(path.name, _bytes(path))
        else:
            notes.append(f"{path.name}: not read (not a .fit, .tcx, .ics, .csv or .txt file)")
    if not workouts:
        raise PlanFileRejected(f"{folder}: no workout in any .fit, .tcx, .ics, .csv or .txt file")
    return plan_of(workouts, notes)


def read_uploaded_plan(files: list[tuple[str, bytes]]) -> ForwardPlan:
    """The workouts of uploaded plan files (a web form's), read as a folder of them is."""
    if len(files) > MAX_FILES:
        raise PlanFileRejected(f"more than {MAX_FILES} files; send fewer")
    workouts: list[ForwardWorkout] = []
    notes: list[str] = []
    for name, data in files:
        if Path(name).suffix.lower() not in SUFFIXES:
            notes.append(f"{name}: not read (not a .fit, .tcx, .ics, .csv or .txt file)")
        elif len(data) > MAX_FILE_BYTES:
            raise PlanFileRejected(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        else:
            workouts += read_plan_file(name, data)
    if not workouts:
        raise PlanFileRejected("no workout in any .fit, .tcx, .ics, .csv or .txt file sent")
    return plan_of(workouts, notes)


def _bytes(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PlanFileRejected(f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    return path.read_bytes()


def read_plan_file(name: str, data: bytes) -> list[ForwardWorkout]:
    """One file's workouts, by the format its name ends in."""
    readers: dict[str, Callable[[str, bytes], list[ForwardWorkout]]] = {
        ".fit": read_fit_workout,
        ".tcx": read_tcx_workouts,
        ".ics": read_ics,
        ".csv": read_csv,
        ".txt": read_text,
    }
    reader = readers.get(Path(name).suffix.lower())
    if reader is None:
        raise PlanFileRejected(f"{name}: not a .fit, .tcx, .ics, .csv or .txt file")
    return reader(name, data)


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanFileRejected(f"{name}: not UTF-8 text (byte {error.start})") from None


# --- FIT workout files ------------------------------------------------------------------------

# FIT step intensities that say how hard (the others, active and warm-up/cool-down, do not).
FIT_INTENSITY = {
    "recovery": Intensity.RECOVERY,
    "rest": Intensity.RECOVERY,
    "interval": Intensity.HARD,
}
FIT_PART = {"warmup": Part.WARM_UP, "cooldown": Part.COOL_DOWN}
# FIT custom heart-rate targets: 0–100 is a percentage of maximum, above it bpm + 100.
FIT_HR_OFFSET = 100


def read_fit_workout(name: str, data: bytes) -> list[ForwardWorkout]:
    """A FIT workout file (file type 'workout'), dated by its file name."""
    from garmin_fit_sdk import Decoder, Stream  # slow to import: only when a FIT is read

    day = _date_in_name(name)
    stream = Stream.from_byte_array(bytearray(data))
    decoder = Decoder(stream)
    try:
        if not decoder.is_fit():
            raise PlanFileRejected(f"{name}: not a FIT file")
        if not decoder.check_integrity():
            raise PlanFileRejected(f"{name}: damaged FIT file (its CRC does not match)")
        stream.reset()  # check_integrity() does not rewind (DEPENDENCIES.md 2a)
        messages, errors = decoder.read()
    except PlanFileRejected:
        raise
    except Exception as error:  # the SDK raises plain exceptions for broken files
        raise PlanFileRejected(f"{name}: damaged FIT file ({error})") from None
    if errors:
        raise PlanFileRejected(f"{name}: damaged FIT file ({errors[0]})")
    kinds = [m.get("type") for m in messages.get("file_id_mesgs", [])]
    if kinds != ["workout"]:
        raise PlanFileRejected(
            f"{name}: a FIT {kinds[0] if kinds else 'file'} file, not a workout (import "
            "recorded activities with retrorun import)"
        )
    return [_fit_workout(name, day, messages)]


def _date_in_name(name: str) -> date:
    found = DATE_IN_NAME.search(name)
    try:
        if found:
            return date.fromisoformat(found.group(1))
    except ValueError:
        pass
    raise PlanFileRejected(
        f"{name}: a FIT workout has no date; put it in the file name (2026-12-08-intervals.fit)"
    )


def _fit_workout(name: str, day: date, messages: Mapping[str, Any]) -> ForwardWorkout:
    workout = (messages.get("workout_mesgs") or [{}])[0]
    title = str(workout.get("wkt_name") or Path(name).stem)
    sport = str(workout.get("sport", "running"))
    base = ForwardWorkout(day, title, race=is_race(title), source=name)
    if sport not in ("running", "walking", "generic"):
        return ForwardWorkout(day, title, sport=Sport.OTHER, source=name)
    if sport_of(title) is not Sport.RUN:
        return ForwardWorkout(day, title, sport=sport_of(title), source=name)
    raw = messages.get("workout_step_mesgs", [])
    blocks = _fit_blocks(raw, walking=sport == "walking")
    if blocks is None:
        words = "; ".join(_fit_words(step) for step in raw if _fit_words(step))
        return replace(base, free_text=words or title)
    return replace(base, blocks=blocks)


def _fit_words(step: Mapping[str, Any]) -> str:
    return " ".join(str(step[key]) for key in ("wkt_step_name", "notes") if step.get(key))


def _fit_blocks(raw: list[Mapping[str, Any]], walking: bool) -> tuple[Block, ...] | None:
    """The steps with FIT's repeat steps (`repeat_until_steps_cmplt`, pointing back at the
    first repeated step) folded into repeats; None when a step cannot be read."""
    made: list[tuple[int, Block]] = []
    for index, step in enumerate(raw):
        if step.get("duration_type") == "repeat_until_steps_cmplt":
            back = int(step.get("duration_step", index))
            inner = [block for at, block in made if at >= back]
            made = [(at, block) for at, block in made if at < back]
            times = int(step.get("repeat_steps") or 0)
            if not inner or times < 1:
                return None
            made.append((back, Repeat(times, _flat(inner))))
            continue
        read = _fit_step(step, walking)
        if read is None:
            return None
        made.append((index, read))
    return tuple(block for _, block in made) or None


def _flat(blocks: list[Block]) -> tuple[ForwardStep, ...]:
    """Steps of blocks, an inner repeat written out (our repeats do not nest)."""
    steps: list[ForwardStep] = []
    for block in blocks:
        steps.extend(block.steps * block.times if isinstance(block, Repeat) else (block,))
    return tuple(steps)


def _fit_step(step: Mapping[str, Any], walking: bool) -> ForwardStep | None:
    words = _fit_words(step)
    duration_s, distance_m = None, None
    if step.get("duration_type") == "time" and step.get("duration_time"):
        duration_s = round(float(step["duration_time"]))
    elif step.get("duration_type") == "distance" and step.get("duration_distance"):
        distance_m = float(step["duration_distance"])
    else:
        return None  # open (lap button), heart-rate or calorie steps have no time of their own
    pace, heart_rate, target = _fit_target(step)
    intensity = intensity_in(words) or target or FIT_INTENSITY.get(str(step.get("intensity")))
    return ForwardStep(
        part=FIT_PART.get(str(step.get("intensity"))) or part_in(words) or Part.MAIN,
        intensity=intensity,
        duration_s=duration_s,
        distance_m=distance_m,
        pace_s_per_km=pace,
        heart_rate_bpm=heart_rate,
        hill=says_hill(words),
        walk=walking or says_walk(words),
        words=_as_written(words, duration_s, distance_m, pace, heart_rate),
    )


def _fit_target(
    step: Mapping[str, Any],
) -> tuple[float | None, tuple[int, int] | None, Intensity | None]:
    """(pace, heart-rate range, intensity of a zone) from a FIT step's target."""
    kind = step.get("target_type")
    if kind == "speed":
        zone = int(step.get("target_speed_zone") or 0)
        if zone:
            return None, None, ZONE_INTENSITY.get(zone)
        return (
            _pace_of_speeds(
                step.get("custom_target_speed_low"), step.get("custom_target_speed_high")
            ),
            None,
            None,
        )
    if kind == "heart_rate":
        zone = int(step.get("target_hr_zone") or 0)
        if zone:
            return None, None, ZONE_INTENSITY.get(zone)
        low = int(step.get("custom_target_heart_rate_low") or 0)
        high = int(step.get("custom_target_heart_rate_high") or low)
        if low > FIT_HR_OFFSET:
            return None, (low - FIT_HR_OFFSET, high - FIT_HR_OFFSET), None
        if low:
            return None, None, intensity_from_percent((low + high) / 2, of_max_hr=True)
    return None, None, None


def _pace_of_speeds(low: object, high: object) -> float | None:
    """The middle of a speed range as a pace (s/km), as the notation reads a pace range."""
    speeds = [float(v) for v in (low, high) if isinstance(v, int | float) and v > 0]
    if not speeds:
        return None
    return round(statistics.fmean(M_PER_KM / speed for speed in speeds), 1)


def _as_written(
    words: str,
    duration_s: int | None,
    distance_m: float | None,
    pace: float | None,
    heart_rate: tuple[int, int] | None,
) -> str:
    """A watch file's step in the notation's words, as a person reads the plan: `800 m hard
    @ 4:35/km`, `12 km long easy 135-150 bpm`."""
    metres = distance_m or 0.0
    amount = f"{metres / M_PER_KM:g} km" if metres >= M_PER_KM else f"{metres:g} m"
    if duration_s is not None:
        amount = format_duration(duration_s)
    target = f"@ {format_duration(pace)}/km" if pace is not None else ""
    if heart_rate is not None:
        target = f"{heart_rate[0]}-{heart_rate[1]} bpm"
    return " ".join(f"{amount} {words} {target}".split())


# --- TCX workouts -------------------------------------------------------------------------------

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def read_tcx_workouts(name: str, data: bytes) -> list[ForwardWorkout]:
    """Every `<Workout>` of a TCX file, once per `<ScheduledOn>` date."""
    from lxml import etree  # only when a TCX is read

    if re.search(rb"<!DOCTYPE", data, re.I):
        raise PlanFileRejected(f"{name}: TCX with a DOCTYPE (entity declarations) is refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise PlanFileRejected(f"{name}: not well-formed TCX XML ({error})") from None
    found = [e for e in root.iter() if isinstance(e.tag, str) and _local(e.tag) == "Workout"]
    if not found:
        raise PlanFileRejected(f"{name}: no <Workout> in it (a TCX activity? use retrorun import)")
    workouts: list[ForwardWorkout] = []
    for element in found:
        workouts += _tcx_workout(name, element)
    return workouts


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


def _child(element: Any, name: str) -> Any:
    return next((c for c in element if isinstance(c.tag, str) and _local(c.tag) == name), None)


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if isinstance(c.tag, str) and _local(c.tag) == name]


def _child_text(element: Any, name: str) -> str:
    found = _child(element, name)
    return (found.text or "").strip() if found is not None else ""


def _xsi_type(element: Any) -> str:
    return str(element.get(XSI_TYPE, "")).rsplit(":", 1)[-1]


def _tcx_workout(name: str, element: Any) -> list[ForwardWorkout]:
    title = _child_text(element, "Name") or "Run"
    days = [_child_date(name, title, e) for e in _children(element, "ScheduledOn")]
    if not days:
        raise PlanFileRejected(f"{name}: workout {title!r} has no <ScheduledOn> date")
    sport = Sport.RUN if element.get("Sport", "Running") == "Running" else Sport.OTHER
    if sport is Sport.RUN:
        sport = sport_of(title)
    blocks = _tcx_blocks(_children(element, "Step")) if sport is Sport.RUN else ()
    notes = _child_text(element, "Notes")
    made = []
    for day in days:
        base = ForwardWorkout(day, title, sport=sport, race=is_race(title), source=name)
        if blocks is None:
            made.append(replace(base, free_text=notes or title))
        else:
            made.append(replace(base, blocks=blocks) if blocks else base)
    return made


def _child_date(name: str, title: str, element: Any) -> date:
    text = (element.text or "").strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise PlanFileRejected(f"{name}: workout {title!r}: {text!r} is not a date") from None


def _tcx_blocks(elements: list[Any]) -> tuple[Block, ...] | None:
    blocks: list[Block] = []
    for element in elements:
        if _xsi_type(element) == "Repeat_t":
            inner = _tcx_blocks(_children(element, "Child"))
            times = _child_text(element, "Repetitions")
            if inner is None or not times.isdigit() or int(times) < 1:
                return None
            blocks.append(Repeat(int(times), _flat(list(inner))))
            continue
        step = _tcx_step(element)
        if step is None:
            return None
        blocks.append(step)
    return tuple(blocks) or None


def _tcx_step(element: Any) -> ForwardStep | None:
    words = _child_text(element, "Name")
    duration = _child(element, "Duration")
    kind = _xsi_type(duration) if duration is not None else ""
    duration_s, distance_m = None, None
    try:
        if kind == "Time_t":
            duration_s = round(float(_child_text(duration, "Seconds")))
        elif kind == "Distance_t":
            distance_m = float(_child_text(duration, "Meters"))
        else:
            return None
    except ValueError:
        return None
    pace, heart_rate, target = _tcx_target(_child(element, "Target"))
    resting = _child_text(element, "Intensity") == "Resting"
    return ForwardStep(
        part=part_in(words) or Part.MAIN,
        intensity=intensity_in(words) or target or (Intensity.RECOVERY if resting else None),
        duration_s=duration_s,
        distance_m=distance_m,
        pace_s_per_km=pace,
        heart_rate_bpm=heart_rate,
        hill=says_hill(words),
        walk=says_walk(words),
        words=_as_written(words, duration_s, distance_m, pace, heart_rate),
    )


def _tcx_target(
    target: Any,
) -> tuple[float | None, tuple[int, int] | None, Intensity | None]:
    if target is None:
        return None, None, None
    kind = _xsi_type(target)
    zone = _child(target, "SpeedZone" if kind == "Speed_t" else "HeartRateZone")
    if kind not in ("Speed_t", "HeartRate_t") or zone is None:
        return None, None, None
    number = _child_text(zone, "Number")
    if number.isdigit():
        return None, None, ZONE_INTENSITY.get(int(number))
    try:
        if kind == "Speed_t":
            low = float(_child_text(zone, "LowInMetersPerSecond"))
            high = float(_child_text(zone, "HighInMetersPerSecond"))
            return _pace_of_speeds(low, high), None, None
        low_value, high_value = _child(zone, "Low"), _child(zone, "High")
        low_hr = round(float(_child_text(low_value, "Value")))
        high_hr = round(float(_child_text(high_value, "Value")))
    except (ValueError, TypeError):
        return None, None, None
    if "Percent" in _xsi_type(low_value):
        return None, None, intensity_from_percent((low_hr + high_hr) / 2, of_max_hr=True)
    return None, (low_hr, high_hr), None


# --- iCalendar ----------------------------------------------------------------------------------

# Our reasoning: a timed calendar event longer than this is a day's booking, not a workout.
MAX_EVENT_S = 6 * 3600


def read_ics(name: str, data: bytes) -> list[ForwardWorkout]:
    """One workout per event: its date, its summary as the title, its description as steps.

    A timed event's length counts as the workout's stated time. A repeating event (RRULE) is
    read on its first date only, and a note says so.
    """
    from icalendar import Calendar  # only when a calendar is read

    try:
        calendar = Calendar.from_ical(data)
        events = list(calendar.walk("VEVENT"))
    except ValueError as error:
        raise PlanFileRejected(f"{name}: not an iCalendar file ({error})") from None
    if not events:
        raise PlanFileRejected(f"{name}: no events in the calendar")
    workouts = []
    for number, event in enumerate(events, 1):
        start = event.get("dtstart")
        if start is None:
            raise PlanFileRejected(f"{name}: event {number} has no start date")
        title = str(event.get("summary", ""))
        workout = read_workout(
            _day(start.dt),
            title,
            str(event.get("description", "")),
            stated_s=_event_seconds(event),
            source=f"{name} event {number}",
        )
        if event.get("rrule") is not None:
            note = "a repeating event: only its first date is read"
            workout = replace(workout, notes=(*workout.notes, note))
        workouts.append(workout)
    return workouts


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _event_seconds(event: Any) -> int | None:
    """A timed event's length, when it is a workout's length."""
    start = event.get("dtstart").dt
    if not isinstance(start, datetime):
        return None
    if event.get("duration") is not None:
        length = event.get("duration").dt
    elif event.get("dtend") is not None:
        length = event.get("dtend").dt - start
    else:
        return None
    seconds = round(length.total_seconds()) if isinstance(length, timedelta) else 0
    return seconds if 0 < seconds <= MAX_EVENT_S else None


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day"),
    "title": ("title", "name", "workout", "summary"),
    "duration": ("duration", "time", "minutes"),
    "distance": ("distance", "km"),
    "description": ("description", "notes", "details", "steps"),
}


def read_csv(name: str, data: bytes) -> list[ForwardWorkout]:
    """Rows of date, title, duration, distance and description (any order, header first)."""
    rows = csv.reader(io.StringIO(_text(name, data)))
    header = next(rows, None)
    if header is None:
        raise PlanFileRejected(f"{name}: empty")
    columns = _csv_columns(name, header)
    workouts = []
    for line, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {key: row[at].strip() if at < len(row) else "" for key, at in columns.items()}
        workouts.append(_csv_workout(f"{name} line {line}", cell))
    return workouts


def _csv_columns(name: str, header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in CSV_COLUMNS.items():
        at = next((i for i, n in enumerate(names) if n in aliases), None)
        if at is not None:
            found[key] = at
    if "date" not in found or not {"title", "description"} & set(found):
        raise PlanFileRejected(
            f"{name}: the first row must name the columns: date, title, duration, distance, "
            "description (date and a title or description at least)"
        )
    return found


def _csv_workout(where: str, cell: Mapping[str, str]) -> ForwardWorkout:
    try:
        day = date.fromisoformat(cell["date"])
    except ValueError:
        raise PlanFileRejected(f"{where}: date {cell['date']!r} is not YYYY-MM-DD") from None
    stated_s = read_duration(cell["duration"]) if cell.get("duration") else None
    stated_m = read_distance(cell["distance"]) if cell.get("distance") else None
    for key, value in (("duration", stated_s), ("distance", stated_m)):
        if cell.get(key) and value is None:
            raise PlanFileRejected(f"{where}: {key} {cell[key]!r} cannot be read")
    return read_workout(
        day,
        cell.get("title", ""),
        cell.get("description", ""),
        stated_s=stated_s,
        stated_m=stated_m,
        source=where,
    )


# --- Plain text ---------------------------------------------------------------------------------

DATE_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\b\s*(.*)$")


def read_text(name: str, data: bytes) -> list[ForwardWorkout]:
    """`2026-12-08 Intervals` starts a workout; the lines under it, up to the next date line,
    are its steps (`Title: steps` on the date line works too). `#` starts a comment line."""
    workouts = []
    current: tuple[date, str, int, list[str]] | None = None
    for line_number, line in enumerate(_text(name, data).splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        found = DATE_LINE.match(line)
        if found is None:
            if current is None and line.strip():
                raise PlanFileRejected(
                    f"{name} line {line_number}: before the first date line; each workout "
                    "starts with a line YYYY-MM-DD Title"
                )
            if current is not None:
                current[3].append(line)
            continue
        if current is not None:
            workouts.append(_text_workout(name, current))
        current = _date_line(name, line_number, found)
    if current is not None:
        workouts.append(_text_workout(name, current))
    if not workouts:
        raise PlanFileRejected(f"{name}: no line starts with a date (YYYY-MM-DD Title)")
    return workouts


def _date_line(name: str, number: int, found: re.Match[str]) -> tuple[date, str, int, list[str]]:
    try:
        day = date.fromisoformat(found.group(1))
    except ValueError:
        raise PlanFileRejected(f"{name} line {number}: {found.group(1)} is not a date") from None
    title, _, steps = found.group(2).partition(": ")
    return day, title.strip().rstrip(":"), number, [steps] if steps else []


def _text_workout(name: str, current: tuple[date, str, int, list[str]]) -> ForwardWorkout:
    day, title, number, lines = current
    return read_workout(day, title, "\n".join(lines), source=f"{name} line {number}")
