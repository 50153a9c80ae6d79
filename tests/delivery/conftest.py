"""The outbox against the local Bot API emulator, over real HTTP, without a dispatcher."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from core.clock import Clock
from delivery.rate_limit import LastMomentCheck, RateLimiter, RateLimitMiddleware, RateLimits
from delivery.sender import DeliveryEngine
from emulator import Emulator, EmulatorConfig

# Emulator limits and the bot's settings are both sped up by this much.
TIME_FACTOR = 10


def fast_settings(settings, **overrides):
    """Telegram's limits and our margins under them, all TIME_FACTOR times faster."""
    return settings.model_copy(
        update={
            "rate_global_per_second": 25 * TIME_FACTOR,
            "rate_per_chat_per_second": 1 * TIME_FACTOR,
            "rate_window_seconds": 1 / TIME_FACTOR,
            "delivery_retry_base_seconds": 0.05,
            "delivery_retry_max_seconds": 0.5,
            "delivery_lease_seconds": 5,
            "delivery_batch_size": 100,
            "delivery_concurrency": 32,
            **overrides,
        }
    )


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    # Broadcast recipients need not have written first in these tests.
    emu = Emulator(EmulatorConfig(require_user_start=False))
    await emu.start()
    yield emu
    await emu.stop()


def make_bot(emulator: Emulator, settings) -> tuple[Bot, RateLimiter]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))
    bot = Bot(
        emulator.config.token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    limiter = RateLimiter(RateLimits.from_settings(settings))
    bot.session.middleware(RateLimitMiddleware(limiter))
    bot.session.middleware(LastMomentCheck())
    return bot, limiter


# A Tuesday at noon in Almaty: outside quiet hours, whenever the suite runs.
WORKING_NOON = datetime(2026, 5, 12, 12, 0, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.fixture
def clock() -> Clock:
    clock = Clock("Asia/Almaty")
    clock.set(WORKING_NOON)
    return clock


@pytest.fixture
async def outbox(emulator, settings, session_factory, translator, clock):
    """A factory: the engine with the given settings overrides, on a fresh bot."""
    bots: list[Bot] = []

    def make(**overrides) -> DeliveryEngine:
        tuned = fast_settings(settings, **overrides)
        bot, limiter = make_bot(emulator, tuned)
        bots.append(bot)
        engine = DeliveryEngine(
            bot, session_factory, translator, tuned, clock, rng=random.Random(7)
        )
        engine.limiter = limiter
        return engine

    yield make
    for bot in bots:
        await bot.session.close()


async def drain_all(engine: DeliveryEngine, rounds: int = 200) -> None:
    """Drain until nothing is pending or waiting for a retry (retries are short here)."""
    import asyncio

    from storage.store import Store

    for _ in range(rounds):
        await engine.drain(budget_seconds=60)
        async with engine.session_factory() as session:
            counts = await Store(session).deliveries.counts()
        if not counts.get("pending") and not counts.get("sending"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox not drained: {counts}")
