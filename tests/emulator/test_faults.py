"""Seeded fault injection: same seed, same faults; each kind looks like the real thing."""

from __future__ import annotations

import contextlib

import aiohttp
import pytest
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError

from emulator import Emulator, Faults

USER = 1001


async def _run_calls(emu: Emulator, make_bot, faults: Faults) -> list[tuple[str, str]]:
    emu.set_faults(faults)
    emu.fault_injector.records.clear()
    bot = make_bot()
    for n in range(30):
        # Every outcome is fine; only the sequence of faults matters.
        with contextlib.suppress(Exception):
            await bot.send_message(USER, f"m{n}")
    return emu.fault_injector.sequence()


async def test_same_seed_gives_same_fault_sequence(emu, make_bot, started_user):
    faults = Faults(seed=7, error_rate=0.2, burst_429_rate=0.05, burst_length=2)
    first = await _run_calls(emu, make_bot, faults)
    second = await _run_calls(emu, make_bot, faults)
    other = await _run_calls(emu, make_bot, Faults(seed=8, error_rate=0.2, burst_429_rate=0.05))
    assert first and first == second
    assert first != other


async def test_fault_kinds(http, emu, started_user):
    url = f"/bot{emu.config.token}/sendMessage"
    body = {"chat_id": USER, "text": "x"}
    emu.set_faults(Faults(error_rate=1.0, error_statuses=(502,)))
    async with http.post(url, json=body) as response:
        assert response.status == 502 and response.content_type == "text/html"
    emu.set_faults(Faults(error_rate=1.0, error_statuses=(500,)))
    async with http.post(url, json=body) as response:
        assert response.status == 500
        assert (await response.json())["description"] == "Internal Server Error"
    # getMe is not eligible by default; including it is a configuration choice.
    async with http.get(f"/bot{emu.config.token}/getMe") as response:
        assert response.status == 200
    emu.set_faults(Faults(drop_rate=1.0, drop_mode="after"))
    before = len(started_user.messages())
    with pytest.raises(aiohttp.ClientError):
        async with http.post(url, json=body) as response:
            await response.read()
    assert len(started_user.messages()) == before + 1  # executed, then the answer was lost
    emu.set_faults(Faults(drop_rate=1.0, drop_mode="before"))
    with pytest.raises(aiohttp.ClientError):
        async with http.post(url, json=body) as response:
            await response.read()
    assert len(started_user.messages()) == before + 1
    kinds = [r.kind for r in emu.faults]
    assert kinds == ["error_502", "error_500", "drop_after", "drop_before"]
    assert [c.fault for c in emu.calls if c.fault] == kinds


async def test_aiogram_sees_retry_after_and_server_errors(bot, emu, started_user):
    emu.set_faults(Faults(burst_429_rate=1.0, burst_length=2, burst_retry_after=3))
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == 3
    emu.set_faults(Faults(error_rate=1.0, error_statuses=(500,)))
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER, "x")
    emu.set_faults(Faults())
    await bot.send_message(USER, "fine again")
