"""The first conversation, fed through aiogram's dispatcher with a recording session."""

from __future__ import annotations

import itertools
import time

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import CallbackQuery, Chat, Message, MessageEntity, Update, User

from bot.app import create_dispatcher
from storage.fsm import SqlStorage
from tests.conftest import TEST_TOKEN
from tests.recording_session import BOT_USER, RecordingSession

AIGERIM = 5001
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def _user(user_id: int, language_code: str | None) -> User:
    return User(id=user_id, is_bot=False, first_name="Aigerim", language_code=language_code)


def text_update(user_id: int, text: str, language_code: str | None = "ru") -> Update:
    entities = None
    if text.startswith("/"):
        entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
    return Update(
        update_id=next(_update_ids),
        message=Message(
            message_id=next(_message_ids),
            date=int(time.time()),
            chat=Chat(id=user_id, type="private"),
            from_user=_user(user_id, language_code),
            text=text,
            entities=entities,
        ),
    )


def press_update(user_id: int, bot_message: SendMessage | EditMessageText, text: str) -> Update:
    """Press the button labelled `text` on a message the bot sent."""
    buttons = [b for row in bot_message.reply_markup.inline_keyboard for b in row]
    button = next(b for b in buttons if b.text == text)
    return Update(
        update_id=next(_update_ids),
        callback_query=CallbackQuery(
            id=str(next(_update_ids)),
            from_user=_user(user_id, "ru"),
            chat_instance="ci",
            data=button.callback_data,
            message=Message(
                message_id=getattr(bot_message, "message_id", None) or 1000,
                date=int(time.time()),
                chat=Chat(id=user_id, type="private"),
                from_user=BOT_USER,
                text=bot_message.text,
                reply_markup=bot_message.reply_markup,
            ),
        ),
    )


@pytest.fixture
async def conversation(settings, translator, session_factory):
    session = RecordingSession()
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    wiring = create_dispatcher(settings, translator, session_factory, SqlStorage(session_factory))
    dispatcher = wiring.dispatcher
    await dispatcher.emit_startup(bot=bot)

    async def feed(update: Update) -> RecordingSession:
        session.clear()
        await dispatcher.feed_update(bot, update)
        return session

    yield feed
    await dispatcher.emit_shutdown(bot=bot)


def last_with_buttons(session: RecordingSession):
    return next(
        r
        for r in reversed(session.requests)
        if isinstance(r, SendMessage | EditMessageText) and r.reply_markup is not None
    )


async def test_first_start_shows_the_three_language_picker(conversation):
    session = await conversation(text_update(AIGERIM, "/start"))
    picker = last_with_buttons(session)
    labels = [b.text for row in picker.reply_markup.inline_keyboard for b in row]
    assert labels == ["Қазақша", "Русский", "English"]


async def test_picking_kazakh_gives_the_rest_in_kazakh(conversation):
    session = await conversation(text_update(AIGERIM, "/start"))
    session = await conversation(press_update(AIGERIM, last_with_buttons(session), "Қазақша"))
    texts = "\n".join(session.sent_texts())
    assert "Сәлеметсіз бе" in texts
    assert "Басты мәзір" in texts
    session = await conversation(text_update(AIGERIM, "/help", language_code="ru"))
    assert "Мен не істей аламын" in session.sent_texts()[0]


async def test_language_command_switches_at_once(conversation):
    session = await conversation(text_update(AIGERIM, "/start"))
    await conversation(press_update(AIGERIM, last_with_buttons(session), "Русский"))
    session = await conversation(text_update(AIGERIM, "/language"))
    session = await conversation(press_update(AIGERIM, last_with_buttons(session), "English"))
    assert any("Main menu" in text for text in session.sent_texts())
    session = await conversation(text_update(AIGERIM, "/help"))
    assert "What I can do" in session.sent_texts()[0]


async def test_cancel_leaves_the_dialog(conversation):
    session = await conversation(text_update(AIGERIM, "/start", language_code="en"))
    await conversation(press_update(AIGERIM, last_with_buttons(session), "English"))
    session = await conversation(text_update(AIGERIM, "/cancel"))
    assert "Cancelled" in session.sent_texts()[-1]
    session = await conversation(text_update(AIGERIM, "/cancel"))
    assert "nothing to cancel" in session.sent_texts()[-1]


async def test_telegram_language_is_used_before_a_choice(conversation):
    session = await conversation(text_update(AIGERIM, "/help", language_code="kk-KZ"))
    assert "Мен не істей аламын" in session.sent_texts()[0]


async def test_unknown_text_gets_a_hint(conversation):
    session = await conversation(text_update(AIGERIM, "what is this?", language_code="en"))
    assert "did not understand" in session.sent_texts()[0]


async def test_group_chat_is_told_the_bot_works_in_private(conversation):
    update = text_update(AIGERIM, "/start")
    group = Chat(id=-100500, type="supergroup", title="NGO chat")
    update = update.model_copy(
        update={"message": update.message.model_copy(update={"chat": group})}
    )
    session = await conversation(update)
    assert "личных сообщениях" in session.sent_texts()[0]


async def test_forged_language_choice_is_refused(conversation):
    session = await conversation(text_update(AIGERIM, "/start"))
    update = press_update(AIGERIM, last_with_buttons(session), "Русский")
    forged = update.callback_query.model_copy(update={"data": "lang:xx"})
    session = await conversation(update.model_copy(update={"callback_query": forged}))
    answers = [r for r in session.requests if type(r).__name__ == "AnswerCallbackQuery"]
    assert answers and answers[0].show_alert
