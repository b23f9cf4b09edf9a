"""Mutation score of the pure core: which deliberate breakages of `core/` the core tests notice.

    .venv/bin/python bench/mutation.py [--workdir DIR] [--survivors] [MUTANT_GLOB …]
    .venv/bin/python bench/mutation.py --report-only --workdir A --workdir B …

mutmut 3 (`[tool.mutmut]` in pyproject.toml) changes one thing at a time in `src/retrorun/core/`
(an operator, a number, a condition, an argument) and runs the tests of `tests/core/` that reach
the changed function; a mutant is killed when a test fails. It runs in a copy of the checkout
(`--workdir`, kept between runs so a second run only tests what changed), with `CI=true` so
Hypothesis draws the same examples every time. A glob (`'retrorun.core.timeline*'`) runs part.

The score counts every mutant except two kinds, each named in the report with `--survivors`:
- message text: the change is inside the arguments of a `raise`, so only the wording of an error
  changes (the tests check that the error is raised; the words are checked where a person reads
  them, in the CLI and web tests);
- equivalent: listed in `bench/mutation_equivalent/MODULE.toml` with the reason the program
  behaves the same (say `x > 0` → `x >= 0` where x is never 0).
Exits 1 when the score is under the 90 % target, or any mutant was not checked.

A whole run takes hours on two cores, so modules can be run apart, each in a workdir of its
own, at the same time; `--report-only` with several `--workdir`s reports each module from the
workdir that checked most of its mutants against its present code, as one table.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = Path("src/retrorun/core")
EQUIVALENT_FOLDER = ROOT / "bench" / "mutation_equivalent"
TARGET = 0.90
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # failed, errored, timed out or refused by types
SURVIVED = {0}
NO_TESTS = {5, 33}


@dataclass(frozen=True)
class Mutant:
    name: str  # retrorun.core.plan.x_build_plan__mutmut_12
    module: str  # plan
    exit_code: int | None
    workdir: Path  # where it was run

    @property
    def function(self) -> str:
        return self.name.rsplit(".", 1)[1]


def copy_checkout(workdir: Path) -> None:
    """The checkout's files as they are now (committed or not) into `workdir`; mutmut's own
    folder there is kept, so unchanged functions are not tested again."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if not name.startswith(("src/", "tests/")) and name != "pyproject.toml":
            continue
        source, target = ROOT / name, workdir / name
        if not source.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copy2(source, target)


def run_mutmut(workdir: Path, globs: list[str]) -> int:
    env = {**os.environ, "CI": "true", "RETRORUN_MUTATION": "1"}
    children = str(os.cpu_count() or 1)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", children, *globs]
    return subprocess.run(command, cwd=workdir, env=env).returncode


def read_mutants(workdirs: list[Path]) -> list[Mutant]:
    """Every mutant of every module, each module from the workdir that checked most of its
    mutants (mutmut forgets the results of a function whose code changed), the newest first."""
    best: dict[str, tuple[tuple[int, float], Path, dict[str, int | None]]] = {}
    for workdir in workdirs:
        for meta in (workdir / "mutants" / CORE).glob("*.py.meta"):
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            unchecked = sum(code is None for code in codes.values())
            rank = (unchecked, -meta.stat().st_mtime)
            if meta.name not in best or rank < best[meta.name][0]:
                best[meta.name] = (rank, workdir, codes)
    found = []
    for name, (_, workdir, codes) in sorted(best.items()):
        module = name.removesuffix(".py.meta")
        found += [Mutant(key, module, code, workdir) for key, code in codes.items()]
    return found


def message_text_mutants(workdir: Path, module: str) -> set[str]:
    """Mutants of `module` whose every change lies inside the arguments of a `raise`."""
    tree = ast.parse((workdir / "mutants" / CORE / f"{module}.py").read_text())
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found = set()
    for name, node in functions.items():
        base, _, number = name.rpartition("__mutmut_")
        original = functions.get(f"{base}__mutmut_orig")
        if not number.isdigit() or original is None:
            continue
        changes = _differences(original, node, inside_raise=False)
        if changes and all(changes):
            found.add(f"retrorun.core.{module}.{name}")
    return found


def _differences(a: ast.AST, b: ast.AST, inside_raise: bool) -> list[bool]:
    """Where two trees differ: for each difference, whether it lies in a raise's arguments."""
    if type(a) is not type(b):
        return [inside_raise]
    inside = inside_raise or (isinstance(a, ast.Raise) and a.exc is not None)
    found: list[bool] = []
    for field, left in ast.iter_fields(a):
        if field == "name" and isinstance(a, ast.FunctionDef):
            continue
        right = getattr(b, field, None)
        if isinstance(left, list) and isinstance(right, list):
            if len(left) != len(right):
                found.append(inside)
                continue
            for x, y in zip(left, right, strict=True):
                found += _compare(x, y, inside)
        else:
            found += _compare(left, right, inside)
    return found


def _compare(left: object, right: object, inside: bool) -> list[bool]:
    if isinstance(left, ast.AST) and isinstance(right, ast.AST):
        return _differences(left, right, inside)
    return [] if left == right else [inside]


def equivalent_mutants() -> dict[str, str]:
    """Mutant name → why it behaves as the original, from every file of the folder."""
    listed: dict[str, str] = {}
    for path in sorted(EQUIVALENT_FOLDER.glob("*.toml")):
        listed |= tomllib.loads(path.read_text())
    return listed


def report(mutants: list[Mutant], show_survivors: bool) -> bool:
    equivalent = equivalent_mutants()
    messages: set[str] = set()
    for module, workdir in {(m.module, m.workdir) for m in mutants}:
        messages |= message_text_mutants(workdir, module)
    rows: dict[str, Counter[str]] = {}
    survivors: list[tuple[str, str]] = []
    for m in mutants:
        count = rows.setdefault(m.module, Counter())
        count["mutants"] += 1
        kind = _kind(m, messages, equivalent)
        count[kind] += 1
        if kind != "killed":
            survivors.append((kind, m.name))
    total: Counter[str] = Counter()
    heading = f"{'module':<18}{'mutants':>8}{'killed':>8}{'message':>8}{'equiv.':>7}{'alive':>7}"
    print(f"{heading}  score")
    for module, count in sorted(rows.items()):
        total.update(count)
        print(_row(module, count))
    print(_row("core/ in all", total))
    stale = sorted(set(equivalent) - {m.name for m in mutants})
    for name in stale:
        print(f"listed as equivalent but no longer a mutant: {name}")
    if show_survivors:
        for kind, name in sorted(survivors):
            reason = equivalent.get(name, "")
            print(f"  {kind:<13}{name}  {reason}")
    return _score(total) >= TARGET and total["not checked"] == 0


def _kind(m: Mutant, messages: set[str], equivalent: dict[str, str]) -> str:
    if m.exit_code in KILLED:
        return "killed"
    if m.name in messages:
        return "message"
    if m.name in equivalent:
        return "equivalent"
    if m.exit_code in SURVIVED:
        return "survived"
    if m.exit_code in NO_TESTS:
        return "no tests"
    return "not checked"


def _score(count: Counter[str]) -> float:
    counted = count["mutants"] - count["message"] - count["equivalent"]
    return count["killed"] / counted if counted else 1.0


def _row(label: str, count: Counter[str]) -> str:
    alive = count["survived"] + count["no tests"] + count["not checked"]
    return (
        f"{label:<18}{count['mutants']:>8}{count['killed']:>8}{count['message']:>8}"
        f"{count['equivalent']:>7}{alive:>7}  {_score(count):.1%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("globs", nargs="*", help="mutant names or globs to run (default: all)")
    parser.add_argument(
        "--workdir", type=Path, action="append", help="default /tmp/retrorun-mutation"
    )
    parser.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    parser.add_argument("--report-only", action="store_true", help="read the last run's results")
    args = parser.parse_args()
    workdirs: list[Path] = args.workdir or [Path("/tmp/retrorun-mutation")]
    if not args.report_only:
        if len(workdirs) > 1:
            parser.error("a run uses one --workdir; several are for --report-only")
        workdirs[0].mkdir(parents=True, exist_ok=True)
        copy_checkout(workdirs[0])
        run_mutmut(workdirs[0], args.globs)
    passed = report(read_mutants(workdirs), args.survivors)
    if not passed:
        print(f"FAILED: the mutation score of core/ is under {TARGET:.0%} or mutants are unchecked")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
