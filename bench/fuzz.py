"""Fuzzing the readers and the whole import with structure-aware mutants of real files.

    .venv/bin/python bench/fuzz.py [--cases N] [--first K] [--seed S] [--case K] [--out DIR]
                                   [--db sqlite|postgresql|both] [--target decoder|import|both]

Each case is a mutant (`tests/fuzz/mutators.py`: FIT with its CRCs made right, GPX and TCX
mutated as text, gzip and zip around them) made from the seed and its own number alone, so
`--case K` runs case K again by itself. A case is read by the decoder (the archive walk and the
FIT, GPX or TCX reader: `formats.dispatch`; "imported" there means read as an activity) and
imported whole (`Retrorun.import_upload`) into one SQLite file and one PostgreSQL database kept
for the run, which must deduplicate and reject on their own. `--db both` runs each database in
a process of its own, at the same time (the decoder with SQLite), and prints a table for each.

A case must end as imported, duplicate, or rejected with a reason. Anything else is a failure:
an exception that escapes; a file the import rejects only through its catch-all ("could not be
read (…)": an exception no reader foresaw); a warning (NumPy's among them); an import that
stores other than the activities it reports; a case over 5 s; or the process's peak resident
memory passing 500 MB (the README's bound). A failing input is written to `--out` with a JSON
sidecar (seed, case, target, error), and the run goes on; the exit status is then 1.

Imports go in batches of cases (`import_batch`: one `import_files` call per direction, as
`retrorun import` takes many files), each case timed from the progress callback after each of
its files, so that what an import does once per call is not paid per case.

Every import athlete has a profile and a plan from 2026-03-01, so the generated seeds (recorded
on a planned day) are matched to a session and their laps to its watch steps; a new athlete
takes over every `ATHLETE_CASES` cases, as the import's energy refresh reads all of an
athlete's activities after each import and would otherwise slow the run as it grows.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from types import FrameType

import psycopg
from psycopg import sql
from sqlalchemy import text

from retrorun.api import Retrorun, prepare
from retrorun.core import profile as profiles
from retrorun.core.screening import QUESTION_IDS
from retrorun.formats.activity import Activity, ImportRejected
from retrorun.formats.archive import walk_upload
from retrorun.formats.dispatch import parse_activity
from retrorun.importing import ImportResult
from retrorun.services.app import App

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

import mutators  # noqa: E402  (the mutation engine, shared with the tests)

CASE_SECONDS = 5.0  # issue 13: a case slower than this is a failure
PEAK_RSS_BYTES = 500 * 10**6  # the README's bound for any accepted file, for the whole process
HARD_STOP_SECONDS = 60  # a case still running then is stopped, so one hang cannot stop the run
BATCH_CASES = 20  # cases imported in one call (grouped by direction; divides ATHLETE_CASES)
ATHLETE_CASES = 100  # cases imported for one athlete before the next takes over (see above)
CATCH_ALL = "could not be read ("  # services.activities' reason for an exception unforeseen
POSTGRES_ADMIN = os.environ.get(
    "RETRORUN_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
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


@dataclass(frozen=True)
class Outcome:
    """What became of one case on one target: its status and why."""

    status: str  # "imported", "duplicate", "rejected" or "failure"
    reason: str


@dataclass
class Figures:
    """One target's tally over a run (a target: the decoder, or the import into one database)."""

    target: str
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0  # time spent in this target (an import batch's shared work included)
    slowest_s: float = 0.0
    slowest: str = ""  # the slowest case: its number, kind and mutations
    failures: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(self.counts.values())


class CaseTimeout(BaseException):
    """Raised into a case that runs past `HARD_STOP_SECONDS` (a BaseException, so that the
    import's own catch-all cannot take it for a bad file)."""


# --- the targets ------------------------------------------------------------------------------


def decode(case: mutators.Case) -> list[Outcome]:
    """The decoder alone: the archive walk and the reader of each file found in the case."""
    outcomes = []
    for found in walk_upload(case.name, case.data):
        try:
            activity = parse_activity(found)
        except ImportRejected as error:
            outcomes.append(Outcome("rejected", str(error)))
            continue
        broken = _broken(activity)
        outcomes.append(Outcome("failure", broken) if broken else Outcome("imported", ""))
    return outcomes


def _broken(activity: Activity) -> str:
    """What an accepted activity gets wrong that no reader may let through ('' if nothing)."""
    if not (math.isfinite(activity.duration_s) and activity.duration_s >= 0):
        return f"accepted with duration {activity.duration_s}"
    if activity.distance_m is not None and not (
        math.isfinite(activity.distance_m) and activity.distance_m >= 0
    ):
        return f"accepted with distance {activity.distance_m}"
    if activity.start.tzinfo is None:
        return "accepted with a start time without a time zone"
    lengths = {column.shape for column in vars(activity.streams).values()}
    if len(lengths) != 1:
        return f"accepted with streams of different lengths {sorted(lengths)}"
    return ""


class Database:
    """One database for the whole run, and the athlete the current block of cases uses."""

    def __init__(self, kind: str, url: str, seed: int) -> None:
        self.kind = kind
        self.app = App(url)
        prepare(self.app)
        self.seed = seed
        self.block = -1
        self.api: Retrorun | None = None

    def athlete(self, index: int) -> Retrorun:
        block = index // ATHLETE_CASES
        if self.api is None or block != self.block:
            api = Retrorun(app=self.app, athlete=f"fuzz-{self.seed}-{block}")
            if api.profile_or_none() is None:
                api.set_profile(RUNNER)
                api.screen(dict.fromkeys(QUESTION_IDS, False), date(2026, 2, 20))
                api.new_plan(mutators.PLAN_START)
            self.api, self.block = api, block
        return self.api

    def stored(self, athlete_id: int) -> int:
        with self.app.engine.connect() as connection:
            query = text("SELECT count(*) FROM activities WHERE athlete_id = :id")
            return int(connection.execute(query, {"id": athlete_id}).scalar_one())

    def close(self) -> None:
        self.app.close()


def import_case(database: Database, case: mutators.Case) -> list[Outcome]:
    """The whole import of the case, as an upload, checked against what it stored."""
    api = database.athlete(case.index)
    before = database.stored(api.athlete_id)
    results = api.import_upload(case.name, case.data, direction=case.direction)
    added = database.stored(api.athlete_id) - before
    imported = sum(result.status == "imported" for result in results)
    if added != imported:
        return [Outcome("failure", f"{imported} imported but {added} activities stored")]
    return [_classified(result) for result in results]


def _classified(result: ImportResult) -> Outcome:
    reason = result.reason or ""
    if result.status == "rejected" and reason.startswith(CATCH_ALL):
        return Outcome("failure", f"no reader foresaw it: {reason}")
    if result.status == "imported" and result.activity is None:
        return Outcome("failure", "imported without its activity")
    return Outcome(result.status, reason)


def import_batch(
    database: Database, cases: Sequence[mutators.Case]
) -> tuple[list[tuple[mutators.Case, Outcome, float]], float]:
    """Import several cases in one call per direction, as `retrorun import` takes many files:
    what an import does once per call (the profile, the energy refresh) is then shared. Each
    case's outcome comes from its own files' results, and its time from the progress callback
    after each file; the batch's whole time is returned too, for the target's total. A call
    that fails as a whole (an exception, a warning, more or fewer activities stored than
    imported) is run again case by case (`import_case`), which says which case it was."""
    api = database.athlete(cases[0].index)
    done: list[tuple[mutators.Case, Outcome, float]] = []
    started = time.perf_counter()
    for direction in (None, "backward", "forward"):
        group = [case for case in cases if case.direction == direction]
        if group:
            done += _import_group(database, api, group, direction)
    order = {case.index: at for at, case in enumerate(cases)}
    return sorted(done, key=lambda item: order[item[0].index]), time.perf_counter() - started


def _import_group(
    database: Database, api: Retrorun, group: list[mutators.Case], direction: str | None
) -> list[tuple[mutators.Case, Outcome, float]]:
    with tempfile.TemporaryDirectory(prefix="retrorun-fuzz-batch-") as folder:
        owner: dict[str, mutators.Case] = {}
        for case in group:
            path = Path(folder) / f"{case.index}-{case.name}"
            path.write_bytes(case.data)
            owner[str(path)] = case
        results: dict[int, list[ImportResult]] = {case.index: [] for case in group}
        seconds = dict.fromkeys(results, 0.0)
        clock = [time.perf_counter()]

        def each_file(result: ImportResult, files_done: int, files: int) -> None:
            case = owner[result.path.split("!", 1)[0]]  # a zip member: "archive.zip!member"
            now = time.perf_counter()
            results[case.index].append(result)
            seconds[case.index] += now - clock[0]
            clock[0] = now

        def call() -> list[Outcome]:
            before = database.stored(api.athlete_id)
            imported = api.import_files(list(owner), direction=direction, progress=each_file)
            added = database.stored(api.athlete_id) - before
            stored = sum(result.status == "imported" for result in imported)
            if added != stored:
                return [Outcome("failure", f"{stored} imported but {added} activities stored")]
            return []

        clock[0] = time.perf_counter()
        problems, _ = guarded(call)
        problems = [p for p in problems if not p.reason.startswith("took ")]  # per case below
    if problems:
        return _one_by_one(database, group, problems[0])
    done = []
    for case in group:
        outcomes = [_classified(result) for result in results[case.index]]
        if seconds[case.index] > CASE_SECONDS:
            took = f"took {seconds[case.index]:.1f} s (over {CASE_SECONDS:g} s)"
            outcomes.append(Outcome("failure", took))
        done.append((case, _worst(outcomes), seconds[case.index]))
    return done


def _one_by_one(
    database: Database, group: list[mutators.Case], problem: Outcome
) -> list[tuple[mutators.Case, Outcome, float]]:
    """The group's cases imported one at a time, after the group failed as a whole; if none
    fails alone, the group's failure is its first case's."""
    done = []
    for case in group:
        outcome, seconds = run_target(partial(import_case, database, case))
        done.append((case, outcome, seconds))
    if all(outcome.status != "failure" for _, outcome, _ in done):
        first, _, seconds = done[0]
        done[0] = (first, Outcome("failure", f"only in a batch: {problem.reason}"), seconds)
    return done


# --- one case on one target -------------------------------------------------------------------


def peak_rss_bytes() -> int:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@contextmanager
def hard_stop(seconds: float) -> Iterator[None]:
    """Raise `CaseTimeout` in the case after `seconds` (main thread only: elsewhere, none)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout

    try:
        previous = signal.signal(signal.SIGALRM, stop)
    except ValueError:  # not the main thread: signals cannot be used
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def guarded(run: Callable[[], list[Outcome]]) -> tuple[list[Outcome], float]:
    """Run a target on a case (or a batch of cases) and add a failure for what must not
    happen on the way: an exception, a warning, a hard stop, too long, or too much memory."""
    before = peak_rss_bytes()
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with hard_stop(HARD_STOP_SECONDS):
                outcomes = run()
        except CaseTimeout:
            outcomes = [Outcome("failure", f"stopped after {HARD_STOP_SECONDS} s")]
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            place = f"{Path(where.filename).name}:{where.lineno}"
            outcomes = [Outcome("failure", f"{type(error).__name__} at {place}: {error}")]
    seconds = time.perf_counter() - started
    after = peak_rss_bytes()
    if caught:
        first = caught[0]
        outcomes.append(Outcome("failure", f"warning {first.category.__name__}: {first.message}"))
    if seconds > CASE_SECONDS:
        outcomes.append(Outcome("failure", f"took {seconds:.1f} s (over {CASE_SECONDS:g} s)"))
    if before <= PEAK_RSS_BYTES < after:
        outcomes.append(Outcome("failure", f"peak memory {after / 1e6:.0f} MB (over 500 MB)"))
    return outcomes, seconds


def run_target(run: Callable[[], list[Outcome]]) -> tuple[Outcome, float]:
    """Run one target on one case: its outcome (the worst of its files') and its seconds."""
    outcomes, seconds = guarded(run)
    return _worst(outcomes), seconds


def _worst(outcomes: Sequence[Outcome]) -> Outcome:
    """One outcome for a case of many files: a failure, else imported, else duplicate, else
    rejected; a refusal without a reason is a failure, and so is a case that ends in nothing
    but with no reason either (an archive without an activity file gets the CLI's)."""
    if not outcomes:
        return Outcome("rejected", "no FIT, GPX or TCX file in it")
    for outcome in outcomes:
        if outcome.status == "rejected" and not outcome.reason.strip():
            return Outcome("failure", "rejected without a reason")
    for status in ("failure", "imported", "duplicate"):
        for outcome in outcomes:
            if outcome.status == status:
                return outcome
    return outcomes[0]


# --- a run ------------------------------------------------------------------------------------


def run(
    cases: Iterable[int],
    seed: int,
    targets: Sequence[str],
    databases: Mapping[str, str],
    out: Path | None,
    progress: Callable[[int, list[Figures]], None] | None = None,
) -> list[Figures]:
    """Run the cases on the decoder (if "decoder" is in `targets`) and import them into each
    database given as {"sqlite" | "postgresql": URL} (if "import" is); figures per target.

    Cases go in batches of up to `BATCH_CASES` (never across a change of athlete): each is
    read by the decoder one by one, then imported into each database (`import_batch`).
    """
    opened = (
        [Database(kind, url, seed) for kind, url in databases.items()]
        if "import" in targets
        else []
    )
    names = (["decoder"] if "decoder" in targets else []) + [f"import {d.kind}" for d in opened]
    figures = {name: Figures(name) for name in names}
    done = 0
    try:
        for batch in _batches(cases):
            made = [mutators.make_case(seed, index) for index in batch]
            for database in opened:  # a new athlete's profile and plan: not part of a case
                database.athlete(batch[0])
            if "decoder" in figures:
                for case in made:
                    outcome, seconds = run_target(partial(decode, case))
                    _record(figures["decoder"], out, seed, case, outcome, seconds)
            for database in opened:
                target = figures[f"import {database.kind}"]
                imported, batch_s = import_batch(database, made)
                for case, outcome, seconds in imported:
                    _record(target, out, seed, case, outcome, seconds)
                target.seconds += batch_s - sum(seconds for _, _, seconds in imported)
            for _ in made:
                done += 1
                if progress is not None:
                    progress(done, list(figures.values()))
    finally:
        for database in opened:
            database.close()
    return list(figures.values())


def _batches(cases: Iterable[int]) -> Iterator[list[int]]:
    """Consecutive case numbers in lists of up to `BATCH_CASES`, one athlete's each."""
    batch: list[int] = []
    for index in cases:
        if batch and (
            len(batch) == BATCH_CASES
            or index // ATHLETE_CASES != batch[0] // ATHLETE_CASES
            or index != batch[-1] + 1
        ):
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch


def _record(
    figures: Figures,
    out: Path | None,
    seed: int,
    case: mutators.Case,
    outcome: Outcome,
    seconds: float,
) -> None:
    _tally(figures, case, outcome, seconds)
    if outcome.status == "failure":
        _save(out, seed, case, figures.target, outcome.reason, seconds)


def _tally(figures: Figures, case: mutators.Case, outcome: Outcome, seconds: float) -> None:
    figures.counts[outcome.status] += 1
    figures.seconds += seconds
    if seconds > figures.slowest_s:
        figures.slowest_s = seconds
        figures.slowest = f"case {case.index} ({case.kind}: {', '.join(case.mutations)[:80]})"
    if outcome.status == "failure":
        figures.failures.append(f"case {case.index} {case.name}: {outcome.reason[:300]}")


def _save(
    out: Path | None, seed: int, case: mutators.Case, target: str, error: str, seconds: float
) -> None:
    """The failing input and a JSON sidecar saying how to make it again and what went wrong."""
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    suffix = "".join(Path(case.name).suffixes)
    stem = f"seed{seed}-case{case.index}-{target.replace(' ', '-')}"
    (out / f"{stem}{suffix}").write_bytes(case.data)
    sidecar = {
        "file": f"{stem}{suffix}",
        "name": case.name,
        "seed": seed,
        "case": case.index,
        "target": target,
        "kind": case.kind,
        "mutations": list(case.mutations),
        "direction": case.direction,
        "error": error,
        "seconds": round(seconds, 3),
    }
    (out / f"{stem}.json").write_text(json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")


# --- databases for the command line -----------------------------------------------------------


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the run, dropped afterwards; its SQLAlchemy URL."""
    name = f"retrorun_fuzz_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # A throwaway database need not survive a crash: commits that do not wait for the disk
        # change nothing the import does, and make the run a fifth faster.
        admin.execute(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name))
        )
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN)
    user, host, port = (
        info.get("user", "postgres"),
        info.get("host", "127.0.0.1"),
        info.get("port", "5432"),
    )
    password = f":{info['password']}" if info.get("password") else ""
    try:
        yield f"postgresql+psycopg://{user}{password}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def databases_for(choice: str, targets: Sequence[str]) -> Iterator[dict[str, str]]:
    if "import" not in targets:
        yield {}
        return
    with tempfile.TemporaryDirectory(prefix="retrorun-fuzz-") as folder:
        urls = {}
        if choice in ("sqlite", "both"):
            urls["sqlite"] = str(Path(folder) / "fuzz.db")
        if choice in ("postgresql", "both"):
            with postgres_database() as url:
                urls["postgresql"] = url
                yield urls
                return
        yield urls


def table(figures: Sequence[Figures], peak_bytes: int, wall_s: float) -> str:
    """The figures as a Markdown table, for the README."""
    lines = [
        "| target | cases | imported | duplicate | rejected | failures | slowest case | time |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for f in figures:
        c = f.counts
        lines.append(
            f"| {f.target} | {f.cases:,} | {c['imported']:,} | {c['duplicate']:,} | "
            f"{c['rejected']:,} | {c['failure']:,} | {f.slowest_s:.2f} s: {f.slowest} | "
            f"{f.seconds:,.0f} s |"
        )
    lines.append(f"\nPeak RSS of the process: {peak_bytes / 1e6:.0f} MB; wall time {wall_s:,.0f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="how many cases (from --first)")
    parser.add_argument("--first", type=int, default=0, help="the number of the first case")
    parser.add_argument("--case", type=int, help="run this one case only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--target", choices=["decoder", "import", "both"], default="both")
    parser.add_argument("--out", type=Path, default=Path("fuzz-reproducers"))
    args = parser.parse_args()
    targets = ["decoder", "import"] if args.target == "both" else [args.target]
    cases = [args.case] if args.case is not None else range(args.first, args.first + args.cases)
    started = time.perf_counter()

    def report(done: int, figures: list[Figures]) -> None:
        if done % 1000 == 0:
            rate = done / (time.perf_counter() - started)
            tallies = "; ".join(f"{f.target}: {dict(f.counts)}" for f in figures)
            print(f"{done:,} cases, {rate:.1f}/s. {tallies}", file=sys.stderr, flush=True)
        if done % 5_000 == 0:  # the whole table now and then: a long run killed keeps these
            wall_s = time.perf_counter() - started
            print(table(figures, peak_rss_bytes(), wall_s), file=sys.stderr, flush=True)

    if args.db == "both" and "import" in targets and args.case is None:
        sys.exit(_both_at_once(args))
    mutators.seeds()  # made before the clock of the first case starts
    with databases_for(args.db, targets) as urls:
        figures = run(cases, args.seed, targets, urls, args.out, report)
    print(table(figures, peak_rss_bytes(), time.perf_counter() - started))
    failures = [line for f in figures for line in f.failures]
    for line in failures:
        print("FAILURE", line)
    if failures:
        print(f"{len(failures)} failures; inputs and sidecars in {args.out}/")
        sys.exit(1)


def _both_at_once(args: argparse.Namespace) -> int:
    """Run SQLite and PostgreSQL in two processes at once (the decoder with SQLite), one
    core each, and print both tables: a run takes as long as the slower database alone."""
    common = [f"--cases={args.cases}", f"--first={args.first}", f"--seed={args.seed}"]
    common.append(f"--out={args.out}")
    children = {
        "sqlite": [f"--target={args.target}", "--db=sqlite"],
        "postgresql": ["--target=import", "--db=postgresql"],
    }
    started = time.perf_counter()
    running = {
        kind: subprocess.Popen([sys.executable, __file__, *common, *extra], stdout=subprocess.PIPE)
        for kind, extra in children.items()
    }
    status = 0
    for kind, child in running.items():
        output, _ = child.communicate()
        print(f"## {kind}\n\n{output.decode()}")
        status = max(status, child.returncode)
    print(f"Both databases at once: wall time {time.perf_counter() - started:,.0f} s")
    return status


if __name__ == "__main__":
    main()
