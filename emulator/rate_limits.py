"""Telegram's flood control: global, per-chat, per-group and paid-broadcast ceilings.

Only message-sending methods count. Each check returns the seconds until the
call would have been allowed (0 when it is allowed); the caller decides whether
to refuse (mode "reject") or let it through (mode "record").
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from domain.telegram_methods import SENDING_METHODS
from emulator.config import RateLimits
from emulator.records import Violation


class _Window:
    """At most `limit` events in any `seconds`-long sliding window."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.events: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.seconds:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[len(self.events) - self.limit] + self.seconds - now

    def take(self, now: float) -> None:
        self.events.append(now)


@dataclass
class _Bucket:
    """Token bucket: `burst` tokens, refilled at `rate` per second."""

    burst: float
    rate: float
    tokens: float
    updated: float

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class RateEnforcer:
    """Per-bot flood control; remembers every violation."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        factor = limits.time_factor
        self._global = _Window(limits.global_per_second, 1.0 / factor)
        self._paid = _Window(limits.paid_per_second, 1.0 / factor)
        self._chats: dict[object, _Bucket] = {}
        self._groups: dict[object, _Window] = {}
        self.violations: list[Violation] = []

    def _chat_bucket(self, chat_id: object, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            burst = self.limits.per_chat_burst
            rate = self.limits.per_chat_refill_per_second * self.limits.time_factor
            bucket = self._chats[chat_id] = _Bucket(burst, rate, burst, now)
        return bucket

    def _group_window(self, chat_id: object) -> _Window:
        window = self._groups.get(chat_id)
        if window is None:
            seconds = self.limits.group_window_seconds / self.limits.time_factor
            window = self._groups[chat_id] = _Window(self.limits.group_per_window, seconds)
        return window

    def retry_after(self, seconds: float) -> float | int:
        if self.limits.fractional_retry_after and self.limits.time_factor != 1:
            return round(max(seconds, 0.001), 3)
        return max(1, math.ceil(seconds))

    def check(self, method: str, chat_id: object, paid: bool) -> Violation | None:
        """Count one call; return its violation (rejected or not), or None if within limits."""
        if method.lower() not in SENDING_METHODS:
            return None
        now = time.monotonic()
        overall = self._paid if paid else self._global
        checks: list[tuple[str, float]] = [("paid" if paid else "global", overall.wait(now))]
        is_group = isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
        if chat_id is not None:
            checks.append(("per_chat", self._chat_bucket(chat_id, now).wait(now)))
            if is_group:
                checks.append(("group", self._group_window(chat_id).wait(now)))
        limit, wait = max(checks, key=lambda item: item[1])
        rejected = wait > 0 and self.limits.mode == "reject"
        if not rejected:
            overall.take(now)
            if chat_id is not None:
                self._chat_bucket(chat_id, now).take(now)
                if is_group:
                    self._group_window(chat_id).take(now)
        if wait <= 0:
            return None
        violation = Violation(
            method=method,
            chat_id=chat_id,
            limit=limit,
            retry_after=self.retry_after(wait),
            timestamp=time.time(),
            rejected=rejected,
        )
        self.violations.append(violation)
        return violation
