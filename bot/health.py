"""What /healthz checks and what /metrics reads at scrape time."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.statuses import DeliveryStatus
from storage.models import Delivery

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass
class Health:
    """The instance is healthy when it can reach its database and, if it uses one, Redis."""

    engine: AsyncEngine
    redis: Any | None = None  # redis.asyncio.Redis when REDIS_URL is set

    async def database_ok(self) -> bool:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "unreachable"; the reason goes to the log
            log.warning("health: database unreachable: %s", type(exc).__name__)
            return False
        return True

    async def redis_ok(self) -> bool | None:
        if self.redis is None:
            return None
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                await self.redis.ping()
        except Exception as exc:  # as above
            log.warning("health: redis unreachable: %s", type(exc).__name__)
            return False
        return True

    async def report(self) -> tuple[bool, dict[str, str]]:
        database, redis = await asyncio.gather(self.database_ok(), self.redis_ok())
        checks = {"database": "ok" if database else "unreachable"}
        if redis is not None:
            checks["redis"] = "ok" if redis else "unreachable"
        healthy = all(value == "ok" for value in checks.values())
        return healthy, {"status": "ok" if healthy else "unavailable", **checks}

    async def outbox_depth(self) -> int | None:
        """Deliveries waiting or being sent, across all instances (None if unreachable)."""
        waiting = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), self.engine.connect() as connection:
                statement = select(func.count()).where(Delivery.status.in_(waiting))
                return (await connection.execute(statement)).scalar_one()
        except Exception:  # /metrics still answers; the gauge is just left out
            return None
