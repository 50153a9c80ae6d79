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
import math
from collections import deque
from collections.abc import Callable
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

from domain.telegram_methods import SENDING_METHODS

log = logging.getLogger(__name__)

GROUP_WINDOW_SECONDS = 60.0
# A timer may fire this much before its time (asyncio runs those due within it).
CLOCK_RESOLUTION = 1e-6
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
# For an outbox send: whether the row is still safely ours, asked at the last
# moment before the call goes (after every wait for a turn); None for a reply.
STILL_OURS: ContextVar[Callable[[], bool] | None] = ContextVar("delivery_still_ours", default=None)


class LeaseRanOut(Exception):
    """An outbox row's lease ran short while its call waited for a turn: another
    instance may claim the row soon, so it is not sent here (it is given back)."""


@dataclass(frozen=True)
class RateLimits:
    global_per_second: float = 25
    per_chat_per_second: float = 1
    per_chat_burst: int = 3
    group_per_minute: float = 20
    paid_per_second: float = 1000
    interactive_reserve: float = 0.2
    # The share of each limit the sender aims at, and the late calls (in slots)
    # it may make up by sending sooner: together they keep the calls Telegram
    # counts in any window under its limit although the event loop wakes late and
    # requests take varying times to arrive (docs/DELIVERY.md, "Pacing").
    pacing: float = 0.99
    slack: float = 1.0
    # Telegram's ceilings: at most this many calls in any window of `window_seconds`
    # (a second on Telegram), or `global_per_second * window_seconds` if more (see
    # Guard); the paid ones for paid broadcasts.
    window_seconds: float = 1.0
    window_calls: int = 30
    paid_window_calls: int = 1000
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
            window_seconds=settings.rate_window_seconds,
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


class Grid:
    """Slots `1 / rate` apart for one limit.

    A call that goes late (the event loop was busy) does not push the next slot
    back by as much, up to `slack` calls: without that, every late wake-up is time
    lost for good, and a busy process paces well under its rate. The price is that
    a late call and the next can go closer together than `1 / rate`, so the rate
    is set a little under the limit (RateLimits.pacing).
    """

    def __init__(self, rate: float, slack: float) -> None:
        self.interval = 1 / rate
        self.slack = slack * self.interval
        self.next = -math.inf

    def take(self, now: float) -> None:
        self.next = max(self.next, now - self.slack) + self.interval


class Guard:
    """At most `calls` calls in flight or answered within the last `seconds`.

    Telegram counts a call when it reaches its server, which is after we send
    it and before we read the answer; how long after, we cannot know. Delays
    that vary (a busy server catching up) can bunch calls paced evenly when
    sent. So before a call goes, every call that might still land in the same
    window is counted: those in flight, and those answered less than a window
    ago (any answered earlier reached Telegram earlier still). Under `calls`
    of those, the new call cannot make `calls + 1` in any window, whatever the
    delays. It costs a round trip per window: about 1 - rtt / window of the
    rate at most.
    """

    def __init__(self, calls: int, seconds: float) -> None:
        self.calls = max(1, calls)
        self.seconds = seconds
        self.in_flight = 0
        self.answered: deque[float] = deque()

    def when(self, now: float) -> float:
        while self.answered and self.answered[0] <= now - self.seconds:
            self.answered.popleft()
        if self.in_flight + len(self.answered) < self.calls:
            return now
        if self.answered:
            return self.answered[0] + self.seconds
        return math.inf  # all in flight: the next answer lets one more go

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight -= 1
        self.answered.append(now)


class Turnstile:
    """Lets waiting calls through at their grids' pace: people first, then the outbox.

    One timer hands out every slot in order, whatever number of calls wait: the
    calls do not each poll a bucket, so a slot is never missed because the one
    call whose turn it was had not woken up yet. A call in the reply lane goes
    at the next slot the global grid has, ahead of any outbox call waiting.
    """

    def __init__(
        self,
        routes: dict[Lane, tuple[Grid, ...]],
        guard: Guard,
        paused_until: dict[Lane, float],
    ) -> None:
        self.routes = routes
        self.guard = guard
        self.paused_until = paused_until
        self.waiting: dict[Lane, deque[asyncio.Future[None]]] = {lane: deque() for lane in Lane}
        self._timer: asyncio.TimerHandle | None = None

    async def wait_turn(self, lane: Lane) -> None:
        future = asyncio.get_running_loop().create_future()
        self.waiting[lane].append(future)
        self.kick()
        try:
            await future
        except asyncio.CancelledError:
            if not future.cancelled():  # let through, but the caller is gone
                self.finished()
            raise

    def finished(self) -> None:
        """A call let through here was answered (or failed): it may free a turn."""
        self.guard.finish(asyncio.get_running_loop().time())
        if any(self.waiting.values()):
            self.kick()

    def kick(self) -> None:
        """Let through every call whose slot has come; set the timer for the next one."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while True:
            earliest = math.inf
            guard = self.guard.when(now)
            for lane in (Lane.INTERACTIVE, Lane.BULK):  # in order of priority
                queue = self.waiting[lane]
                while queue and queue[0].done():  # the caller was cancelled
                    queue.popleft()
                if not queue:
                    continue
                grids = self.routes[lane]
                when = max(guard, self.paused_until[lane], *(grid.next for grid in grids))
                if when <= now + CLOCK_RESOLUTION:
                    queue.popleft().set_result(None)
                    for grid in grids:
                        grid.take(now)
                    self.guard.start()
                    break
                earliest = min(earliest, when)
            else:
                # Nothing set when every turn waits for an answer: finished() kicks.
                if earliest < math.inf:
                    self._timer = loop.call_at(earliest, self.kick)
                return


class RateLimiter:
    """Decides when a call may go; shared by every request of one bot process."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        pace, slack = limits.pacing, limits.slack
        self._global = Grid(limits.global_per_second * pace, slack)
        self._bulk = Grid(limits.global_per_second * (1 - limits.interactive_reserve) * pace, slack)
        self._paid = Grid(limits.paid_per_second * pace, slack)
        self._chats: dict[int | str, Pacer] = {}
        self._groups: dict[int | str, Window] = {}
        self._paused_until = dict.fromkeys(Lane, 0.0)
        window = limits.window_seconds
        self._free = Turnstile(
            {Lane.INTERACTIVE: (self._global,), Lane.BULK: (self._global, self._bulk)},
            Guard(max(limits.window_calls, round(limits.global_per_second * window)), window),
            self._paused_until,
        )
        self._paid_turnstile = Turnstile(
            {Lane.INTERACTIVE: (self._paid,), Lane.BULK: (self._paid,)},
            Guard(max(limits.paid_window_calls, round(limits.paid_per_second * window)), window),
            self._paused_until,
        )
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
        # A turnstile's timer may be set for a slot inside the pause: it finds the
        # pause when it fires and waits again, so nothing needs telling here.

    async def wait_unpaused(self, lane: Lane) -> None:
        # A loop, not an Event: another 429 may push the end of the pause further.
        while (delay := self._paused_until[lane] - self._now()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    async def acquire(self, lane: Lane, chat_id: int | str | None, paid: bool) -> None:
        """Wait for a turn; every acquire must be followed by one release."""
        if chat_id is not None:
            await self._acquire_chat(chat_id)
        await (self._paid_turnstile if paid else self._free).wait_turn(lane)

    def release(self, paid: bool) -> None:
        """The call let through by acquire has its answer, or has failed."""
        (self._paid_turnstile if paid else self._free).finished()

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
                try:
                    return await make_request(bot, method)
                finally:
                    if counted:
                        self.limiter.release(paid)
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


class LastMomentCheck(BaseRequestMiddleware):
    """Innermost: refuses an outbox call whose row is no longer safely ours.

    A claimed row can wait for its turn (the limiter, the shared budget in Redis,
    a 429 pause) longer than its lease, and after the lease another instance
    sends it too. Checked here, after every wait, the person gets it once.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        still_ours = STILL_OURS.get()
        if still_ours is not None and not still_ours():
            raise LeaseRanOut(method.__api_method__)
        return await make_request(bot, method)
