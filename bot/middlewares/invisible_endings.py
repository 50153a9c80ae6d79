"""Text a person typed stays text, whatever invisible characters it ends in.

aiogram-dialog carries a reply keyboard button's data in invisible characters
after its label (soft hyphen, zero-width (non-)joiner, U+2060-U+2064, musical
formatting marks: `REPLY_CALLBACK_SYMBOLS`), and its middleware reads any
message text ending in two or more of them as such a button press: it decodes
them, and the message becomes a made-up callback query that no handler knows
(so no reply at all) or, when they do not decode, an error (the apology).
Text pasted from a web page or a document ends in a soft hyphen or a
zero-width joiner often enough, and an organisation's name, a question to the
operator or a line at the menu was lost that way.

This bot's dialogs send inline keyboards only, never aiogram-dialog's reply
keyboards, so no message ever carries such data: the invisible ending is cut
off before aiogram-dialog sees the message (it shows nothing, and searching and
storing the name without it is what the person meant). Should a dialog ever use
`ReplyKeyboardFactory`, this middleware has to go.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject
from aiogram_dialog.utils import REPLY_CALLBACK_SYMBOLS


def without_invisible_ending(text: str) -> str:
    """The text less the invisible ending aiogram-dialog would take for a
    button's data (two or more of its characters); other text as it is."""
    kept = text.rstrip(REPLY_CALLBACK_SYMBOLS)
    return kept if len(text) - len(kept) >= 2 else text


class CutInvisibleEndings(BaseMiddleware):
    """Outer message middleware, registered before aiogram-dialog's."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Message):  # registered for messages only
            return await handler(event, data)
        if event.text:
            text = without_invisible_ending(event.text)
            if text != event.text:
                event = event.model_copy(update={"text": text})
        return await handler(event, data)
