"""A failed Bot API call: which failures another try may cure, what went wrong in
one line without a secret, and how a caller with retries of its own keeps the
rate-limit middleware from retrying as well."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientError

from delivery.rate_limit import CURRENT_LANE, Lane

# Everything a call can fail with once it left: any refusal, a body that is not
# the Bot API's (a proxy's HTML page, JSON cut short, JSON without "ok"), a
# dropped connection, a server that never answers.
API_FAILURES = (AiogramError, ClientError, OSError, TimeoutError)
# Those another try may cure: a 5xx, a body that is not the Bot API's, a 429,
# the network. Any other refusal is the server's last word.
TRANSIENT_FAILURES = (
    TelegramServerError,
    ClientDecodeError,
    TelegramRetryAfter,
    TelegramNetworkError,
    ClientError,
    OSError,
    TimeoutError,
)
_LONGEST_REASON = 200
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def is_transient(failure: BaseException) -> bool:
    return isinstance(failure, TRANSIENT_FAILURES)


def describe(failure: BaseException, secrets: Iterable[str]) -> str:
    """What went wrong, on one short line; aiogram's texts may carry the token (it is
    in every URL) and a whole HTML page, so secrets are masked before it is cut."""
    if isinstance(failure, ClientDecodeError):
        reason = _undecodable(failure.data)
    elif isinstance(failure, TelegramAPIError):
        reason = failure.message
    elif isinstance(failure, TimeoutError):
        reason = "no answer in time"
    else:
        reason = f"{type(failure).__name__}: {failure}"
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "***")
    reason = " ".join(reason.split())
    if len(reason) > _LONGEST_REASON:
        reason = reason[: _LONGEST_REASON - 1] + "…"
    return reason or type(failure).__name__


def _undecodable(data: object) -> str:
    if isinstance(data, dict):
        # JSON without "ok": a server that does not know the method answers so.
        return f"an answer that is not the Bot API's ({data.get('description', data)})"
    text = str(data)
    title = _TITLE.search(text)
    if title is not None or "<html" in text.lower():
        page = f" ({title.group(1).strip()})" if title is not None else ""
        return f"an HTML page{page} instead of JSON"
    return "malformed JSON"


@contextmanager
def retried_by_caller() -> Iterator[None]:
    """The rate-limit middleware sends a failed reply again, on its own schedule. A
    caller with a schedule of its own (start-up, the command menus) takes the bulk
    lane, where a failure comes straight back to it (a 429 is still obeyed)."""
    lane = CURRENT_LANE.set(Lane.BULK)
    try:
        yield
    finally:
        CURRENT_LANE.reset(lane)
