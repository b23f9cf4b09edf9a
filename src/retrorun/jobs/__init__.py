"""A small queue interface: procrastinate on PostgreSQL, a thread in `serve` on SQLite.

What a job is and what it does lives in `services.jobs`; this package only carries job ids from
the process that asked for the work to a process that does it:
- PostgreSQL: `enqueue` defers a procrastinate job (no extra server: the queue is tables in the
  same database), and any number of `retrorun worker` processes, on any machines, take them.
- SQLite: the jobs table is the queue; the runner thread of `retrorun serve` takes queued rows
  from it (`inprocess.Runner`). procrastinate has no SQLite connector.

The front doors wire the two halves together: they hand `Handlers` (the service functions that
run a job and put a dead one back) to a runner or a worker, so data flows down only.
Both queues retry a failed job the same way (`RETRIES`, `RETRY_WAIT_S`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from retrorun.services.app import App

# Our choice: a failed job is tried again up to 3 times (4 attempts in all), waiting
# RETRY_WAIT_S × (attempts so far − 1) seconds: at once, then 5 s, then 10 s. A bug fails the
# same way each time and costs little; a database restart or a full disk gets time to pass.
RETRIES = 3
RETRY_WAIT_S = 5


@dataclass(frozen=True)
class Handlers:
    """The service functions a runner or worker calls (`services.jobs.HANDLERS`)."""

    run: Callable[[App, int], object]  # run one job, if it is still queued
    requeue: Callable[[App, int], object]  # put back a job whose worker died
    queued: Callable[[App], list[int]]  # the jobs waiting, oldest first (SQLite's queue)
    running: Callable[[App], list[int]]  # the jobs marked running


class Inline(Protocol):
    """A runner started inside a web process; `stop` waits for the job in hand to finish."""

    def stop(self) -> None: ...


def uses_procrastinate(app: App) -> bool:
    return app.engine.dialect.name == "postgresql"


def enqueue(app: App, job_id: int) -> None:
    """Hand a job (already recorded as queued) to whatever will run it."""
    if uses_procrastinate(app):
        from retrorun.jobs import postgres

        postgres.defer(app, job_id)
    else:
        wake(app)


def start_inline(app: App, handlers: Handlers) -> Inline:
    """Run jobs inside this process: SQLite's runner thread, or (`serve --jobs-inline`) a
    procrastinate worker thread on PostgreSQL."""
    if uses_procrastinate(app):
        from retrorun.jobs import postgres

        return postgres.start_thread(app, handlers)
    from retrorun.jobs import inprocess

    runner = inprocess.Runner(app, handlers)
    runner.start()
    return runner


# --- waking an in-process runner of this process -----------------------------------------------

_wakers: weakref.WeakKeyDictionary[App, threading.Event] = weakref.WeakKeyDictionary()
_wakers_lock = threading.Lock()


def waker(app: App) -> threading.Event:
    """The event a runner of this App waits on between polls; a new job sets it."""
    with _wakers_lock:
        event = _wakers.get(app)
        if event is None:
            event = _wakers[app] = threading.Event()
        return event


def wake(app: App) -> None:
    """Tell this process's runner (if any) that a job is waiting; it polls anyway."""
    with _wakers_lock:
        event = _wakers.get(app)
    if event is not None:
        event.set()
