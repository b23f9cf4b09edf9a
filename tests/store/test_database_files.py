"""Which database files get made, and where (issue 13, defect 9), below the CLI.

Migrating (`App.upgrade`: `init`, `db upgrade`, `serve`) is the only way a SQLite file comes
to be; checking the schema never makes one. A new file's folder must already exist, except
retrorun's own data folder, which the first `init` makes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retrorun.api import Retrorun, prepare
from retrorun.errors import RetrorunError
from retrorun.services.app import App
from retrorun.store.database import HEAD_REVISION, NoDatabase, current_revision, data_folder


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data folder moved under the test's own, and not made yet."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("RETRORUN_DATABASE_URL", raising=False)
    return tmp_path / "data" / "retrorun"


def test_checking_a_missing_database_makes_nothing(tmp_path: Path) -> None:
    app = App(str(tmp_path / "typo.db"))
    with pytest.raises(NoDatabase, match=r"no database at .*typo\.db: run `retrorun init`"):
        current_revision(app.engine)
    with pytest.raises(NoDatabase):
        app.check_schema()
    app.close()
    assert list(tmp_path.iterdir()) == []


def test_the_first_init_makes_retrorun_s_own_data_folder(data_home: Path) -> None:
    assert data_folder() == data_home and not data_home.exists()
    app = App(None)  # the default database, in the data folder
    assert app.upgrade() == (None, HEAD_REVISION)
    app.close()
    assert (data_home / "retrorun.db").is_file()


def test_a_database_named_inside_the_data_folder_may_make_it_too(data_home: Path) -> None:
    app = App(str(data_home / "retrorun-demo.db"))  # as `serve --demo` names its database
    app.upgrade()
    app.close()
    assert (data_home / "retrorun-demo.db").is_file()


def test_any_other_missing_folder_is_refused_and_not_made(tmp_path: Path) -> None:
    app = App(str(tmp_path / "nonexistent" / "dir" / "x.db"))
    with pytest.raises(RetrorunError, match=r"the folder .*nonexistent/dir does not exist"):
        app.upgrade()
    app.close()
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_no_database_is_refused_before_the_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_text("x\n")
    app = App(str(path))
    with pytest.raises(RetrorunError, match=r"x\.db is not a SQLite database \(file is not"):
        app.upgrade()
    with pytest.raises(RetrorunError, match="is not a SQLite database"):
        app.check_schema()
    app.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]
    assert path.read_text() == "x\n"


def test_a_script_that_names_a_new_database_still_gets_one(tmp_path: Path) -> None:
    """The Python API (`Retrorun(db)`, `prepare`) is for scripts and tests that own their
    database: as before, it sets a brand-new one up as `init` would."""
    api = Retrorun(str(tmp_path / "script.db"))
    assert current_revision(api.engine) == HEAD_REVISION
    api.close()
    app = App(str(tmp_path / "prepared.db"))
    prepare(app)
    assert current_revision(app.engine) == HEAD_REVISION
    app.close()


def test_an_unreachable_database_is_still_one_clear_error() -> None:
    app = App("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(RetrorunError, match="cannot open the database"):
        app.upgrade()
    app.close()
