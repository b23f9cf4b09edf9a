"""SQLite's queue: a thread inside `retrorun serve` that takes queued jobs from the jobs table.

One SQLite file is served by one process, so one runner per database: at start it puts back
the jobs a process that died left running (they count that attempt), then runs queued jobs one
at a time, oldest first. A new job wakes it; it also looks every `POLL_S` seconds. A job that
fails is tried again as procrastinate would (`RETRIES`, waiting `RETRY_WAIT_S` more each time).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from retrorun.jobs import RETRY_WAIT_S, Handlers, waker

if TYPE_CHECKING:
    from retrorun.services.app import App

log = logging.getLogger("retrorun.jobs")
POLL_S = 2.0  # our choice: a job nobody woke the runner for waits at most this long
STOP_WAIT_S = 5.0  # stopping waits this long for the job in hand, then leaves it to a retry


class Runner:
    """Runs this database's queued jobs in a daemon thread until `stop`."""

    def __init__(self, app: App, handlers: Handlers, poll_s: float = POLL_S) -> None:
        self.app = app
        self.handlers = handlers
        self.poll_s = poll_s
        self._wake = waker(app)
        self._stopping = threading.Event()
        self._failures: dict[int, int] = {}
        self._retry_at: dict[int, float] = {}
        self._thread = threading.Thread(target=self._loop, name="retrorun-jobs", daemon=True)

    def start(self) -> None:
        """Put back what a dead process left running, then start taking jobs."""
        self.recover()
        self._thread.start()

    def recover(self) -> None:
        """Jobs marked running when no runner is: their process died. Put them back (or fail
        them, if that was their last attempt)."""
        for job_id in self.handlers.running(self.app):
            self.handlers.requeue(self.app, job_id)

    def stop(self, wait_s: float = STOP_WAIT_S) -> None:
        """Stop taking jobs; a job still running after `wait_s` is left for the next start,
        which retries it (an import then stores no file twice)."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(wait_s)

    def drain(self) -> int:
        """Run every job that is ready now, until none is left; how many runs were made."""
        ran = 0
        while not self._stopping.is_set():
            ready = self._ready()
            if ready is None:
                return ran
            self._run(ready)
            ran += 1
        return ran

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # a job queued while draining sets it again: no wake-up is lost
            try:
                self.drain()
            except Exception:  # the database is away: keep the thread, try again later
                log.exception("the job runner could not read the queue")
            self._wake.wait(self.poll_s)

    def _ready(self) -> int | None:
        now = time.monotonic()
        waiting = self.handlers.queued(self.app)
        return next((j for j in waiting if self._retry_at.get(j, 0.0) <= now), None)

    def _run(self, job_id: int) -> None:
        try:
            self.handlers.run(self.app, job_id)
        except Exception:  # recorded on the job by the service; retried if it said queued
            failures = self._failures[job_id] = self._failures.get(job_id, 0) + 1
            self._retry_at[job_id] = time.monotonic() + RETRY_WAIT_S * (failures - 1)
            log.warning("job %s failed; it is retried if it has attempts left", job_id)
