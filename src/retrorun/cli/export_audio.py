"""`retrorun export audio`: a day's session as a sound file to play while running."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retrorun.cli.context import app_for, parse_date, today
from retrorun.cli.output import console, error_console
from retrorun.core.units import format_duration
from retrorun.formats.output_file import check_extension


def register(export_app: typer.Typer) -> None:
    """Add this export's command to `retrorun export`."""
    export_app.command("audio")(audio)


def audio(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The file: .wav, .ogg (Vorbis) or .mp3.")
    ],
    day: Annotated[
        str | None, typer.Option("--date", help="The day, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Write the session as an audio cue track: a chime and the words at every cue.

    Left and right shoulder switches have their own chimes (low for left,
    high for right), so they are clear without the words. The words are
    spoken by espeak-ng when it is installed; otherwise, or with
    RETRORUN_SPEECH=none, the track has the chimes only.
    """
    from retrorun.formats.audio import (  # with NumPy: loaded only when a track is made
        FORMATS,
        SPEECH_ENV,
        check_encoder,
        export_audio,
        find_speaker,
    )

    extension = check_extension(output, FORMATS)
    check_encoder(extension)  # before any work: a missing encoder is one line, no file
    session, timeline = app_for(ctx).session(parse_date(day) if day else today())
    speaker = find_speaker()
    if speaker is None:
        error_console.print(
            "[yellow]warning:[/] no speech: espeak-ng is not installed (or "
            f"{SPEECH_ENV}=none), so the track has chimes only",
            highlight=False,
            soft_wrap=True,
        )
    track = export_audio(timeline, output, speaker)
    voice = f"words by {track.spoken_by}" if track.spoken_by else "chimes only"
    console.print(
        f"Wrote {output}: {session.date.isoformat()}, {format_duration(track.duration_s)}, "
        f"{len(timeline.cues)} cues, {voice}.",
        highlight=False,
        soft_wrap=True,
    )
    if track.sped_up or track.cut:
        console.print(
            f"{track.sped_up} cues spoken faster to end before the next one; "
            f"{track.cut} of them cut short even so.",
            highlight=False,
        )
