"""Typed text reaches the dialogs without the invisible tail aiogram-dialog reads as a button.

aiogram-dialog hides a reply-keyboard button's callback data in invisible characters at
the end of its label (soft hyphen, joiners, U+2060–U+2064, musical formatting marks) and
decodes any message text that ends in them as a button press. A person who pastes
"Қамқор" + soft hyphen + word joiner gets a decoded "press" of a button that does not
exist (and a tail that is no UTF-8 fails to decode at all): "Sorry, something went
wrong". This bot shows no reply keyboards of aiogram-dialog's, so such a tail is never a
press: it is dropped before aiogram-dialog looks, and the text goes on as typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram_dialog.utils import REPLY_CALLBACK_SYMBOLS


class DropButtonTail(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        message = event.message if isinstance(event, Update) else None
        text = message.text if message is not None else None
        if text and text[-1] in REPLY_CALLBACK_SYMBOLS:
            # Telegram objects are frozen: the update goes on as a copy with the tail dropped.
            clean = message.model_copy(update={"text": text.rstrip(REPLY_CALLBACK_SYMBOLS)})
            event = event.model_copy(update={"message": clean})
        return await handler(event, data)
