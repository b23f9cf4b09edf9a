"""Benchmark: how long `retrorun` takes to start, over a bare Python interpreter.

    .venv/bin/python bench/startup.py [--runs N] [--json]

Times `python -c pass`, `retrorun --help` and one `retrorun energy` estimate (no database) as
a user runs them: the installed `retrorun` script next to this interpreter. Each is run N times
and the median is kept (start-up times are skewed by the odd slow run); the CPU time (user +
system) is shown beside the wall time, as it moves less when other work shares the machine.
The target is on the wall time, which is what a person waits. Exits non-zero when
`--help` costs more than the target over the bare interpreter: people type it first, and a
slow one makes the whole tool feel slow.

PYTHONDONTWRITEBYTECODE is dropped for the runs: an installed package has its bytecode, and
without it every start would time the compiler rather than retrorun.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_HELP_OVERHEAD_S = 0.3  # our target: `retrorun --help` within 0.3 s of `python -c pass`
ENERGY_ARGS = (
    *("energy", "--direction", "backward", "--mode", "walk"),
    *("--speed-kmh", "3.4", "--mass-kg", "68"),
)


def retrorun_script() -> list[str]:
    """The installed entry script beside this interpreter, else `python -m retrorun`."""
    script = Path(sys.executable).with_name("retrorun")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "retrorun"]


def commands() -> dict[str, list[str]]:
    retrorun = retrorun_script()
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "retrorun --help": [*retrorun, "--help"],
        "retrorun energy": [*retrorun, *ENERGY_ARGS],
    }


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command`."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    cpu_before, start = children_cpu_s(), time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start, children_cpu_s() - cpu_before


def medians_s(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and median CPU seconds over `runs` runs, after one warm-up run."""
    time_once(command)  # warm-up: the first run also fills the disk cache and writes .pyc files
    walls, cpus = zip(*(time_once(command) for _ in range(runs)), strict=True)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (median)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    timed = {name: medians_s(command, args.runs) for name, command in commands().items()}
    bare, bare_cpu = timed["python -c pass"]
    help_overhead = timed["retrorun --help"][0] - bare
    result = {
        "benchmark": "startup",
        "runs": args.runs,
        "median_s": {name: round(wall, 4) for name, (wall, _) in timed.items()},
        "overhead_s": {name: round(wall - bare, 4) for name, (wall, _) in timed.items()},
        "median_cpu_s": {name: round(cpu, 4) for name, (_, cpu) in timed.items()},
        "target_help_overhead_s": TARGET_HELP_OVERHEAD_S,
        "within_target": help_overhead <= TARGET_HELP_OVERHEAD_S,
    }
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        for name, (wall, cpu) in timed.items():
            print(
                f"{name:<16} median {wall:.3f} s, +{wall - bare:.3f} s over bare Python "
                f"(CPU {cpu:.3f} s, +{cpu - bare_cpu:.3f} s)"
            )
    if help_overhead > TARGET_HELP_OVERHEAD_S:
        sys.exit(
            f"FAILED: `retrorun --help` takes {help_overhead:.3f} s over bare Python; "
            f"the target is at most {TARGET_HELP_OVERHEAD_S} s"
        )


if __name__ == "__main__":
    main()
