"""The command menu and bot descriptions, one per language (setMyCommands takes a
two-letter language_code)."""

from __future__ import annotations

import logging
from collections.abc import Collection

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.i18n import Translator
from bot.settings import Settings
from console.roles import roles_of
from storage.models import Role
from storage.repositories.people import PersonView
from storage.store import Store

log = logging.getLogger(__name__)

# The public command menu, in order. Staff commands are published per chat to
# the people who hold a role (see STAFF_COMMANDS).
COMMANDS: tuple[str, ...] = (
    "start",
    "menu",
    "grants",
    "applications",
    "org",
    "filing",
    "ngos",
    "awards",
    "ask",
    "settings",
    "language",
    "privacy",
    "my_data",
    "delete_me",
    "help",
    "cancel",
)
STAFF_COMMANDS: dict[str, tuple[str, ...]] = {
    "admin": ("operator", "roles", "stats", "export", "award_rounds", "broadcast", "expert"),
    "operator": ("operator", "stats", "export", "award_rounds", "broadcast"),
    "expert": ("expert",),
}


def command_menu(
    translator: Translator, locale: str, extra: tuple[str, ...] = ()
) -> list[BotCommand]:
    return [
        BotCommand(
            command=name, description=translator.get(f"commands.{name}", locale, escape=False)
        )
        for name in (*COMMANDS, *extra)
    ]


def staff_commands(roles: set[str]) -> tuple[str, ...]:
    names: list[str] = []
    for role in ("admin", "operator", "expert"):
        if role in roles:
            names += [n for n in STAFF_COMMANDS[role] if n not in names]
    return tuple(names)


async def refresh_staff_commands(
    bot: Bot, translator: Translator, telegram_id: int, locale: str, roles: Collection[str]
) -> None:
    """One person's chat: the public menu plus their staff commands; with no role left,
    the chat's own menu goes and the public one (in their language) shows again."""
    extra = staff_commands(set(roles))
    scope = BotCommandScopeChat(chat_id=telegram_id)
    try:
        if extra:
            await bot.set_my_commands(command_menu(translator, locale, extra), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except (TelegramAPIError, OSError, TimeoutError) as exc:
        log.warning("could not refresh the staff menu of %s: %s", telegram_id, exc)


async def publish_staff_commands(
    bot: Bot, translator: Translator, staff: list[tuple[int, str, set[str]]]
) -> None:
    """At start-up, for each (telegram id, locale, roles): role holders get their menu, and
    people who lost every role (an empty set; `ngo-bot admin revoke`) lose theirs."""
    for telegram_id, locale, roles in staff:
        await refresh_staff_commands(bot, translator, telegram_id, locale, roles)


def menu_of(
    person: PersonView | None, telegram_id: int, settings: Settings
) -> tuple[str, set[str]]:
    """The locale and the role names a person's chat menu is made of (ADMIN_IDS count
    even for someone the bot has not met yet)."""
    held = {role.value for role in roles_of(person, settings.admin_ids)}
    if telegram_id in settings.admin_ids:
        held.add(Role.ADMIN.value)
    locale = (person.locale if person else None) or settings.default_locale
    return locale, held


async def refresh_person_commands(
    bot: Bot, translator: Translator, store: Store, settings: Settings, telegram_id: int
) -> None:
    """After a role was granted or revoked in the bot, or the person erased their data."""
    person = await store.people.get(telegram_id)
    locale, held = menu_of(person, telegram_id, settings)
    await refresh_staff_commands(bot, translator, telegram_id, locale, held)


async def publish_commands(bot: Bot, translator: Translator, default_locale: str) -> None:
    """Non-essential: a server that refuses any of it is logged, never fatal."""
    targets: list[tuple[str | None, str]] = [(None, default_locale)]
    targets += [(locale, locale) for locale in translator.locales]
    for language_code, locale in targets:
        try:
            await bot.set_my_commands(command_menu(translator, locale), language_code=language_code)
            await bot.set_my_description(
                translator.get("bot.description", locale, escape=False),
                language_code=language_code,
            )
            await bot.set_my_short_description(
                translator.get("bot.short_description", locale, escape=False),
                language_code=language_code,
            )
        except (TelegramAPIError, OSError, TimeoutError) as exc:
            log.warning(
                "could not publish the %s command menu: %s", language_code or "default", exc
            )
