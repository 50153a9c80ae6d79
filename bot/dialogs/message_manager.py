"""aiogram-dialog's message manager, held to two of Telegram's rules it does not know.

- One answer per callback query: a toast (`answer_once`) already answered it.
- A screen fits in one message: a window whose text came out longer than
  Telegram takes (what people typed can be long) is shortened, not refused; the
  windows that list things say "… and N more" themselves (`bot/screen_fit.py`).
"""

from __future__ import annotations

import dataclasses
import logging

from aiogram import Bot
from aiogram.types import CallbackQuery
from aiogram_dialog.api.entities import NewMessage, OldMessage
from aiogram_dialog.manager.message_manager import MessageManager

from bot.callback_answers import already_answered, mark_answered
from bot.screen_fit import MAX_CAPTION, MAX_TEXT, shorten, visible_length

log = logging.getLogger(__name__)


class ScreenMessageManager(MessageManager):
    async def answer_callback(self, bot: Bot, callback_query: CallbackQuery) -> None:
        if already_answered(callback_query):
            return
        mark_answered(callback_query)
        await super().answer_callback(bot, callback_query)

    async def show_message(
        self, bot: Bot, new_message: NewMessage, old_message: OldMessage | None
    ) -> OldMessage:
        return await super().show_message(bot, fitted(new_message), old_message)


def fitted(message: NewMessage) -> NewMessage:
    """The message with its text (or caption) cut to what Telegram takes."""
    limit = MAX_CAPTION if message.media is not None else MAX_TEXT
    if not message.text or visible_length(message.text) <= limit:
        return message
    # Only the sizes: the text is what people typed.
    log.warning("a screen of %d characters was cut to %d", visible_length(message.text), limit)
    return dataclasses.replace(message, text=shorten(message.text, limit))
