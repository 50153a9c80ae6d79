"""Flood limits: 429 with retry_after in reject mode, violations recorded in both modes."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramRetryAfter

from emulator import EmulatorConfig, RateLimits

USER = 1001


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        settle_quiet=0.02,
        rate_limits=RateLimits(per_chat_burst=2, per_chat_refill_per_second=0.5),
    )


async def test_per_chat_flood_gives_retry_after(bot, emu, started_user):
    await bot.send_message(USER, "1")
    await bot.send_message(USER, "2")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "3")
    assert caught.value.retry_after == 2
    assert [v.limit for v in emu.violations] == ["per_chat"]
    assert emu.violations[0].rejected


async def test_record_mode_lets_floods_through_but_records_them(bot, emu, started_user):
    emu.set_rate_limits(RateLimits(mode="record", global_per_second=3, per_chat_burst=100))
    await asyncio.gather(*(bot.send_message(USER, str(n)) for n in range(5)))
    assert len(started_user.messages()) == 5
    assert [v.limit for v in emu.violations] == ["global", "global"]
    assert not any(v.rejected for v in emu.violations)


async def test_paid_broadcast_uses_its_own_ceiling(bot, emu, started_user):
    emu.set_rate_limits(RateLimits(global_per_second=1, per_chat_burst=100, paid_per_second=10))
    await bot.send_message(USER, "free")
    for n in range(5):
        await bot.send_message(USER, f"paid {n}", allow_paid_broadcast=True)
    assert emu.violations == []


async def test_time_factor_scales_rates(bot, emu, started_user):
    emu.set_rate_limits(RateLimits(per_chat_burst=1, per_chat_refill_per_second=1, time_factor=20))
    await bot.send_message(USER, "1")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER, "2")
    await asyncio.sleep(0.06)  # 1/s scaled by 20 → a token every 50 ms
    await bot.send_message(USER, "3")
