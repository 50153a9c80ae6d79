"""/menu, /help and /cancel."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.commands import help_text, menu_of
from bot.dialogs.states import MainMenu
from bot.events import sender
from core.i18n import Texts
from core.settings import Settings
from storage.repositories.people import PersonView


async def on_menu(message: Message, dialog_manager: DialogManager) -> None:
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


async def on_help(
    message: Message, t: Texts, person: PersonView | None, settings: Settings
) -> None:
    _locale, roles = menu_of(person, sender(message).id, settings)
    await message.answer(help_text(t, roles))


async def on_cancel(
    message: Message, t: Texts, state: FSMContext, dialog_manager: DialogManager
) -> None:
    was_busy = dialog_manager.has_context() or await state.get_state() is not None
    if dialog_manager.has_context():
        await dialog_manager.reset_stack(remove_keyboard=True)
    await state.clear()
    await message.answer(t("cancel.done" if was_busy else "cancel.nothing"))


def get_router() -> Router:
    router = Router(name="menu")
    router.message.register(on_menu, Command("menu"))
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    return router
