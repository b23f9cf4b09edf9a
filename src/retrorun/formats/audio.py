"""The audio cue track: a session's timeline as a sound file a phone plays while running.

Every cue of `build_timeline` becomes a short chime at its exact second, then its words; the
rest is silence. The chime says what kind of cue it is without words (a low two-note chime for
"look over your left shoulder", a high one for the right, a rising three-note chime for a new
step), so a runner who missed the words still knows what to do.

Chimes are never moved: each starts on the exact sample of its second. Words fill the gap up to
0.3 s before the next chime; words too long for it are re-spoken faster by the engine (same
pitch, 1.4×), and if even that does not fit they are cut with a 0.1 s fade. The file lasts the
session plus the closing words of its last cue.
"""

from __future__ import annotations

import importlib
import io
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

import numpy as np
import numpy.typing as npt

from retrorun.core.timeline import Cue, CueKind, Side, Timeline
from retrorun.errors import InvalidInput
from retrorun.formats.output_file import check_extension, write_atomically

Samples = npt.NDArray[np.int16]

FORMATS = ("wav", "ogg", "mp3")
# espeak-ng's own rate, so its speech needs no resampling; plenty for speech and chimes.
RATE_HZ = 22_050
SPEECH_ENV = "RETRORUN_SPEECH"  # "none" renders chimes only (tests, or a quiet export)

# Our choices: chimes of 0.2–0.44 s, words 80 ms after them, done 300 ms before the next chime.
NOTE_S = 0.12
LAST_NOTE_S = 0.2
CHIME_PEAK = 0.6
WORDS_AFTER_CHIME_S = 0.08
WORDS_END_BEFORE_NEXT_S = 0.3
FADE_S = 0.1
TAIL_S = 0.5  # silence after the last words, so players do not clip them

SPEECH_WPM = 165  # a little slower than espeak-ng's 175: words heard over footsteps and breath
FAST_SPEECH_WPM = 230  # 1.4×: still clear; only for words that would run into the next cue
PARALLEL_CALLS = 4

# Notes (Hz) of each chime. Left is low, right is high, a new step rises, the end falls.
CHIMES: dict[str, tuple[float, ...]] = {
    "left": (392.0, 493.9),  # G4 B4
    "right": (1174.7, 1480.0),  # D6 F#6
    "step": (523.3, 659.3, 784.0),  # C5 E5 G5
    "done": (784.0, 659.3, 523.3),  # G5 E5 C5
    "other": (880.0,),  # A5: form, partner, halfway, countdown
}


def chime_name(cue: Cue) -> str:
    """Which chime a cue gets: its shoulder for a shoulder switch, else its kind."""
    if cue.kind is CueKind.SHOULDER:
        return "right" if cue.side is Side.RIGHT else "left"
    if cue.kind is CueKind.STEP:
        return "step"
    if cue.kind is CueKind.DONE:
        return "done"
    return "other"


def chime(name: str) -> Samples:
    """A soft bell: each note starts with a 5 ms rise (no click) and decays."""
    notes = CHIMES[name]
    parts = []
    for index, frequency in enumerate(notes):
        length_s = LAST_NOTE_S if index == len(notes) - 1 else NOTE_S
        t = np.arange(round(length_s * RATE_HZ)) / RATE_HZ
        envelope = np.minimum(t / 0.005, 1.0) * np.exp(-t / (length_s / 3))
        parts.append(np.sin(2 * np.pi * frequency * t) * envelope)
    return _to_int16(np.concatenate(parts) * CHIME_PEAK)


class Speaker(Protocol):
    """Turns texts into speech, one int16 clip at RATE_HZ per text, in order."""

    name: str

    def speak(self, texts: Sequence[str], words_per_minute: int) -> list[Samples]: ...


class EspeakSpeaker:
    """espeak-ng as a subprocess, one call per distinct text, a few running at once.

    One call for all texts, split again at long SSML <break>s, was tried: espeak-ng 1.51 drops
    some breaks in longer inputs (2 of 59 in our cue texts), so the split cannot be trusted. The
    parallel calls take no longer (about 0.16 s for 20 texts on 2 cores).
    """

    def __init__(self, program: str, voice: str = "en") -> None:
        self.program = program
        self.voice = voice
        self.name = "espeak-ng"

    def speak(self, texts: Sequence[str], words_per_minute: int) -> list[Samples]:
        if not texts:
            return []
        with ThreadPoolExecutor(max_workers=min(PARALLEL_CALLS, len(texts))) as pool:
            return list(pool.map(lambda text: self._run(text, words_per_minute), texts))

    def _run(self, text: str, words_per_minute: int) -> Samples:
        """One text (given on stdin, so it is never read as an option) as trimmed speech."""
        command = [self.program, "-v", self.voice, "-s", str(words_per_minute), "--stdout"]
        try:
            done = subprocess.run(command, input=text.encode(), capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise InvalidInput(
                f"espeak-ng failed: {error}; {SPEECH_ENV}=none gives chimes only"
            ) from None
        if done.returncode != 0 or not done.stdout:
            reason = done.stderr.decode(errors="replace").strip().splitlines()[:1]
            raise InvalidInput(
                f"espeak-ng failed ({'; '.join(reason) or f'exit {done.returncode}'}); "
                f"{SPEECH_ENV}=none gives chimes only"
            )
        return _trim(_read_wav(done.stdout))


def speech_program(env: Mapping[str, str] = os.environ) -> str | None:
    """espeak-ng's path if it is installed and speech is not switched off (RETRORUN_SPEECH=none).

    The switch lets tests and quiet exports take the chimes-only path on any machine.
    """
    if env.get(SPEECH_ENV, "").strip().lower() == "none":
        return None
    return shutil.which("espeak-ng")


def find_speaker(env: Mapping[str, str] = os.environ) -> Speaker | None:
    """The speech engine to use, or None: then the track has chimes only."""
    program = speech_program(env)
    return EspeakSpeaker(program) if program else None


@dataclass(frozen=True)
class Track:
    samples: Samples  # mono, 16-bit
    rate_hz: int
    spoken_by: str | None  # the speech engine, or None for chimes only
    sped_up: int  # cues whose words were re-spoken faster to fit before the next cue
    cut: int  # cues whose words were cut short (with a fade) even so

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz


def render_track(timeline: Timeline, speaker: Speaker | None) -> Track:
    """Chimes at their exact samples, words after them; at least as long as the session."""
    cues = timeline.cues
    chimes = {name: chime(name) for name in CHIMES}
    starts = [cue.t_s * RATE_HZ for cue in cues]
    after_chime = round(WORDS_AFTER_CHIME_S * RATE_HZ)
    words_at = [
        start + len(chimes[chime_name(cue)]) + after_chime
        for cue, start in zip(cues, starts, strict=True)
    ]
    before_next = round(WORDS_END_BEFORE_NEXT_S * RATE_HZ)
    room: list[int | None] = [
        nxt - before_next - at for at, nxt in zip(words_at[:-1], starts[1:], strict=True)
    ]
    words, sped_up, cut = _fit_words(cues, [*room, None][: len(cues)], speaker)
    tail = round(TAIL_S * RATE_HZ)
    ends = [at + len(clip) + tail for at, clip in zip(words_at, words, strict=True)]
    samples = np.zeros(max([timeline.duration_s * RATE_HZ, *ends]), dtype=np.int16)
    for cue, start, at, clip in zip(cues, starts, words_at, words, strict=True):
        tone = chimes[chime_name(cue)]
        samples[start : start + len(tone)] = tone
        samples[at : at + len(clip)] = clip
    return Track(samples, RATE_HZ, speaker.name if speaker else None, sped_up, cut)


def _fit_words(
    cues: Sequence[Cue], room: Sequence[int | None], speaker: Speaker | None
) -> tuple[list[Samples], int, int]:
    """Each cue's words, sped up or cut where they would run into the next cue's chime."""
    silent = np.zeros(0, dtype=np.int16)
    if speaker is None:
        return [silent] * len(cues), 0, 0
    texts = sorted({cue.text for cue in cues})  # each distinct text is spoken once
    normal = dict(zip(texts, speaker.speak(texts, SPEECH_WPM), strict=True))
    too_long = sorted(
        {
            cue.text
            for cue, space in zip(cues, room, strict=True)
            if _overruns(normal[cue.text], space)
        }
    )
    fast = dict(zip(too_long, speaker.speak(too_long, FAST_SPEECH_WPM), strict=True))
    words: list[Samples] = []
    sped_up = cut = 0
    for cue, space in zip(cues, room, strict=True):
        clip = normal[cue.text]
        if _overruns(clip, space):
            clip, sped_up = fast[cue.text], sped_up + 1
        if space is not None and len(clip) > space:
            clip, cut = _cut(clip, max(space, 0)), cut + 1
        words.append(clip)
    return words, sped_up, cut


def _overruns(clip: Samples, space: int | None) -> bool:
    return space is not None and len(clip) > space


def _cut(clip: Samples, length: int) -> Samples:
    """The first `length` samples, fading out over the last FADE_S so the cut does not click."""
    kept = clip[:length].astype(np.float64)
    fade = min(length, round(FADE_S * RATE_HZ))
    if fade:
        kept[length - fade :] *= np.linspace(1.0, 0.0, fade)
    return kept.astype(np.int16)


def _read_wav(data: bytes) -> Samples:
    """espeak-ng's WAV (streamed to stdout, so its length fields are wrong) as mono at RATE_HZ."""
    with wave.open(io.BytesIO(data)) as reader:
        rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
        frames = reader.readframes(reader.getnframes())
    if width != 2:
        raise InvalidInput(f"espeak-ng gave {8 * width}-bit audio; expected 16-bit")
    usable = len(frames) // (2 * channels) * 2 * channels
    mono = np.frombuffer(frames[:usable], dtype="<i2").reshape(-1, channels)
    samples: npt.NDArray[np.float64] = mono.mean(axis=1)
    if rate != RATE_HZ:  # another voice or engine build: resample linearly
        times = np.arange(round(len(samples) * RATE_HZ / rate)) * (rate / RATE_HZ)
        samples = np.interp(times, np.arange(len(samples)), samples)
    return samples.astype(np.int16)


def _trim(samples: Samples) -> Samples:
    sound = np.flatnonzero(samples)
    return samples[sound[0] : sound[-1] + 1] if len(sound) else samples[:0]


def _to_int16(signal: npt.NDArray[np.float64]) -> Samples:
    return np.round(np.clip(signal, -1.0, 1.0) * 32767).astype(np.int16)


# --- encoding ---------------------------------------------------------------------------------

# libsndfile's names; its Vorbis encoder crashes on very large single writes, so we write blocks.
SOUNDFILE_FORMATS = {"ogg": ("OGG", "VORBIS"), "mp3": ("MP3", "MPEG_LAYER_III")}
BLOCK_FRAMES = 1 << 16
_SOUNDFILE = "the soundfile package (pip install 'soundfile>=0.12.1')"
ENCODER_ADVICE = {"ogg": _SOUNDFILE, "mp3": f"lame (apt-get install lame) or {_SOUNDFILE}"}
# The lame program encodes MP3 faster than the LAME inside the soundfile wheel, so it is used
# when installed. VBR quality 6 is plenty for speech and chimes.
LAME_VBR_QUALITY = 6
# Without --noreplaygain the lame program measures the track's ReplayGain, whose IIR filters
# sink into denormal floats in the exact digital silence between cues (about 90 % of a track):
# a 40-minute track took 60 s instead of 6 s, and flushing denormals (FTZ/DAZ) alone gave the
# speed back (issue 13). The gain is only a tag, which a cue track does not need; the audio is
# the same either way.
LAME_OPTIONS = ("-V", str(LAME_VBR_QUALITY), "--noreplaygain")


def check_encoder(extension: str) -> None:
    """Refuse early, with what to install, when the format cannot be written here."""
    if extension == "mp3" and shutil.which("lame"):
        return
    if extension in SOUNDFILE_FORMATS:
        _soundfile(extension)


def encode(track: Track, extension: str) -> bytes:
    """The track as the bytes of a .wav, .ogg (Vorbis) or .mp3 file."""
    if extension == "wav":
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(track.rate_hz)
            writer.writeframes(track.samples.astype("<i2").tobytes())
        return buffer.getvalue()
    lame = shutil.which("lame") if extension == "mp3" else None
    if lame:
        return _mp3_with_lame(track, lame)
    soundfile = _soundfile(extension)
    container, subtype = SOUNDFILE_FORMATS[extension]
    buffer = io.BytesIO()
    with soundfile.SoundFile(
        buffer, "w", track.rate_hz, 1, format=container, subtype=subtype
    ) as writer:
        for start in range(0, len(track.samples), BLOCK_FRAMES):
            writer.write(track.samples[start : start + BLOCK_FRAMES])
    return buffer.getvalue()


def _mp3_with_lame(track: Track, program: str) -> bytes:
    """MP3 by the lame program, into a file: only then can it add the gapless header that
    tells players its start-up delay (about 50 ms), keeping every chime on time."""
    raw = ["-r", "--bitwidth", "16", "--signed", "--little-endian", "-m", "m"]
    rate_khz = f"{track.rate_hz / 1000:g}"
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "track.mp3"
        command = [program, "--quiet", *raw, "-s", rate_khz, *LAME_OPTIONS]
        done = subprocess.run(
            [*command, "-", str(target)],
            input=track.samples.astype("<i2").tobytes(),
            capture_output=True,
        )
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()[:1]
            raise InvalidInput(f"lame failed: {'; '.join(reason) or f'exit {done.returncode}'}")
        return target.read_bytes()


def _soundfile(extension: str) -> ModuleType:
    """The soundfile package (libsndfile), checked to write this format."""
    container = SOUNDFILE_FORMATS[extension][0]
    needs = ENCODER_ADVICE[extension]
    try:
        module = importlib.import_module("soundfile")
    except (ImportError, OSError):
        raise InvalidInput(
            f"cannot write .{extension}: it needs {needs}; .wav needs nothing more"
        ) from None
    if container not in module.available_formats():
        raise InvalidInput(
            f"cannot write .{extension}: this libsndfile has no {container} encoder; "
            f"it needs {needs}; .wav needs nothing more"
        )
    return module


def export_audio(timeline: Timeline, path: Path, speaker: Speaker | None) -> Track:
    """Render and write the cue track; nothing is left behind if any step fails."""
    extension = check_extension(path, FORMATS)
    check_encoder(extension)
    track = render_track(timeline, speaker)
    write_atomically(path, encode(track, extension))
    return track
