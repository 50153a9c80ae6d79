"""The bot's global send budget, shared by every instance through Redis.

Telegram gives one bot about 30 messages a second whatever number of processes
send them. Each instance's own limiter (delivery.rate_limit) keeps its lanes,
per-chat and group limits; this client-session middleware sits inside it and
adds what a process cannot know alone, in two steps:

1. Pacing. A Lua script hands out slots 1/rate apart on Redis' own clock, so N
   instances together start at most `rate` sends a second. A process that was
   busy (or not given the CPU) when its slots came wakes late, with every call
   whose slot fell in that time: sent then, they would reach Telegram together.
   So a call that wakes more than a slot late gives its slot up and reserves a
   fresh one; only slots nobody used are lost.
2. The fleet's window guard. Calls paced evenly when sent can still reach
   Telegram bunched: one instance's request waits in a busy loop, another's
   goes straight through. Telegram counts a call when it arrives, which we
   cannot see, so before a call goes every call of the fleet that might still
   land in the same window is counted: those in flight (a sorted set in Redis)
   and those answered less than a window ago (another). Under `window_calls` of
   those, the new call cannot make one more than Telegram allows in any window,
   whatever the delays: the same rule as delivery.rate_limit.Guard within one
   process, here across all of them. A process killed with calls in flight
   leaves them counted until `stale_after` seconds have passed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY = "ngo-bot:global-budget:next-slot"
# A call late by more than this many slots reserves a fresh one, at most this often.
LATE_SLOTS = 1.0
MAX_RESERVATIONS = 5
# A call counted in flight for longer than this was made by a process that died.
STALE_AFTER_SECONDS = 30.0

# Reserve the next free slot; return how long the caller waits for it, and the
# slot on Redis' clock (for the record: tests check the slots handed out).
RESERVE_SLOT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next_free)
redis.call('SET', KEYS[1], string.format('%.6f', slot + tonumber(ARGV[1])), 'PX', 60000)
return {string.format('%.6f', slot - now), string.format('%.6f', slot)}
"""

# KEYS: in flight, answered. ARGV: the call's id, window_calls, window, stale_after.
# Count the call in flight and return '0' if fewer than window_calls are in flight
# or answered within the window; otherwise return how long to wait before asking
# again ('-1': every counted call is in flight, the next answer frees a turn).
ENTER_WINDOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.6f', now - window))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.6f', now - tonumber(ARGV[4])))
local counted = redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
if counted < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], string.format('%.6f', now), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], 120000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if oldest[2] then
  return string.format('%.6f', tonumber(oldest[2]) + window - now)
end
return '-1'
"""

# KEYS: in flight, answered. ARGV: the call's id. The call has its answer (or failed).
LEAVE_WINDOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], string.format('%.6f', now), ARGV[1])
redis.call('PEXPIRE', KEYS[2], 120000)
return 1
"""


class SharedGlobalBudget(BaseRequestMiddleware):
    def __init__(
        self,
        redis,
        per_second: float,
        sending_methods: frozenset[str],
        key: str = KEY,
        *,
        window_calls: int = 30,
        window_seconds: float = 1.0,
        stale_after: float = STALE_AFTER_SECONDS,
    ) -> None:
        self.redis = redis
        self.key = key
        self.interval = 1 / per_second
        self.sending_methods = sending_methods
        # As delivery.rate_limit.RateLimiter's Guard: Telegram's 30 in a window, or
        # more if the configured rate is higher (an emulator run faster).
        self.window_calls = max(1, window_calls, round(per_second * window_seconds))
        self.window_seconds = window_seconds
        self.stale_after = stale_after
        self._window_keys = [f"{key}:in-flight", f"{key}:answered"]
        self._reserve = redis.register_script(RESERVE_SLOT)
        self._enter = redis.register_script(ENTER_WINDOW)
        self._leave = redis.register_script(LEAVE_WINDOW)
        self.late = 0  # slots given up because the process woke too late for them
        self.held = 0  # calls that waited for the fleet's window guard

    async def wait_for_slot(self) -> None:
        """Wait for a slot of our own."""
        loop = asyncio.get_running_loop()
        for _ in range(MAX_RESERVATIONS):
            reserved = await self._reserve(keys=[self.key], args=[f"{self.interval:.6f}"])
            wait = float(reserved[0])
            due = loop.time() + wait
            if wait > 0:
                await asyncio.sleep(wait)
            if loop.time() - due <= LATE_SLOTS * self.interval:
                break
            self.late += 1

    async def enter_window(self, call_id: str) -> None:
        """Wait until the call cannot make the fleet's window one too many; count it."""
        args = [call_id, self.window_calls, f"{self.window_seconds:.6f}", self.stale_after]
        waited = False
        while True:
            wait = float(await self._enter(keys=self._window_keys, args=args))
            if wait == 0:
                break
            waited = True
            # All in flight: ask again soon (an answer elsewhere frees a turn).
            await asyncio.sleep(wait if wait > 0 else self.interval / 2)
        self.held += waited

    async def leave_window(self, call_id: str) -> None:
        try:
            await self._leave(keys=self._window_keys, args=[call_id])
        except RedisError:
            # Left counted in flight until stale_after: slower, never over the limit.
            logger.warning("could not record a call's answer in the shared budget")

    async def __call__(self, make_request, bot, method):
        counted = method.__api_method__.lower() in self.sending_methods
        # Paid broadcasts have their own, much larger limit (the local limiter keeps it).
        if not counted or getattr(method, "allow_paid_broadcast", False):
            return await make_request(bot, method)
        await self.wait_for_slot()
        call_id = uuid.uuid4().hex
        await self.enter_window(call_id)
        try:
            return await make_request(bot, method)
        finally:
            await asyncio.shield(self.leave_window(call_id))
