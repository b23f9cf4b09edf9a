"""Benchmark: the vectorised energy model over 1,000,000 samples (one a second ≈ 11.6 days).

    .venv/bin/python bench/energy_vectorised.py [--samples N] [--repeats R] [--json]

The samples mix backward and forward, walking and running speeds (0.5–3.5 m/s) and grades
(−5 to +10 %), so every branch of the model is taken. The figure is the best of several runs
(the least disturbed by the rest of the machine); the median is printed alongside.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np

from retrorun.core.energy import EnergySeries, energy_series

SEED = 2005  # fixed, so every run times the same data


def make_samples(count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    speed_m_s = rng.uniform(0.5, 3.5, count)
    grade = rng.uniform(-0.05, 0.10, count)
    backward = rng.random(count) < 0.5
    heart_rate = rng.uniform(90.0, 180.0, count)
    return speed_m_s, grade, backward, heart_rate


def time_runs(run: Callable[[], EnergySeries], repeats: int) -> list[float]:
    run()  # warm-up: first-touch page faults and lazy imports are not the model's cost
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    speed_m_s, grade, backward, heart_rate = make_samples(args.samples)
    speed_runs = time_runs(
        lambda: energy_series(speed_m_s, grade, backward, mass_kg=70.0, backward_sessions_done=6),
        args.repeats,
    )
    heart_rate_runs = time_runs(
        lambda: energy_series(
            speed_m_s, grade, backward, mass_kg=70.0, heart_rate_bpm=heart_rate,
            age_years=40.0, sex="female",
        ),
        args.repeats,
    )  # fmt: skip
    result = {
        "benchmark": "energy_vectorised",
        "samples": args.samples,
        "repeats": args.repeats,
        "best_s": round(min(speed_runs), 4),
        "median_s": round(statistics.median(speed_runs), 4),
        "with_heart_rate_best_s": round(min(heart_rate_runs), 4),
        "samples_per_s": round(args.samples / min(speed_runs)),
    }
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return
    print(
        f"energy vectorised: {args.samples:,} samples in {result['best_s']:.3f} s "
        f"(best of {args.repeats}; median {result['median_s']:.3f} s; "
        f"with heart rate {result['with_heart_rate_best_s']:.3f} s)"
    )


if __name__ == "__main__":
    main()
