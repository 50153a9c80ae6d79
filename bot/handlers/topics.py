"""/grants: straight to the open grant topics."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import Topics


async def on_grants(_message: Message, dialog_manager: DialogManager) -> None:
    # A command is a fresh start: whatever dialog was open is left, as /menu does.
    await dialog_manager.start(Topics.list, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="topics")
    router.message.register(on_grants, Command("grants"))
    return router
