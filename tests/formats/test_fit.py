"""The FIT decoder against Garmin's official SDK, on real and on library-written files.

The oracle is garmin-fit-sdk: every record field, lap and session we keep must equal what the
SDK decodes from the same bytes. Edge cases (developer fields, big-endian definitions,
compressed timestamps, chained files, invalid values) are written with real FIT writers
(fit_factory); damaged files are made by cutting or editing library-written ones.
"""

from __future__ import annotations

import contextlib
import io
import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fit_factory as ff
import fitdecode
import numpy as np
import pytest
from fit_tool.endian import Endian
from garmin_fit_sdk import Decoder, Encoder, Profile, Stream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrorun.errors import InvalidInput
from retrorun.formats import fit as fit_module
from retrorun.formats.fit import (
    FitActivity,
    FitDecodeError,
    FitRecords,
    decode_fit,
    decode_fit_file,
)

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FILES = ["activity-small-fenix2-run.fit", "garmin-fenix-5-run.fit", "garmin-fenix-5-walk.fit"]
NAN = float("nan")


# --- the oracle -------------------------------------------------------------------------------


def sdk_decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Garmin's decoder with default options; it must find the file whole and error-free."""
    stream = Stream.from_byte_array(bytearray(data))
    decoder = Decoder(stream)
    assert decoder.is_fit() and decoder.check_integrity()
    stream.reset()  # check_integrity() leaves the stream at the end: read() would find nothing
    messages, errors = decoder.read()
    assert errors == []
    return messages


def _value(row: dict[str, Any], name: str) -> float:
    value = row.get(name)
    return NAN if value is None else float(value)


def _first(row: dict[str, Any], *names: str) -> float:
    """The first of `names` the SDK decoded (its enhanced_* come from speed/altitude too)."""
    for name in names:
        if row.get(name) is not None:
            return float(row[name])
    return NAN


def _semicircles_to_deg(row: dict[str, Any], name: str) -> float:
    return _value(row, name) * 180 / 2**31


def _cadence(row: dict[str, Any]) -> float:
    return _value(row, "cadence") + (row.get("fractional_cadence") or 0.0)


def _timestamp(row: dict[str, Any]) -> float:
    value = row.get("timestamp")
    return NAN if value is None else value.timestamp()


SDK_RECORD: dict[str, Callable[[dict[str, Any]], float]] = {
    "timestamp_s": _timestamp,
    "lat_deg": lambda r: _semicircles_to_deg(r, "position_lat"),
    "lon_deg": lambda r: _semicircles_to_deg(r, "position_long"),
    "distance_m": lambda r: _value(r, "distance"),
    "speed_m_s": lambda r: _first(r, "enhanced_speed", "speed"),
    "altitude_m": lambda r: _first(r, "enhanced_altitude", "altitude"),
    "heart_rate_bpm": lambda r: _value(r, "heart_rate"),
    "cadence_rpm": _cadence,
    "power_w": lambda r: _value(r, "power"),
    "vertical_oscillation_mm": lambda r: _value(r, "vertical_oscillation"),
    "stance_time_ms": lambda r: _value(r, "stance_time"),
    "stance_time_percent": lambda r: _value(r, "stance_time_percent"),
    "vertical_ratio_percent": lambda r: _value(r, "vertical_ratio"),
    "stance_time_balance_percent": lambda r: _value(r, "stance_time_balance"),
    "step_length_mm": lambda r: _value(r, "step_length"),
}


def assert_records_match_sdk(records: FitRecords, sdk_records: list[dict[str, Any]]) -> None:
    assert len(records) == len(sdk_records)
    assert set(SDK_RECORD) == set(vars(records)), "every record array is checked"
    for name, read in SDK_RECORD.items():
        expected = np.array([read(row) for row in sdk_records], dtype=float)
        np.testing.assert_allclose(
            getattr(records, name), expected, rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=name
        )


def _same(ours: object, sdk: object) -> bool:
    if isinstance(sdk, float | int) and not isinstance(sdk, bool):
        return isinstance(ours, float | int) and abs(ours - sdk) <= 1e-9 * max(1, abs(sdk))
    return ours == sdk


LAP_FIELDS = {
    "start_time": "start_time",
    "timestamp": "timestamp",
    "total_elapsed_time_s": "total_elapsed_time",
    "total_timer_time_s": "total_timer_time",
    "total_distance_m": "total_distance",
    "wkt_step_index": "wkt_step_index",
    "sport": "sport",
    "sub_sport": "sub_sport",
}
SESSION_FIELDS = {
    **LAP_FIELDS,
    "total_calories_kcal": "total_calories",
    "total_ascent_m": "total_ascent",
    "total_descent_m": "total_descent",
    "avg_heart_rate_bpm": "avg_heart_rate",
    "max_heart_rate_bpm": "max_heart_rate",
}
del SESSION_FIELDS["wkt_step_index"]


def assert_rows_match_sdk(ours: list[Any], sdk_rows: list[dict[str, Any]], fields: dict[str, str]):
    assert len(ours) == len(sdk_rows)
    for mine, theirs in zip(ours, sdk_rows, strict=True):
        for our_name, sdk_name in fields.items():
            assert _same(getattr(mine, our_name), theirs.get(sdk_name)), (our_name, mine, theirs)


def assert_matches_sdk(activity: FitActivity, data: bytes) -> dict[str, list[dict[str, Any]]]:
    sdk = sdk_decode(data)
    assert_records_match_sdk(activity.records, sdk.get("record_mesgs", []))
    assert_rows_match_sdk(activity.laps, sdk.get("lap_mesgs", []), LAP_FIELDS)
    assert_rows_match_sdk(activity.sessions, sdk.get("session_mesgs", []), SESSION_FIELDS)
    return sdk


def assert_same_activity(a: FitActivity, b: FitActivity) -> None:
    for name in vars(a.records):
        np.testing.assert_array_equal(
            getattr(a.records, name), getattr(b.records, name), err_msg=name
        )
    assert a.laps == b.laps
    assert a.sessions == b.sessions
    assert (a.sport, a.sub_sport, a.start) == (b.sport, b.sub_sport, b.start)


def decode_with_fitdecode(data: bytes) -> list[dict[str, Any]]:
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        return [
            {field.name: field.value for field in frame.fields}
            for frame in reader
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
        ]


# --- the hand-coded profile subset -----------------------------------------------------------


@pytest.mark.parametrize(
    ("mesg_num", "specs"),
    [
        (fit_module._MESG_FILE_ID, fit_module._FILE_ID_FIELDS),
        (fit_module._MESG_SPORT, fit_module._SPORT_FIELDS),
        (fit_module._MESG_RECORD, fit_module._RECORD_FIELDS),
        (fit_module._MESG_LAP, fit_module._LAP_FIELDS),
        (fit_module._MESG_SESSION, fit_module._SESSION_FIELDS),
    ],
)
def test_field_numbers_scales_and_offsets_are_the_sdk_profiles(
    mesg_num: int, specs: tuple[fit_module.FieldSpec, ...]
) -> None:
    fields = Profile["messages"][mesg_num]["fields"]
    for name, number, scale, offset in specs:
        assert fields[number]["name"] == name
        assert fields[number]["scale"] == [scale] and fields[number]["offset"] == [offset], name


def test_enum_names_are_the_sdk_profiles() -> None:
    assert Profile["types"]["sport"] == fit_module._SPORTS
    assert Profile["types"]["sub_sport"] == fit_module._SUB_SPORTS
    assert Profile["types"]["file"] == fit_module._FILE_TYPES


# --- real files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_matches_the_official_sdk(name: str) -> None:
    data = (DATA / name).read_bytes()
    activity = decode_fit(data)
    sdk = assert_matches_sdk(activity, data)
    assert activity.file_type == "activity"
    assert activity.sport == sdk["session_mesgs"][0]["sport"]
    assert activity.start == sdk["session_mesgs"][0]["start_time"]
    assert len(activity.records) == len(sdk["record_mesgs"]) > 0


@pytest.mark.parametrize("name", ["garmin-fenix-5-run", "garmin-fenix-5-walk"])
def test_real_file_matches_the_published_record_csv(name: str) -> None:
    """A second, independent oracle: the records CSV published with the file."""
    records = decode_fit_file(DATA / f"{name}.fit").records
    lines = (DATA / f"{name}-records.csv").read_text().splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    column = {title: [row[header.index(title)] for row in rows] for title in header}
    pdt = timezone(timedelta(hours=-7))  # the CSV prints local time, "PDT"
    times = [
        datetime.strptime(text, "%a %b %d %H:%M:%S PDT %Y").replace(tzinfo=pdt).timestamp()
        for text in column["timestamp"]
    ]
    np.testing.assert_array_equal(records.timestamp_s, times)
    assert np.diff(records.timestamp_s).min() >= 1
    for ours, theirs in [
        (records.heart_rate_bpm, "heart_rate"),
        (records.speed_m_s, "speed"),
        (records.distance_m, "distance"),
        (records.altitude_m, "altitude"),
        (records.lat_deg * 2**31 / 180, "position_lat"),
        (records.lon_deg * 2**31 / 180, "position_long"),
        (np.floor(records.cadence_rpm), "cadence"),
    ]:
        np.testing.assert_allclose(ours, np.array(column[theirs], dtype=float), rtol=1e-9)


def test_fenix2_run_values() -> None:
    activity = decode_fit_file(DATA / "activity-small-fenix2-run.fit")
    assert len(activity.records) == 2809
    assert activity.sport == "running"
    assert activity.duration_s == 2832.0
    assert activity.distance_m == pytest.approx(9008.22)
    assert len(activity.laps) == 4
    assert activity.start == datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC)
    assert 58.9 < np.nanmean(activity.records.lat_deg) < 59.0  # Stavanger, Norway


# --- library-written files --------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_hour() -> bytes:
    return ff.sdk_activity(3600)


def test_one_hour_activity_with_developer_fields_matches_sdk(one_hour: bytes) -> None:
    activity = decode_fit(one_hour)
    assert_matches_sdk(activity, one_hour)
    samples = ff.run_samples(3600)
    records = activity.records
    assert len(records) == 3600
    assert records.timestamp_s[0] == ff.START.timestamp()
    np.testing.assert_array_equal(np.diff(records.timestamp_s), 1.0)
    np.testing.assert_allclose(records.speed_m_s, [s.speed_m_s for s in samples])
    np.testing.assert_allclose(records.distance_m, [s.distance_m for s in samples])
    np.testing.assert_allclose(records.altitude_m, [s.altitude_m for s in samples])
    np.testing.assert_allclose(records.lat_deg, [s.lat_deg for s in samples], atol=1e-7)
    np.testing.assert_allclose(
        records.cadence_rpm, [s.cadence_rpm + s.fractional_cadence_rpm for s in samples]
    )
    np.testing.assert_allclose(records.step_length_mm, [s.step_length_mm for s in samples])
    assert [lap.wkt_step_index for lap in activity.laps] == [0, 1, 2, 0, 1, 2]
    assert activity.laps[0].total_elapsed_time_s == 600.0
    assert activity.laps[0].total_timer_time_s == 599.5
    assert (activity.sport, activity.sub_sport) == ("running", "track")
    assert activity.start == ff.START
    assert activity.duration_s == 3600.0
    assert activity.distance_m == pytest.approx(samples[-1].distance_m)
    session = activity.sessions[0]
    assert (session.total_calories_kcal, session.total_ascent_m) == (660.0, 12.0)
    assert (session.avg_heart_rate_bpm, session.max_heart_rate_bpm) == (141.0, 159.0)


def test_developer_fields_are_skipped_by_their_sizes(one_hour: bytes) -> None:
    without = ff.sdk_activity(3600, developer_fields=False)
    assert len(one_hour) > len(without) + 3600 * 6  # the developer data is really there
    assert_same_activity(decode_fit(one_hour), decode_fit(without))


def test_records_from_interleaved_definitions_stay_in_file_order() -> None:
    """Records spread over several definitions (power in every other one, heart rate missing
    from every seventh), merged back into file order."""
    rows = [ff.sdk_record(s) for s in ff.run_samples(300)]
    for row in rows[1::2]:
        del row["power"]
    for row in rows[::7]:
        del row["heart_rate"], row["stance_time"]
    data = ff.sdk_activity(300, records=rows)
    activity = decode_fit(data)
    assert_matches_sdk(activity, data)
    assert np.isnan(activity.records.power_w[1::2]).all()
    assert not np.isnan(activity.records.power_w[0::2]).any()
    np.testing.assert_array_equal(np.diff(activity.records.timestamp_s), 1.0)


def test_invalid_sentinels_become_nan() -> None:
    """Each record has one field set to FIT's invalid raw value, in rotation."""
    invalid: list[tuple[str, object]] = [
        ("heart_rate", 0xFF),
        ("position_lat", 0x7FFF_FFFF),
        ("position_long", 0x7FFF_FFFF),
        ("distance", 0xFFFF_FFFF / 100),
        ("power", 0xFFFF),
        ("cadence", 0xFF),
        ("fractional_cadence", 0xFF / 128),
        ("vertical_oscillation", 0xFFFF / 10),
        ("stance_time", 0xFFFF / 10),
        ("step_length", 0xFFFF / 10),
        ("stance_time_balance", 0xFFFF / 100),
        ("enhanced_speed", 0xFFFF_FFFF / 1000),
        ("speed", 0xFFFF / 1000),
        ("enhanced_altitude", 0xFFFF_FFFF / 5 - 500),
        ("altitude", 0xFFFF / 5 - 500),
    ]
    rows = [ff.sdk_record(s) for s in ff.run_samples(len(invalid) * 4)]
    for i, row in enumerate(rows):
        name, value = invalid[i % len(invalid)]
        row[name] = value
    rows[-1]["speed"] = 0xFFFF / 1000  # both speeds invalid: no speed at all
    rows[-1]["enhanced_speed"] = 0xFFFF_FFFF / 1000
    data = ff.sdk_activity(len(rows), records=rows, developer_fields=False)
    activity = decode_fit(data)
    assert_matches_sdk(activity, data)
    records = activity.records
    period = len(invalid)
    assert np.isnan(records.heart_rate_bpm[0::period]).all()
    assert np.isnan(records.lat_deg[1::period]).all() and np.isnan(records.lon_deg[2::period]).all()
    assert np.isnan(records.distance_m[3::period]).all()
    assert np.isnan(records.power_w[4::period]).all()
    assert np.isnan(records.cadence_rpm[5::period]).all()
    assert not np.isnan(records.cadence_rpm[6::period]).any()  # fraction invalid: cadence stays
    assert not np.isnan(records.speed_m_s[11::period]).any()  # falls back to 16-bit speed
    assert not np.isnan(records.altitude_m[13::period]).any()  # falls back to 16-bit altitude
    assert np.isnan(records.speed_m_s[-1])
    assert np.isnan(records.heart_rate_bpm).sum() == 4


GAPPY_TIMES = [0, 1, 2, 5, 9, 40, 41, 42, 70, 71, 73, 100, 131, 132, 150, 163, 190, 191, 222]
GAPPY_TIMES += [*range(230, 330), 360, 361, 380, 411]  # every gap ≤ 31 s


@pytest.fixture(scope="module")
def gappy_samples() -> list[ff.Sample]:
    return ff.run_samples(len(GAPPY_TIMES), times_s=GAPPY_TIMES)


def test_big_endian_file_matches_sdk_and_little_endian_twin(
    gappy_samples: list[ff.Sample],
) -> None:
    big = ff.fit_tool_activity(gappy_samples, endian=Endian.BIG)
    little = ff.fit_tool_activity(gappy_samples, endian=Endian.LITTLE)
    assert big[0] == little[0] == 12  # fit-tool writes the short header
    with fitdecode.FitReader(io.BytesIO(big)) as reader:
        endians = {
            frame.global_mesg_num: frame.endian
            for frame in reader
            if isinstance(frame, fitdecode.FitDefinitionMessage)
        }
    assert endians[20] == endians[19] == endians[18] == ">"  # record, lap, session
    activity = decode_fit(big)
    assert_matches_sdk(activity, big)
    assert_same_activity(activity, decode_fit(little))
    assert activity.laps[0].wkt_step_index == 2
    assert activity.sport == "walking"


def test_compressed_timestamps_match_the_normal_header_twin(
    gappy_samples: list[ff.Sample],
) -> None:
    """The SDK refuses compressed headers, so the oracle is the same records with full times."""
    compressed = ff.fit_tool_activity(gappy_samples, compressed=True)
    normal = ff.fit_tool_activity(gappy_samples)
    assert len(compressed) < len(normal) - 3 * (len(gappy_samples) - 1)  # no timestamp fields
    _, errors = Decoder(Stream.from_byte_array(bytearray(compressed))).read()
    assert "Compressed timestamp" in str(errors)  # the headers really are compressed
    activity = decode_fit(compressed)
    assert_same_activity(activity, decode_fit(normal))
    assert_matches_sdk(decode_fit(normal), normal)
    expected = [s.time.timestamp() for s in gappy_samples]
    np.testing.assert_array_equal(activity.records.timestamp_s, expected)
    by_fitdecode = [row["timestamp"].timestamp() for row in decode_with_fitdecode(compressed)]
    np.testing.assert_array_equal(activity.records.timestamp_s, by_fitdecode)


def test_compressed_timestamps_count_from_other_messages_too(
    gappy_samples: list[ff.Sample],
) -> None:
    """An event with a full timestamp between records resets the base of the next one."""
    data = ff.fit_tool_activity(gappy_samples, compressed=True, anchor_every=5)
    times = decode_fit(data).records.timestamp_s
    np.testing.assert_array_equal(times, [s.time.timestamp() for s in gappy_samples])


def test_compressed_timestamp_before_any_full_one_is_refused(
    gappy_samples: list[ff.Sample],
) -> None:
    data = ff.fit_tool_activity(gappy_samples[:5], compressed=True, compress_first=True)
    with pytest.raises(
        FitDecodeError, match=r"compressed timestamp header at byte \d+ comes before"
    ):
        decode_fit(data)


def test_chained_files_are_decoded_in_order(gappy_samples: list[ff.Sample]) -> None:
    first = ff.sdk_activity(120, lap_every_s=60)
    second = ff.fit_tool_activity(gappy_samples, endian=Endian.BIG)  # 12-byte header
    third = ff.sdk_activity(90, start=ff.START + timedelta(days=1), developer_fields=False)
    chain = first + second + third
    activity = decode_fit(chain)
    assert_matches_sdk(activity, chain)
    assert len(activity.records) == 120 + len(gappy_samples) + 90
    assert len(activity.laps) == 2 + 1 + 1 and len(activity.sessions) == 3
    assert activity.sport == "running" and activity.start == ff.START
    assert activity.duration_s == 120 + (gappy_samples[-1].time - ff.START).seconds + 1 + 90
    parts = [decode_fit(part) for part in (first, second, third)]
    np.testing.assert_array_equal(
        activity.records.timestamp_s, np.concatenate([p.records.timestamp_s for p in parts])
    )


def test_a_file_without_records() -> None:
    encoder = Encoder()
    created = datetime(2026, 5, 2, 6, 30, tzinfo=UTC)
    encoder.write_mesg(
        {
            "mesg_num": ff.MESG["FILE_ID"],
            "type": "workout",
            "manufacturer": "development",
            "time_created": created,
        }
    )
    activity = decode_fit(bytes(encoder.close()))
    assert len(activity.records) == 0 and activity.records.speed_m_s.shape == (0,)
    assert activity.file_type == "workout"
    assert (activity.sport, activity.start) == (None, created)
    assert activity.duration_s is None and activity.distance_m is None
    assert activity.laps == [] and activity.sessions == []


def test_record_arrays_are_read_only(one_hour: bytes) -> None:
    records = decode_fit(one_hour).records
    with pytest.raises(ValueError):
        records.heart_rate_bpm[0] = 1.0


def test_decode_accepts_bytearray_and_memoryview() -> None:
    data = (DATA / "garmin-fenix-5-walk.fit").read_bytes()
    expected = decode_fit(data)
    assert_same_activity(decode_fit(bytearray(data)), expected)
    assert_same_activity(decode_fit(memoryview(data)), expected)


def test_decoding_in_parallel_threads_agrees(one_hour: bytes) -> None:
    """The CRC tables are built lazily; threads racing to build them must still agree."""
    expected = decode_fit(one_hour)
    fit_module._SHIFT.clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(decode_fit, [one_hour] * 8))
    for activity in results:
        assert_same_activity(activity, expected)


# --- damaged files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> bytes:
    return ff.sdk_activity(60, lap_every_s=30)


def _set(data: bytes, at: int, *values: int) -> bytes:
    changed = bytearray(data)
    changed[at : at + len(values)] = bytes(values)
    return bytes(changed)


def _data_size(data: bytes, size: int) -> bytes:
    changed = bytearray(data)
    struct.pack_into("<I", changed, 4, size)
    return ff.with_fixed_crcs(bytes(changed))


DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda d: b"", "not a FIT file: it is empty"),
    "gpx text": (lambda d: b"<?xml version='1.0'?><gpx></gpx>", "not a FIT file: header size 60"),
    "no signature": (lambda d: _set(d, 8, *b".GPX"), "not a FIT file: no '.FIT' signature"),
    "header only": (lambda d: d[:10], "not a FIT file: only 10 bytes left at byte 0"),
    "truncated": (lambda d: d[: len(d) // 2], "truncated FIT file: the header at byte 0"),
    "no file crc": (lambda d: d[:-1], "truncated FIT file"),
    "header crc": (lambda d: _set(d, 1, 0x10), "FIT header CRC mismatch at byte 12"),
    "flipped data byte": (lambda d: _set(d, 300, d[300] ^ 0x04), "FIT file CRC mismatch at byte"),
    "flipped crc": (lambda d: _set(d, len(d) - 1, d[-1] ^ 0xFF), "FIT file CRC mismatch"),
    "absurd data size": (lambda d: _data_size(d, 0xFFFF_FFF0), "announces 4294967280 data bytes"),
    "trailing junk": (lambda d: d + b"\x00\x00\x00", "bytes after a FIT file are not a FIT file"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_file_is_refused_with_a_clear_message(small: bytes, case: str) -> None:
    damage, message = DAMAGE[case]
    with pytest.raises(FitDecodeError, match=message):
        decode_fit(damage(small))


def test_a_zero_header_crc_means_not_computed(small: bytes) -> None:
    """The FIT protocol lets a writer leave the header CRC at 0; only the file CRC counts."""
    data = ff.with_fixed_crcs(small)
    unchecked = bytearray(data)
    unchecked[12:14] = b"\x00\x00"
    end = len(unchecked) - 2
    struct.pack_into("<H", unchecked, end, ff.fit_crc(bytes(unchecked[:end])))
    assert_same_activity(decode_fit(bytes(unchecked)), decode_fit(small))


def test_undefined_local_message_type(small: bytes) -> None:
    at = ff.first_data_offset(small, local_type=0)  # the file_id message
    data = ff.with_fixed_crcs(_set(small, at, 0x0E))
    with pytest.raises(FitDecodeError, match=f"at byte {at} .* local message type 14, which no"):
        decode_fit(data)


def test_data_size_ending_inside_a_message(small: bytes) -> None:
    """The header's data size ends in the middle of the last message (CRCs made to match)."""
    cut = bytearray(small[: len(small) - 2 - 5])
    struct.pack_into("<I", cut, 4, len(cut) - small[0])
    data = ff.with_fixed_crcs(bytes(cut) + b"\x00\x00")
    with pytest.raises(FitDecodeError, match=r"message at byte \d+ runs 5 bytes past the end"):
        decode_fit(data)


@pytest.fixture(scope="module")
def tiny() -> bytes:
    """Just a file_id message: its definition at byte 14, its data message at byte 26."""
    encoder = Encoder()
    encoder.write_mesg(
        {"mesg_num": ff.MESG["FILE_ID"], "type": "activity", "manufacturer": "development"}
    )
    return bytes(encoder.close())


@pytest.mark.parametrize(
    ("offset_in_definition", "value", "message"),
    [
        (2, 7, "definition message at byte 14 has architecture 7"),
        (8, 0x1F, "field 0 defined at byte 20 has unknown base type 0x1F"),
        (5, 200, "the definition message at byte 14 runs past the end"),
        (7, 255, "the message at byte 26 runs 254 bytes past the end of the data section"),
    ],
)
def test_corrupt_definition(
    tiny: bytes, offset_in_definition: int, value: int, message: str
) -> None:
    assert tiny[14] & 0x40 and tiny[20] == 0  # a definition; its first field is file_id.type
    data = ff.with_fixed_crcs(_set(tiny, 14 + offset_in_definition, value))
    with pytest.raises(FitDecodeError, match=message):
        decode_fit(data)


def test_second_file_of_a_chain_with_a_bad_header(small: bytes) -> None:
    chain = small + _set(small, 0, 13)
    with pytest.raises(FitDecodeError, match=f"header size 13 at byte {len(small)}"):
        decode_fit(chain)


def test_errors_are_invalid_input_and_name_the_file(tmp_path: Path, small: bytes) -> None:
    path = tmp_path / "morning-retro.fit"
    path.write_bytes(small[:-1])
    with pytest.raises(InvalidInput, match=r"^morning-retro\.fit: truncated FIT file"):
        decode_fit_file(path)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_any_truncation_is_refused(small: bytes, cut: int) -> None:
    with pytest.raises(FitDecodeError):
        decode_fit(small[: cut % len(small)])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(at=st.integers(min_value=0, max_value=10_000), xor=st.integers(min_value=1, max_value=255))
def test_any_changed_byte_is_refused(small: bytes, at: int, xor: int) -> None:
    """CRC-16 catches every single-byte change; no change may slip through or crash."""
    with pytest.raises(FitDecodeError):
        decode_fit(_set(small, at % len(small), small[at % len(small)] ^ xor))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(keep=st.integers(min_value=0, max_value=600), tail=st.binary(max_size=300))
def test_garbage_with_valid_crcs_decodes_or_raises_fit_decode_error(
    small: bytes, keep: int, tail: bytes
) -> None:
    """Real definitions and messages, then random bytes, in a well-formed envelope (header,
    sizes and CRCs right): the decoder may accept or refuse, but never fail otherwise."""
    body = small[14 : 14 + keep] + tail
    header = struct.pack("<BBHI4sH", 14, 0x20, 2100, len(body), b".FIT", 0)
    data = ff.with_fixed_crcs(header + body + b"\x00\x00")
    with contextlib.suppress(FitDecodeError):
        decode_fit(data)
