"""The command menu and bot descriptions, one per language (setMyCommands takes a
two-letter language_code)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.i18n import Translator

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


async def publish_staff_commands(
    bot: Bot, translator: Translator, staff: list[tuple[int, str, set[str]]]
) -> None:
    """Each role holder's own chat gets the public menu plus their staff commands."""
    for telegram_id, locale, roles in staff:
        extra = staff_commands(roles)
        if not extra:
            continue
        try:
            await bot.set_my_commands(
                command_menu(translator, locale, extra),
                scope=BotCommandScopeChat(chat_id=telegram_id),
            )
        except (TelegramAPIError, OSError, TimeoutError) as exc:
            log.warning("could not publish the staff menu of %s: %s", telegram_id, exc)


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
