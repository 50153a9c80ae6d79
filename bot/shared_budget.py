"""The bot's global send budget, shared by every instance through Redis.

Telegram gives one bot about 30 messages a second whatever number of processes
send them. Each instance's own limiter (delivery.rate_limit) keeps its lanes,
per-chat and group limits; this client-session middleware sits inside it and
adds the one thing a process cannot know alone: the slot of the next send in
the whole bot. A Lua script hands out slots 1/rate apart on Redis' own clock,
so N instances together send at most `rate` a second, strictly paced.

A process that was busy (or not given the CPU) when its slots came wakes late,
with every call whose slot fell in that time: sent then, they would reach
Telegram together, over its limit. So a call that wakes more than a slot late
gives its slot up and reserves a fresh one; calls that overslept together are
spaced again, and only slots nobody used are lost.
"""

from __future__ import annotations

import asyncio

from aiogram.client.session.middlewares.base import BaseRequestMiddleware

KEY = "ngo-bot:global-budget:next-slot"
# A call late by more than this many slots reserves a fresh one, at most this often.
LATE_SLOTS = 1.0
MAX_RESERVATIONS = 5

# Reserve the next free slot; return how long the caller waits for it.
RESERVE_SLOT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next_free)
redis.call('SET', KEYS[1], string.format('%.6f', slot + tonumber(ARGV[1])), 'PX', 60000)
return string.format('%.6f', slot - now)
"""


class SharedGlobalBudget(BaseRequestMiddleware):
    def __init__(
        self, redis, per_second: float, sending_methods: frozenset[str], key: str = KEY
    ) -> None:
        self.redis = redis
        self.key = key
        self.interval = 1 / per_second
        self.sending_methods = sending_methods
        self._reserve = redis.register_script(RESERVE_SLOT)
        self.late = 0  # slots given up because the process woke too late for them

    async def wait_for_slot(self) -> None:
        """Wait for a slot of our own."""
        loop = asyncio.get_running_loop()
        for _ in range(MAX_RESERVATIONS):
            wait = float(await self._reserve(keys=[self.key], args=[f"{self.interval:.6f}"]))
            due = loop.time() + wait
            if wait > 0:
                await asyncio.sleep(wait)
            if loop.time() - due <= LATE_SLOTS * self.interval:
                break
            self.late += 1

    async def __call__(self, make_request, bot, method):
        counted = method.__api_method__.lower() in self.sending_methods
        # Paid broadcasts have their own, much larger limit (the local limiter keeps it).
        if counted and not getattr(method, "allow_paid_broadcast", False):
            await self.wait_for_slot()
        return await make_request(bot, method)
