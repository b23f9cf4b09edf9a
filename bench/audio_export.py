"""Benchmark: exporting a ~40-minute planned session as an audio cue track, end to end.

    .venv/bin/python bench/audio_export.py [--minutes 40] [--formats wav,ogg,mp3] [--json]

The session is a real one: the plan generator's session with the most cues for a runner with
40-minute sessions (a 16-week fitness plan, late walk-run weeks: about 66 cues). Each format is
timed from the timeline to the file on disk: speech synthesis (espeak-ng, when installed),
rendering, encoding and the atomic write. Target: under 10 s for each format on 2 cores; a
format over it is named on stderr and the exit status is 1, so a slow encoder cannot pass
unnoticed (issue 13: MP3 by lame took 60 s).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.timeline import Timeline, build_timeline
from retrorun.formats.audio import export_audio, find_speaker

TARGET_S = 10.0  # for each format, on 2 cores


def longest_session(minutes: int) -> Timeline:
    """The timeline with the most cues in a 16-week plan of `minutes`-minute sessions."""
    profile = Profile(
        68, 41, Experience.REGULAR, Goal.FITNESS, weekdays_for(3), minutes, True, True, True
    )
    screening = Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False))
    plan = make_plan(profile, screening, date(2026, 12, 1), weeks=16)
    timelines = [build_timeline(session.workout) for session in plan.sessions]
    return max(timelines, key=lambda timeline: (len(timeline.cues), timeline.duration_s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=40)
    parser.add_argument("--formats", default="wav,ogg,mp3")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--target-s", type=float, default=TARGET_S, help="fail when a format takes longer"
    )
    args = parser.parse_args()

    timeline = longest_session(args.minutes)
    speaker = find_speaker()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for extension in args.formats.split(","):
            path = Path(folder) / f"session.{extension}"
            start = time.perf_counter()
            track = export_audio(timeline, path, speaker)
            seconds = time.perf_counter() - start
            results[extension] = {
                "seconds": round(seconds, 2),
                "track_s": round(track.duration_s, 1),
                "megabytes": round(path.stat().st_size / 1e6, 1),
            }
    over = [
        extension for extension, figures in results.items() if figures["seconds"] > args.target_s
    ]
    if args.json:
        summary = {
            "session_s": timeline.duration_s,
            "cues": len(timeline.cues),
            "speech": speaker.name if speaker else None,
            "target_s": args.target_s,
            "over_target": over,
            "results": results,
        }
        print(json.dumps(summary, indent=2))
    else:
        _print_results(timeline, speaker.name if speaker else None, results)
    for extension in over:
        print(
            f"audio export FAILED: .{extension} took {results[extension]['seconds']:.2f} s, "
            f"over its {args.target_s:g} s target",
            file=sys.stderr,
        )
    if over:
        raise SystemExit(1)


def _print_results(
    timeline: Timeline, speech: str | None, results: dict[str, dict[str, float]]
) -> None:
    voice = f"words by {speech}" if speech else "chimes only (no espeak-ng)"
    print(
        f"audio export: a {timeline.duration_s / 60:g}-minute session, "
        f"{len(timeline.cues)} cues, {voice}"
    )
    for extension, figures in results.items():
        print(
            f"  .{extension}: {figures['seconds']:.2f} s "
            f"({figures['megabytes']:g} MB, {figures['track_s']:g} s of audio)"
        )


if __name__ == "__main__":
    main()
