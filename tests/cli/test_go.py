"""`retrorun go`: the player on its own (no clock), then the real timer in a pseudo-terminal."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import select
import shlex
import struct
import subprocess
import sys
import termios
import time
from datetime import date
from pathlib import Path

import pytest
import typer
from rich.console import Console
from tests.cli.clirunner import assert_one_line_error, log_args, run
from tests.cli.test_cli_program import PROFILE

from retrorun.api import Retrorun
from retrorun.cli.go import Voice, ask_0_to_10, cue_line, offer_log, screen
from retrorun.core.plan import make_plan
from retrorun.core.profile import Experience, Goal, Profile, weekdays_for
from retrorun.core.screening import QUESTION_IDS, Screening
from retrorun.core.timeline import CueKind, build_timeline
from retrorun.core.units import format_duration
from retrorun.core.workout import Direction, Mode, Setting
from retrorun.guide import Player, ToLog, done_by_activity, what_to_log

DAY = "2026-12-02"
SESSION = make_plan(
    Profile(68, 41, Experience.REGULAR, Goal.KNEE_REHAB, weekdays_for(3), 30, True, True, True),
    Screening(date(2026, 11, 1), dict.fromkeys(QUESTION_IDS, False)),
    date(2026, 12, 1),
).sessions[0]
TIMELINE = build_timeline(SESSION.workout)


def _player() -> Player:
    return Player(SESSION.workout, TIMELINE)


# --- the player: pure, driven by the seconds passed in -------------------------------------


@pytest.mark.parametrize("tick_s", [0.5, 7.0, 61.0, 10_000.0])
def test_every_cue_is_played_once_in_order_whatever_the_tick(tick_s: float) -> None:
    player = _player()
    reached = player.advance(0)
    while not player.finished:
        reached += player.advance(tick_s)
    assert reached == list(TIMELINE.cues) == player.played
    assert player.done_s == TIMELINE.duration_s and player.session_left_s == 0


def test_pause_stops_the_clock_and_resume_goes_on() -> None:
    player = _player()
    player.advance(10)
    player.toggle_pause()
    assert player.advance(600) == [] and player.position_s == 10
    player.toggle_pause()
    assert [cue.kind for cue in player.advance(10)] == [CueKind.PARTNER]  # at 20 s
    assert player.done_s == 20


def test_skip_jumps_to_the_next_step_passing_over_its_cues() -> None:
    player = _player()
    player.advance(30)
    second_step = TIMELINE.step_starts_s[1]
    reached = player.skip()
    assert [(cue.t_s, cue.kind) for cue in reached] == [(second_step, CueKind.STEP)]
    assert CueKind.COUNTDOWN not in {cue.kind for cue in player.played}  # passed over
    assert player.position_s == second_step and player.done_s == 30  # skipped time not done
    assert player.step_index == 1 and player.step.direction is Direction.BACKWARD


def test_skipping_the_last_step_ends_the_session() -> None:
    player = _player()
    for _ in SESSION.workout.steps:
        player.skip()
    assert player.finished and player.last_cue is not None
    assert player.last_cue.kind is CueKind.DONE and player.done_s == 0


def test_time_left_and_next_step() -> None:
    player = _player()
    player.advance(100)
    warm_up = SESSION.workout.steps[0]
    assert player.step_left_s == (warm_up.duration_s or 0) - 100
    assert player.session_left_s == TIMELINE.duration_s - 100
    assert player.next_step == SESSION.workout.steps[1]
    with pytest.raises(ValueError):
        player.advance(-1)


def test_played_time_is_credited_to_the_steps_it_covers() -> None:
    player = _player()
    warm_up_s = SESSION.workout.steps[0].duration_s or 0
    player.advance(warm_up_s - 10)
    player.toggle_pause()
    player.advance(100)  # paused: not done
    player.toggle_pause()
    player.advance(40)  # the last 10 s of the warm-up and 30 s of the first backward step
    player.skip()  # skipped: not done
    player.advance(5)
    assert player.done_by_step[:3] == [warm_up_s, 30, 5]
    assert sum(player.done_by_step) == player.done_s


def test_stopped_in_the_warm_up_nothing_backward_is_logged() -> None:
    """The trial: quitting during the forward warm-up logged "3.2 min of backward walk"."""
    player = _player()
    player.advance(192)
    done = done_by_activity(SESSION.workout, player.done_by_step)
    assert done == {(Direction.FORWARD, Mode.WALK, Setting.TREADMILL): 192}
    assert what_to_log(done) == ToLog(Direction.FORWARD, Mode.WALK, Setting.TREADMILL, 192)


def test_only_the_backward_time_done_is_logged_as_backward() -> None:
    player = _player()
    player.advance(300 + 90)  # the warm-up, then 1:30 of backward walking
    to_log = what_to_log(done_by_activity(SESSION.workout, player.done_by_step))
    assert to_log == ToLog(Direction.BACKWARD, Mode.WALK, Setting.TREADMILL, 90)
    assert what_to_log({}) is None


def _answers(monkeypatch: pytest.MonkeyPatch, prompts: list[str], confirms: list[bool]) -> None:
    """Type these answers at the prompts, as a person at a terminal would."""
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(typer, "prompt", lambda *args, **kwargs: prompts.pop(0))
    monkeypatch.setattr(typer, "confirm", lambda *args, **kwargs: confirms.pop(0))
    monkeypatch.setenv("RETRORUN_TODAY", DAY)


def test_a_stop_in_the_warm_up_offers_a_forward_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    player = _player()
    player.advance(192)
    api = Retrorun(str(tmp_path / "go.db"))
    _answers(monkeypatch, ["3", "0", "0"], [True, False])
    offer_log(api, SESSION, player)
    out = capsys.readouterr().out
    assert "Stopped: you did 3:12 of 24:00 (3:12 forward walk)." in out
    assert "Nothing backward was done" in out and "Logged 3:12 of forward walk" in out
    [logged] = api.history()
    entry = logged.entry
    assert (entry.minutes, entry.direction, entry.mode) == (3.2, Direction.FORWARD, Mode.WALK)
    api.close()


def test_effort_in_words_is_asked_again_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _answers(monkeypatch, ["abc", "", "4.5", "11", " 4 "], [])
    assert ask_0_to_10("Effort, 0 (rest) to 10 (maximal)", "effort") == 4
    out = capsys.readouterr().out
    assert out.count("Effort is a whole number from 0 to 10.") == 4
    assert "Input should be" not in out


def test_the_screen_shows_step_time_left_next_step_and_the_last_cue() -> None:
    player = _player()
    player.advance(360)  # the first shoulder switch
    player.toggle_pause()
    console = Console(record=True, file=io.StringIO(), width=200)
    console.print(screen(SESSION, player, speed=60))
    text = console.export_text()
    cue = player.last_cue
    assert cue is not None and cue.kind is CueKind.SHOULDER
    number = TIMELINE.cues.index(cue) + 1
    assert cue.text.upper() in text and f"cue {number} of {len(TIMELINE.cues)}" in text
    upcoming = player.next_step
    assert upcoming is not None
    assert player.step.describe() in text and f"Next  {upcoming.describe()}" in text
    assert "step 1:00 · session 18:00 of 24:00" in text
    assert "PAUSED" in text and "60× speed" in text
    assert cue_line(cue) in text  # and in the list of recent cues


def test_the_voice_says_each_cue_through_the_speech_program(tmp_path: Path) -> None:
    said = tmp_path / "said.txt"
    program = tmp_path / "say"
    program.write_text(f"#!/bin/sh\ncat >> {said}\n")
    program.chmod(0o755)
    voice = Voice(str(program))
    voice.say("Switch: look over your left shoulder.")
    voice.stop(let_finish=True)
    assert said.read_text() == "Switch: look over your left shoulder."


# --- the real command --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("db")
    answers = folder / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(QUESTION_IDS, False)))
    db = folder / "template.db"
    for args in (
        ["init"],
        PROFILE,
        ["screen", "--answers", str(answers)],
        ["plan", "new", "--start", "2026-12-01"],
    ):
        assert run(db, *args).code == 0, args
    return db


@pytest.fixture
def db(plan_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the planned database, so each test logs into its own."""
    copy = tmp_path / "me.db"
    copy.write_bytes(plan_db.read_bytes())
    return copy


def _expected_lines(db: Path) -> list[str]:
    timeline = run(db, "session", "show", "--date", DAY, "--json").json()["timeline"]
    return [f"{format_duration(c['t_s']):>5}  {c['kind']:<9} {c['text']}" for c in timeline]


def _in_order(text: str, lines: list[str]) -> None:
    at = 0
    for line in lines:
        found = text.find(line, at)
        assert found >= 0, f"missing or out of order: {line}"
        at = found + len(line)


def test_without_a_terminal_cues_are_printed_in_order_with_the_log_command(db: Path) -> None:
    result = run(db, "go", "--speed", "600", today=DAY)
    assert result.code == 0, result.err
    _in_order(result.out, _expected_lines(db))
    done = "24:00 of 24:00 (10:00 backward walk, 14:00 forward walk)"
    assert f"Session done: you did {done}." in result.out
    command = re.search(r"Log it with: retrorun (log .*?)   \(N: 0–10\)", result.out)
    assert command is not None
    args = ["3" if arg == "N" else arg for arg in shlex.split(command.group(1))]
    logged = run(db, *args, today=DAY)
    assert logged.code == 0 and "counted toward the planned session" in logged.out
    [entry] = run(db, "history", "--json").json()
    assert (entry["minutes"], entry["direction"], entry["mode"]) == (10, "backward", "walk")
    assert entry["notes"] == f"Guided by retrorun go: {done}."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "--speed must be more than 0"),
        (["--date", "2026-12-03"], "no session planned on 2026-12-03"),
        (["--date", "tomorrow"], "not a date"),
    ],
)
def test_bad_input_is_one_line(db: Path, args: list[str], message: str) -> None:
    assert_one_line_error(run(db, "go", *args, today=DAY), message)


ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r")


class Terminal:
    """`retrorun go` in a real pseudo-terminal, 250 columns by 50 lines."""

    def __init__(self, db: Path, *args: str) -> None:
        env = {
            **os.environ,
            "RETRORUN_DATABASE_URL": str(db),
            "RETRORUN_TODAY": DAY,
            "TERM": "xterm-256color",
            "COLUMNS": "250",
            "LINES": "50",
        }
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "retrorun", "go", *args],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
            close_fds=True,
        )
        os.close(follower)
        self.fd = leader
        self.raw = b""
        self.mark = 0  # expect() looks from here on

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.raw).decode(errors="replace")

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the program ended
                return
            if not chunk:
                return
            self.raw += chunk

    def expect(self, pattern: str, timeout_s: float = 60) -> re.Match[str]:
        """Read until `pattern` (a regex) shows after the last match; move the mark past it."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = re.compile(pattern).search(self.text, self.mark)
            if found:
                self.mark = found.end()
                return found
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.text[-3000:]}"
            assert self.process.poll() is None or self._drain(), self.text[-3000:]
            self.read(0.05)

    def _drain(self) -> bool:
        before = len(self.raw)
        self.read(0.2)
        return len(self.raw) > before

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def finish(self) -> int:
        self.read(1)
        code = self.process.wait(timeout=30)
        os.close(self.fd)
        return code


def test_the_timer_shows_every_cue_in_order_with_a_bell(db: Path) -> None:
    terminal = Terminal(db, "--speed", "600")
    terminal.expect(r"Session done: you did 24:00 of 24:00 \(10:00 backward walk, 14:00 forward")
    terminal.expect(r"Log 10:00 of backward walk\? \[Y/n\]")
    terminal.send("n\n")
    assert terminal.finish() == 0, terminal.text[-2000:]
    lines = _expected_lines(db)
    _in_order(terminal.text, lines)  # every cue shows, in order, in the list of recent cues
    # The big panel shows the latest cue at each refresh; at 600× two cues 4 s apart can fall
    # in one refresh, so only its first and last cues are certain to show there.
    assert f"cue 1 of {len(lines)}" in terminal.text
    assert f"cue {len(lines)} of {len(lines)}" in terminal.text
    assert terminal.raw.count(b"\x07") == len(lines)  # one bell per cue
    assert run(db, "history", "--json").json() == []


def _session_clock(text: str) -> str:
    return str(re.findall(r"session (\d+:\d\d) of", text)[-1])


def test_space_pauses_n_skips_q_stops_and_the_minutes_done_are_logged(db: Path) -> None:
    terminal = Terminal(db, "--speed", "30")  # the 5-minute warm-up lasts 10 s
    terminal.expect(r"cue 1 of \d+")
    terminal.send(" ")
    paused = terminal.expect(r"PAUSED")
    clock = _session_clock(terminal.text[: paused.start()])
    terminal.read(1.0)  # half a minute of session time, had it not been paused
    assert set(re.findall(r"session (\d+:\d\d) of", terminal.text[paused.end() :])) <= {clock}
    terminal.send(" ")
    terminal.expect(rf"session (?!{clock})\d+:\d\d of")  # moving again
    terminal.send("n")
    terminal.expect(r" 5:00 · cue \d+ of \d+ · step")  # the first backward step
    assert "4:50  countdown" not in terminal.text  # passed over, not said
    terminal.expect(r" 6:00 · cue \d+ of \d+ · shoulder")  # a minute of it done
    terminal.send("q")
    done = terminal.expect(
        r"Stopped: you did (\d+:\d\d) of 24:00 \((\d+:\d\d) backward walk, (\d+:\d\d) forward"
    )
    backward = done.group(2)
    minutes_done, seconds_done = map(int, backward.split(":"))
    assert 60 <= minutes_done * 60 + seconds_done < 90  # the warm-up is not counted backward
    logged = terminal.expect(r"Log (\d+:\d\d) of backward walk\? \[Y/n\]").group(1)
    terminal.send("y\n")
    for prompt, answer in [
        (r"Effort, 0 \(rest\) to 10", "abc"),  # not a number: asked again, in plain words
        (r"Effort is a whole number from 0 to 10\.", ""),
        (r"Effort, 0 \(rest\) to 10", "11"),  # off the scale: asked again
        (r"Effort is a whole number from 0 to 10\.", ""),
        (r"Effort, 0 \(rest\) to 10", "4"),
        (r"Pain during", "2"),
        (r"Pain now, after", "1"),
        (r"Did a partner spot you\?", "y"),
    ]:
        terminal.expect(prompt)
        if answer:
            terminal.send(answer + "\n")
    terminal.expect(rf"Logged {logged} of backward walk on {DAY}")
    assert terminal.finish() == 0
    assert "Input should be" not in terminal.text  # no parser's words
    [entry] = run(db, "history", "--json").json()
    assert format_duration(entry["minutes"] * 60) == logged and entry["date"] == DAY
    assert (entry["direction"], entry["mode"], entry["setting"]) == (
        "backward",
        "walk",
        "treadmill-with-handrails",
    )
    assert (entry["rpe"], entry["pain_during"], entry["pain_after"]) == (4, 2, 1)
    assert entry["with_partner"] is True and entry["matched_plan"] is True


def test_go_has_help(tmp_path: Path) -> None:
    result = run(tmp_path / "x.db", "go", "--help")
    assert result.code == 0 and "--speed" in result.out and "space" in result.out


def test_a_day_already_logged_is_asked_about_before_logging_again(db: Path) -> None:
    first = run(db, *log_args(DAY, minutes="10", rpe="3"), today=DAY)
    assert first.code == 0, first.err
    terminal = Terminal(db, "--speed", "600")
    terminal.expect(r"Log 10:00 of backward walk\? \[Y/n\]")
    terminal.send("y\n")
    for prompt, answer in [
        (r"Effort, 0 \(rest\) to 10", "4"),
        (r"Pain during", "2"),
        (r"Pain now, after", "1"),
        (r"Did a partner spot you\?", "n"),
    ]:
        terminal.expect(prompt)
        terminal.send(answer + "\n")
    terminal.expect(r"You already logged .* Log this too\? \[y/N\]")
    terminal.send("n\n")
    terminal.expect(r"Nothing logged\.")
    assert terminal.finish() == 0, terminal.text[-2000:]
    assert len(run(db, "history", "--json").json()) == 1
