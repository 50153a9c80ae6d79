"""/org: the organisation card, from anywhere."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.dialogs.states import MainMenu, OrganisationCard


async def on_org(message: Message, dialog_manager: DialogManager) -> None:
    # The menu goes underneath unseen, so leaving the card lands on it.
    await dialog_manager.start(
        MainMenu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE
    )
    await dialog_manager.start(OrganisationCard.card, show_mode=ShowMode.SEND)


def get_router() -> Router:
    router = Router(name="organisation")
    router.message.register(on_org, Command("org"))
    return router
