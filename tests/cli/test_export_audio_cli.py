"""`retrorun export audio` through the real entry point: a WAV to run with, clear refusals."""

from __future__ import annotations

import json
import os
import shutil
import sys
import wave
from pathlib import Path

import pytest
from tests.cli.clirunner import assert_one_line_error, run
from tests.cli.test_cli_program import PROFILE

from retrorun.core.screening import QUESTION_IDS

DAY = "2026-12-02"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with a knee-rehab plan from 2026-12-01; exports only read it, so it is shared."""
    folder = tmp_path_factory.mktemp("db")
    db = folder / "me.db"
    answers = folder / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    for args in (
        ["init"],
        PROFILE,
        ["screen", "--answers", str(answers)],
        ["plan", "new", "--start", "2026-12-01"],
    ):
        assert run(db, *args).code == 0, args
    return db


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _session_s(db: Path) -> int:
    steps = run(db, "session", "show", "--date", DAY, "--json").json()["steps"]
    return sum(step["duration_s"] for step in steps)


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        return float(reader.getnframes() / reader.getframerate())


def test_wav_with_chimes_only_warns_and_succeeds(
    planned: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETRORUN_SPEECH", "none")
    path = out / "session.wav"
    result = run(planned, "export", "audio", "--date", DAY, "-o", str(path))
    assert result.code == 0, result.err
    warning = result.err.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("warning:") and "chimes only" in warning[0]
    assert "chimes only" in result.out and "cues" in result.out
    session_s = _session_s(planned)
    assert session_s <= _wav_seconds(path) <= session_s + 2
    assert list(out.iterdir()) == [path]


def test_wav_with_words_when_espeak_ng_is_installed(
    planned: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not shutil.which("espeak-ng"):
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is not installed, and CI must test the spoken track")
        pytest.skip("espeak-ng is not installed")
    monkeypatch.delenv("RETRORUN_SPEECH", raising=False)
    path = out / "session.wav"
    result = run(planned, "export", "audio", "-o", str(path), today=DAY)  # --date: today
    assert result.code == 0 and result.err == "", result.err
    assert "words by espeak-ng" in result.out
    assert _wav_seconds(path) > _session_s(planned) + 2  # the closing words run on after it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-12-03", "-o", "{out}/s.wav"], "no session planned on 2026-12-03"),
        (["--date", DAY, "-o", "{out}/missing/s.wav"], "does not exist"),
        (["--date", DAY, "-o", "{out}/s.flac"], "unknown extension; use .wav, .ogg, .mp3"),
        (["--date", "12/02/2026", "-o", "{out}/s.wav"], "not a date"),
        (["--date", DAY], "Missing option '--output'"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_file(
    planned: Path, out: Path, args: list[str], message: str
) -> None:
    filled = [arg.format(out=out) for arg in args]
    assert_one_line_error(run(planned, "export", "audio", *filled), message)
    assert list(out.iterdir()) == []


def test_a_missing_encoder_is_one_line_and_leaves_no_file(
    planned: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "soundfile", None)  # `import soundfile` now fails
    result = run(planned, "export", "audio", "--date", DAY, "-o", str(out / "s.ogg"))
    assert_one_line_error(result, "cannot write .ogg: it needs the soundfile package")
    assert list(out.iterdir()) == []


def test_help_says_what_the_chimes_mean(tmp_path: Path) -> None:
    result = run(tmp_path / "x.db", "export", "audio", "--help")
    assert result.code == 0 and "Usage" in result.out and "shoulder" in result.out
