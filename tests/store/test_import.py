"""Importing activities into a real SQLite file and a real PostgreSQL database.

Totals are checked against the oracles (Garmin's SDK for FIT, gpxpy for GPX, tcxreader for TCX)
after a round trip through the database. Damaged and hostile files must be refused with their
reason while adding nothing, and the files beside them must still be imported.
"""

from __future__ import annotations

import gzip
import shutil
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import gpxpy
import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from garmin_fit_sdk import Decoder, Encoder, Profile, Stream
from sqlalchemy import select, text
from tcxreader.tcxreader import TCXReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
import activity_factory as af
import fit_factory as ff

from retrorun import importing
from retrorun.api import Retrorun
from retrorun.core import profile as profiles
from retrorun.core.screening import QUESTION_IDS
from retrorun.core.timeline import Timeline, build_timeline
from retrorun.core.workout import Direction, Session
from retrorun.errors import InvalidInput, NotFound
from retrorun.formats.activity import make_streams
from retrorun.formats.archive import FoundFile
from retrorun.formats.fit_workout import WatchRepeat, watch_blocks
from retrorun.store import activities as store
from retrorun.store.models import ActivityRow, Base
from retrorun.store.queue_schema import not_the_queue
from retrorun.store.streams import decode_streams, encode_streams

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FIT = ["activity-small-fenix2-run.fit", "garmin-fenix-5-run.fit", "garmin-fenix-5-walk.fit"]
REAL_GPX = ["run.gpx", "missing_hr.gpx", "run_gpxtpx.gpx", "cerknicko-jezero.gpx"]
REAL_TCX = ["test.tcx", "no_hr.tcx", "sup_activity_1.tcx"]
MESG = Profile["mesg_num"]
PLAN_START = date(2026, 12, 1)
RUNNER = profiles.Profile(
    68,
    41,
    profiles.Experience.REGULAR,
    profiles.Goal.KNEE_REHAB,
    profiles.weekdays_for(3),
    30,
    True,
    True,
    True,
)


def _rows(api: Retrorun, table: str) -> int:
    with api.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _planned(database: str, profile: profiles.Profile = RUNNER) -> Retrorun:
    api = Retrorun(database)
    api.set_profile(profile)
    api.screen(dict.fromkeys(QUESTION_IDS, False), date(2026, 11, 25))
    api.new_plan(PLAN_START)
    return api


def sdk_totals(data: bytes) -> dict[str, Any]:
    """Garmin's SDK: the sessions' timer time and distance, and the number of laps."""
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    sessions = messages["session_mesgs"]
    return {
        "duration_s": sum(s["total_timer_time"] for s in sessions),
        "distance_m": sum(s["total_distance"] for s in sessions),
        "laps": len(messages.get("lap_mesgs", [])),
        "start": sessions[0]["start_time"],
    }


# --- the real files, against the oracles -------------------------------------------------------


def test_real_files_import_with_the_oracles_totals(database: str, tmp_path: Path) -> None:
    for name in REAL_FIT + REAL_GPX + REAL_TCX:
        shutil.copy(DATA / name, tmp_path / name)
    api = Retrorun(database)
    results = api.import_files([tmp_path])
    assert [r.status for r in results] == ["imported"] * 10, [r.reason for r in results]
    stored = {Path(a.source_path).name: a for a in Retrorun(database).activities()}
    for name in REAL_FIT:
        oracle = sdk_totals((DATA / name).read_bytes())
        activity = stored[name]
        assert activity.duration_s == pytest.approx(oracle["duration_s"])
        assert activity.distance_m == pytest.approx(oracle["distance_m"])
        assert len(activity.laps) == oracle["laps"]
        assert activity.start == oracle["start"]
    for name in REAL_GPX:
        gpx = gpxpy.parse((DATA / name).read_text())
        activity = stored[name]
        assert activity.distance_m == pytest.approx(gpx.length_2d(), rel=1e-9)
        assert activity.duration_s == gpx.get_duration()
        assert activity.laps == ()
    for name in REAL_TCX:
        tcx = TCXReader().read(str(DATA / name), only_gps=False)
        activity = stored[name]
        assert activity.distance_m == pytest.approx(tcx.distance)
        assert len(activity.laps) == len(tcx.laps)
        assert activity.elapsed_s == tcx.duration
    assert _rows(api, "activities") == 10
    assert _rows(api, "activity_laps") == sum(len(a.laps) for a in stored.values())


def test_streams_are_one_compact_blob_per_activity(database: str) -> None:
    api = Retrorun(database)
    (result,) = api.import_files([DATA / "activity-small-fenix2-run.fit"])
    with api.engine.connect() as connection:
        blob = connection.execute(select(ActivityRow.streams)).scalar_one()
    streams = decode_streams(blob)
    assert len(streams) == 2809 == result.samples
    assert len(blob) < 2809 * 8 * 4 / 2  # under half of the raw float32 columns
    original = importing.parse_activity(
        FoundFile("x.fit", "fit", (DATA / "activity-small-fenix2-run.fit").read_bytes())
    ).streams
    assert np.array_equal(streams.lat_deg, original.lat_deg, equal_nan=True)  # exact
    assert np.allclose(streams.heart_rate_bpm, original.heart_rate_bpm, equal_nan=True)
    assert np.allclose(streams.distance_m, original.distance_m, rtol=1e-6, equal_nan=True)


def test_streams_blob_round_trip_leaves_out_empty_columns() -> None:
    streams = make_streams(3, time_s=np.array([0.0, 1.0, 2.5]), lat_deg=np.array([45.1, 45.2, 1]))
    back = decode_streams(encode_streams(streams))
    assert back.time_s.tolist() == [0.0, 1.0, 2.5]
    assert back.lat_deg.tolist() == [45.1, 45.2, 1]
    assert np.isnan(back.speed_m_s).all() and len(back) == 3
    with pytest.raises(ValueError, match="not a retrorun streams blob"):
        decode_streams(b"nope")


def test_migrations_match_the_models(database: str) -> None:
    api = Retrorun(database)
    with api.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": not_the_queue})
        assert compare_metadata(context, Base.metadata) == []


# --- duplicates ---------------------------------------------------------------------------------


def test_the_same_file_is_stored_once_under_any_name_or_wrapping(
    database: str, tmp_path: Path
) -> None:
    fit = (DATA / "garmin-fenix-5-run.fit").read_bytes()
    (tmp_path / "a.fit").write_bytes(fit)
    (tmp_path / "renamed.fit").write_bytes(fit)
    (tmp_path / "zipped.fit.gz").write_bytes(gzip.compress(fit))
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("activities/99.fit", fit)
    api = Retrorun(database)
    results = api.import_files(
        [tmp_path / "a.fit", tmp_path / "a.fit", tmp_path / "renamed.fit", tmp_path]
    )
    assert [r.status for r in results] == ["imported"] + ["duplicate"] * 6
    assert {r.activity_id for r in results} == {results[0].activity_id}
    assert {r.reason for r in results[1:]} == {
        f"already imported as activity {results[0].activity_id}"
    }
    assert _rows(api, "activities") == 1
    again = api.import_files([tmp_path / "export.zip"])
    assert [r.status for r in again] == ["duplicate"]


def test_each_athlete_keeps_their_own_copy(database: str) -> None:
    me, other = Retrorun(database), Retrorun(database, athlete="client-2")
    assert me.import_files([DATA / "run.gpx"])[0].status == "imported"
    assert other.import_files([DATA / "run.gpx"])[0].status == "imported"
    assert len(me.activities()) == len(other.activities()) == 1
    with pytest.raises(NotFound):
        other.activity(me.activities()[0].id)


# --- refused files add nothing ------------------------------------------------------------------


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    + b']><gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&j;</name></trk></gpx>'
)


def _hostile_folder(folder: Path) -> dict[str, str]:
    """Good files beside bad ones; returns {file name: expected words in the reason}."""
    fit = (DATA / "activity-small-fenix2-run.fit").read_bytes()
    (folder / "good.fit").write_bytes((DATA / "garmin-fenix-5-walk.fit").read_bytes())
    (folder / "good.gpx").write_bytes((DATA / "run.gpx").read_bytes())
    (folder / "good.tcx.gz").write_bytes(gzip.compress((DATA / "test.tcx").read_bytes()))
    (folder / "truncated.fit").write_bytes(fit[: len(fit) // 2])
    flipped = bytearray(fit)
    flipped[10_432] ^= 0xFF
    (folder / "flipped.fit").write_bytes(bytes(flipped))
    (folder / "laughs.gpx").write_bytes(BILLION_LAUGHS)
    secret = folder / "secret.txt"
    secret.write_text("TOP SECRET")
    (folder / "xxe.gpx").write_bytes(
        f'<!DOCTYPE gpx [<!ENTITY s SYSTEM "file://{secret}">]><gpx><trk>&s;</trk></gpx>'.encode()
    )
    (folder / "cut.gpx.gz").write_bytes(gzip.compress((DATA / "run.gpx").read_bytes())[:500])
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.gpx", b"\0" * (30 * 2**20))
        zf.writestr("../../escape.fit", fit)
        zf.writestr("inside.gpx", (DATA / "missing_hr.gpx").read_bytes())
    return {
        "truncated.fit": "truncated FIT file",
        "flipped.fit": "CRC mismatch",
        "laughs.gpx": "DOCTYPE",
        "xxe.gpx": "DOCTYPE",
        "cut.gpx.gz": "damaged gzip",
        "bomb.gpx": "decompression bomb",
        "../../escape.fit": "unsafe member name",
    }


def test_damaged_and_hostile_files_are_refused_and_the_rest_imported(
    database: str, tmp_path: Path
) -> None:
    expected = _hostile_folder(tmp_path)
    api = Retrorun(database)
    results = api.import_files([tmp_path])
    refused = {r.path: r.reason or "" for r in results if r.status == "rejected"}
    assert len(refused) == len(expected)
    for name, words in expected.items():
        (reason,) = [reason for path, reason in refused.items() if path.endswith(name)]
        assert words in reason, (name, reason)
    assert "TOP SECRET" not in str(results)
    imported = sorted(Path(r.path.split("!")[-1]).name for r in results if r.status == "imported")
    assert imported == ["good.fit", "good.gpx", "good.tcx.gz", "inside.gpx"]
    assert _rows(api, "activities") == 4
    assert _rows(api, "activity_laps") == sum(len(a.laps) for a in api.activities())


def test_a_failure_while_storing_rolls_the_file_back(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = store.add_activity

    def add_then_fail(*args: Any) -> int:
        original(*args)  # the row and its laps are flushed: the rollback must remove them
        raise RuntimeError("disk on fire")

    api = Retrorun(database)
    monkeypatch.setattr(store, "add_activity", add_then_fail)
    (failed,) = api.import_files([DATA / "activity-small-fenix2-run.fit"])
    assert failed.status == "rejected" and "RuntimeError: disk on fire" in (failed.reason or "")
    assert _rows(api, "activities") == 0 and _rows(api, "activity_laps") == 0
    monkeypatch.undo()
    (again,) = api.import_files([DATA / "activity-small-fenix2-run.fit"])
    assert again.status == "imported"


def test_a_workout_file_is_not_an_activity(database: str, tmp_path: Path) -> None:
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": "workout",
            "manufacturer": "development",
            "time_created": datetime(2026, 1, 1, tzinfo=UTC),
        }
    )
    encoder.write_mesg({"mesg_num": MESG["WORKOUT"], "wkt_name": "Retro", "sport": "running"})
    path = tmp_path / "workout.fit"
    path.write_bytes(bytes(encoder.close()))
    (result,) = Retrorun(database).import_files([path])
    assert result.status == "rejected" and "a FIT workout file" in (result.reason or "")


def test_an_unknown_direction_is_refused_before_anything(database: str) -> None:
    with pytest.raises(InvalidInput, match="backward or forward"):
        Retrorun(database).import_files([DATA / "run.gpx"], direction="sideways")


# --- plan matching, directions, energy ----------------------------------------------------------


def _watch_laps(
    session: Session, timeline: Timeline | None = None
) -> list[tuple[int, int, Direction | None]]:
    """The laps a watch records running the session's watch workout, in order:
    (wkt_step_index, seconds, direction), repeats unrolled as the watch runs them."""
    blocks = watch_blocks(session.workout, timeline or build_timeline(session.workout))
    laps: list[tuple[int, int, Direction | None]] = []
    index = 0
    for block in blocks:
        if isinstance(block, WatchRepeat):
            for _ in range(block.times):
                laps += [(index + k, s.duration_s, s.direction) for k, s in enumerate(block.steps)]
            index += len(block.steps) + 1  # the repeat step has a message_index of its own
        else:
            laps.append((index, block.duration_s, block.direction))
            index += 1
    return laps


def _fit_from_laps(start: datetime, laps: list[tuple[int, int, Direction | None]]) -> bytes:
    """A 1 Hz activity whose laps carry the workout step they ran, as a watch writes it."""
    seconds = sum(duration for _, duration, _ in laps)
    samples = ff.run_samples(seconds, start)
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "time_created": start,
        }
    )
    first = 0
    for lap_index, (step, duration, _) in enumerate(laps):
        for sample in samples[first : first + duration]:
            encoder.write_mesg(ff.sdk_record(sample))
        lap_samples = samples[first : first + duration]
        encoder.write_mesg(
            {
                "mesg_num": MESG["LAP"],
                "message_index": lap_index,
                "timestamp": lap_samples[-1].time,
                "start_time": lap_samples[0].time,
                "total_elapsed_time": float(duration),
                "total_timer_time": float(duration),
                "total_distance": lap_samples[-1].distance_m - lap_samples[0].distance_m,
                "wkt_step_index": step,
            }
        )
        first += duration
    encoder.write_mesg(
        {
            "mesg_num": MESG["SESSION"],
            "timestamp": samples[-1].time,
            "start_time": start,
            "total_elapsed_time": float(seconds),
            "total_timer_time": float(seconds),
            "total_distance": samples[-1].distance_m,
            "sport": "running",
            "num_laps": len(laps),
        }
    )
    return bytes(encoder.close())


def test_laps_run_from_the_watch_workout_know_their_direction(
    database: str, tmp_path: Path
) -> None:
    api = _planned(database)
    session = api.plan().sessions[0]
    laps = _watch_laps(session)
    assert {d for *_, d in laps} >= {Direction.BACKWARD, Direction.FORWARD}
    start = datetime.combine(session.date, datetime.min.time(), UTC) + timedelta(hours=7)
    path = tmp_path / "watch.fit"
    path.write_bytes(_fit_from_laps(start, laps))
    (result,) = api.import_files([path])
    activity = result.activity
    assert activity is not None and activity.matched_plan
    assert activity.direction_source == "workout" and activity.direction == "mixed"
    assert [lap.direction for lap in activity.laps] == [
        None if d is None else d.value for *_, d in laps
    ]
    assert [lap.workout_step_index for lap in activity.laps] == [step for step, *_ in laps]
    backward = sum(seconds for _, seconds, d in laps if d is Direction.BACKWARD)
    assert activity.backward_s == pytest.approx(backward) and backward > 0
    assert activity.kcal is not None

    forward = api.set_activity_direction(activity.id, "forward")
    assert forward.direction == "forward" and forward.backward_s == 0
    assert forward.direction_source == "user"
    assert forward.kcal is not None and forward.kcal < activity.kcal  # backward costs more
    one_lap = api.set_activity_direction(activity.id, "backward", laps=[1])
    assert one_lap.direction == "mixed"
    assert one_lap.backward_s == pytest.approx(laps[1][1])
    assert api.activity(activity.id) == one_lap
    with pytest.raises(InvalidInput, match="there is no lap 99"):
        api.set_activity_direction(activity.id, "backward", laps=[99])
    with pytest.raises(NotFound):
        api.set_activity_direction(12345, "backward")


def test_another_workouts_laps_leave_the_direction_unknown(database: str, tmp_path: Path) -> None:
    api = _planned(database)
    session = api.plan().sessions[0]
    start = datetime.combine(session.date, datetime.min.time(), UTC) + timedelta(hours=7)
    path = tmp_path / "other.fit"
    path.write_bytes(_fit_from_laps(start, [(0, 60, None), (250, 60, None)]))
    (result,) = api.import_files([path])
    assert result.activity is not None and result.activity.matched_plan
    assert result.activity.direction is None and result.activity.backward_s == 0


def test_matching_uses_the_utc_date_of_the_start(database: str, tmp_path: Path) -> None:
    api = _planned(database)
    day = api.plan().sessions[0].date
    midnight = datetime.combine(day, datetime.min.time(), UTC)
    (tmp_path / "before.gpx").write_bytes(af.gpx_activity(600, midnight - timedelta(minutes=30)))
    (tmp_path / "after.gpx").write_bytes(af.gpx_activity(600, midnight + timedelta(minutes=30)))
    results = {Path(r.path).name: r.activity for r in api.import_files([tmp_path])}
    assert results["after.gpx"] is not None and results["after.gpx"].matched_plan
    assert results["before.gpx"] is not None and not results["before.gpx"].matched_plan


def test_a_direction_given_at_import_covers_every_lap(database: str) -> None:
    api = Retrorun(database)
    api.set_profile(RUNNER)
    (result,) = api.import_files([DATA / "test.tcx"], direction="backward")
    activity = result.activity
    assert activity is not None
    assert activity.direction == "backward" and activity.direction_source == "user"
    assert [lap.direction for lap in activity.laps] == ["backward"] * 3
    assert activity.backward_s == activity.duration_s


def test_energy_by_heart_rate_when_age_and_sex_are_known(database: str) -> None:
    api = Retrorun(database)
    (no_profile,) = api.import_files([DATA / "run.gpx"])
    assert no_profile.activity is not None and no_profile.activity.kcal is None
    assert "profile" in (no_profile.activity.energy_model or "")
    api.set_profile(profiles.Profile(**{**RUNNER.__dict__, "sex": "female"}))
    (with_hr,) = api.import_files([DATA / "test.tcx"])
    (without_hr,) = api.import_files([DATA / "no_hr.tcx"])
    assert with_hr.activity is not None and without_hr.activity is not None
    assert with_hr.activity.energy_model == "Keytel 2005 heart rate"
    assert "speed" in (without_hr.activity.energy_model or "")
    for activity in (with_hr.activity, without_hr.activity):  # a 33-minute run: a few hundred
        assert activity.kcal is not None and 150 < activity.kcal < 600


def test_progress_is_reported_per_file(database: str, tmp_path: Path) -> None:
    for name in ("run.gpx", "test.tcx", "garmin-fenix-5-run.fit"):
        shutil.copy(DATA / name, tmp_path / name)
    seen: list[tuple[str, int, int]] = []
    Retrorun(database).import_files(
        [tmp_path], progress=lambda result, done, total: seen.append((result.status, done, total))
    )
    assert seen == [("imported", 1, 3), ("imported", 2, 3), ("imported", 3, 3)]


def test_an_activity_without_samples_is_costed_from_its_totals(
    database: str, tmp_path: Path
) -> None:
    """A manual treadmill entry: a session with time and distance but no records."""
    start = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    encoder = Encoder()
    encoder.write_mesg(
        {"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "development"}
    )
    encoder.write_mesg(
        {
            "mesg_num": MESG["SESSION"],
            "timestamp": start + timedelta(minutes=20),
            "start_time": start,
            "total_elapsed_time": 1200.0,
            "total_timer_time": 1200.0,
            "total_distance": 1080.0,  # 0.9 m/s: a beginner's backward walk
            "sport": "walking",
        }
    )
    path = tmp_path / "treadmill.fit"
    path.write_bytes(bytes(encoder.close()))
    api = Retrorun(database)
    api.set_profile(RUNNER)
    (result,) = api.import_files([path])
    forward = result.activity
    assert forward is not None and forward.samples == 0 and forward.start == start
    assert forward.kcal is not None and "average speed" in (forward.energy_model or "")
    backward = api.set_activity_direction(forward.id, "backward")
    assert backward.backward_s == 1200 and backward.kcal is not None
    assert backward.kcal > forward.kcal
    with pytest.raises(InvalidInput, match="no laps: mark the whole activity"):
        api.set_activity_direction(forward.id, "forward", laps=[0])


def test_laps_map_to_the_timeline_the_session_was_stored_with(
    database: str, tmp_path: Path
) -> None:
    """A session stored under older rules (here: no shoulder cues, so one watch step per
    backward block) keeps its watch steps: laps recorded from that watch file map to them."""
    import json

    from retrorun.core.serialize import timeline_to_list
    from retrorun.core.timeline import CueKind

    api = _planned(database)
    session = api.plan().sessions[0]
    now = build_timeline(session.workout)
    older = Timeline(
        now.duration_s,
        tuple(c for c in now.cues if c.kind is not CueKind.SHOULDER),
        now.step_starts_s,
    )
    stored = {"metric": timeline_to_list(older), "imperial": timeline_to_list(older)}
    with api.engine.begin() as connection:
        connection.execute(
            text("UPDATE planned_sessions SET timeline = :t WHERE date = :d"),
            {"t": json.dumps(stored), "d": session.date},
        )
    laps = _watch_laps(session, older)
    assert laps != _watch_laps(session)  # the rules of today would cut the steps differently
    start = datetime.combine(session.date, datetime.min.time(), UTC) + timedelta(hours=7)
    path = tmp_path / "older-watch.fit"
    path.write_bytes(_fit_from_laps(start, laps))
    (result,) = api.import_files([path])
    activity = result.activity
    assert activity is not None and activity.direction_source == "workout"
    assert [lap.direction for lap in activity.laps] == [
        None if d is None else d.value for *_, d in laps
    ]


def _fit_of_totals(start: datetime, sport: str, sub_sport: str) -> bytes:
    """A FIT activity with only its session's totals: 20 minutes, 1,080 m."""
    encoder = Encoder()
    encoder.write_mesg(
        {"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "development"}
    )
    encoder.write_mesg(
        {
            "mesg_num": MESG["SESSION"],
            "timestamp": start + timedelta(minutes=20),
            "start_time": start,
            "total_elapsed_time": 1200.0,
            "total_timer_time": 1200.0,
            "total_distance": 1080.0,
            "sport": sport,
            "sub_sport": sub_sport,
        }
    )
    return bytes(encoder.close())


def test_a_paddle_gets_no_estimate_even_when_stored_under_older_rules(
    database: str, tmp_path: Path
) -> None:
    start = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    paddle = tmp_path / "paddle.fit"
    paddle.write_bytes(_fit_of_totals(start, "stand_up_paddleboarding", "generic"))
    treadmill = tmp_path / "treadmill.fit"
    treadmill.write_bytes(
        _fit_of_totals(start + timedelta(days=1), "fitness_equipment", "treadmill")
    )
    api = Retrorun(database)
    api.set_profile(RUNNER)
    by_name = {Path(r.path).name: r.activity for r in api.import_files([paddle, treadmill])}
    on_water, on_belt = by_name["paddle.fit"], by_name["treadmill.fit"]
    assert on_water is not None and on_belt is not None
    assert on_water.sport == "stand_up_paddleboarding" and on_water.kcal is None
    assert on_water.energy_model == "not a walk or run (stand-up paddling): no estimate"
    assert on_belt.kcal is not None
    with api.engine.begin() as connection:  # as the rules before this one stored them
        connection.execute(
            text("UPDATE activities SET kcal = 99, energy_inputs = :old"),
            {"old": "mass=68;age=41;sex=None;practice=0"},
        )
    api.set_profile(RUNNER)  # the same profile: only the rules have changed
    now = {a.id: a for a in api.activities()}
    assert now[on_water.id].kcal is None
    assert now[on_belt.id].kcal == pytest.approx(on_belt.kcal)  # its sub-sport kept: a walk
