"""MP3 by the lame program stays fast on a cue track (issue 13, defect 10).

A cue track is about 90 % exact digital silence. The lame program measures ReplayGain by
default, and its filters sink into denormal floats in that silence: a 40-minute session took
60 s to encode instead of 6 s. retrorun asks lame for no ReplayGain (`--noreplaygain`); the
audio frames are the same either way, only the gain in the LAME tag differs.
"""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest

from retrorun.formats import audio

RATE = audio.RATE_HZ


@pytest.fixture(autouse=True)
def lame_installed() -> None:
    if shutil.which("lame"):
        return
    if os.environ.get("CI"):
        pytest.fail("lame is not installed, and CI must test the MP3 it writes")
    pytest.skip("lame is not installed (apt-get install lame)")


def sparse_track(seconds: int, every_s: int = 30) -> audio.Track:
    """Chimes every `every_s` seconds and exact zeros between them, like a cue track."""
    samples = np.zeros(seconds * RATE, dtype=np.int16)
    tone = audio.chime("right")
    for start_s in range(0, seconds, every_s):
        samples[start_s * RATE : start_s * RATE + len(tone)] = tone
    return audio.Track(samples, RATE, spoken_by=None, sped_up=0, cut=0)


def radio_replay_gain(mp3: bytes) -> bytes:
    """The "Radio Replay Gain" field of the LAME tag in the first frame (2 bytes after the
    9-byte encoder name, the revision and VBR method, the lowpass and the 4-byte peak)."""
    lame = mp3.find(b"LAME", mp3.find(b"Info") if b"Info" in mp3[:200] else mp3.find(b"Xing"))
    assert 0 < lame < 300, "no LAME tag in the first frame"
    return mp3[lame + 15 : lame + 17]


def test_lame_is_asked_for_no_replaygain() -> None:
    """The cause, checked without a clock: lame measured no gain, so it wrote none."""
    mp3 = audio.encode(sparse_track(30), "mp3")
    assert radio_replay_gain(mp3) == b"\x00\x00"
    assert "--noreplaygain" in audio.LAME_OPTIONS


def test_five_minutes_of_cues_and_silence_encode_in_a_few_seconds() -> None:
    """The symptom: before the fix 300 s of such a track took about 12 s here (2 cores), after
    it about 0.7 s; the bound leaves a busy machine five times that."""
    track = sparse_track(300)
    start = time.perf_counter()
    mp3 = audio.encode(track, "mp3")
    seconds = time.perf_counter() - start
    assert mp3[:3] == b"ID3" or mp3[0] == 0xFF
    assert seconds < 4.0, f"lame took {seconds:.1f} s for 300 s of audio"
