"""The support inbox on the Telegram side: /ask for NGO staff, and operators' answers,
given by replying to a question in the operator chat (or in their private chat)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.awards import refusal
from bot.dialogs.states import SupportInbox
from console import support
from core.clock import Clock
from core.i18n import Texts
from core.settings import Settings
from domain.errors import RuleViolation
from storage.repositories.people import PersonView
from storage.store import Store


async def on_ask(message: Message, dialog_manager: DialogManager) -> None:
    # A command starts afresh, whatever was open.
    await dialog_manager.start(SupportInbox.threads, mode=StartMode.RESET_STACK)


class RepliesToQuestion(Filter):
    """A reply to one of our relayed questions; hands the handler its thread id."""

    async def __call__(self, message: Message, store: Store) -> bool | dict[str, Any]:
        replied = message.reply_to_message
        if replied is None:
            return False
        thread_id = await support.thread_answered_by_reply(
            store, message.chat.id, replied.message_id
        )
        return {"thread_id": thread_id} if thread_id is not None else False


async def on_answer(
    message: Message,
    thread_id: int,
    store: Store,
    person: PersonView | None,
    t: Texts,
    settings: Settings,
    clock: Clock,
) -> None:
    if not message.text:
        await message.reply(t("input.text_expected"))
        return
    try:
        answered = await support.answer(
            store,
            thread_id=thread_id,
            raw_answer=message.text,
            answered_by=person,
            in_operator_chat=message.chat.id == settings.operator_chat_id,
            admin_ids=settings.admin_ids,
            now=clock.now(),
        )
    except RuleViolation as error:
        await message.reply(refusal(t, error))
        return
    if answered is None:
        await message.reply(t("support.forbidden"))
        return
    await store.commit()
    await message.reply(
        t("support.answer_sent" if answered.delivered else "support.answer_blocked")
    )


async def ignore(_message: Message) -> None:
    """Operators talk among themselves in their chat; only replies to questions matter."""


def get_router() -> Router:
    """/ask, and operators' replies in their private chats (before any dialog takes text)."""
    router = Router(name="support")
    router.message.register(on_answer, F.reply_to_message, RepliesToQuestion())
    router.message.register(on_ask, Command("ask"))
    return router


def get_operator_chat_router(operator_chat_id: int | None) -> Router:
    """The operator chat: answers to questions; nothing else there gets a reply.

    Included before the groups router, which would tell the operators that the bot
    works in private chats only."""
    router = Router(name="operator_chat")
    router.message.filter(F.chat.id == operator_chat_id)
    router.message.register(on_answer, F.reply_to_message, RepliesToQuestion())
    router.message.register(ignore)
    return router
