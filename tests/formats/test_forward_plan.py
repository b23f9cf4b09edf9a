"""Reading a forward plan from files (`formats.forward_plan`).

The fixture plan (tests/data/forward_plans, written by make_fixtures.py) is the same 8-week
half-marathon plan in every format: each must read to the same workouts, step for step. Then
what each reader refuses, with the file's name and the reason.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from retrorun.core.forward_plan import (
    ForwardPlan,
    ForwardStep,
    ForwardWorkout,
    Intensity,
    Part,
    Repeat,
    Sport,
)
from retrorun.errors import InvalidInput
from retrorun.formats.forward_plan import (
    MAX_FILE_BYTES,
    PlanFileRejected,
    read_csv,
    read_fit_workout,
    read_forward_plan,
    read_ics,
    read_plan_file,
    read_tcx_workouts,
    read_text,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "forward_plans"
FORMATS = [
    "half-marathon.txt",
    "half-marathon.csv",
    "half-marathon.ics",
    "half-marathon.tcx",
    "half-marathon-fit",
]


def _shape(plan: ForwardPlan) -> list[tuple[Any, ...]]:
    """What a plan says, without the words each format spells it in (rest days only exist in
    the formats that can hold them)."""
    found = []
    for w in plan.workouts:
        if w.sport is Sport.REST:
            continue
        steps = tuple(
            (
                s.part,
                s.intensity,
                s.duration_s,
                None if s.distance_m is None else round(s.distance_m),
                None if s.pace_s_per_km is None else round(s.pace_s_per_km),
                s.heart_rate_bpm,
                s.hill,
                s.walk,
            )
            for s in w.steps
        )
        found.append((w.date, w.title, w.sport, w.race, w.free_text is not None, steps))
    return found


@pytest.fixture(scope="module")
def plans() -> dict[str, ForwardPlan]:
    return {name: read_forward_plan(DATA / name) for name in FORMATS}


@pytest.mark.parametrize("name", FORMATS[1:])
def test_every_format_reads_to_the_same_plan(plans: dict[str, ForwardPlan], name: str) -> None:
    assert _shape(plans[name]) == _shape(plans["half-marathon.txt"])


def test_the_fixture_plan_is_a_realistic_half_marathon_plan(plans: dict[str, ForwardPlan]) -> None:
    plan = plans["half-marathon.txt"]
    runs = plan.runs
    assert len(runs) == 32 and runs[0].date == date(2026, 12, 8)
    assert sum(1 for w in plan.workouts if w.sport is Sport.REST) == 8
    assert [w.title for w in plan.workouts if w.sport is Sport.OTHER] == ["Strength", "Strength"]
    assert {w.title for w in runs} == {
        "Intervals",
        "Hill repeats",
        "Tempo",
        "Easy run",
        "Long run",
        "Fartlek",
        "Sharpener",
        "Race 21.1 km",
    }
    assert [w.date for w in runs if w.race] == [date(2027, 1, 31)]
    assert [w.title for w in runs if w.free_text] == ["Fartlek"]
    hills = [s for w in runs for s in w.steps if s.hill]
    assert hills and all(s.intensity is Intensity.HARD for s in hills)
    first = runs[0]
    warm, repeat, cool = first.blocks
    assert isinstance(warm, ForwardStep) and warm.part is Part.WARM_UP and warm.duration_s == 600
    assert isinstance(repeat, Repeat) and repeat.times == 6
    assert repeat.steps[0].distance_m == 400 and repeat.steps[0].pace_s_per_km == 270
    assert isinstance(cool, ForwardStep) and cool.part is Part.COOL_DOWN
    long_run = runs[3]
    assert long_run.steps[0].heart_rate_bpm == (135, 150)


@pytest.mark.parametrize("name", ["half-marathon.tcx", "half-marathon-fit"])
def test_watch_files_steps_are_written_out_in_the_notations_words(
    plans: dict[str, ForwardPlan], name: str
) -> None:
    runs = plans[name].runs
    assert [s.words for s in runs[0].steps[:3]] == [
        "10:00 warm-up easy",
        "400 m hard @ 4:30/km",
        "1:30 jog",
    ]
    assert [s.words for s in runs[3].steps] == ["12 km long easy 135-150 bpm"]


def test_each_workout_says_where_it_came_from(plans: dict[str, ForwardPlan]) -> None:
    assert plans["half-marathon.txt"].runs[0].source == "half-marathon.txt line 5"
    assert plans["half-marathon.csv"].runs[0].source == "half-marathon.csv line 3"
    assert plans["half-marathon.ics"].runs[0].source == "half-marathon.ics event 2"
    assert plans["half-marathon.tcx"].runs[0].source == "half-marathon.tcx"
    assert plans["half-marathon-fit"].runs[0].source == "2026-12-08-intervals.fit"


def test_a_folder_notes_what_it_did_not_read(tmp_path: Path) -> None:
    (tmp_path / "2026-12-08.txt").write_text("2026-12-08 Easy: 30m easy\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("not a plan")
    (tmp_path / "sub.txt").mkdir()
    plan = read_forward_plan(tmp_path)
    assert [w.title for w in plan.workouts] == ["Easy"]
    assert plan.notes == (
        "notes.pdf: not read (not a .fit, .tcx, .ics, .csv or .txt file)",
        "sub.txt: not read (not a .fit, .tcx, .ics, .csv or .txt file)",
    )


def test_an_empty_folder_or_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileRejected, match="no workout in any"):
        read_forward_plan(tmp_path)
    with pytest.raises(PlanFileRejected, match="no such file or folder"):
        read_forward_plan(tmp_path / "nothing.csv")


def test_too_large_a_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "plan.txt"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(PlanFileRejected, match="larger than 10 MiB"):
        read_forward_plan(big)


def test_an_unknown_kind_of_file_is_refused() -> None:
    with pytest.raises(PlanFileRejected, match=r"plan\.pdf: not a \.fit, \.tcx"):
        read_plan_file("plan.pdf", b"%PDF")
    assert isinstance(PlanFileRejected("x"), InvalidInput)


# --- plain text ---------------------------------------------------------------------------------


def test_text_workouts_start_at_a_date_line() -> None:
    text = (
        "# my plan\n"
        "2026-12-08 Intervals\n"
        "Main set 3x\n- 1m hard\n- 1m easy\n\n"
        "# a comment inside\n"
        "2026-12-09 Easy: 30m easy\n"
        "2026-12-10: 20m steady\n"
        "2026-12-11 Rest\n"
    )
    workouts = read_text("plan.txt", text.encode())
    assert [(w.date.day, w.title, w.sport) for w in workouts] == [
        (8, "Intervals", Sport.RUN),
        (9, "Easy", Sport.RUN),
        (10, "", Sport.RUN),
        (11, "Rest", Sport.REST),
    ]
    assert isinstance(workouts[0].blocks[0], Repeat) and workouts[2].steps[0].duration_s == 1200
    assert [w.source for w in workouts] == [f"plan.txt line {n}" for n in (2, 8, 9, 10)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Easy run\n2026-12-08 Easy", "plan.txt line 1: before the first date line"),
        ("2026-13-08 Easy", "plan.txt line 1: 2026-13-08 is not a date"),
        ("# only comments\n\n", "plan.txt: no line starts with a date"),
    ],
)
def test_bad_text_plans(text: str, message: str) -> None:
    with pytest.raises(PlanFileRejected, match=message):
        read_text("plan.txt", text.encode())


def test_text_must_be_utf8() -> None:
    with pytest.raises(PlanFileRejected, match="not UTF-8 text"):
        read_text("plan.txt", b"2026-12-08 \xff")
    assert read_text("plan.txt", "\ufeff2026-12-08 Easy: 30m easy".encode())[0].title == "Easy"


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_columns_in_any_order_with_other_names() -> None:
    data = (
        "Notes,Day,Name,Time,KM\n"
        ",2026-12-08,Easy run,45,\n"
        '"6x 400m hard / 90s jog",2026-12-09,Intervals,,\n'
        ",2026-12-10,Long run,,16\n"
        ",,,,\n"
        ",2026-12-11,Tempo,1:05:00,\n"
    )
    workouts = read_csv("plan.csv", data.encode())
    assert [w.title for w in workouts] == ["Easy run", "Intervals", "Long run", "Tempo"]
    assert workouts[0].steps[0].duration_s == 2700
    assert isinstance(workouts[1].blocks[0], Repeat)
    assert workouts[2].steps[0].distance_m == 16000.0
    assert workouts[3].steps[0].duration_s == 3900
    assert workouts[3].source == "plan.csv line 6"


def test_a_short_csv_row_reads_its_missing_cells_as_empty() -> None:
    workouts = read_csv("plan.csv", b"date,title,duration\n2026-12-08,Fartlek\n")
    assert workouts[0].free_text == "Fartlek"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "plan.csv: empty"),
        (b"when,what\n", "the first row must name the columns"),
        (b"date,duration\n", "the first row must name the columns"),
        (b"date,title\n08/12/2026,Easy\n", "plan.csv line 2: date '08/12/2026' is not YYYY-MM-DD"),
        (b"date,title,duration\n2026-12-08,Easy,soon\n", "line 2: duration 'soon' cannot be read"),
        (b"date,title,distance\n2026-12-08,Easy,far\n", "line 2: distance 'far' cannot be read"),
    ],
)
def test_bad_csv_plans(data: bytes, message: str) -> None:
    with pytest.raises(PlanFileRejected, match=message):
        read_csv("plan.csv", data)


# --- iCalendar ------------------------------------------------------------------------------------


def _calendar(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@test\r\nDTSTAMP:20261130T120000Z\r\n{e}END:VEVENT\r\n"
        for n, e in enumerate(events)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def test_a_timed_event_states_its_time() -> None:
    data = _calendar(
        "DTSTART:20261208T070000\r\nDTEND:20261208T074500\r\nSUMMARY:Easy run\r\n",
        "DTSTART:20261209T070000\r\nDURATION:PT30M\r\nSUMMARY:Tempo\r\n"
        "DESCRIPTION:keep it smooth\r\n",
        "DTSTART:20261210T070000\r\nDTEND:20261211T070000\r\nSUMMARY:Long thing\r\n",
        "DTSTART:20261211T070000\r\nSUMMARY:Fartlek\r\n",
        "DTSTART;VALUE=DATE:20261212\r\nSUMMARY:Steady\r\nDESCRIPTION:30m steady\r\n",
    )
    easy, tempo, long_thing, fartlek, steady = read_ics("plan.ics", data)
    assert easy.steps[0].duration_s == 2700 and easy.steps[0].intensity is Intensity.EASY
    assert tempo.steps[0].duration_s == 1800 and tempo.notes == (
        "Your plan's words: keep it smooth",
    )
    assert long_thing.free_text == "Long thing"  # a day-long event is no workout's time
    assert fartlek.free_text == "Fartlek"
    assert steady.date == date(2026, 12, 12) and steady.steps[0].duration_s == 1800
    assert steady.source == "plan.ics event 5"


def test_a_repeating_event_is_read_once_and_said() -> None:
    data = _calendar(
        "DTSTART;VALUE=DATE:20261208\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\nSUMMARY:Easy\r\n"
        "DESCRIPTION:30m easy\r\n"
    )
    (workout,) = read_ics("plan.ics", data)
    assert workout.notes == ("a repeating event: only its first date is read",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a calendar", "plan.ics: not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events in the calendar"),
        (_calendar("SUMMARY:Easy\r\n"), "event 1 has no start date"),
    ],
)
def test_bad_calendars(data: bytes, message: str) -> None:
    with pytest.raises(PlanFileRejected, match=message):
        read_ics("plan.ics", data)


# --- TCX ------------------------------------------------------------------------------------------

TCX_HEAD = (
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Workouts>'
)
TCX_TAIL = "</Workouts></TrainingCenterDatabase>"


def _tcx(*workouts: str) -> bytes:
    return (TCX_HEAD + "".join(workouts) + TCX_TAIL).encode()


def _tcx_workout(
    steps: str,
    when: str = "<ScheduledOn>2026-12-08</ScheduledOn>",
    sport: str = "Running",
    name: str = "Run",
) -> str:
    return f'<Workout Sport="{sport}"><Name>{name}</Name>{steps}{when}</Workout>'


def _tcx_step(
    duration: str,
    target: str = '<Target xsi:type="None_t"/>',
    name: str = "",
    intensity: str = "Active",
) -> str:
    return (
        f'<Step xsi:type="Step_t"><StepId>1</StepId><Name>{name}</Name>{duration}'
        f"<Intensity>{intensity}</Intensity>{target}</Step>"
    )


TIME = '<Duration xsi:type="Time_t"><Seconds>600</Seconds></Duration>'


def _target(kind: str, zone: str, body: str) -> str:
    return f'<Target xsi:type="{kind}"><{zone}>{body}</{zone.split()[0]}></Target>'


SPEED_ZONE_4 = _target(
    "Speed_t", 'SpeedZone xsi:type="PredefinedSpeedZone_t"', "<Number>4</Number>"
)
HR_ZONE_2 = _target(
    "HeartRate_t", 'HeartRateZone xsi:type="PredefinedHeartRateZone_t"', "<Number>2</Number>"
)
PERCENT = 'xsi:type="HeartRateAsPercentOfMax_t"'
HR_PERCENT = _target(
    "HeartRate_t",
    'HeartRateZone xsi:type="CustomHeartRateZone_t"',
    f"<Low {PERCENT}><Value>92</Value></Low><High {PERCENT}><Value>95</Value></High>",
)
BAD_SPEED = _target(
    "Speed_t",
    'SpeedZone xsi:type="CustomSpeedZone_t"',
    "<LowInMetersPerSecond>x</LowInMetersPerSecond>",
)
CADENCE = '<Target xsi:type="Cadence_t"><Low>80</Low><High>90</High></Target>'
KM = '<Duration xsi:type="Distance_t"><Meters>1000</Meters></Duration>'


def test_tcx_targets_and_zones() -> None:
    steps = "".join(
        [
            _tcx_step(TIME, SPEED_ZONE_4),
            _tcx_step(TIME, HR_ZONE_2),
            _tcx_step(TIME, HR_PERCENT),
            _tcx_step(TIME, CADENCE, intensity="Resting"),
            _tcx_step(KM, BAD_SPEED, name="walk uphill"),
        ]
    )
    (workout,) = read_tcx_workouts("plan.tcx", _tcx(_tcx_workout(steps)))
    assert [s.intensity for s in workout.steps] == [
        Intensity.TEMPO,
        Intensity.EASY,
        Intensity.HARD,
        Intensity.RECOVERY,
        None,
    ]
    last = workout.steps[-1]
    assert last.distance_m == 1000 and last.pace_s_per_km is None and last.walk and last.hill


def test_tcx_workout_on_two_dates_and_other_sports() -> None:
    two = "<ScheduledOn>2026-12-08</ScheduledOn><ScheduledOn>2026-12-15</ScheduledOn>"
    workouts = read_tcx_workouts(
        "plan.tcx",
        _tcx(
            _tcx_workout(_tcx_step(TIME), two),
            _tcx_workout(_tcx_step(TIME), sport="Biking", name="Bike"),
        ),
    )
    assert [(w.date.day, w.sport) for w in workouts] == [
        (8, Sport.RUN),
        (15, Sport.RUN),
        (8, Sport.OTHER),
    ]


def test_tcx_steps_that_cannot_be_read_make_free_text() -> None:
    open_step = _tcx_step('<Duration xsi:type="UserInitiated_t"/>')
    bad_time = _tcx_step('<Duration xsi:type="Time_t"><Seconds>soon</Seconds></Duration>')
    bad_repeat = (
        '<Step xsi:type="Repeat_t"><Repetitions>0</Repetitions>'
        + _tcx_step(TIME).replace("<Step ", "<Child ").replace("</Step>", "</Child>")
        + "</Step>"
    )
    for steps in (open_step, bad_time, bad_repeat, ""):
        (workout,) = read_tcx_workouts("plan.tcx", _tcx(_tcx_workout(steps)))
        assert workout.free_text == "Run" and workout.blocks == (), steps
    notes = _tcx_workout(open_step, "<ScheduledOn>2026-12-08</ScheduledOn><Notes>by feel</Notes>")
    assert read_tcx_workouts("plan.tcx", _tcx(notes))[0].free_text == "by feel"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
        (b"<TrainingCenterDatabase", "not well-formed TCX XML"),
        (_tcx(), "no <Workout> in it"),
        (_tcx(_tcx_workout(_tcx_step(TIME), when="")), "workout 'Run' has no <ScheduledOn> date"),
        (
            _tcx(_tcx_workout(_tcx_step(TIME), when="<ScheduledOn>soon</ScheduledOn>")),
            "'soon' is not a date",
        ),
    ],
)
def test_bad_tcx_files(data: bytes, message: str) -> None:
    with pytest.raises(PlanFileRejected, match=message):
        read_tcx_workouts("plan.tcx", data)


# --- FIT ------------------------------------------------------------------------------------------


def _fit(steps: list[dict[str, Any]], sport: str = "running", kind: str = "workout") -> bytes:
    """A FIT workout written with Garmin's SDK Encoder (raw main fields, DEPENDENCIES.md 2b)."""
    from datetime import UTC, datetime

    from garmin_fit_sdk import Encoder, Profile

    mesg = Profile["mesg_num"]
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": mesg["FILE_ID"],
            "type": kind,
            "manufacturer": "development",
            "product": 0,
            "serial_number": 1,
            "time_created": datetime(2026, 12, 1, tzinfo=UTC),
        }
    )
    encoder.write_mesg(
        {
            "mesg_num": mesg["WORKOUT"],
            "wkt_name": "Run",
            "sport": sport,
            "num_valid_steps": len(steps),
        }
    )
    for index, step in enumerate(steps):
        encoder.write_mesg({"mesg_num": mesg["WORKOUT_STEP"], "message_index": index, **step})
    data: bytes = encoder.close()
    return data


def _timed(seconds: int, **more: Any) -> dict[str, Any]:
    return {
        "duration_type": "time",
        "duration_value": seconds * 1000,
        "intensity": "active",
        **more,
    }


def test_fit_targets_zones_and_intensities() -> None:
    steps = [
        _timed(600, intensity="warmup", target_type="heart_rate", target_value=2),
        _timed(
            60,
            target_type="heart_rate",
            target_value=0,
            custom_target_value_low=90,
            custom_target_value_high=95,
        ),
        _timed(60, target_type="speed", target_value=3),
        _timed(
            60,
            intensity="interval",
            target_type="heart_rate",
            target_value=0,
            custom_target_value_low=250,
            custom_target_value_high=260,
        ),
        _timed(60, intensity="rest", target_type="open", target_value=0),
        _timed(
            60,
            wkt_step_name="tempo",
            target_type="speed",
            target_value=0,
            custom_target_value_low=4000,
            custom_target_value_high=4000,
        ),
        {
            "duration_type": "distance",
            "duration_value": 40000,
            "intensity": "cooldown",
            "wkt_step_name": "hill",
            "target_type": "open",
            "target_value": 0,
        },
    ]
    (workout,) = read_fit_workout("2026-12-08.fit", _fit(steps, sport="walking"))
    assert [s.part for s in workout.steps] == [Part.WARM_UP] + [Part.MAIN] * 5 + [Part.COOL_DOWN]
    assert [s.intensity for s in workout.steps] == [
        Intensity.EASY,
        Intensity.HARD,  # 92.5 % of maximum heart rate
        Intensity.STEADY,
        Intensity.HARD,
        Intensity.RECOVERY,
        Intensity.TEMPO,
        None,
    ]
    assert workout.steps[3].heart_rate_bpm == (150, 160)
    assert workout.steps[5].pace_s_per_km == 250.0
    assert workout.steps[6].distance_m == 400 and workout.steps[6].hill
    assert all(s.walk for s in workout.steps)  # a walking workout


def test_fit_repeats_nested_ones_written_out() -> None:
    steps = [
        _timed(60, wkt_step_name="hard"),
        _timed(30, wkt_step_name="easy"),
        {"duration_type": "repeat_until_steps_cmplt", "duration_value": 0, "target_value": 2},
        {"duration_type": "repeat_until_steps_cmplt", "duration_value": 0, "target_value": 3},
    ]
    (workout,) = read_fit_workout("2026-12-08.fit", _fit(steps))
    (repeat,) = workout.blocks
    assert isinstance(repeat, Repeat) and repeat.times == 3 and len(repeat.steps) == 4


@pytest.mark.parametrize(
    "steps",
    [
        [{"duration_type": "open", "wkt_step_name": "by feel", "intensity": "active"}],
        [{"duration_type": "repeat_until_steps_cmplt", "duration_value": 0, "target_value": 2}],
        [
            _timed(60),
            {"duration_type": "repeat_until_steps_cmplt", "duration_value": 0, "target_value": 0},
        ],
        [],
    ],
)
def test_fit_steps_that_cannot_be_read_make_free_text(steps: list[dict[str, Any]]) -> None:
    (workout,) = read_fit_workout("2026-12-08.fit", _fit(steps))
    assert workout.free_text in ("by feel", "Run") and workout.blocks == ()


def test_fit_other_sports_and_titles() -> None:
    (bike,) = read_fit_workout("2026-12-08.fit", _fit([_timed(60)], sport="cycling"))
    assert bike.sport is Sport.OTHER and bike.blocks == ()
    data = _fit([_timed(60)])
    (run,) = read_fit_workout("plan 2026-12-08 b.fit", data)
    assert run.title == "Run" and run.date == date(2026, 12, 8)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("intervals.fit", b"", "a FIT workout has no date; put it in the file name"),
        ("2026-02-30.fit", b"", "a FIT workout has no date"),
        ("2026-12-08.fit", b"not a fit file at all", "not a FIT file"),
        ("2026-12-08.fit", None, "damaged FIT file"),
        (
            "2026-12-08.fit",
            _fit([_timed(60)], kind="activity"),
            "a FIT activity file, not a workout",
        ),
    ],
)
def test_bad_fit_files(name: str, data: bytes | None, message: str) -> None:
    if data is None:
        good = bytearray(_fit([_timed(60)]))
        good[20] ^= 0xFF  # the CRC no longer matches
        data = bytes(good)
    with pytest.raises(PlanFileRejected, match=message):
        read_fit_workout(name, data)


def test_a_fit_file_with_the_right_crc_but_broken_inside(tmp_path: Path) -> None:
    """A file only a fuzzer makes: the SDK's own error becomes a refusal naming the file."""
    data = bytearray(_fit([_timed(60)]))
    data[8:12] = b".FIT"
    with pytest.raises(PlanFileRejected):
        read_fit_workout("2026-12-08.fit", bytes(data[:14]) + b"\x00\x00")


def test_fit_fixture_files_are_workouts(plans: dict[str, ForwardPlan]) -> None:
    runs = plans["half-marathon-fit"].runs
    assert all(isinstance(w, ForwardWorkout) and w.source.endswith(".fit") for w in runs)
