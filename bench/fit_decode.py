"""How fast retrorun decodes FIT activities, next to fitdecode and Garmin's official SDK.

    python bench/fit_decode.py [FILES…] [--runs N] [--json]

Each library decodes the whole file from bytes in memory and extracts the record stream:
ours `decode_fit`; fitdecode iterates `FitReader` frames and collects every record's field
values; the SDK runs `Decoder(Stream.from_byte_array(...)).read()` with default options.
Throughput is records per second, best of N runs. Without FILES the benchmark writes a one-hour
and a ten-hour 1 Hz activity with the SDK's Encoder into a temporary folder (typical watch
fields, laps and a session; the hour also once with developer fields, which makes the Encoder
alternate two record definitions) and adds the real files in tests/data.

The target (checked on the one-hour file): ours ≥ 20× fitdecode and faster than the SDK.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fitdecode
from garmin_fit_sdk import Decoder, Stream

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "formats"))

import fit_factory  # noqa: E402  (a test helper module, found through the path above)

from retrorun.formats.fit import decode_fit  # noqa: E402

TARGET_VS_FITDECODE = 20.0


def decode_ours(data: bytes) -> int:
    return len(decode_fit(data).records)


def decode_fitdecode(data: bytes) -> int:
    records = []
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                records.append([field.value for field in frame.fields])
    return len(records)


def decode_sdk(data: bytes) -> int:
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    if errors:
        raise RuntimeError(f"garmin-fit-sdk: {errors[0]}")
    return len(messages.get("record_mesgs", []))


DECODERS: dict[str, Callable[[bytes], int]] = {
    "ours": decode_ours,
    "fitdecode": decode_fitdecode,
    "sdk": decode_sdk,
}


def best_time(decode: Callable[[bytes], int], data: bytes, runs: int) -> tuple[float, int]:
    """Fastest of `runs` decodes, and the number of records the decoder found."""
    best = float("inf")
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        count = decode(data)
        best = min(best, time.perf_counter() - start)
    return best, count


def measure(path: Path, runs: int) -> dict[str, Any]:
    data = path.read_bytes()
    result: dict[str, Any] = {"file": path.name, "bytes": len(data)}
    for name, decode in DECODERS.items():
        # The slow decoders on long files: fewer repeats, the spread is small next to the gap.
        repeats = runs if name == "ours" or len(data) < 500_000 else max(1, runs // 2)
        try:
            seconds, count = best_time(decode, data, repeats)
        except Exception as error:  # a library that cannot read the file is reported, not fatal
            result[name] = {"error": str(error)}
            continue
        result[name] = {"seconds": seconds, "records": count, "records_per_s": count / seconds}
    result["records"] = result["ours"].get("records")
    result["ratios"] = ratios(result)
    return result


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    ours = result["ours"].get("seconds")
    out: dict[str, float | None] = {}
    for other in ("fitdecode", "sdk"):
        theirs = result[other].get("seconds")
        out[f"vs_{other}"] = theirs / ours if ours and theirs else None
    return out


def aggregate(results: list[dict[str, Any]], name: str) -> float | None:
    """Records per second over all files: total records / total best time."""
    rows = [r[name] for r in results if "seconds" in r[name]]
    if not rows:
        return None
    return sum(row["records"] for row in rows) / sum(row["seconds"] for row in rows)


def default_files(folder: Path) -> list[Path]:
    generated = {
        "generated-1h-1hz.fit": fit_factory.sdk_activity(3_600, developer_fields=False),
        "generated-1h-1hz-devfields.fit": fit_factory.sdk_activity(3_600),
        "generated-10h-1hz.fit": fit_factory.sdk_activity(36_000, developer_fields=False),
    }
    paths = []
    for name, data in generated.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths + sorted((ROOT / "tests" / "data").glob("*.fit"))


def print_table(results: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    header = (
        f"{'file':34} {'records':>8} {'ours rec/s':>12} {'fitdecode':>11} {'sdk':>11}"
        f" {'×fitdecode':>11} {'×sdk':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['file']:34} {r['records'] or 0:>8} {_rate(r['ours']):>12} "
            f"{_rate(r['fitdecode']):>11} {_rate(r['sdk']):>11} "
            f"{_ratio(r['ratios']['vs_fitdecode']):>11} {_ratio(r['ratios']['vs_sdk']):>7}"
        )
    print("-" * len(header))
    print(
        f"{'all files (total records / time)':34} {'':>8} "
        f"{_rate({'records_per_s': summary['ours_records_per_s']}):>12} "
        f"{_rate({'records_per_s': summary['fitdecode_records_per_s']}):>11} "
        f"{_rate({'records_per_s': summary['sdk_records_per_s']}):>11}"
    )
    if summary.get("target"):
        print(summary["target"])


def _rate(cell: dict[str, Any]) -> str:
    value = cell.get("records_per_s")
    return "error" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}×"


def target_line(results: list[dict[str, Any]]) -> str | None:
    hour = next((r for r in results if r["file"] == "generated-1h-1hz.fit"), None)
    if hour is None:
        return None
    vs_fitdecode, vs_sdk = hour["ratios"]["vs_fitdecode"], hour["ratios"]["vs_sdk"]
    met = (vs_fitdecode or 0) >= TARGET_VS_FITDECODE and (vs_sdk or 0) > 1
    return (
        f"one-hour file: {_ratio(vs_fitdecode)} fitdecode, {_ratio(vs_sdk)} the SDK — target "
        f"≥ {TARGET_VS_FITDECODE:.0f}× fitdecode and > 1× the SDK: {'met' if met else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="FIT files (default: see above)")
    parser.add_argument("--runs", type=int, default=5, help="best of this many runs (5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retrorun-fit-bench-") as folder:
        files = args.files or default_files(Path(folder))
        results = [measure(path, args.runs) for path in files]
    summary: dict[str, Any] = {
        name + "_records_per_s": aggregate(results, name) for name in DECODERS
    }
    ours = summary["ours_records_per_s"]
    summary["ratios"] = {
        f"vs_{name}": (ours / summary[f"{name}_records_per_s"])
        if ours and summary[f"{name}_records_per_s"]
        else None
        for name in ("fitdecode", "sdk")
    }
    summary["target"] = target_line(results)
    summary["runs"] = args.runs
    summary["files"] = results
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_table(results, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
