"""getUpdates long polling, offsets, limits, conflicts; webhook delivery."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramConflictError
from aiogram.types import Update
from aiohttp import web

USER = 1001


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot, emu):
    user = emu.user(USER, "Aigerim")
    # A poll that would hold for an hour: only the update can end it in time.
    poll = asyncio.create_task(bot.get_updates(timeout=3600, request_timeout=3700))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await user.send("hi", wait=False)
    updates = await asyncio.wait_for(poll, 60)
    assert [u.message.text for u in updates] == ["hi"]


async def test_long_poll_times_out_empty(bot, emu):
    """A poll with nothing to give is held, not answered at once, and ends empty.
    Held: the emulator keeps it among the bot's waiting polls while the client
    still waits for it; no elapsed time is compared."""
    poll = asyncio.create_task(bot.get_updates(timeout=1))
    # The bot's state exists from its first request; the poll is among its waiters.
    while not ((state := emu.bots.get(bot.token)) and state.waiters):  # noqa: ASYNC110
        await asyncio.sleep(0.001)
    assert not poll.done()
    assert await poll == []
    assert not state.waiters  # ended by its timeout, nothing left waiting


async def test_offset_acknowledges_and_limit_clamps(bot, emu):
    user = emu.user(USER, "Aigerim")
    for n in range(3):
        await user.send(f"m{n}", wait=False)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["m0", "m1"]
    assert first[0].message.message_id < first[1].message.message_id
    rest = await bot.get_updates(offset=first[-1].update_id + 1, limit=0)  # clamped to 1
    assert [u.message.text for u in rest] == ["m2"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == []


async def test_allowed_updates_filter(bot, emu):
    user = emu.user(USER, "Aigerim")
    await user.send("text", wait=False)
    user.block()
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.event_type for u in updates] == ["my_chat_member"]


async def test_second_poll_terminates_the_first(bot, make_bot):
    other = make_bot()
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(other.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    second.cancel()


async def test_bots_keep_separate_state(emu, make_bot):
    other = make_bot("987654321:AAFotherTOKENotherTOKENotherTOKEN00")
    me = await other.get_me()
    assert me.id == 987654321
    await emu.user(USER, "Aigerim").send("to default bot", wait=False)
    assert await other.get_updates() == []


async def test_webhook_delivery_with_secret_and_conflict(bot, emu):
    received: list[tuple[dict, str | None]] = []
    failures = {"left": 1}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        update = Update.model_validate(received[-1][0])
        return web.json_response(
            {"method": "sendMessage", "chat_id": update.message.chat.id, "text": "from webhook"}
        )

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        user = emu.user(USER, "Aigerim")
        await user.send("/start")  # waits for the webhook POST to succeed
        assert received and received[0][1] == "s3cret"
        assert received[0][0]["message"]["text"] == "/start"
        assert user.last_message().text == "from webhook"
        attempts = [(d.attempt, d.status) for d in emu.deliveries]
        assert attempts == [(1, 500), (2, 200)]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()
