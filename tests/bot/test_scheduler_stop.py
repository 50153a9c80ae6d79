"""The clock's stop lets a running job finish instead of cancelling it mid-query.

APScheduler's own asyncio executor cancels running jobs at shutdown, which logs
'Job ... raised an exception' and cuts the job's work off half-way (seen on
PostgreSQL: the broadcast progress job cancelled inside its query as the bot
stopped).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from scheduler.clock import create_scheduler, stop_scheduler


async def _started(scheduler, job) -> asyncio.Event:
    running = asyncio.Event()

    async def wrapped() -> None:
        running.set()
        await job()

    scheduler.add_job(wrapped, "interval", seconds=60, next_run_time=None, id="job")
    scheduler.start()
    scheduler.modify_job("job", next_run_time=_now(scheduler))
    await asyncio.wait_for(running.wait(), 5)
    return running


def _now(scheduler):
    return datetime.now(scheduler.timezone)


async def test_a_running_job_finishes_before_the_clock_stops(caplog):
    caplog.set_level(logging.WARNING)
    release = asyncio.Event()
    finished = []

    async def job() -> None:
        await release.wait()
        finished.append(True)

    scheduler = create_scheduler("Asia/Almaty")
    await _started(scheduler, job)
    stopping = asyncio.create_task(stop_scheduler(scheduler, timeout=5))
    await asyncio.sleep(0.05)
    assert not stopping.done(), "the clock stopped while its job was still running"
    release.set()
    await asyncio.wait_for(stopping, 5)
    assert finished == [True]
    assert not scheduler.running
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_job_still_running_after_the_timeout_is_cancelled_with_a_warning(caplog):
    caplog.set_level(logging.WARNING)

    async def job() -> None:
        await asyncio.sleep(3600)

    scheduler = create_scheduler("Asia/Almaty")
    await _started(scheduler, job)
    await asyncio.wait_for(stop_scheduler(scheduler, timeout=0.1), 5)
    assert not scheduler.running
    assert any("still running at shutdown" in r.getMessage() for r in caplog.records)


async def test_no_new_job_starts_while_the_clock_is_stopping():
    release = asyncio.Event()
    runs = []

    async def job() -> None:
        runs.append(True)
        await release.wait()

    scheduler = create_scheduler("Asia/Almaty")
    await _started(scheduler, job)

    async def other() -> None:
        runs.append("other")

    soon = _now(scheduler) + timedelta(seconds=0.1)
    scheduler.add_job(other, "interval", seconds=0.05, next_run_time=soon, id="other")
    stopping = asyncio.create_task(stop_scheduler(scheduler, timeout=5))
    await asyncio.sleep(0.4)  # "other" would have run several times by now
    release.set()
    await asyncio.wait_for(stopping, 5)
    assert runs == [True]
