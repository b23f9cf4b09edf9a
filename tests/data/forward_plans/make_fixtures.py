"""Write the 8-week half-marathon plan of the conversion tests in every format we read.

    .venv/bin/python tests/data/forward_plans/make_fixtures.py

The plan is defined once below, as plain tuples, and each writer renders it: plain text and CSV
in the step notation, an iCalendar file (written with `icalendar`), TCX workouts (written as
text), and one FIT workout file per session written with fit-tool, a writer independent of
Garmin's SDK that our reader uses. Run it again only when the plan changes; the files are
committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.date(2026, 12, 7)  # a Monday: week 1 of the plan


@dataclass(frozen=True)
class S:
    """A step: an amount ('10m', '90s', '400mtr', '12km') and what it says."""

    amount: str
    words: str = ""  # intensity and part words, as a coach writes them
    pace: str | None = None  # m:ss per km
    heart_rate: tuple[int, int] | None = None


@dataclass(frozen=True)
class R:
    times: int
    steps: tuple[S, ...]


@dataclass(frozen=True)
class W:
    day: dt.date
    title: str
    steps: tuple[S | R, ...] = ()
    kind: str = "run"  # run | rest | other | free
    words: str = ""  # free text
    minutes: int | None = None  # a stated time (CSV column) for single easy runs
    csv_columns: bool = False
    multi_line: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _day(week: int, weekday: int) -> dt.date:
    return START + dt.timedelta(weeks=week - 1, days=weekday)


WARM = S("10m", "warm-up easy")
COOL = S("10m", "cool-down easy")
QUALITY: dict[int, tuple[str, R]] = {
    1: ("Intervals", R(6, (S("400mtr", "hard", "4:30"), S("90s", "jog")))),
    2: ("Hill repeats", R(8, (S("60s", "hill hard"), S("90s", "easy walk")))),
    3: ("Intervals", R(5, (S("1km", "hard", "4:40"), S("2m", "jog")))),
    4: ("Intervals", R(6, (S("400mtr", "hard", "4:30"), S("90s", "jog")))),
    5: ("Hill repeats", R(10, (S("60s", "hill hard"), S("90s", "easy walk")))),
    6: ("Intervals", R(6, (S("800mtr", "hard", "4:35"), S("2m", "jog")))),
    7: ("Intervals", R(5, (S("1km", "hard", "4:40"), S("2m", "jog")))),
    8: ("Sharpener", R(4, (S("400mtr", "hard", "4:30"), S("90s", "jog")))),
}
TEMPO_MINUTES = {1: 20, 2: 20, 3: 25, 5: 25, 6: 30, 7: 30, 8: 15}
LONG_KM = {1: 12, 2: 13, 3: 14, 4: 11, 5: 15, 6: 16, 7: 18}


def plan() -> list[W]:
    """Four runs a week (intervals or hills, tempo, easy, long), rest on Mondays, strength on
    two Wednesdays, a free-text fartlek, and the race on the last Sunday."""
    workouts: list[W] = []
    for week in range(1, 9):
        workouts.append(W(_day(week, 0), "Rest", kind="rest"))
        title, repeat = QUALITY[week]
        workouts.append(W(_day(week, 1), title, (WARM, repeat, COOL), multi_line=week % 2 == 1))
        if week in (2, 5):
            workouts.append(W(_day(week, 2), "Strength", kind="other", minutes=30))
        if week == 4:
            words = "Play with the pace by feel, no watch"
            workouts.append(W(_day(week, 3), "Fartlek", kind="free", words=words))
        else:
            tempo = S(f"{TEMPO_MINUTES[week]}m", "tempo", "5:00")
            workouts.append(W(_day(week, 3), "Tempo", (WARM, tempo, COOL)))
        if week <= 3:
            easy = W(_day(week, 5), "Easy run", (S("40m", "easy"),), minutes=40, csv_columns=True)
        else:
            easy = W(_day(week, 5), "Easy run", (S("6km", "easy", "6:00"),))
        workouts.append(easy)
        if week == 8:
            race = S("21.1km", "race", "5:10")
            workouts.append(W(_day(week, 6), "Race 21.1 km", (race,)))
        else:
            long_run = S(f"{LONG_KM[week]}km", "long easy", heart_rate=(135, 150))
            workouts.append(W(_day(week, 6), "Long run", (long_run,)))
    return workouts


# --- the notation -------------------------------------------------------------------------------


def step_text(step: S) -> str:
    parts = [step.amount, step.words]
    if step.pace:
        parts.append(f"@ {step.pace}/km")
    if step.heart_rate:
        parts.append(f"{step.heart_rate[0]}-{step.heart_rate[1]}bpm")
    return " ".join(p for p in parts if p)


def one_line(workout: W) -> str:
    pieces = []
    for block in workout.steps:
        if isinstance(block, R):
            pieces.append(f"{block.times}x " + " / ".join(step_text(s) for s in block.steps))
        else:
            pieces.append(step_text(block))
    return ", ".join(pieces)


def multi_line(workout: W) -> str:
    """intervals.icu's layout: section headers, `- ` step lines, a blank line after a repeat."""
    lines: list[str] = []
    for block in workout.steps:
        if isinstance(block, R):
            lines += ["", f"Main set {block.times}x"]
            lines += [f"- {step_text(s)}" for s in block.steps]
            lines.append("")
        else:
            lines.append(f"- {step_text(block)}")
    return "\n".join(lines).strip("\n")


def notation(workout: W) -> str:
    if workout.kind == "free":
        return workout.words
    if workout.kind != "run":
        return ""
    return multi_line(workout) if workout.multi_line else one_line(workout)


# --- writers ------------------------------------------------------------------------------------


def write_text(workouts: list[W]) -> str:
    lines = ["# An 8-week half-marathon plan, made for retrorun's tests (see README.md here).", ""]
    for w in workouts:
        text = notation(w)
        if w.multi_line or "\n" in text or w.kind == "free":
            lines += [f"{w.day} {w.title}", *text.splitlines(), ""]
        elif text:
            lines += [f"{w.day} {w.title}: {text}", ""]
        else:
            lines += [f"{w.day} {w.title}", ""]
    return "\n".join(lines)


def write_csv(workouts: list[W]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "title", "duration", "distance", "description"])
    for w in workouts:
        if w.csv_columns or w.kind == "other":
            writer.writerow([w.day, w.title, f"{w.minutes}:00", "", ""])
        else:
            writer.writerow([w.day, w.title, "", "", notation(w)])
    return out.getvalue()


def write_ics(workouts: list[W]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//retrorun tests//half marathon plan//EN")
    calendar.add("version", "2.0")
    for w in workouts:
        event = Event()
        event.add("uid", f"{w.day}-{w.title.replace(' ', '-').lower()}@retrorun.test")
        event.add("dtstamp", dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
        event.add("dtstart", w.day)
        event.add("dtend", w.day + dt.timedelta(days=1))
        event.add("summary", w.title)
        text = notation(w)
        if text:
            event.add("description", text if w.kind == "free" else multi_line(w))
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _speed(pace: str) -> float:
    minutes, seconds = pace.split(":")
    return 1000 / (int(minutes) * 60 + int(seconds))


def _amount(step: S) -> tuple[str, float]:
    """('time', seconds) or ('distance', metres)."""
    text = step.amount
    for unit, factor, kind in (("mtr", 1, "distance"), ("km", 1000, "distance")):
        if text.endswith(unit):
            return kind, float(text.removesuffix(unit)) * factor
    if text.endswith("s"):
        return "time", float(text[:-1])
    return "time", float(text[:-1]) * 60


def _tcx_step(step: S, number: int) -> str:
    kind, value = _amount(step)
    duration = (
        f'<Duration xsi:type="Time_t"><Seconds>{value:g}</Seconds></Duration>'
        if kind == "time"
        else f'<Duration xsi:type="Distance_t"><Meters>{value:g}</Meters></Duration>'
    )
    if step.pace:
        speed = _speed(step.pace)
        target = (
            '<Target xsi:type="Speed_t"><SpeedZone xsi:type="CustomSpeedZone_t">'
            "<ViewAs>Pace</ViewAs>"
            f"<LowInMetersPerSecond>{speed:.4f}</LowInMetersPerSecond>"
            f"<HighInMetersPerSecond>{speed:.4f}</HighInMetersPerSecond>"
            "</SpeedZone></Target>"
        )
    elif step.heart_rate:
        low, high = step.heart_rate
        target = (
            '<Target xsi:type="HeartRate_t"><HeartRateZone xsi:type="CustomHeartRateZone_t">'
            f'<Low xsi:type="HeartRateInBeatsPerMinute_t"><Value>{low}</Value></Low>'
            f'<High xsi:type="HeartRateInBeatsPerMinute_t"><Value>{high}</Value></High>'
            "</HeartRateZone></Target>"
        )
    else:
        target = '<Target xsi:type="None_t"/>'
    intensity = "Resting" if "jog" in step.words or "walk" in step.words else "Active"
    return (
        f'<Step xsi:type="Step_t"><StepId>{number}</StepId><Name>{step.words[:15]}</Name>'
        f"{duration}<Intensity>{intensity}</Intensity>{target}</Step>"
    )


def _tcx_steps(workout: W) -> list[str]:
    steps: list[str] = []
    for block in workout.steps:
        if isinstance(block, R):
            children = [
                _tcx_step(inner, len(steps) + 2 + at).replace("<Step ", "<Child ", 1)
                for at, inner in enumerate(block.steps)
            ]
            children = [c.removesuffix("</Step>") + "</Child>" for c in children]
            steps.append(
                f'<Step xsi:type="Repeat_t"><StepId>{len(steps) + 1}</StepId>'
                f"<Repetitions>{block.times}</Repetitions>{''.join(children)}</Step>"
            )
        else:
            steps.append(_tcx_step(block, len(steps) + 1))
    return steps


def write_tcx(workouts: list[W]) -> str:
    body = []
    for w in workouts:
        if w.kind == "rest":
            continue
        sport = "Other" if w.kind == "other" else "Running"
        if w.kind == "free":
            steps = [
                '<Step xsi:type="Step_t"><StepId>1</StepId><Name>fartlek</Name>'
                '<Duration xsi:type="UserInitiated_t"/><Intensity>Active</Intensity>'
                '<Target xsi:type="None_t"/></Step>'
            ]
            notes = f"<Notes>{w.words}</Notes>"
        elif w.kind == "other":
            steps = [
                '<Step xsi:type="Step_t"><StepId>1</StepId><Name>strength</Name>'
                f'<Duration xsi:type="Time_t"><Seconds>{(w.minutes or 0) * 60}</Seconds>'
                '</Duration><Intensity>Active</Intensity><Target xsi:type="None_t"/></Step>'
            ]
            notes = ""
        else:
            steps, notes = _tcx_steps(w), ""
        body.append(
            f'<Workout Sport="{sport}"><Name>{w.title[:15]}</Name>{"".join(steps)}'
            f"<ScheduledOn>{w.day}</ScheduledOn>{notes}</Workout>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        "<Workouts>\n" + "\n".join(body) + "\n</Workouts>\n"
        "</TrainingCenterDatabase>\n"
    )


def _fit_step(index: int, step: S) -> object:
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import Intensity, WorkoutStepDuration, WorkoutStepTarget

    message = WorkoutStepMessage()
    message.message_index = index
    message.workout_step_name = step.words
    kind, value = _amount(step)
    if kind == "time":
        message.duration_type = WorkoutStepDuration.TIME
        message.duration_time = value
    else:
        message.duration_type = WorkoutStepDuration.DISTANCE
        message.duration_distance = value
    if "warm-up" in step.words:
        message.intensity = Intensity.WARMUP
    elif "cool-down" in step.words:
        message.intensity = Intensity.COOLDOWN
    elif "jog" in step.words or "walk" in step.words:
        message.intensity = Intensity.RECOVERY
    else:
        message.intensity = Intensity.ACTIVE
    if step.pace:
        message.target_type = WorkoutStepTarget.SPEED
        message.target_value = 0
        message.custom_target_speed_low = _speed(step.pace)
        message.custom_target_speed_high = _speed(step.pace)
    elif step.heart_rate:
        message.target_type = WorkoutStepTarget.HEART_RATE
        message.target_value = 0
        message.custom_target_heart_rate_low = step.heart_rate[0] + 100  # FIT: bpm + 100
        message.custom_target_heart_rate_high = step.heart_rate[1] + 100
    else:
        message.target_type = WorkoutStepTarget.OPEN
    return message


def write_fit(workout: W, path: Path) -> None:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import (
        FileType,
        Intensity,
        Manufacturer,
        Sport,
        WorkoutStepDuration,
    )

    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = int(workout.day.strftime("%Y%m%d"))
    created = dt.datetime.combine(workout.day, dt.time(), tzinfo=dt.UTC)
    file_id.time_created = round(created.timestamp() * 1000)
    steps: list[object] = []
    if workout.kind in ("free", "other"):
        message = WorkoutStepMessage()
        message.message_index = 0
        message.workout_step_name = "fartlek" if workout.kind == "free" else "strength"
        if workout.words:
            message.notes = workout.words
        message.intensity = Intensity.ACTIVE
        message.duration_type = WorkoutStepDuration.OPEN
        steps.append(message)
    for block in workout.steps:
        if isinstance(block, R):
            first = len(steps)
            steps += [_fit_step(len(steps), s) for s in block.steps]
            repeat = WorkoutStepMessage()
            repeat.message_index = len(steps)
            repeat.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            repeat.duration_step = first
            repeat.target_repeat_steps = block.times
            steps.append(repeat)
        else:
            steps.append(_fit_step(len(steps), block))
    message = WorkoutMessage()
    message.workout_name = workout.title
    message.sport = Sport.TRAINING if workout.kind == "other" else Sport.RUNNING
    message.num_valid_steps = len(steps)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    builder.add(file_id)
    builder.add(message)
    builder.add_all(steps)
    builder.build().to_file(str(path))


def main() -> None:
    workouts = plan()
    (HERE / "half-marathon.txt").write_text(write_text(workouts))
    (HERE / "half-marathon.csv").write_text(write_csv(workouts))
    (HERE / "half-marathon.ics").write_bytes(write_ics(workouts))
    (HERE / "half-marathon.tcx").write_text(write_tcx(workouts))
    folder = HERE / "half-marathon-fit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for w in workouts:
        if w.kind != "rest":
            slug = w.title.lower().replace(" ", "-").replace(".", "")
            write_fit(w, folder / f"{w.day}-{slug}.fit")


if __name__ == "__main__":
    main()
