"""Redis as the shared state of several instances: dialog state outlives a restart,
keys keep aiogram-dialog's stacks apart (with_destiny), and two quick presses by
one person reaching two instances are handled one after the other."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.app import create_fsm_storage
from core.settings import Settings
from tests.conftest import TEST_TOKEN

BOT_ID, AIGERIM = 123456789, 730001
DIALOG_DESTINY = "aiogram_dialog_context"


def redis_settings(redis_url: str) -> Settings:
    return Settings(_env_file=None, bot_token=TEST_TOKEN, redis_url=redis_url)


def key(destiny: str = "default") -> StorageKey:
    return StorageKey(bot_id=BOT_ID, chat_id=AIGERIM, user_id=AIGERIM, destiny=destiny)


async def test_dialog_state_written_before_a_restart_is_read_after(redis_url):
    before, _ = create_fsm_storage(redis_settings(redis_url), session_factory=None)
    assert isinstance(before, RedisStorage)
    await before.set_state(key(), "Registration:ask_bin")
    await before.set_data(key(DIALOG_DESTINY), {"stack": ["main_menu", "registration"]})
    await before.close()

    after, _ = create_fsm_storage(redis_settings(redis_url), session_factory=None)
    try:
        assert await after.get_state(key()) == "Registration:ask_bin"
        assert await after.get_data(key(DIALOG_DESTINY)) == {"stack": ["main_menu", "registration"]}
        # The dialog's stacks live under their own destiny, apart from plain FSM data.
        assert await after.get_data(key()) == {}
        names = {k.decode() for k in await after.redis.keys("fsm:*")}
        assert any(DIALOG_DESTINY in name for name in names)
        assert any(name.endswith(":default:state") for name in names)
    finally:
        await after.close()


async def test_two_instances_handle_one_persons_presses_in_order(redis_url):
    first_storage, first = create_fsm_storage(redis_settings(redis_url), session_factory=None)
    second_storage, second = create_fsm_storage(redis_settings(redis_url), session_factory=None)
    handled: list[str] = []

    async def press(isolation, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        # aiogram-dialog locks its stack under its own destiny.
        async with isolation.lock(key(DIALOG_DESTINY)):
            handled.append(f"{name} starts")
            await asyncio.sleep(0.2)  # a slow handler
            handled.append(f"{name} ends")

    try:
        await asyncio.gather(press(first, "first", 0), press(second, "second", 0.05))
    finally:
        await first_storage.close()
        await second_storage.close()
    assert handled == ["first starts", "first ends", "second starts", "second ends"]
