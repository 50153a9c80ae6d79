"""Builds the APScheduler clock (REFERENCE: misfire_grace_time=1, coalesce=True)."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler


def create_scheduler(timezone: str) -> AsyncIOScheduler:
    # No job store: every job is registered from code at start, and what a job
    # must remember is in our own tables, so nothing here needs pickling.
    return AsyncIOScheduler(
        timezone=timezone,
        job_defaults={"misfire_grace_time": 1, "coalesce": True, "max_instances": 1},
    )
