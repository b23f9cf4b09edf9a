"""`retrorun go`: play a day's session in the terminal, cue by cue, then offer to log it.

The screen shows the step, the time left, the next step and the last cue; a bell rings at every
cue. Keys: space pauses, n skips to the next step, q stops. Without a terminal the cues are
printed one a line as they come, and the log command to run is printed at the end.
"""

from __future__ import annotations

import math
import os
import select
import shlex
import subprocess
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from typing import IO, TYPE_CHECKING, Annotated

import typer

from retrorun.cli.context import app_for, parse_date, today
from retrorun.cli.output import console, error_console
from retrorun.core.log import AlreadyLogged
from retrorun.core.profile import Units
from retrorun.core.timeline import Cue, Side
from retrorun.core.units import format_duration
from retrorun.core.workout import Direction, Session
from retrorun.errors import InvalidInput
from retrorun.guide import Activity, Player, ToLog, done_by_activity, what_to_log

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.panel import Panel

    from retrorun.api import Retrorun
    from retrorun.core.log import LogEntry

MAX_SPEED = 10_000
TICK_S = 0.2  # the screen's clock moves at least this often (real seconds)
RECENT_CUES = 8
SPEECH_WAIT_S = 15  # the longest cue takes about 12 s to say
SIDE_COLOURS = {Side.LEFT: "cyan", Side.RIGHT: "magenta"}


def register(app: typer.Typer) -> None:
    app.command("go")(go)


def go(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="The day, YYYY-MM-DD (default today).")
    ] = None,
    speed: Annotated[
        float, typer.Option(help="Play this many times faster (to try it out), e.g. 60.")
    ] = 1.0,
    speak: Annotated[
        bool, typer.Option(help="Say each cue aloud with espeak-ng (when it is installed).")
    ] = False,
) -> None:
    """Play the session live: step, time left, next step and each cue, with a bell.

    Keys: space pauses or resumes, n skips to the next step, q stops.
    At the end (or on q) you are offered to log what you did: the backward time, or the
    forward time when you stopped before any backward step.
    """
    from rich.live import Live  # the live screen: not needed to print help

    if not 0 < speed <= MAX_SPEED:
        raise InvalidInput(f"--speed must be more than 0 and at most {MAX_SPEED:,}")
    api = app_for(ctx)
    session, timeline = api.session(parse_date(day) if day else today())
    player = Player(session.workout, timeline)
    imperial = api.profile().units is Units.IMPERIAL
    voice = Voice.start_if(speak)
    try:
        with read_keys(sys.stdin) as keys:
            if console.is_terminal:
                with Live(console=console.rich, screen=True, auto_refresh=False) as live:

                    def show(fired: list[Cue]) -> None:
                        live.update(screen(session, player, speed, imperial), refresh=True)

                    play(player, speed, keys, show, console.rich, voice)
            else:
                console.print(f"{session.date.isoformat()}: {session.workout.title}")
                play(player, speed, keys, print_cues, console.rich, voice)
    finally:
        voice.stop(let_finish=player.finished)  # the last words ("Session done...") are said
    offer_log(api, session, player)


# --- the loop ---------------------------------------------------------------------------------

Keys = Callable[[float], str]


def play(
    player: Player,
    speed: float,
    keys: Keys,
    show: Callable[[list[Cue]], None],
    out: Console,
    voice: Voice,
) -> None:
    """Run the player against the real clock until the session ends or q is pressed."""
    fired = player.advance(0)
    last = time.monotonic()
    while True:
        if out.is_terminal:
            for _ in fired:
                out.bell()
        if fired:
            voice.say(fired[-1].text)
        show(fired)
        if player.finished:
            return
        pressed = keys(_wait_s(player, speed))
        now = time.monotonic()
        fired = player.advance((now - last) * speed)
        last = now
        for key in pressed:  # in the order they were typed
            if key == "q":
                show(fired)
                return
            if key == " ":
                player.toggle_pause()
            elif key == "n":
                fired += player.skip()


def _wait_s(player: Player, speed: float) -> float:
    """Real seconds to wait for a key: until the next cue is due, and never long."""
    upcoming = player.next_cue
    if upcoming is None or player.paused:
        return TICK_S
    return min(TICK_S, max(upcoming.t_s - player.position_s, 0.0) / speed)


def print_cues(fired: list[Cue]) -> None:
    for cue in fired:
        console.print(cue_line(cue), highlight=False, soft_wrap=True)


def cue_line(cue: Cue) -> str:
    return f"{clock(cue.t_s):>5}  {cue.kind.value:<9} {cue.text}"


def clock(seconds: float) -> str:
    """Time as m:ss, counted up to the whole second: 0.3 s left still shows as 0:01."""
    return format_duration(math.ceil(seconds))


@contextmanager
def read_keys(stream: IO[str]) -> Iterator[Keys]:
    """Keys pressed, without waiting for Enter (cbreak mode, restored on the way out).

    When the input is not a terminal there are no keys: waiting is just sleeping.
    """
    if not stream.isatty():

        def sleep_only(timeout_s: float) -> str:
            time.sleep(timeout_s)
            return ""

        yield sleep_only
        return
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)

    def pressed(timeout_s: float) -> str:
        ready, _, _ = select.select([fd], [], [], timeout_s)
        return os.read(fd, 64).decode(errors="ignore").lower() if ready else ""

    try:
        tty.setcbreak(fd)
        yield pressed
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)  # and drop keys typed meanwhile


class Voice:
    """Cues said aloud by espeak-ng, each cutting off the one before."""

    def __init__(self, program: str | None) -> None:
        self.program = program
        self.speaking: subprocess.Popen[bytes] | None = None

    @classmethod
    def start_if(cls, wanted: bool) -> Voice:
        from retrorun.formats.audio import speech_program  # with NumPy: only to speak

        program = speech_program() if wanted else None
        if wanted and program is None:
            error_console.print(
                "[yellow]warning:[/] espeak-ng is not installed (or RETRORUN_SPEECH=none): "
                "bell only, no words",
                highlight=False,
                soft_wrap=True,
            )
        return cls(program)

    def say(self, text: str) -> None:
        if self.program is None:
            return
        from retrorun.formats.audio import SPEECH_WPM

        self.stop()
        with suppress(OSError):  # no sound device, say: the bell still rings
            self.speaking = subprocess.Popen(
                [self.program, "-s", str(SPEECH_WPM)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert self.speaking.stdin is not None
            self.speaking.stdin.write(text.encode())
            self.speaking.stdin.close()

    def stop(self, let_finish: bool = False) -> None:
        if self.speaking is not None and self.speaking.poll() is None:
            if let_finish:
                with suppress(subprocess.TimeoutExpired):
                    self.speaking.wait(timeout=SPEECH_WAIT_S)
            self.speaking.terminate()
            self.speaking.wait()
        self.speaking = None


# --- the screen -------------------------------------------------------------------------------


def screen(
    session: Session, player: Player, speed: float, imperial: bool = False
) -> RenderableType:
    """The whole screen for the player's present state, speeds in the person's units."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    step = player.step
    upcoming = player.next_step
    status = Table.grid(padding=(0, 2))
    status.add_column(style="bold")
    status.add_column()
    status.add_row("Now", f"{step.describe(imperial)} · {step.setting.value}")
    status.add_row(
        "Left",
        f"step [bold]{clock(player.step_left_s)}[/] · session {clock(player.session_left_s)}"
        f" of {clock(player.duration_s)}",
    )
    status.add_row("Next", upcoming.describe(imperial) if upcoming else "the end")
    title = f"{session.date.isoformat()} · {session.workout.title}"
    if speed != 1:
        title += f" · {speed:g}× speed"
    parts: list[RenderableType] = [Panel(status, title=title, title_align="left")]
    parts.append(cue_panel(player))
    parts.extend(Text(cue_line(cue), style="dim") for cue in player.played[-RECENT_CUES:])
    keys = "space pause · n next step · q stop"
    parts.append(Text(f"PAUSED · {keys}" if player.paused else keys, style="reverse"))
    return Group(*parts)


def cue_panel(player: Player) -> Panel:
    """The last cue, big and coloured by shoulder so it can be read at a glance."""
    from rich.panel import Panel
    from rich.text import Text

    cue = player.last_cue
    if cue is None:
        return Panel(Text("Get ready.", style="bold"), padding=(1, 4))
    colour = SIDE_COLOURS.get(cue.side, "yellow") if cue.side else "yellow"
    number = player.timeline.cues.index(cue) + 1
    title = f"{clock(cue.t_s)} · cue {number} of {len(player.timeline.cues)} · {cue.kind.value}"
    words = Text(cue.text.upper(), style=f"bold {colour}", justify="center")
    return Panel(words, title=title, padding=(1, 4), border_style=colour)


# --- logging what was done --------------------------------------------------------------------


def offer_log(api: Retrorun, session: Session, player: Player) -> None:
    """Offer to log what was actually done, by direction and mode (skips and pauses left out).

    Backward time is logged as backward, with its own mode; a session stopped before any
    backward step is said to be so, and offered as the forward walk or jog it was. The log's
    notes keep the whole split, since an entry has one direction and mode.
    """
    done = done_by_activity(session.workout, player.done_by_step)
    summary = done_summary(player, done)
    state = "Session done" if player.finished else "Stopped"
    console.print(f"{state}: you did {summary}.", highlight=False, soft_wrap=True)
    to_log = what_to_log(done)
    if to_log is None:
        return
    if to_log.direction is Direction.FORWARD and session.workout.has_backward:
        console.print("Nothing backward was done: this would be a forward log.", highlight=False)
    minutes = round(to_log.seconds / 60, 1)
    notes = f"Guided by retrorun go: {summary}."
    day = today()
    if not sys.stdin.isatty():
        command = log_command(day, minutes, to_log, notes)
        console.print(f"Log it with: {command}   (N: 0–10)", highlight=False, soft_wrap=True)
        return
    what = f"{format_duration(minutes * 60)} of {to_log.direction.value} {to_log.mode.value}"
    if not typer.confirm(f"Log {what}?", default=True):
        return
    entry = _entry(session, to_log, minutes, day, notes)
    try:
        api.add_log(entry, day)
    except AlreadyLogged as already:
        question = f"You already logged {already.what} on {day}. Log this too?"
        if not typer.confirm(question, default=False):
            console.print("Nothing logged.", highlight=False)
            return
        api.add_log(entry, day, force=True)
    console.print(f"Logged {what} on {day}.", highlight=False)


def done_summary(player: Player, done: dict[Activity, float]) -> str:
    """'4:18 of 24:00 (1:06 backward walk, 3:12 forward walk)': backward first, settings merged."""
    by_gait: dict[str, float] = {}
    ordered = sorted(done.items(), key=lambda item: item[0][0] is not Direction.BACKWARD)
    for (direction, mode, _), seconds in ordered:
        name = f"{direction.value} {mode.value}"
        by_gait[name] = by_gait.get(name, 0.0) + seconds
    parts = ", ".join(f"{format_duration(seconds)} {name}" for name, seconds in by_gait.items())
    played = f"{format_duration(player.done_s)} of {format_duration(player.duration_s)}"
    return f"{played} ({parts})" if parts else played


def log_command(day: date, minutes: float, to_log: ToLog, notes: str) -> str:
    """The `retrorun log` command for what was done, ready to paste once each N is filled in."""
    return (
        f"retrorun log --date {day.isoformat()} --minutes {minutes:g} "
        f"--direction {to_log.direction.value} --mode {to_log.mode.value} "
        f"--setting {to_log.setting.value} --notes {shlex.quote(notes)} "
        "--rpe N --pain-during N --pain-after N"
    )


def _entry(session: Session, to_log: ToLog, minutes: float, day: date, notes: str) -> LogEntry:
    """The log entry, asking effort and pain (and the partner, when the session had one)."""
    from retrorun.core.log import LogEntry

    return LogEntry(
        date=day,
        minutes=minutes,
        direction=to_log.direction,
        mode=to_log.mode,
        setting=to_log.setting,
        rpe=ask_0_to_10("Effort, 0 (rest) to 10 (maximal)", "effort"),
        pain_during=ask_0_to_10("Pain during, 0 (none) to 10", "pain during"),
        pain_after=ask_0_to_10("Pain now, after, 0 (none) to 10", "pain now"),
        with_partner=session.workout.spotting is not None
        and typer.confirm("Did a partner spot you?", default=True),
        notes=notes,
    )


def ask_0_to_10(question: str, what: str) -> int:
    """Ask again until the answer is a whole number on the 0–10 scale, saying so plainly.

    The answer is read as text: a typed "abc" gets our sentence, not a parser's message.
    """
    while True:
        answer = parse_0_to_10(typer.prompt(question))
        if answer is not None:
            return answer
        console.print(f"{what.capitalize()} is a whole number from 0 to 10.", highlight=False)


def parse_0_to_10(text: str) -> int | None:
    """The whole number 0–10 in `text`, or None."""
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if 0 <= value <= 10 else None
