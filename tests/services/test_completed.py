"""One record of what was done: a log and an import of the same session count once."""

from __future__ import annotations

from datetime import date

import pytest

from retrorun.core.completed import Record, partner_for, same_session
from retrorun.core.log import AlreadyLogged
from retrorun.errors import InvalidInput, NotFound
from retrorun.services import activities, logs
from retrorun.services.app import App
from retrorun.store import activities as stored
from tests.services.conftest import DATA, TODAY, World, a_log


def test_the_rule_pairs_one_log_with_one_activity_of_the_same_session() -> None:
    day = date(2026, 12, 9)
    log = Record(1, day, 7, linked=False)
    assert same_session(log, Record(10, day, 7, False))
    assert not same_session(log, Record(11, day, 8, False))
    assert same_session(Record(2, day, None, False), Record(12, day, None, False))
    assert not same_session(Record(2, day, None, False), Record(12, date(2026, 12, 8), None, False))
    candidates = [Record(10, day, 7, True), Record(12, day, 7, False), Record(11, day, 7, False)]
    assert partner_for(log, candidates, record_is_log=True) == 11
    assert partner_for(Record(1, day, 7, linked=True), candidates, record_is_log=True) is None
    # A log made before the plan and an activity matched to it: still the same day's training.
    assert same_session(Record(3, day, None, False), Record(14, day, 7, False))
    logs = [
        Record(5, day, 8, False),
        Record(4, date(2026, 12, 8), 7, False),
        Record(6, day, 7, False),
    ]
    assert partner_for(Record(20, day, 7, False), logs, record_is_log=False) == 4


def _practice(app: App, athlete: int) -> int:
    from datetime import UTC, datetime

    with app.transaction() as db:
        return stored.backward_sessions_before(db, athlete, datetime(2030, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("log_first", [True, False])
def test_a_log_and_the_watch_file_of_the_same_day_count_once(world: World, log_first: bool) -> None:
    """run.gpx starts on 2012-10-24 (UTC): a log that day and the file are one session."""
    scope = world.scope("other athlete")
    athlete = scope.own_athlete
    day = date(2012, 10, 24) if log_first else date(2012, 10, 25)
    name = "run.gpx" if log_first else "run_gpxtpx.gpx"
    file_day = {"run.gpx": date(2012, 10, 24), "run_gpxtpx.gpx": None}[name]
    before = _practice(world.app, athlete)
    if log_first:
        logs.log(scope, athlete, a_log(day), TODAY)
        (result,) = activities.import_files(scope, athlete, [DATA / name], direction="backward")
    else:
        (result,) = activities.import_files(scope, athlete, [DATA / name], direction="backward")
        assert result.activity is not None
        logs.log(scope, athlete, a_log(result.activity.start_date), TODAY)
    assert result.status == "imported" and result.activity is not None
    if file_day is not None:
        assert result.activity.start_date == file_day
    linked = [
        item for item in logs.history(scope, athlete) if item.activity_id == result.activity_id
    ]
    assert len(linked) == 1
    assert _practice(world.app, athlete) == before + 1


def test_pain_the_next_morning_is_added_the_next_morning(world: World) -> None:
    scope = world.scope("athlete")
    logs.log(scope, world.athlete, a_log(TODAY), TODAY)
    with pytest.raises(InvalidInput, match="from 2026-12-11 on"):
        logs.complete_log(scope, world.athlete, TODAY, 2, TODAY)
    with pytest.raises(NotFound, match="nothing logged"):
        logs.complete_log(scope, world.athlete, date(2026, 11, 1), 2, TODAY)
    with pytest.raises(InvalidInput, match="0–10"):
        logs.complete_log(scope, world.athlete, date(2026, 12, 7), 11, TODAY)
    done = logs.complete_log(scope, world.athlete, date(2026, 12, 7), 3, TODAY)
    assert done.entry.pain_next_morning == 3
    again = [item for item in logs.history(scope, world.athlete) if item.id == done.id]
    assert again[0].entry.pain_next_morning == 3


def test_a_day_already_logged_needs_force_for_another_log(world: World) -> None:
    """The same session logged twice would count twice for the plan and for practice."""
    scope = world.scope("athlete")
    day = date(2026, 12, 9)  # a planned session of the world's plan
    first = logs.log(scope, world.athlete, a_log(day), TODAY)
    assert first.matched_plan
    with pytest.raises(AlreadyLogged, match="already logged 24 min backward walk on 2026-12-09"):
        logs.log(scope, world.athlete, a_log(day), TODAY)
    on_day = [item for item in logs.history(scope, world.athlete) if item.entry.date == day]
    assert [item.id for item in on_day] == [first.id]
    logs.log(scope, world.athlete, a_log(day), TODAY, force=True)
    assert sum(item.entry.date == day for item in logs.history(scope, world.athlete)) == 2


def test_energy_follows_body_mass(world: World) -> None:
    from dataclasses import replace

    from retrorun.services import athletes

    scope = world.scope("other athlete")
    athlete = scope.own_athlete
    found = [a for a in activities.activities(scope, athlete) if a.kcal]
    assert found
    profile = athletes.profile(scope, athlete)
    athletes.set_profile(scope, athlete, replace(profile, mass_kg=profile.mass_kg * 1.5))
    after = {a.id: a.kcal for a in activities.activities(scope, athlete)}
    for activity in found:
        assert after[activity.id] == pytest.approx(activity.kcal * 1.5, rel=0.02)
    athletes.set_profile(scope, athlete, profile)


def test_an_upload_from_bytes_is_imported_like_a_file(world: World) -> None:
    scope = world.scope("other athlete")
    athlete = scope.own_athlete
    data = (DATA / "cerknicko-jezero.gpx").read_bytes()
    (first,) = activities.import_upload(scope, athlete, "upload.gpx", data)
    assert first.status == "imported"
    (again,) = activities.import_files(scope, athlete, [DATA / "cerknicko-jezero.gpx"])
    assert again.status == "duplicate" and again.activity_id == first.activity_id


def test_an_archive_upload_is_read_from_a_stream(world: World) -> None:
    import io
    import zipfile

    scope = world.scope("other athlete")
    athlete = scope.own_athlete
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("activities/one.tcx", (DATA / "test.tcx").read_bytes())
        archive.writestr("activities/two.tcx", (DATA / "no_hr.tcx").read_bytes())
        archive.writestr("activities/notes.txt", "not an activity")
    packed.seek(0)
    results = activities.import_upload(scope, athlete, "export.zip", packed)
    assert [r.status for r in results] == ["imported", "imported"]
    assert results[0].path == "export.zip!activities/one.tcx"
