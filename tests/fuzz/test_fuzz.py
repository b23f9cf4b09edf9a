"""A short fuzzing run in the suite, and every input the fuzzer found failing, kept for good.

The run is `bench/fuzz.py`'s, on fewer cases: structure-aware mutants of the files in
tests/data and of generated ones (`mutators.py`), read by the decoder and imported whole into a
real SQLite file and a real PostgreSQL database. Each must end as imported, duplicate, or
rejected with a reason; an exception, a warning, a catch-all rejection, a half-stored import,
a case over 5 s or a process past 500 MB fails the test, which names the cases and where their
inputs were written. The seed is fixed, so the suite draws the same cases on every run.

`reproducers/` holds the inputs that once failed, each with a JSON sidecar saying how it was
made, what went wrong and what fixed it; each is read and imported again on both databases.
Large inputs are kept gzipped (`"gzipped": true`: the file is the gzip of the input, whose own
name is the sidecar's `name`), beside a small one cut down by hand when that was possible.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import partial
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import mutators  # noqa: E402

import fuzz  # noqa: E402  (bench/fuzz.py, found through the path above)

SEED = 13  # the issue that asked for the fuzzer
DECODER_CASES = range(0, 2000)
IMPORT_CASES = range(2000, 2400)  # other cases than the decoder's; each database runs them all
REPRODUCERS = Path(__file__).resolve().parent / "reproducers"


def _kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _assert_no_failures(figures: list[fuzz.Figures], out: Path) -> None:
    failures = [f"{f.target} {line}" for f in figures for line in f.failures]
    assert not failures, "\n".join([*failures, f"inputs and sidecars in {out}"])


def test_the_decoder_reads_or_refuses_every_mutant(tmp_path: Path) -> None:
    figures = fuzz.run(DECODER_CASES, SEED, ["decoder"], {}, tmp_path)
    _assert_no_failures(figures, tmp_path)
    (decoder,) = figures
    assert decoder.cases == len(DECODER_CASES)
    assert decoder.counts["imported"] > len(DECODER_CASES) // 5  # mutants reach the deep parts
    assert decoder.counts["rejected"] > len(DECODER_CASES) // 5


def test_the_import_stores_or_refuses_every_mutant(tmp_path: Path, database: str) -> None:
    figures = fuzz.run(IMPORT_CASES, SEED, ["import"], {_kind(database): database}, tmp_path)
    _assert_no_failures(figures, tmp_path)
    (imported,) = figures
    assert imported.cases == len(IMPORT_CASES)
    assert imported.counts["imported"] and imported.counts["rejected"]


def test_a_case_is_made_again_from_its_seed_and_number_alone() -> None:
    """`--case K` must give the bytes case K had in the run that found it."""
    for index in (0, 7, 1234):
        again = mutators.make_case(SEED, index)
        assert again == mutators.make_case(SEED, index)
    assert mutators.make_case(SEED, 1).data != mutators.make_case(SEED + 1, 1).data


def test_a_fit_mutant_passes_the_crc_checks() -> None:
    """FIT mutants have their CRCs made again, so they reach the parser behind the checks."""
    fit_cases = [c for c in map(partial(mutators.make_case, SEED), range(300)) if c.kind == "fit"]
    refused_on_crc = [
        case.index
        for case in fit_cases
        if any("CRC mismatch" in outcome.reason for outcome in fuzz.decode(case))
    ]
    assert len(refused_on_crc) < len(fit_cases) // 10


def _reproducers() -> list[Path]:
    return sorted(REPRODUCERS.glob("*.json"))


@pytest.mark.parametrize("sidecar", _reproducers(), ids=lambda path: path.stem)
def test_a_saved_reproducer_is_imported_or_refused_with_a_reason(
    sidecar: Path, database: str
) -> None:
    found = json.loads(sidecar.read_text())
    stored = (REPRODUCERS / found["file"]).read_bytes()
    case = mutators.Case(
        index=found["case"],
        kind=found["kind"],
        name=found["name"],
        data=gzip.decompress(stored) if found.get("gzipped") else stored,
        mutations=tuple(found["mutations"]),
        direction=found["direction"],
    )
    decoded, _ = fuzz.run_target(partial(fuzz.decode, case))
    assert decoded.status != "failure", decoded.reason
    store = fuzz.Database(_kind(database), database, seed=found["seed"])
    try:
        imported, _ = fuzz.run_target(partial(fuzz.import_case, store, case))
    finally:
        store.close()
    assert imported.status != "failure", imported.reason
    assert imported.status != "rejected" or imported.reason.strip()
