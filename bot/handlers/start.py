"""/start: the language picker on first contact, then a greeting and the menu."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.dialogs.states import MainMenu
from bot.language_picker import send_language_picker
from core.i18n import Texts
from storage.repositories.people import PersonView


async def on_start(
    message: Message, person: PersonView, t: Texts, dialog_manager: DialogManager
) -> None:
    if person.locale is None:
        await send_language_picker(message, t)
        return
    await message.answer(t("start.greeting"))
    # /start must always work, whatever was open before: reset the whole stack.
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="start")
    router.message.register(on_start, CommandStart())
    return router
