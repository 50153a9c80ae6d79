"""The command menu and bot descriptions, one per language (setMyCommands takes a
two-letter language_code)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand

from bot.i18n import Translator

log = logging.getLogger(__name__)

# Commands in menu order; later features append theirs.
COMMANDS: tuple[str, ...] = ("start", "menu", "help", "language", "cancel")


def command_menu(translator: Translator, locale: str) -> list[BotCommand]:
    return [
        BotCommand(
            command=name, description=translator.get(f"commands.{name}", locale, escape=False)
        )
        for name in COMMANDS
    ]


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
