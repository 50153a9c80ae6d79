"""Simulated users against a real aiogram Dispatcher polling the emulator."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiogram import Dispatcher, F
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from emulator import ButtonNotFound

LANGS = InlineKeyboardMarkup(
    inline_keyboard=[
        [
            InlineKeyboardButton(text="Қазақша", callback_data="lang:kk"),
            InlineKeyboardButton(text="Русский", callback_data="lang:ru"),
        ],
        [InlineKeyboardButton(text="Site", url="https://example.kz")],
    ]
)
PHONE = ReplyKeyboardMarkup(
    keyboard=[
        [KeyboardButton(text="Share phone", request_contact=True)],
        [KeyboardButton(text="Skip")],
    ],
    resize_keyboard=True,
)


def build_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        payload = (message.text or "").partition(" ")[2]
        await message.answer(
            f"<b>Welcome</b> {payload}".strip(), parse_mode="HTML", reply_markup=LANGS
        )

    @dp.callback_query(F.data.startswith("lang:"))
    async def language(query: CallbackQuery) -> None:
        code = query.data.split(":")[1]
        if code not in ("kk", "ru"):
            await query.answer("not available", show_alert=True)
            return
        await query.answer("ok")
        await query.message.edit_text(f"Language: {code}")

    @dp.callback_query()
    async def stale(query: CallbackQuery) -> None:
        await query.answer("expired")

    @dp.message(Command("phone"))
    async def ask_phone(message: Message) -> None:
        await message.answer("Your phone?", reply_markup=PHONE)

    @dp.message(F.contact)
    async def contact(message: Message) -> None:
        await message.answer(f"Got {message.contact.phone_number} of {message.contact.user_id}")

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await asyncio.sleep(0.05)  # a slow handler: waiting must cover it
        await message.answer(f"echo: {message.text}")

    @dp.message()
    async def other(message: Message) -> None:
        await message.answer("I only understand text")

    return dp


@pytest.fixture
async def polling(bot) -> AsyncIterator[None]:
    dp = build_dispatcher()
    task = asyncio.create_task(
        dp.start_polling(bot, handle_as_tasks=False, handle_signals=False, polling_timeout=1)
    )
    try:
        yield
    finally:
        await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError, RuntimeError):
            await asyncio.wait_for(task, 5)


async def test_start_reply_is_visible_after_send(emu, polling):
    user = emu.user(1001, "Aigerim", language_code="kk")
    await user.send("/start join_abc")
    reply = user.last_message()
    assert reply.text == "Welcome join_abc" and reply.html == "<b>Welcome</b> join_abc"
    assert [[b.text for b in row] for row in reply.buttons] == [["Қазақша", "Русский"], ["Site"]]
    assert reply.buttons[0][0].callback_data == "lang:kk"
    await user.send("slow one")
    assert user.last_message().text == "echo: slow one"
    assert [m.from_bot for m in user.transcript()] == [False, True, False, True]


async def test_press_edits_the_real_message(emu, polling):
    user = emu.user(1001, "Aigerim")
    await user.send("/start")
    menu = user.last_message()
    await user.press("Русский")
    assert user.last_message().message_id == menu.message_id
    assert user.last_message().text == "Language: ru" and user.last_message().buttons == []
    assert user.last_callback_answer.text == "ok"
    query = next(c for c in emu.calls_of("answerCallbackQuery"))
    assert query.ok
    with pytest.raises(ButtonNotFound) as missing:
        await user.press("English")
    assert missing.value.available == []


async def test_forged_press_data(emu, polling):
    user = emu.user(1001, "Aigerim")
    await user.send("/start")
    await user.press_data("lang:xx")
    assert user.last_callback_answer.text == "not available"
    assert user.last_callback_answer.show_alert is True
    await user.press_data("garbage")
    assert user.last_callback_answer.text == "expired"
    with pytest.raises(ButtonNotFound) as missing:
        await user.press("English")
    assert missing.value.available == ["Қазақша", "Русский", "Site"]


async def test_reply_keyboard_contact_and_non_text(emu, polling):
    user = emu.user(1001, "Aigerim")
    await user.send("/phone")
    assert [[b.text for b in row] for row in user.last_message().reply_keyboard] == [
        ["Share phone"],
        ["Skip"],
    ]
    await user.press("Share phone")
    assert user.last_message().text == "Got +77011234567 of 1001"
    await user.press("Skip")
    assert user.last_message().text == "echo: Skip"
    await user.send_sticker()
    assert user.last_message().text == "I only understand text"


async def test_concurrent_presses_then_wait_idle(emu, polling):
    first = emu.user(1001, "Aigerim")
    second = emu.user(1002, "Bolat")
    await first.send("/start")
    await second.send("/start")
    await asyncio.gather(first.press("Қазақша", wait=False), second.press("Русский", wait=False))
    await emu.wait_idle(timeout=5, quiet=0.05)
    assert first.last_message().text == "Language: kk"
    assert second.last_message().text == "Language: ru"


async def test_group_messages(emu, polling):
    user = emu.user(1001, "Aigerim")
    group = emu.group(chat_id=-1001234, title="NGO chat")
    await user.send("hi all", chat=group)
    replies = [m for m in emu.chat_messages(group.chat_id) if m.from_bot]
    assert replies[-1].text == "echo: hi all"


async def test_waiting_without_a_bot_times_out_clearly(emu):
    user = emu.user(1001, "Aigerim")
    with pytest.raises(TimeoutError, match="to be acknowledged"):
        await user.send("anyone?", timeout=0.2)


async def test_a_deep_link_location_voice_and_video_note_arrive_as_telegram_sends_them(bot, emu):
    user = emu.user(1001, "Aigerim")
    await user.open_link("join_abc-1", wait=False)
    await user.share_location(43.238, 76.946, wait=False)
    await user.send_voice(3, wait=False)
    await user.send_video_note(5, wait=False)
    link, location, voice, video_note = [u.message for u in await bot.get_updates()]
    assert link.text == "/start join_abc-1"
    assert [(e.type, e.offset, e.length) for e in link.entities] == [("bot_command", 0, 6)]
    assert (location.location.latitude, location.location.longitude) == (43.238, 76.946)
    assert voice.voice.duration == 3 and voice.voice.mime_type == "audio/ogg"
    assert video_note.video_note.duration == 5 and video_note.video_note.length == 384
    with pytest.raises(ValueError):
        await user.open_link("not allowed!", wait=False)
