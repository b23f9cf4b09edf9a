"""The audio cue track, checked by listening to its samples: chimes on time, words after them."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.timeline import Cue, CueKind, Side, Timeline, build_timeline
from retrorun.core.workout import Direction, Mode, Setting, Step, StepKind, Workout
from retrorun.errors import InvalidInput
from retrorun.formats import audio

RATE = audio.RATE_HZ
PROFILE = Profile(
    68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True
)
PLAN = make_plan(
    PROFILE, Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False)), date(2026, 12, 1)
)


def _sides(timeline: Timeline) -> set[Side | None]:
    return {cue.side for cue in timeline.cues if cue.kind is CueKind.SHOULDER}


# The first planned session whose shoulder switches go both ways (blocks of 3 minutes or more).
TIMELINE = next(
    timeline
    for timeline in (build_timeline(session.workout) for session in PLAN.sessions)
    if _sides(timeline) == {Side.LEFT, Side.RIGHT}
)


def onsets_s(samples: np.ndarray, rate: int = RATE) -> list[float]:
    """Where sound starts after at least half a second of silence (an envelope threshold)."""
    threshold = 0.02 * 32768
    loud = np.flatnonzero((samples > threshold) | (samples < -threshold))
    starts = np.concatenate((loud[:1], loud[1:][np.diff(loud) > rate // 2]))
    return [float(start) / rate for start in starts]


def strongest_note(samples: np.ndarray, start_s: float) -> float:
    """Which chime note (Hz) is loudest in the first 100 ms after `start_s` (Goertzel-style)."""
    begin = round(start_s * RATE)
    window = samples[begin : begin + RATE // 10].astype(np.float64)
    t = np.arange(len(window)) / RATE
    notes = sorted({notes[0] for notes in audio.CHIMES.values()})
    power = [abs(np.sum(window * np.exp(-2j * np.pi * note * t))) for note in notes]
    return notes[int(np.argmax(power))]


def require_espeak() -> None:
    """The spoken path runs for real; only a developer without espeak-ng may skip it."""
    if shutil.which("espeak-ng"):
        return
    if os.environ.get("CI"):
        pytest.fail("espeak-ng is not installed, and CI must test the spoken track")
    pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")


@pytest.fixture(scope="module")
def chimes_only() -> audio.Track:
    return audio.render_track(TIMELINE, speaker=None)


@pytest.fixture(scope="module")
def spoken() -> audio.Track:
    require_espeak()
    speaker = audio.find_speaker({})
    assert speaker is not None
    return audio.render_track(TIMELINE, speaker)


def test_a_chime_starts_at_every_cue_within_50_ms(chimes_only: audio.Track) -> None:
    found = onsets_s(chimes_only.samples)
    expected = [cue.t_s for cue in TIMELINE.cues]
    assert len(found) == len(expected)
    assert np.max(np.abs(np.array(found) - expected)) < 0.05


def test_left_and_right_shoulder_cues_have_their_own_chimes(chimes_only: audio.Track) -> None:
    left, right, step = audio.CHIMES["left"][0], audio.CHIMES["right"][0], audio.CHIMES["step"][0]
    assert left < right  # low for left, high for right
    for cue in TIMELINE.cues:
        note = strongest_note(chimes_only.samples, cue.t_s)
        if cue.kind is CueKind.SHOULDER:
            assert note == (left if cue.side is Side.LEFT else right), cue
        elif cue.kind is CueKind.STEP:
            assert note == step, cue
        else:
            assert note not in (left, right), cue


def test_the_track_lasts_the_session_and_the_closing_words(
    chimes_only: audio.Track, spoken: audio.Track
) -> None:
    session_s = TIMELINE.duration_s
    assert session_s <= chimes_only.duration_s <= session_s + 2
    assert session_s + 2 < spoken.duration_s <= session_s + 15  # "Session done. Well done..."
    assert chimes_only.spoken_by is None and spoken.spoken_by == "espeak-ng"


def test_words_follow_each_chime_and_never_move_it(
    chimes_only: audio.Track, spoken: audio.Track
) -> None:
    for cue in TIMELINE.cues:
        start = cue.t_s * RATE
        length = len(audio.chime(audio.chime_name(cue)))
        chime_part = slice(start, start + length)
        assert np.array_equal(spoken.samples[chime_part], chimes_only.samples[chime_part])
        after = spoken.samples[start + length : start + length + RATE].astype(np.float64)
        assert np.sqrt(np.mean(after**2)) > 300, f"no words after the chime at {cue.t_s} s"
        assert not np.any(chimes_only.samples[start + length : start + length + RATE])
        if cue.t_s:  # the words before a chime have ended: silence just before it
            assert not np.any(spoken.samples[start - RATE // 5 : start]), cue


class FakeSpeaker:
    """Speech of a known length: 0.1 s per character at 165 words a minute, less when faster."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], int]] = []

    def speak(self, texts: Sequence[str], words_per_minute: int) -> list[audio.Samples]:
        self.calls.append((tuple(texts), words_per_minute))
        seconds = [0.1 * len(text) * audio.SPEECH_WPM / words_per_minute for text in texts]
        return [np.full(round(s * RATE), 1000, dtype=np.int16) for s in seconds]


def test_long_words_are_sped_up_then_cut_and_chimes_stay_put() -> None:
    cues = (
        Cue(0, CueKind.STEP, "x" * 30, 0),  # 3 s of words, 5 s of room: as it is
        Cue(5, CueKind.SHOULDER, "y" * 50, 0, Side.RIGHT),  # 5 s: fits once sped up (3.6 s)
        Cue(10, CueKind.SHOULDER, "z" * 100, 0, Side.LEFT),  # 10 s: cut even at 1.4×
        Cue(15, CueKind.SHOULDER, "y" * 50, 0, Side.RIGHT),  # the same words, with room
        Cue(60, CueKind.DONE, "x" * 30, 0),
    )
    speaker = FakeSpeaker()
    track = audio.render_track(Timeline(60, cues, (0,)), speaker)
    assert (track.sped_up, track.cut) == (2, 1)
    assert speaker.calls == [
        (tuple(sorted({"x" * 30, "y" * 50, "z" * 100})), audio.SPEECH_WPM),
        (("y" * 50, "z" * 100), audio.FAST_SPEECH_WPM),
    ]
    chimes = np.where(np.abs(track.samples) <= 1000, 0, track.samples)  # without the words
    assert onsets_s(chimes) == pytest.approx([0, 5, 10, 15, 60], abs=0.005)
    for cue in cues[1:]:
        start = cue.t_s * RATE
        assert not np.any(track.samples[start - round(0.29 * RATE) : start]), cue
        tone = audio.chime(audio.chime_name(cue))
        assert np.array_equal(track.samples[start : start + len(tone)], tone)


def test_speech_is_switched_off_by_the_environment() -> None:
    assert audio.find_speaker({"RETRORUN_SPEECH": "none"}) is None
    assert audio.speech_program({"RETRORUN_SPEECH": "none"}) is None


def _short_timeline() -> Timeline:
    steps = (
        Step(StepKind.WARM_UP, Direction.FORWARD, Mode.WALK, Setting.TRACK, 60, 2),
        Step(StepKind.MAIN, Direction.BACKWARD, Mode.WALK, Setting.TRACK, 180, 3),
        Step(StepKind.COOL_DOWN, Direction.FORWARD, Mode.WALK, Setting.TRACK, 60, 1),
    )
    return build_timeline(Workout("three steps", steps))


def require_soundfile() -> Any:
    """OGG (and MP3 without lame) are written, and read back here, by the soundfile package."""
    try:
        return importlib.import_module("soundfile")
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the soundfile package is not installed, and CI must test OGG and MP3")
        pytest.skip("the soundfile package is not installed (pip install soundfile)")


def require_lame() -> None:
    """MP3 goes through the lame program when it is installed, as it is in CI."""
    if shutil.which("lame"):
        return
    if os.environ.get("CI"):
        pytest.fail("lame is not installed, and CI must test the MP3 it writes")
    pytest.skip("lame is not installed (apt-get install lame)")


def hide_lame(monkeypatch: pytest.MonkeyPatch) -> None:
    which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "lame" else which(name))


@pytest.mark.parametrize("encoder", ["ogg", "mp3 by lame", "mp3 by soundfile"])
def test_ogg_and_mp3_decode_back_with_the_chimes_on_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoder: str
) -> None:
    soundfile = require_soundfile()
    if encoder == "mp3 by lame":
        require_lame()
    if encoder == "mp3 by soundfile":
        hide_lame(monkeypatch)
    timeline = _short_timeline()
    path = tmp_path / f"session.{encoder[:3]}"
    track = audio.export_audio(timeline, path, speaker=None)
    decoded, rate = soundfile.read(io.BytesIO(path.read_bytes()), dtype="int16")
    assert rate == RATE
    assert len(decoded) / rate == pytest.approx(track.duration_s, abs=0.05)
    found = np.array(onsets_s(decoded))
    assert np.max(np.abs(found - [cue.t_s for cue in timeline.cues])) < 0.05
    assert list(tmp_path.iterdir()) == [path]


def test_wav_is_16_bit_mono_and_as_rendered(tmp_path: Path) -> None:
    import wave

    path = tmp_path / "session.wav"
    track = audio.export_audio(_short_timeline(), path, speaker=None)
    with wave.open(str(path)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, RATE)
        frames = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    assert np.array_equal(frames, track.samples)


def test_a_missing_encoder_is_refused_before_any_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "soundfile", None)  # as if it were not installed
    hide_lame(monkeypatch)
    for extension, needs in [("ogg", "the soundfile package"), ("mp3", "lame .* or the soundfile")]:
        with pytest.raises(InvalidInput, match=rf"cannot write \.{extension}: it needs {needs}"):
            audio.export_audio(_short_timeline(), tmp_path / f"session.{extension}", None)
    assert list(tmp_path.iterdir()) == []
