"""Migrations are explicit, run once under a lock, and a schema that is behind says what to run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from retrorun.errors import SchemaNotReady
from retrorun.services.app import App
from retrorun.store import database as store_database


def test_the_known_head_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(store_database._alembic_config())
    assert script.get_current_head() == store_database.HEAD_REVISION


def test_building_the_app_touches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    app = App(str(path))
    assert not path.exists()
    with pytest.raises(SchemaNotReady, match=r"no database at .*: run `retrorun init`"):
        app.check_schema()
    assert not path.exists()  # nor does checking it
    app.close()


def test_an_older_schema_names_the_command(database: str) -> None:
    app = App(database)
    with app.engine.begin() as connection:
        config = database_config(connection)
        command.upgrade(config, "0002")
    with pytest.raises(
        SchemaNotReady, match=r"schema 0002 .* needs 0011: run `retrorun db upgrade`"
    ):
        app.check_schema()
    assert app.upgrade() == ("0002", database_head())
    app.check_schema()
    app.close()


def database_config(connection: object):  # type: ignore[no-untyped-def]
    config = store_database._alembic_config()
    config.attributes["connection"] = connection
    return config


def database_head() -> str:
    return store_database.HEAD_REVISION


def _cli(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "retrorun", "--db", url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_processes_starting_together_migrate_once(database: str) -> None:
    """Four `db upgrade` and two `init` at the same moment on a new database (only these two
    create one: a read command before them is refused, tests/cli/test_database_option.py)."""
    started = [_cli(database, "db", "upgrade") for _ in range(4)]
    started += [_cli(database, "init") for _ in range(2)]
    for process in started:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    history = _cli(database, "history", "--json")
    out, err = history.communicate(timeout=120)
    assert (history.returncode, out.strip()) == (0, "[]"), err
    app = App(database)
    with app.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [v[0] for v in versions] == [database_head()]
    app.close()


def test_many_first_uses_at_once_make_one_local_athlete(database: str) -> None:
    """Eight threads, each with an App of its own, ask for the local owner of a new database."""
    from concurrent.futures import ThreadPoolExecutor

    setup = App(database)
    setup.upgrade()
    setup.close()
    apps = [App(database) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        owners = list(pool.map(lambda app: app.local_owner().athlete_id, apps))
    assert len(set(owners)) == 1 and owners[0] is not None
    with apps[0].engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM athletes WHERE name = 'me'"))
        assert count.scalar_one() == 1
    for app in apps:
        app.close()


def test_kept_decisions_get_their_caseload_columns_from_their_documents(database: str) -> None:
    """Migration 0009 copies out of each kept decision what the caseload reads."""
    app = App(database)
    with app.engine.begin() as connection:
        command.upgrade(database_config(connection), "0008")
        connection.execute(
            text(
                "INSERT INTO athletes (id, name, has_treadmill, has_track, has_partner, units, "
                "created_at) VALUES (1, 'me', false, false, false, 'metric', "
                "'2026-12-01 08:00:00+00')"
            )
        )
        document = (
            '{"verdict": "hold", "reasons": ["pain rose", "load"], "setting_limit": '
            '"the treadmill", "inputs": {"setting_limit_before": "the treadmill or track"}}'
        )
        connection.execute(
            text(
                "INSERT INTO progression_decisions (id, athlete_id, made_on, verdict, document, "
                "rules_version, created_at) VALUES (1, 1, '2026-12-01', 'hold', :document, "
                "'progression-rules-2026.12.01', '2026-12-01 20:00:00+00')"
            ),
            {"document": document},
        )
    assert app.upgrade()[1] == database_head()
    with app.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT setting_limit, setting_limit_before, first_reason "
                "FROM progression_decisions WHERE id = 1"
            )
        ).one()
    assert tuple(found) == ("the treadmill", "the treadmill or track", "pain rose")
    app.close()


def test_plans_get_their_week_phases_from_their_summaries(database: str) -> None:
    """Migration 0010 writes each plan's week phases, in order, from its stored summary."""
    app = App(database)
    with app.engine.begin() as connection:
        command.upgrade(database_config(connection), "0009")
        connection.execute(
            text(
                "INSERT INTO athletes (id, name, has_treadmill, has_track, has_partner, units, "
                "created_at) VALUES (1, 'me', false, false, false, 'metric', "
                "'2026-12-01 08:00:00+00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO screenings (id, athlete_id, answered_on, answers, "
                "cleared_by_doctor, created_at) VALUES (1, 1, '2026-12-01', '{}', false, "
                "'2026-12-01 08:00:00+00')"
            )
        )
        weeks = ", ".join(
            f'{{"number": {n}, "start": "2026-12-0{n}", "phase": "{phase}"}}'
            for n, phase in enumerate(["walk", "walk", "walk-run", "return-to-forward"], 1)
        )
        for plan, summary in ((1, f'{{"weeks": [{weeks}]}}'), (2, '{"weeks": []}')):
            connection.execute(
                text(
                    "INSERT INTO plans (id, athlete_id, screening_id, start, active, "
                    "cleared_by_doctor, summary, created_at) VALUES (:id, 1, 1, '2026-12-01', "
                    ":active, false, :summary, '2026-12-01 08:00:00+00')"
                ),
                {"id": plan, "active": plan == 2, "summary": summary},
            )
    assert app.upgrade()[1] == database_head()
    with app.engine.connect() as connection:
        found = connection.execute(text("SELECT week_phases FROM plans ORDER BY id")).scalars()
        assert list(found) == ["walk,walk,walk-run,return-to-forward", ""]
    app.close()
