"""What /metrics shows, in the Prometheus text format, written by hand.

One registry per process (`METRICS`), because Prometheus scrapes each instance
and adds them up itself. The delivery engine may count its own outcomes with
`METRICS.sends.inc(result=...)` and `METRICS.rate_limited.inc()`; the
middlewares below already count every update and every Bot API send.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import TelegramObject, Update

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
Labels = tuple[tuple[str, str], ...]


def _labels(labels: Labels, extra: str = "") -> str:
    parts = [f'{name}="{_escape(value)}"' for name, value in labels]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Counter:
    def __init__(self, name: str, help_text: str) -> None:
        self.name, self.help = name, help_text
        self.values: dict[Labels, float] = {}

    def inc(self, amount: float = 1, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        self.values[key] = self.values.get(key, 0) + amount

    def value(self, **labels: str) -> float:
        return self.values.get(tuple(sorted(labels.items())), 0)

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        for labels, value in sorted(self.values.items()):
            yield f"{self.name}{_labels(labels)} {_number(value)}"
        if not self.values:
            yield f"{self.name} 0"


class Histogram:
    def __init__(self, name: str, help_text: str, buckets=LATENCY_BUCKETS) -> None:
        self.name, self.help, self.buckets = name, help_text, tuple(buckets)
        self.counts = [0] * len(self.buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        for bound, count in zip(self.buckets, self.counts, strict=True):
            yield f'{self.name}_bucket{{le="{_number(bound)}"}} {count}'
        yield f'{self.name}_bucket{{le="+Inf"}} {self.total}'
        yield f"{self.name}_sum {self.sum!r}"
        yield f"{self.name}_count {self.total}"


class Metrics:
    def __init__(self) -> None:
        self.updates = Counter("ngo_bot_updates_handled_total", "Updates handled, by type.")
        self.update_errors = Counter(
            "ngo_bot_update_errors_total", "Updates whose handling raised, by type."
        )
        self.latency = Histogram("ngo_bot_handler_latency_seconds", "Time to handle one update.")
        self.sends = Counter(
            "ngo_bot_sends_total", "Bot API sending calls, by result (ok, retry_after, ...)."
        )
        self.rate_limited = Counter(
            "ngo_bot_telegram_429_total", "429 Too Many Requests received from the Bot API."
        )
        self.dead_letters = Counter(
            "ngo_bot_dead_letters_total",
            "Updates the bot could not read, set aside as dead letters, by type.",
        )

    def render(self, gauges: dict[str, tuple[str, float]] | None = None) -> str:
        """The exposition; `gauges` are read at scrape time: name -> (help, value)."""
        lines: list[str] = []
        for metric in (
            self.updates,
            self.update_errors,
            self.latency,
            self.sends,
            self.rate_limited,
            self.dead_letters,
        ):
            lines.extend(metric.render())
        for name, (help_text, value) in (gauges or {}).items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value:g}"]
        return "\n".join(lines) + "\n"


METRICS = Metrics()


class UpdateMetricsMiddleware(BaseMiddleware):
    """Outer update middleware: counts each update and times its handling."""

    def __init__(self, metrics: Metrics = METRICS) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = (event.event_type if isinstance(event, Update) else None) or "unknown"
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            self.metrics.update_errors.inc(type=kind)
            raise
        finally:
            self.metrics.latency.observe(time.perf_counter() - started)
            self.metrics.updates.inc(type=kind)


class SendMetricsMiddleware(BaseRequestMiddleware):
    """Client-session middleware, inside the rate limiter: sees every attempt it makes."""

    def __init__(self, sending_methods: frozenset[str], metrics: Metrics = METRICS) -> None:
        self.sending_methods = sending_methods
        self.metrics = metrics

    async def __call__(self, make_request, bot, method):
        counted = method.__api_method__.lower() in self.sending_methods
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.rate_limited.inc()
            if counted:
                self.metrics.sends.inc(result="retry_after")
            raise
        except TelegramForbiddenError:
            if counted:
                self.metrics.sends.inc(result="forbidden")
            raise
        except TelegramNetworkError:
            if counted:
                self.metrics.sends.inc(result="network_error")
            raise
        except Exception:
            if counted:
                self.metrics.sends.inc(result="error")
            raise
        if counted:
            self.metrics.sends.inc(result="ok")
        return response
