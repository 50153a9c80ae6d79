"""Two instances sending at once through one Redis keep the bot's one global rate."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.shared_budget import SharedGlobalBudget
from delivery.rate_limit import SENDING_METHODS

RATE = 20  # a second, for the whole bot


class SendMessage:
    __api_method__ = "sendMessage"


async def test_two_instances_together_keep_one_global_rate(redis_url):
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    instances = [SharedGlobalBudget(client, RATE, SENDING_METHODS) for client in clients]
    sent: list[float] = []
    loop = asyncio.get_running_loop()

    async def make_request(_bot, _method):
        sent.append(loop.time())
        return "ok"

    try:
        await asyncio.gather(
            *(instances[n % 2](make_request, None, SendMessage()) for n in range(30))
        )
    finally:
        for client in clients:
            await client.aclose()
    sent.sort()
    assert len(sent) == 30
    # Never more than RATE in any second, whoever sends (a little slack for a
    # late wake-up that bunches with the next send).
    busiest = max(sum(1 for t in sent if start <= t < start + 1) for start in sent)
    assert busiest <= RATE + 2
    assert sent[-1] - sent[0] >= 29 / RATE * 0.95
