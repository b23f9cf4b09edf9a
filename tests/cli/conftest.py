"""CLI tests run the command in this process, so each call must clean up after itself."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

FD_FOLDER = Path("/proc/self/fd")  # Linux: one link per open file of this process


def open_database_files(under: Path) -> list[str]:
    """SQLite files (and their -wal, -shm) under `under` that this process still has open."""
    found = []
    for fd in FD_FOLDER.iterdir() if FD_FOLDER.is_dir() else []:
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith(str(under)) and ".db" in Path(target).name:
            found.append(target)
    return sorted(found)


@pytest.fixture(autouse=True)
def no_database_left_open(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """An in-process call that keeps its engine alive would leave the file open.

    Objects of earlier tests that only wait for the garbage collector (a store test's handle
    caught in a reference cycle) close their files when it runs: it runs first, so only what is
    still held counts.
    """
    yield
    base = tmp_path_factory.getbasetemp()
    if open_database_files(base):
        gc.collect()
    assert open_database_files(base) == []
