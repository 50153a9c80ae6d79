"""A failing update's error handlers run while the person's lock is still held.

aiogram's own error middleware sits outside the per-person lock, so the error
handlers of one update (which reset a broken dialog and save its stack) could
interleave with the same person's next update and overwrite what it saved.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import ErrorEvent, Message

from bot.app import create_dispatcher
from storage.fsm import SqlStorage
from tests.bot.test_first_conversation import text_update
from tests.conftest import TEST_TOKEN
from tests.recording_session import RecordingSession

PERSON = 5301


async def test_error_handlers_run_inside_the_person_lock(settings, translator, session_factory):
    isolation = SimpleEventIsolation()
    dispatcher = create_dispatcher(
        settings, translator, session_factory, SqlStorage(session_factory), isolation
    ).dispatcher
    bot = Bot(
        TEST_TOKEN, session=RecordingSession(), default=DefaultBotProperties(parse_mode="HTML")
    )
    key = StorageKey(bot_id=bot.id, chat_id=PERSON, user_id=PERSON)
    seen: list[bool] = []

    @dispatcher.message(lambda message: message.text == "boom")
    async def explode(_message: Message) -> None:
        raise RuntimeError("boom")

    @dispatcher.errors()
    async def record(_event: ErrorEvent) -> bool:
        # SimpleEventIsolation keys its locks by the FSM key (destiny "default").
        seen.append(isolation._locks[key].locked())
        return True

    await dispatcher.emit_startup(bot=bot)
    try:
        await dispatcher.feed_update(bot, text_update(PERSON, "boom"))
    finally:
        await dispatcher.emit_shutdown(bot=bot)
    assert seen == [True]
