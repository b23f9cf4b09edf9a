"""`retrorun steadiness`: the 3-metre backward walk test, timed here or entered by hand.

Fallers take longer to walk 3 m backward (6.8 s against 5.1 s; cut-off 5.5 s, Polo-Ferrero et
al. 2025): over the cut-off the progression engine keeps the person on the treadmill or track.
The test is due at the start and every two weeks (`plan why` says when).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Annotated

import typer

from retrorun.cli.context import app_for, parse_date, today
from retrorun.cli.output import console, new_table, print_json
from retrorun.core.progression import WALK_TEST_CUTOFF_S, WalkTest
from retrorun.errors import InvalidInput

steadiness_app = typer.Typer(
    help="The 3-metre backward walk test: how steady you are walking backward.",
    rich_markup_mode=None,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

SET_UP = (
    "Mark a start line and a line 3 metres behind it on a flat floor. Stand with your heels on "
    "the start line, facing away from the 3-metre line, with someone beside you to steady you."
)
COUNTDOWN = (3, 2, 1)


def register(app: typer.Typer) -> None:
    app.add_typer(steadiness_app, name="steadiness")


def time_walk(
    wait_for_enter: Callable[[str], object],
    say: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> float:
    """Seconds from "go" to the Enter pressed as the heels cross the 3-metre line."""
    say(SET_UP)
    wait_for_enter("Press Enter when ready; a countdown of three follows.")
    for count in COUNTDOWN:
        say(f"{count}…")
        pause(1.0)
    say("Go: walk backward at your usual pace.")
    start = clock()
    wait_for_enter("Press Enter as your heels cross the 3-metre line.")
    return clock() - start


@steadiness_app.command("test")
def steadiness_test(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Time a 3-metre backward walk here: a countdown, then Enter to stop."""
    if not sys.stdin.isatty():
        raise InvalidInput(
            "the timed test needs a terminal; enter a time taken elsewhere with "
            "retrorun steadiness add --seconds S"
        )
    seconds = time_walk(input, lambda line: console.print(line, highlight=False))
    day = today()
    test = app_for(ctx).add_walk_test(day, round(seconds, 2), day, timed=True)
    _print_test(test, as_json)


@steadiness_app.command("add")
def steadiness_add(
    ctx: typer.Context,
    seconds: Annotated[float, typer.Option(help="Seconds the 3-metre backward walk took.")],
    day: Annotated[str | None, typer.Option("--date", help="The day, YYYY-MM-DD (today).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Enter a 3-metre backward walk timed elsewhere (by a stopwatch or in the clinic)."""
    now = today()
    test = app_for(ctx).add_walk_test(parse_date(day) if day else now, seconds, now, timed=False)
    _print_test(test, as_json)


@steadiness_app.command("list")
def steadiness_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every 3-metre backward walk, oldest first: the trend."""
    from retrorun.services.schemas import walk_tests_json

    tests = app_for(ctx).walk_tests(today())
    if as_json:
        print_json(walk_tests_json(tests))
        return
    if not tests:
        console.print("No 3-metre backward walk yet: retrorun steadiness test", highlight=False)
        return
    table = new_table("date", "seconds", "")
    for test in tests:
        table.add_row(test.date.isoformat(), f"{test.seconds:.1f}", _verdict(test))
    console.print(table)


def _print_test(test: WalkTest, as_json: bool) -> None:
    if as_json:
        from retrorun.services.schemas import walk_test_json

        print_json(walk_test_json(test))
        return
    console.print(
        f"3 metres backward in {test.seconds:.1f} s on {test.date.isoformat()}: {_verdict(test)}.",
        highlight=False,
    )


def _verdict(test: WalkTest) -> str:
    if test.seconds > WALK_TEST_CUTOFF_S:
        return f"over the {WALK_TEST_CUTOFF_S} s cut-off: stay on the treadmill or track for now"
    return f"within the {WALK_TEST_CUTOFF_S} s cut-off"
