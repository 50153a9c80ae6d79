"""Fixtures for the emulator's own tests: a running emulator and an aiogram Bot on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from emulator import Emulator, EmulatorConfig


async def close_bot(bot: Bot) -> None:
    # AiohttpSession.close() sleeps 250 ms for TLS; there is no TLS here.
    inner = getattr(bot.session, "_session", None)
    if inner is not None and not inner.closed:
        await inner.close()


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(settle_timeout=5.0, settle_quiet=0.02, webhook_retry_delay=0.01)


@pytest.fixture
async def emu(emulator_config: EmulatorConfig) -> AsyncIterator[Emulator]:
    emulator = Emulator(emulator_config)
    await emulator.start(host="127.0.0.1", port=0)
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def make_bot(emu: Emulator) -> AsyncIterator[Callable[..., Bot]]:
    bots: list[Bot] = []

    def make(token: str | None = None, **kwargs) -> Bot:
        session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
        bot = Bot(token or emu.config.token, session=session, **kwargs)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await close_bot(bot)


@pytest.fixture
async def bot(make_bot) -> Bot:
    return make_bot()


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=emu.base_url) as session:
        yield session


@pytest.fixture
async def started_user(emu: Emulator):
    """A user who has written to the bot, so the bot may answer (Telegram's rule)."""
    user = emu.user(user_id=1001, first_name="Aigerim", language_code="kk")
    await user.send("/start", wait=False)
    return user
