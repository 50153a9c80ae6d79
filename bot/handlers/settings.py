"""/settings opens the notification preferences."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import SettingsMenu


async def on_settings(_message: Message, dialog_manager: DialogManager) -> None:
    # A command is a fresh start: whatever dialog was open is left behind.
    await dialog_manager.start(SettingsMenu.main, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="settings")
    router.message.register(on_settings, Command("settings"))
    return router
