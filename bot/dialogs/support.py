"""/ask: a person's recent questions to the operator with the answers, and a new question.

A text the bot did not take (typed before /ask or its button was pressed) is kept
for a while, and /ask offers to send it as the question: nothing typed is lost.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, F
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, SwitchTo

from bot.dialogs.awards import refusal
from bot.dialogs.common import Label, Tr, fit_list, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.states import SupportInbox
from bot.events import button_message
from bot.screen_fit import clip
from console import support
from core.i18n import Texts, Translator
from core.local_time import local_date_time
from domain.errors import RuleViolation
from storage.repositories.support import ANSWER, SupportThreadView
from storage.store import Store

log = logging.getLogger(__name__)

SENT = "sent"
NOT_DELIVERED = "not_delivered"
SHOWN_LENGTH = 300
SEND_EARLIER_ID = "send_earlier"
# The plain FSM data of its own destiny, apart from the dialogs' and any state's.
EARLIER_DESTINY = "earlier_text"
# A text typed longer ago than this is not offered as a question any more.
EARLIER_TEXT_KEPT = timedelta(minutes=30)


def _earlier_context(state: FSMContext) -> FSMContext:
    return FSMContext(state.storage, replace(state.key, destiny=EARLIER_DESTINY))


async def remember_unhandled_text(state: FSMContext | None, text: str, now: datetime) -> None:
    """Keep the last text no handler took, to offer it as a question to /ask."""
    if state is None:  # no chat to keep it for
        return
    await _earlier_context(state).set_data({"text": text, "at": now.isoformat()})


async def earlier_text(state: FSMContext | None, now: datetime) -> str | None:
    """The text typed just before, if it is recent enough to be meant as the question."""
    if state is None:
        return None
    data = await _earlier_context(state).get_data()
    text, at = data.get("text"), data.get("at")
    if not text or not at or now - datetime.fromisoformat(at) > EARLIER_TEXT_KEPT:
        return None
    return text


async def forget_earlier_text(state: FSMContext | None) -> None:
    if state is not None:
        await _earlier_context(state).clear()


async def on_stray_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    """Text sent to a screen of buttons (the menu, the inbox): kept for /ask, never lost."""
    c = ctx(manager)
    t = texts_of(manager)
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if not message.text or message.text.startswith("/"):
        await message.answer(t("fallback.use_buttons"))
        return
    await remember_unhandled_text(c.fsm, message.text, c.clock.now())
    if manager.current_context().state != SupportInbox.threads:
        await message.answer(t("drafts.support.kept_for_ask"))
    # On the inbox, the screen comes back below with the text offered as the question.


# On a screen of buttons only, a text is kept to be offered as a question.
STRAY_TEXT = MessageInput(on_stray_text, content_types=ContentType.ANY)


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def thread_text(t: Texts, thread: SupportThreadView, zone) -> str:
    lines = [
        t(
            "support.thread.question",
            when=local_date_time(thread.created_at, zone),
            question=_short(thread.question),
        )
    ]
    answers = [m for m in thread.messages if m.direction == ANSWER]
    lines += [t("support.thread.answer", answer=_short(m.text)) for m in answers]
    if not answers:
        lines.append(t("support.thread.waiting"))
    return "\n".join(lines)


async def threads_getter(dialog_manager: DialogManager, **_kwargs) -> dict[str, Any]:
    c = ctx(dialog_manager)
    t = texts_of(dialog_manager)
    threads = await support.recent_threads(c.store, c.person)
    shown = fit_list(
        t, [thread_text(t, thread, c.clock.zone) for thread in threads], separator="\n\n"
    )
    earlier = await earlier_text(c.fsm, c.clock.now())
    return {
        "has_earlier": earlier is not None,
        "earlier": clip(earlier or "", SHOWN_LENGTH),
        "threads": shown,
        "has_threads": bool(threads),
        "no_threads": not threads,
        "sent": dialog_manager.dialog_data.pop(SENT, False),
        "not_delivered": dialog_manager.dialog_data.pop(NOT_DELIVERED, False),
        "limit": support.QUESTION_LIMIT,
    }


async def relay_question(
    bot: Bot, store: Store, translator: Translator, settings, thread: SupportThreadView
) -> int:
    """Show the question to the operators; returns in how many chats it arrived."""
    targets = await support.relay_targets(store, settings.operator_chat_id)
    delivered = 0
    for chat_id in targets:
        operator = await store.people.get(chat_id) if chat_id > 0 else None
        t = translator.for_locale((operator and operator.locale) or settings.default_locale)
        text = t(
            "support.relay",
            thread=thread.id,
            organisation=thread.organisation_name or t.label("support.no_organisation"),
            question=thread.question,
        )
        try:
            sent = await bot.send_message(chat_id, text)
        except TelegramAPIError as error:
            log.warning("support question %s not shown in chat %s: %s", thread.id, chat_id, error)
            continue
        await support.remember_relay(store, thread.id, chat_id, sent.message_id)
        delivered += 1
    return delivered


async def on_question(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if not message.text:
        await message.answer(texts_of(manager)("input.text_expected"))
        return
    await _ask(message, manager, message.text)


async def on_send_earlier(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    c = ctx(manager)
    text = await earlier_text(c.fsm, c.clock.now())
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if text is None:
        await manager.switch_to(SupportInbox.threads)
        return
    await _ask(button_message(callback), manager, text)


async def _ask(reply_to, manager: DialogManager, text: str) -> None:
    c = ctx(manager)
    t = texts_of(manager)
    store: Store = c.store
    try:
        thread = await support.ask(store, c.person, text, c.clock.now())
    except RuleViolation as error:
        await reply_to.answer(refusal(t, error))
        return
    await forget_earlier_text(c.fsm)
    # The question is kept even if no operator chat takes it right now.
    await store.commit()
    delivered = await relay_question(c.bot, store, c.translator, c.settings, thread)
    await store.commit()
    manager.dialog_data[SENT if delivered else NOT_DELIVERED] = True
    await manager.switch_to(SupportInbox.threads)


def support_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("support.sent", when=F["sent"]),
            Tr("support.not_delivered", when=F["not_delivered"]),
            Tr("support.threads", when=F["has_threads"]),
            Tr("support.no_threads", when=~F["has_threads"]),
            Tr("drafts.support.earlier", when=F["has_earlier"]),
            Button(
                Label("drafts.support.send_earlier"),
                id=SEND_EARLIER_ID,
                on_click=on_send_earlier,
                when=F["has_earlier"],
            ),
            SwitchTo(Label("support.ask"), id="ask", state=SupportInbox.question),
            Cancel(Label("common.menu")),
            STRAY_TEXT,
            state=SupportInbox.threads,
            getter=threads_getter,
        ),
        Window(
            Tr("support.ask_prompt"),
            Tr("drafts.support.earlier", when=F["has_earlier"]),
            MessageInput(on_question, content_types=ContentType.ANY),
            Button(
                Label("drafts.support.send_earlier"),
                id=SEND_EARLIER_ID,
                on_click=on_send_earlier,
                when=F["has_earlier"],
            ),
            SwitchTo(Label("common.back"), id="back", state=SupportInbox.threads),
            state=SupportInbox.question,
            getter=threads_getter,
        ),
        name="support",
    )
