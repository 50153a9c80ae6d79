"""Telegram's rules, enforced through real HTTP and parsed by aiogram's own types."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
)
from aiogram.types import (
    ChatFullInfo,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    User,
)

USER = 1001


async def test_get_me_parses_as_aiogram_user(bot, emu):
    me = await bot.get_me()
    assert isinstance(me, User)
    assert me.is_bot and me.username == "ngo_sandbox_bot" and me.id == 123456789
    assert me.can_join_groups is True


async def test_bad_token_and_unknown_method_shapes(http, emu):
    async with http.get("/botnot-a-token/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    async with http.post(f"/bot{emu.config.token}/noSuchMethod") as response:
        assert response.status == 404
        assert await response.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found",
        }
    # Method names are case-insensitive, like Telegram's.
    async with http.get(f"/bot{emu.config.token}/GETME") as response:
        assert (await response.json())["ok"] is True


async def test_json_and_form_bodies_work_too(http, emu, started_user):
    url = f"/bot{emu.config.token}/sendMessage"
    async with http.post(url, json={"chat_id": USER, "text": "json"}) as response:
        Message.model_validate((await response.json())["result"])
    async with http.post(url, data={"chat_id": str(USER), "text": "form"}) as response:
        assert (await response.json())["result"]["text"] == "form"
    async with http.get(url, params={"chat_id": USER, "text": "query"}) as response:
        assert (await response.json())["result"]["text"] == "query"


async def test_text_length_limit_counts_characters(bot, started_user):
    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "ж" * 4096)  # Cyrillic is one character, not two bytes
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "   ")
    # The limit applies after entity parsing.
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")


async def test_caption_limit(bot, started_user):
    from aiogram.types import BufferedInputFile

    document = BufferedInputFile(b"data", filename="a.txt")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER, document, caption="c" * 1025)
    sent = await bot.send_document(USER, document, caption="c" * 1024)
    assert sent.caption == "c" * 1024


async def test_callback_data_is_limited_to_64_bytes(bot, started_user):
    def markup(data: str) -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(text="b", callback_data=data)
        return InlineKeyboardMarkup(inline_keyboard=[[button]])

    await bot.send_message(USER, "ok", reply_markup=markup("x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=markup("ж" * 33))  # 66 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=markup(""))


async def test_inline_button_needs_exactly_one_action(http, emu, started_user):
    url = f"/bot{emu.config.token}/sendMessage"
    for button in ({"text": "none"}, {"text": "two", "url": "https://e.kz", "callback_data": "x"}):
        body = {"chat_id": USER, "text": "t", "reply_markup": {"inline_keyboard": [[button]]}}
        async with http.post(url, json=body) as response:
            assert response.status == 400


async def test_html_message_entities_and_parse_errors(bot, started_user):
    sent = await bot.send_message(USER, "<b>Hi</b> &lt;you&gt;", parse_mode="HTML")
    assert sent.text == "Hi <you>"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(USER, "a <foo> b", parse_mode="HTML")
    assert caught.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 2'
    )
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):
        await bot.send_message(USER, "x", parse_mode="BBCode")
    visible = started_user.last_message()
    assert visible.text == "Hi <you>" and visible.html == "<b>Hi</b> &lt;you&gt;"


async def test_edit_not_modified_and_missing_messages(bot, started_user):
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Next", callback_data="next")]]
    )
    sent = await bot.send_message(USER, "v1", reply_markup=keyboard)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="v1", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
        )
    edited = await bot.edit_message_text(text="v2", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=USER, message_id=999)
    assert await bot.delete_message(USER, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    message = started_user.chat.messages[sent.message_id]  # kept, marked deleted
    assert message.deleted and [e["raw"]["text"] for e in message.edits] == ["v1"]
    assert all(m.message_id != sent.message_id for m in started_user.messages())


async def test_block_gives_403_and_a_my_chat_member_update(bot, emu, started_user):
    started_user.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello?")
    updates = await bot.get_updates()
    kicked = [u for u in updates if u.my_chat_member]
    assert kicked and kicked[0].my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "who?")


async def test_bot_cannot_write_first(bot, emu):
    emu.user(user_id=2002, first_name="Bolat")
    with pytest.raises(TelegramForbiddenError, match="initiate conversation"):
        await bot.send_message(2002, "hi")


async def test_get_chat_returns_chat_full_info(bot, started_user):
    chat = await bot.get_chat(USER)
    assert isinstance(chat, ChatFullInfo) and chat.first_name == "Aigerim"


async def test_commands_per_scope_and_language(bot):
    from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [BotCommand(command="help", description="Көмек")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="kk",
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    kk = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="kk")
    assert [c.description for c in kk] == ["Көмек"]
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == []
    assert await bot.set_my_description("d") and await bot.set_my_short_description("s")
    assert await bot.set_chat_menu_button() is True
