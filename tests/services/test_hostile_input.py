"""Input no person could mean gets one clear error and changes nothing: ids beyond what a
database holds, text that is not text, numbers that are not numbers, over-long names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrorun.api import Retrorun
from retrorun.core.log import validate_log
from retrorun.errors import InvalidInput, NotFound
from retrorun.services import accounts, activities, plans
from tests.cli.clirunner import assert_one_line_error, log_args, run
from tests.services.conftest import NOW, TODAY, World, a_log

HUGE = (0, -1, 2**31, 2**63, 10**23)


@pytest.mark.parametrize("huge", HUGE)
def test_ids_beyond_any_database_are_not_found(world: World, huge: int) -> None:
    owner = world.scope("athlete")
    with pytest.raises(NotFound, match=f"no athlete with id {huge}"):
        plans.plan(owner, huge)
    with pytest.raises(NotFound, match="no imported activity"):
        activities.activity(owner, world.athlete, huge)
    with pytest.raises(NotFound, match="no planned session"):
        plans.skip_session(owner, world.athlete, huge, "why", TODAY)
    with pytest.raises(NotFound, match="no coach link"):
        accounts.end_link(owner, huge, NOW)
    with pytest.raises(NotFound, match="no user"):
        world.app.actor(huge)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"distance_km": float("nan")}, "distance must be a number"),
        ({"distance_km": float("inf")}, "distance must be a number"),
        ({"minutes": float("nan")}, "minutes must be"),
        ({"notes": "bad byte \udcff here"}, "notes must be text"),
        ({"notes": "nul \0 here"}, "notes must be text"),
    ],
)
def test_numbers_and_text_that_are_not_are_refused(change: dict[str, object], message: str) -> None:
    from dataclasses import replace

    with pytest.raises(InvalidInput, match=message):
        validate_log(replace(a_log(date(2026, 12, 7)), **change), TODAY)  # type: ignore[arg-type]


def test_an_athlete_name_must_fit_and_hold_no_nul(tmp_path: Path) -> None:
    for name in ("x" * 201, "a\0b", ""):
        with pytest.raises(InvalidInput, match="1–200 characters"):
            Retrorun(str(tmp_path / "names.db"), athlete=name)


def test_the_cli_says_so_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run(db, "init").code == 0
    for huge in ("99999999999999999999999", "2147483648"):
        assert_one_line_error(run(db, "activity", "show", huge), "no imported activity")
    logged = run(db, *log_args("2026-11-20", minutes="20"), "--distance-km", "nan")
    assert_one_line_error(logged, "distance must be a number")
    assert run(db, "history", "--json").json() == []


@pytest.mark.parametrize("field", ["duration_s", "distance_m"])
def test_an_activity_whose_totals_are_not_numbers_is_refused(tmp_path: Path, field: str) -> None:
    from dataclasses import replace

    from retrorun import importing
    from retrorun.formats.activity import ImportRejected
    from retrorun.formats.dispatch import parse_bytes

    data = (Path(__file__).resolve().parents[1] / "data" / "run.gpx").read_bytes()
    activity = replace(parse_bytes("run.gpx", data), **{field: float("inf")})
    api = Retrorun(str(tmp_path / "totals.db"))
    with pytest.raises(ImportRejected, match="not a finite number"), api.app.transaction() as db:
        importing.store_activity(
            db,
            api.athlete_id,
            activity,
            content_sha256="0" * 64,
            source_path="run.gpx",
            direction=None,
            profile=None,
        )
    assert api.activities() == []
    api.close()


def test_the_json_writer_refuses_what_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    from retrorun.cli.output import print_json

    with pytest.raises(ValueError, match="not JSON compliant"):
        print_json({"duration_s": float("inf")})
    assert capsys.readouterr().out == ""
