"""Builds the APScheduler clock (REFERENCE: misfire_grace_time=1, coalesce=True)."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job, run_job
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import iscoroutinefunction_partial

log = logging.getLogger(__name__)


class _OutboxStillSending(logging.Filter):
    """The outbox tick comes every second and a drain lasts until nothing is due
    (up to its budget), so a tick finding the last one still sending is the normal
    case during a broadcast, not worth a warning a second."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "send_deliveries" in message and "maximum number of running instances" in message
        )


class FinishingExecutor(BaseExecutor):
    """APScheduler's asyncio executor, but a stop lets running jobs finish.

    AsyncIOExecutor cancels every running job at shutdown, so a job caught in a
    query when the bot stops is logged as a job that "raised an exception", and
    its work is cut off half-way. Every job here is a coroutine; this executor
    keeps their tasks, and `finish` waits for them before the scheduler shuts down.
    """

    def start(self, scheduler: AsyncIOScheduler, alias: str) -> None:
        super().start(scheduler, alias)
        self._loop = scheduler._eventloop
        self._running: set[asyncio.Future[Any]] = set()

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if iscoroutinefunction_partial(job.func):
            task = self._loop.create_task(
                run_coroutine_job(job, job._jobstore_alias, run_times, self._logger.name)
            )
        else:  # a plain function runs in the loop's thread pool, as in AsyncIOExecutor
            task = asyncio.ensure_future(
                self._loop.run_in_executor(
                    None, run_job, job, job._jobstore_alias, run_times, self._logger.name
                )
            )

        def done(finished: asyncio.Future[Any]) -> None:
            self._running.discard(finished)
            try:
                events = finished.result()
            except BaseException:
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        task.add_done_callback(done)
        self._running.add(task)

    async def finish(self, timeout: float) -> None:
        """Wait for the running jobs; cancel those still running after `timeout` s."""
        if not self._running:
            return
        _, late = await asyncio.wait(set(self._running), timeout=timeout)
        if late:
            log.warning("%d scheduled job(s) still running at shutdown, cancelled", len(late))
            for task in late:
                task.cancel()

    def shutdown(self, wait=True):
        for task in self._running:
            task.cancel()
        self._running.clear()


async def stop_scheduler(scheduler: AsyncIOScheduler, timeout: float = 15.0) -> None:
    """Start no more jobs, let the running ones finish, then shut the clock down."""
    if not scheduler.running:
        return
    scheduler.pause()
    executor = scheduler._lookup_executor("default")
    if isinstance(executor, FinishingExecutor):
        await executor.finish(timeout)
    scheduler.shutdown(wait=False)


def create_scheduler(timezone: str) -> AsyncIOScheduler:
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _OutboxStillSending) for f in scheduler_log.filters):
        scheduler_log.addFilter(_OutboxStillSending())
    # No job store: every job is registered from code at start, and what a job
    # must remember is in our own tables, so nothing here needs pickling.
    return AsyncIOScheduler(
        timezone=timezone,
        executors={"default": FinishingExecutor()},
        job_defaults={"misfire_grace_time": 1, "coalesce": True, "max_instances": 1},
    )
