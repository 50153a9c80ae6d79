"""The language picker: on first contact and on /language."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.callback_answers import answer_once
from bot.callbacks import LanguageChoice
from bot.commands import CommandMenus, refresh_person_commands
from bot.dialogs.states import MainMenu
from bot.events import pressed_on
from bot.language_picker import send_language_picker
from core.i18n import Texts
from core.locale_codes import SUPPORTED_LOCALES
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store


async def on_language_command(message: Message, t: Texts) -> None:
    await send_language_picker(message, t)


async def on_language_chosen(
    callback: CallbackQuery,
    callback_data: LanguageChoice,
    store: Store,
    person: PersonView,
    t: Texts,
    dialog_manager: DialogManager,
    bot: Bot,
    menus: CommandMenus,
    settings: Settings,
) -> None:
    if callback_data.code not in SUPPORTED_LOCALES:
        await answer_once(callback, t("errors.unknown_option"), alert=True)
        return
    first_choice = person.locale is None
    await store.people.set_locale(person.telegram_id, callback_data.code)
    await store.commit()
    if person.roles or person.telegram_id in settings.admin_ids:
        # Staff menus are set per chat, in the person's language: redo it in the new one.
        await refresh_person_commands(menus, bot, store, settings, person.telegram_id)
    # The dialog renders with this same object, so the menu follows at once.
    t.locale = callback_data.code
    await answer_once(callback)
    message = pressed_on(callback)
    if message is not None:
        await message.edit_text(
            t("language.chosen", language=t.label(f"language.name.{callback_data.code}"))
        )
        if first_choice:
            await message.answer(t("start.greeting"))
    # A language change is a fresh start: the old stack's texts were in the old language.
    # SEND, not edit: the picker message now says which language was chosen.
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


def get_router() -> Router:
    router = Router(name="language")
    router.message.register(on_language_command, Command("language"))
    router.callback_query.register(on_language_chosen, LanguageChoice.filter())
    return router
