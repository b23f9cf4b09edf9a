"""The FIT activity writer, read back by our decoder and by Garmin's SDK (the oracle)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from garmin_fit_sdk import Decoder, Stream

from retrorun.formats.activity import from_fit
from retrorun.formats.fit import decode_fit
from retrorun.formats.fit_activity import RecordedStep, activity_fit

START = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
# A warm-up, two backward minutes with a forward one between (watch steps 1, 2, 1), a cool-down.
STEPS = (
    RecordedStep(300, 1.2, 0),
    RecordedStep(60, 0.61, 1),
    RecordedStep(60, 1.2, 2),
    RecordedStep(60, 0.6, 1),
    RecordedStep(300, 1.15, 3),
)
TOTAL_S = sum(step.duration_s for step in STEPS)


def heart_rate(t: int) -> float:
    return 100 + 20 * math.sin(t / 200) ** 2


def sdk_messages(data: bytes) -> dict[str, Any]:
    """Garmin's reading of the file, after its own integrity check (a fresh decoder each)."""
    assert Decoder(Stream.from_byte_array(bytearray(data))).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return dict(messages)


def expected_distances() -> list[float]:
    """The distance at each second: each step's speed, one second after another."""
    distances = [0.0]
    for step in STEPS:
        for _ in range(step.duration_s):
            distances.append(distances[-1] + step.speed_m_s)
    return distances


def test_records_every_second_from_start_to_end_as_garmin_reads_them() -> None:
    messages = sdk_messages(activity_fit(START, STEPS, heart_rate))
    records = messages["record_mesgs"]
    assert len(records) == TOTAL_S + 1
    assert records[0]["timestamp"] == START
    assert records[-1]["timestamp"] == START + timedelta(seconds=TOTAL_S)
    assert [r["distance"] for r in records] == pytest.approx(expected_distances(), abs=0.011)
    assert records[301]["speed"] == pytest.approx(0.61)
    assert [r["heart_rate"] for r in records[:3]] == [round(heart_rate(t)) for t in range(3)]
    (session,) = messages["session_mesgs"]
    assert session["total_timer_time"] == TOTAL_S
    assert session["total_distance"] == pytest.approx(expected_distances()[-1], abs=0.011)
    assert (session["sport"], session["sub_sport"], session["num_laps"]) == (
        "walking",
        "treadmill",
        5,
    )
    assert messages["file_id_mesgs"][0]["type"] == "activity"
    assert len(messages["activity_mesgs"]) == 1


def test_one_lap_per_step_naming_its_watch_step() -> None:
    data = activity_fit(START, STEPS, heart_rate)
    laps = sdk_messages(data)["lap_mesgs"]
    assert [lap["wkt_step_index"] for lap in laps] == [0, 1, 2, 1, 3]
    assert [lap["total_timer_time"] for lap in laps] == [s.duration_s for s in STEPS]
    assert laps[1]["total_distance"] == pytest.approx(36.6)
    assert laps[1]["start_time"] == START + timedelta(seconds=300)
    ours = decode_fit(data)
    assert [lap.wkt_step_index for lap in ours.laps] == [0, 1, 2, 1, 3]
    assert [lap.start_time for lap in ours.laps] == [lap["start_time"] for lap in laps]


def test_our_decoder_and_the_importer_read_what_garmin_reads() -> None:
    data = activity_fit(START, STEPS, heart_rate)
    sdk = sdk_messages(data)
    ours = decode_fit(data)
    assert (ours.file_type, ours.sport, ours.sub_sport) == ("activity", "walking", "treadmill")
    assert ours.start == START and ours.duration_s == TOTAL_S
    assert ours.records.distance_m.tolist() == [r["distance"] for r in sdk["record_mesgs"]]
    assert ours.records.heart_rate_bpm.tolist() == [r["heart_rate"] for r in sdk["record_mesgs"]]
    assert ours.sessions[0].avg_heart_rate_bpm == sdk["session_mesgs"][0]["avg_heart_rate"]
    activity = from_fit(ours)
    assert activity.duration_s == TOTAL_S and len(activity.laps) == len(STEPS)
    assert [lap.start_s for lap in activity.laps] == [0, 300, 360, 420, 480]


def test_without_heart_rate_the_file_has_none() -> None:
    data = activity_fit(START, STEPS[:1], sport="running", sub_sport="generic")
    ours = decode_fit(data)
    assert np.isnan(ours.records.heart_rate_bpm).all()
    assert ours.sessions[0].avg_heart_rate_bpm is None
    assert (ours.sport, ours.sub_sport) == ("running", "generic")
    assert "heart_rate" not in sdk_messages(data)["record_mesgs"][0]


def test_the_same_recording_gives_the_same_bytes() -> None:
    assert activity_fit(START, STEPS, heart_rate) == activity_fit(START, STEPS, heart_rate)
    assert activity_fit(START, STEPS) != activity_fit(START + timedelta(days=1), STEPS)


@pytest.mark.parametrize(
    ("start", "steps"),
    [
        (START.replace(tzinfo=None), STEPS),
        (START, ()),
        (START, (RecordedStep(0, 1.0),)),
        (START, (RecordedStep(60, -1.0),)),
    ],
)
def test_refuses_what_no_watch_records(start: datetime, steps: tuple[RecordedStep, ...]) -> None:
    with pytest.raises(ValueError):
        activity_fit(start, steps)
