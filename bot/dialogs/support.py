"""/ask: a person's recent questions to the operator with the answers, and a new question."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Cancel, SwitchTo

from bot.dialogs.awards import refusal
from bot.dialogs.common import Label, Tr, fit_list, texts_of
from bot.dialogs.context import ctx
from bot.dialogs.states import SupportInbox
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
    return {
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
    c = ctx(manager)
    t = texts_of(manager)
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if not message.text:
        await message.answer(t("input.text_expected"))
        return
    store: Store = c.store
    try:
        thread = await support.ask(store, c.person, message.text, c.clock.now())
    except RuleViolation as error:
        await message.answer(refusal(t, error))
        return
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
            SwitchTo(Label("support.ask"), id="ask", state=SupportInbox.question),
            Cancel(Label("common.menu")),
            state=SupportInbox.threads,
            getter=threads_getter,
        ),
        Window(
            Tr("support.ask_prompt"),
            MessageInput(on_question, content_types=ContentType.ANY),
            SwitchTo(Label("common.back"), id="back", state=SupportInbox.threads),
            state=SupportInbox.question,
            getter=threads_getter,
        ),
        name="support",
    )
