"""Flood control for every Bot API call, as an aiogram client-session middleware.

aiogram has none (aiogram issue #1875). Like python-telegram-bot's AIORateLimiter
it keeps under a global rate, a per-chat rate and a per-group rate, counts paid
broadcasts apart, and a 429 pauses the lane that got it for `retry_after`.

Two lanes share the global budget. Replies to people ("interactive", the
default) may use all of it and go first whenever they wait; the outbox
("bulk") may use only `1 - reserve` of it. So a broadcast never makes the bot
slow to answer. The lane of a call is a context variable the outbox sets.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

# The methods Telegram's flood control counts (the others pass untouched).
SENDING_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendaudio", "sendvideo", "sendanimation",
        "sendvoice", "sendvideonote", "sendmediagroup", "sendlocation", "sendvenue",
        "sendcontact", "sendpoll", "senddice", "sendsticker", "copymessage", "copymessages",
        "forwardmessage", "forwardmessages", "sendpaidmedia", "sendinvoice",
    }
)  # fmt: skip
GROUP_WINDOW_SECONDS = 60.0
# First wait before a reply refused with a 5xx, or lost on the network, is sent
# again; doubled each time (0.2 + 0.4 + ... + 3.2 s over the five retries).
SERVER_ERROR_BACKOFF = 0.2
# What Telegram answers when a call is repeated that it had already carried out:
# the earlier attempt, whose answer was lost, did the work.
ALREADY_DONE = {
    "answercallbackquery": "query is too old",
    "deletemessage": "message to delete not found",
}


class Lane(StrEnum):
    INTERACTIVE = "interactive"
    BULK = "bulk"


CURRENT_LANE: ContextVar[Lane] = ContextVar("delivery_lane", default=Lane.INTERACTIVE)


@dataclass(frozen=True)
class RateLimits:
    global_per_second: float = 25
    per_chat_per_second: float = 1
    per_chat_burst: int = 3
    group_per_minute: float = 20
    paid_per_second: float = 1000
    interactive_reserve: float = 0.2
    # 429s obeyed per call before giving up.
    max_retries: int = 3
    # 5xx answers and lost connections (dropped, timed out) a reply survives. At
    # Telegram's worst, one call in ten failing, six failures in a row are rare
    # enough (1 in a million) that no one is left without an answer.
    failure_retries: int = 5

    @classmethod
    def from_settings(cls, settings) -> RateLimits:
        return cls(
            global_per_second=settings.rate_global_per_second,
            per_chat_per_second=settings.rate_per_chat_per_second,
            per_chat_burst=settings.rate_per_chat_burst,
            group_per_minute=settings.rate_group_per_minute,
            paid_per_second=settings.rate_paid_per_second,
            interactive_reserve=settings.rate_interactive_reserve,
        )


class Pacer:
    """A token bucket of `burst` tokens refilled at `rate` a second.

    Burst 1 is strict pacing: at most 1 + rate*T calls in any T seconds, which
    stays under a sliding-window limit whatever window the server uses.
    """

    def __init__(self, rate: float, burst: float = 1) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated: float | None = None

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class Window:
    """At most `limit` calls in any `seconds` (Telegram's 20 a minute in a group)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = max(1, limit)
        self.seconds = seconds
        self.events: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.seconds:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[-self.limit] + self.seconds - now

    def take(self, now: float) -> None:
        self.events.append(now)


class RateLimiter:
    """Decides when a call may go; shared by every request of one bot process."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = Pacer(limits.global_per_second)
        self._bulk = Pacer(limits.global_per_second * (1 - limits.interactive_reserve))
        self._paid = Pacer(limits.paid_per_second)
        self._chats: dict[int | str, Pacer] = {}
        self._groups: dict[int | str, Window] = {}
        self._lane_locks = {lane: asyncio.Lock() for lane in Lane}
        self._paused_until = dict.fromkeys(Lane, 0.0)
        self._interactive_waiting = 0
        self.pauses: list[tuple[Lane, float]] = []  # (lane, seconds): for logs and tests

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def pause(self, lane: Lane, seconds: float) -> None:
        """A 429: nothing in `lane` goes for `seconds`; one on a reply pauses both lanes."""
        until = self._now() + seconds
        lanes = list(Lane) if lane == Lane.INTERACTIVE else [lane]
        for each in lanes:
            self._paused_until[each] = max(self._paused_until[each], until)
        self.pauses.append((lane, seconds))

    async def wait_unpaused(self, lane: Lane) -> None:
        # A loop, not an Event: another 429 may push the end of the pause further.
        while (delay := self._paused_until[lane] - self._now()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    async def acquire(self, lane: Lane, chat_id: int | str | None, paid: bool) -> None:
        if chat_id is not None:
            await self._acquire_chat(chat_id)
        if lane == Lane.INTERACTIVE:
            self._interactive_waiting += 1
        try:
            async with self._lane_locks[lane]:
                await self._acquire_overall(lane, paid)
        finally:
            if lane == Lane.INTERACTIVE:
                self._interactive_waiting -= 1

    async def _acquire_chat(self, chat_id: int | str) -> None:
        is_group = isinstance(chat_id, str) or chat_id < 0
        pacer = self._chats.get(chat_id)
        if pacer is None:
            pacer = self._chats[chat_id] = Pacer(
                self.limits.per_chat_per_second, self.limits.per_chat_burst
            )
        window = None
        if is_group:
            window = self._groups.get(chat_id)
            if window is None:
                limit = int(self.limits.group_per_minute)
                window = self._groups[chat_id] = Window(limit, GROUP_WINDOW_SECONDS)
        while True:
            now = self._now()
            wait = max(pacer.wait(now), window.wait(now) if window else 0.0)
            if wait <= 0:
                pacer.take(now)
                if window is not None:
                    window.take(now)
                return
            await asyncio.sleep(wait)

    async def _acquire_overall(self, lane: Lane, paid: bool) -> None:
        while True:
            await self.wait_unpaused(lane)
            now = self._now()
            if paid:
                buckets = [self._paid]
            elif lane == Lane.BULK:
                buckets = [self._global, self._bulk]
            else:
                buckets = [self._global]
            wait = max(bucket.wait(now) for bucket in buckets)
            if lane == Lane.BULK and self._interactive_waiting:
                # A person is waiting for an answer: they go first.
                wait = max(wait, 1 / self.limits.global_per_second)
            if wait <= 0:
                for bucket in buckets:
                    bucket.take(now)
                return
            await asyncio.sleep(wait)


class RateLimitMiddleware(BaseRequestMiddleware):
    """Waits for the limiter before each call; on a 429 pauses the lane and retries."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        lane = CURRENT_LANE.get()
        counted = method.__api_method__.lower() in SENDING_METHODS
        chat_id = getattr(method, "chat_id", None) if counted else None
        paid = bool(getattr(method, "allow_paid_broadcast", False))
        limits = self.limiter.limits
        floods = failures = 0
        # A lost connection leaves it open whether Telegram carried the call out.
        maybe_done = False
        while True:
            if counted:
                await self.limiter.acquire(lane, chat_id, paid)
            else:
                await self.limiter.wait_unpaused(lane)
            try:
                return await make_request(bot, method)
            except (TelegramServerError, ClientDecodeError, TelegramNetworkError) as failure:
                # A 5xx (a 502's page is not even JSON), a dropped connection or a
                # timeout. A reply is sent again after a short backoff, or the person
                # is left unanswered; the outbox retries its own deliveries. A repeat
                # after a lost connection may show a message twice: the in-flight
                # window (docs/RELIABILITY.md), better than no answer at all.
                if lane != Lane.INTERACTIVE or failures == limits.failure_retries:
                    raise
                maybe_done = maybe_done or isinstance(failure, TelegramNetworkError)
                log.warning("%s on %s, retrying", type(failure).__name__, method.__api_method__)
                await asyncio.sleep(SERVER_ERROR_BACKOFF * 2**failures)
                failures += 1
            except TelegramBadRequest as refusal:
                done = ALREADY_DONE.get(method.__api_method__.lower())
                if maybe_done and done is not None and done in refusal.message.lower():
                    return True  # type: ignore[return-value]  # both methods return True
                raise
            except TelegramRetryAfter as flood:
                log.warning(
                    "flood control: %s paused for %ss",
                    lane.value,
                    flood.retry_after,
                    extra={"method": method.__api_method__, "chat_id": chat_id},
                )
                self.limiter.pause(lane, flood.retry_after)
                if floods == limits.max_retries:
                    raise
                floods += 1
