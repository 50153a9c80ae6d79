"""/start: the language picker on first contact, then a greeting and the menu."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandStart
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.commands import CommandMenus, refresh_person_commands
from bot.dialogs.states import MainMenu
from bot.language_picker import send_language_picker
from core.i18n import Texts
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store


async def on_start(
    message: Message,
    person: PersonView,
    t: Texts,
    dialog_manager: DialogManager,
    bot: Bot,
    store: Store,
    menus: CommandMenus,
    settings: Settings,
) -> None:
    if person.locale is None:
        await send_language_picker(message, t)
        return
    if person.roles or person.telegram_id in settings.admin_ids:
        # A role granted on the command line (`ngo-bot admin grant`) reaches the
        # person's command menu at their /start, not only at the bot's next start.
        await refresh_person_commands(menus, bot, store, settings, person.telegram_id)
    await message.answer(t("start.greeting"))
    # /start must always work, whatever was open before: reset the whole stack.
    await dialog_manager.start(MainMenu.main, mode=StartMode.RESET_STACK)


def get_router() -> Router:
    router = Router(name="start")
    router.message.register(on_start, CommandStart())
    return router
