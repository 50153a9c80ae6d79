"""Group chats: the bot works in private chats only, and says so politely."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.callback_answers import answer_once
from core.i18n import Texts

GROUP_CHATS = {ChatType.GROUP, ChatType.SUPERGROUP}


async def on_group_message(message: Message, t: Texts) -> None:
    await message.reply(t("groups.private_only"))


async def on_group_callback(callback: CallbackQuery, t: Texts) -> None:
    await answer_once(callback, t("groups.private_only"), alert=True)


def get_router() -> Router:
    router = Router(name="groups")
    router.message.filter(F.chat.type.in_(GROUP_CHATS))
    router.message.register(on_group_message)
    router.callback_query.filter(F.message.chat.type.in_(GROUP_CHATS))
    router.callback_query.register(on_group_callback)
    return router
