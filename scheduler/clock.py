"""Builds the APScheduler clock (REFERENCE: misfire_grace_time=1, coalesce=True)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler


class _OutboxStillSending(logging.Filter):
    """The outbox tick comes every second and a drain lasts until nothing is due
    (up to its budget), so a tick finding the last one still sending is the normal
    case during a broadcast, not worth a warning a second."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "send_deliveries" in message and "maximum number of running instances" in message
        )


def create_scheduler(timezone: str) -> AsyncIOScheduler:
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _OutboxStillSending) for f in scheduler_log.filters):
        scheduler_log.addFilter(_OutboxStillSending())
    # No job store: every job is registered from code at start, and what a job
    # must remember is in our own tables, so nothing here needs pickling.
    return AsyncIOScheduler(
        timezone=timezone,
        job_defaults={"misfire_grace_time": 1, "coalesce": True, "max_instances": 1},
    )
