"""PostgreSQL's queue: procrastinate, whose tables live in the same database (no extra server).

The web process defers a job id (`defer`, with a queueing lock per job, so the same job is never
waiting twice); any number of `retrorun worker` processes, on any machines, take them
(`run_worker`). A job that raises is retried by procrastinate's RetryStrategy with the same
count the service records; a job whose worker was killed (no heartbeat for 30 s) is put back by
a periodic task that every worker runs, once a minute.

procrastinate is imported only here, only when a PostgreSQL queue is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from retrorun.errors import SchemaNotReady
from retrorun.jobs import RETRIES, RETRY_WAIT_S, Handlers
from retrorun.store.queue_schema import has_queue_schema

if TYPE_CHECKING:
    import procrastinate

    from retrorun.services.app import App

log = logging.getLogger("retrorun.jobs")
TASK = "retrorun.run_job"
STALLED_TASK = "retrorun.retry_stalled_jobs"
QUEUE = "retrorun"
STALLED_CRON = "* * * * *"  # every minute
STALLED_AFTER_S = 30.0  # procrastinate's default: a worker beats every 10 s
STOP_WAIT_S = 10.0


def conninfo(app: App) -> str:
    """The libpq address of the App's database (procrastinate speaks psycopg, not SQLAlchemy)."""
    url = app.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _lock(job_id: int) -> str:
    return f"retrorun-job-{job_id}"


def defer(app: App, job_id: int) -> None:
    """Put a job on the queue; a job already waiting there is left as it is.

    One short connection per call: jobs are asked for a few times a minute, not per request,
    and a web process then holds no pool for the queue.
    """
    import procrastinate
    from procrastinate.exceptions import AlreadyEnqueued

    connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo(app), min_size=1, max_size=1)
    with procrastinate.App(connector=connector).open() as queue:
        task = queue.configure_task(
            TASK, queue=QUEUE, lock=_lock(job_id), queueing_lock=_lock(job_id)
        )
        try:
            task.defer(job_id=job_id)
        except AlreadyEnqueued:
            log.info("job %s is already waiting on the queue", job_id)


def worker_app(app: App, handlers: Handlers) -> procrastinate.App:
    """A procrastinate App whose tasks run retrorun's jobs on `app`."""
    import procrastinate

    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(app)))
    retry = procrastinate.RetryStrategy(max_attempts=RETRIES, linear_wait=RETRY_WAIT_S)

    def run_job(job_id: int) -> None:
        handlers.run(app, job_id)

    async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
        await retry_stalled(app, handlers, context.app)

    queue.task(name=TASK, queue=QUEUE, retry=retry)(run_job)
    stalled_task = queue.task(
        name=STALLED_TASK, queue=QUEUE, pass_context=True, queueing_lock=STALLED_TASK
    )(retry_stalled_jobs)
    queue.periodic(cron=STALLED_CRON)(stalled_task)
    return queue


async def retry_stalled(
    app: App,
    handlers: Handlers,
    queue: procrastinate.App,
    seconds_since_heartbeat: float = STALLED_AFTER_S,
) -> int:
    """Put back the jobs of workers that stopped sending heartbeats (killed, or cut off):
    the jobs row first (it counted the dead attempt), then procrastinate's. How many."""
    manager = queue.job_manager
    stalled = list(
        await manager.get_stalled_jobs(
            task_name=TASK, seconds_since_heartbeat=seconds_since_heartbeat
        )
    )
    for job in stalled:
        job_id = int(str(job.task_kwargs["job_id"]))
        log.warning("job %s lost its worker: it is put back on the queue", job_id)
        await asyncio.to_thread(handlers.requeue, app, job_id)
        await manager.retry_job(job)
    return len(stalled)


def check_ready(app: App) -> None:
    """Refuse to start a worker on a database without procrastinate's tables."""
    with app.engine.connect() as connection:
        ready = has_queue_schema(connection)
    if not ready:
        raise SchemaNotReady(
            "this database has no job queue yet: run `retrorun db upgrade` (it adds it)"
        )


def worker_options(concurrency: int, wait: bool = True) -> dict[str, Any]:
    """The same options for `retrorun worker`, a worker inside `serve` and tests' drains.
    Finished jobs' queue rows are deleted: the jobs table keeps what a page shows."""
    return {
        "queues": [QUEUE],
        "concurrency": concurrency,
        "wait": wait,
        "delete_jobs": "successful",
    }


def run_worker(app: App, handlers: Handlers, concurrency: int = 1) -> None:
    """Take jobs until SIGINT or SIGTERM, which finish the jobs in hand and stop."""
    check_ready(app)
    worker_app(app, handlers).run_worker(**worker_options(concurrency))


def drain(app: App, handlers: Handlers, concurrency: int = 1) -> None:
    """Run every job waiting now, then return (for tests and one-off runs)."""
    worker_app(app, handlers).run_worker(
        **worker_options(concurrency, wait=False), install_signal_handlers=False
    )


class WorkerThread:
    """A procrastinate worker in a thread of its own (`serve --jobs-inline`); `stop` asks it
    to finish the job in hand."""

    def __init__(self, app: App, handlers: Handlers) -> None:
        self.app, self.handlers = app, handlers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name="retrorun-worker", daemon=True)

    def start(self) -> None:
        check_ready(self.app)
        self._thread.start()
        self._started.wait(STOP_WAIT_S)

    def stop(self) -> None:
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)
        self._thread.join(STOP_WAIT_S)

    def _main(self) -> None:
        try:
            asyncio.run(self._work())
        except Exception:
            log.exception("the in-process job worker stopped")
        finally:
            self._started.set()

    async def _work(self) -> None:
        queue = worker_app(self.app, self.handlers)
        async with queue.open_async():
            options = {**worker_options(1), "install_signal_handlers": False}
            self._task = asyncio.create_task(queue.run_worker_async(**options))
            self._loop = asyncio.get_running_loop()
            self._started.set()
            with contextlib.suppress(asyncio.CancelledError):  # `stop` cancels it: finished
                await self._task


def start_thread(app: App, handlers: Handlers) -> WorkerThread:
    worker = WorkerThread(app, handlers)
    worker.start()
    return worker
