"""/filing: the yearly activity information of the person's active organisation."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import Filing


async def on_filing(message: Message, dialog_manager: DialogManager) -> None:
    # The dialog finds the active organisation itself, or offers registration.
    # A command starts afresh, whatever was open: reset the stack.
    await dialog_manager.start(Filing.overview, data={}, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="filing")
    router.message.register(on_filing, Command("filing"))
    return router
