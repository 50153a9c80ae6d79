"""A reply to a person survives what the fault suite throws at it, one call at a time:
5xx answers, dropped connections and timeouts are retried (the outbox's own calls
are not: it has its own retries); a repeat that Telegram answers "already done"
is taken as done; 429s and failures do not eat each other's retries."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, SendMessage

from delivery import rate_limit
from delivery.rate_limit import CURRENT_LANE, Lane, RateLimiter, RateLimitMiddleware, RateLimits

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(rate_limit, "SERVER_ERROR_BACKOFF", 0.0)


def scripted(*outcomes):
    """A make_request that raises or returns each outcome in turn; counts its calls."""
    calls = []

    async def make_request(_bot, method):
        outcome = outcomes[len(calls)]
        calls.append(method)
        if isinstance(outcome, type) and issubclass(outcome, Exception):
            raise _error(outcome, method)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return make_request, calls


def _error(kind, method):
    if kind is TelegramRetryAfter:
        return TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=0)
    return kind(method=method, message=kind.__name__)


def middleware() -> RateLimitMiddleware:
    return RateLimitMiddleware(RateLimiter(RateLimits(global_per_second=1000, per_chat_burst=100)))


SEND = SendMessage(chat_id=1, text="hello")
ANSWER = AnswerCallbackQuery(callback_query_id="1")


async def test_a_reply_lost_on_the_network_or_refused_with_5xx_is_sent_again():
    make_request, calls = scripted(
        TelegramNetworkError, TelegramServerError, TelegramNetworkError, "sent"
    )
    assert await middleware()(make_request, None, SEND) == "sent"
    assert len(calls) == 4


async def test_six_failures_in_a_row_give_up():
    make_request, calls = scripted(*[TelegramNetworkError] * 6, "never")
    with pytest.raises(TelegramNetworkError):
        await middleware()(make_request, None, SEND)
    assert len(calls) == 6


async def test_a_press_answered_by_the_lost_attempt_counts_as_answered():
    refusal = TelegramBadRequest(method=ANSWER, message=QUERY_TOO_OLD)
    make_request, calls = scripted(TelegramNetworkError, refusal)
    assert await middleware()(make_request, None, ANSWER) is True
    assert len(calls) == 2
    # Without a lost attempt before it, the same refusal is a real one.
    make_request, _calls = scripted(TelegramBadRequest(method=ANSWER, message=QUERY_TOO_OLD))
    with pytest.raises(TelegramBadRequest):
        await middleware()(make_request, None, ANSWER)


async def test_429s_and_failures_have_retries_of_their_own():
    make_request, calls = scripted(
        TelegramRetryAfter, TelegramRetryAfter, TelegramServerError, TelegramRetryAfter,
        TelegramNetworkError, TelegramNetworkError, "sent",
    )  # fmt: skip
    assert await middleware()(make_request, None, SEND) == "sent"
    assert len(calls) == 7


async def test_the_outbox_lane_is_not_retried_here():
    make_request, calls = scripted(TelegramNetworkError, "sent")
    token = CURRENT_LANE.set(Lane.BULK)
    try:
        with pytest.raises(TelegramNetworkError):
            await middleware()(make_request, None, SEND)
    finally:
        CURRENT_LANE.reset(token)
    assert len(calls) == 1
