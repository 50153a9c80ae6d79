"""/ngos: the public directory of NGOs."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import Directory


async def on_directory(message: Message, dialog_manager: DialogManager) -> None:
    # A command starts afresh, whatever was open: reset the stack.
    await dialog_manager.start(Directory.search, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="directory")
    router.message.register(on_directory, Command("ngos"))
    return router
