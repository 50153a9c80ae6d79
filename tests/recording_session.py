"""An aiogram session that records every request and answers it like Telegram would.

Modelled on aiogram's own MockedSession: tests assert on what the bot asked
Telegram to do, with no network at all.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import EditMessageText, GetMe, SendMessage, TelegramMethod
from aiogram.types import Chat, InlineKeyboardMarkup, Message, User

BOT_USER = User(id=123456789, is_bot=True, first_name="NGO bot", username="ngo_test_bot")


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None):
        self.requests.append(method)
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | EditMessageText):
            message_id = getattr(method, "message_id", None) or next(self._ids)
            return Message(
                message_id=message_id,
                date=int(time.time()),
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT_USER,
                text=method.text,
                # A reply keyboard goes under the input field, not on the message.
                reply_markup=method.reply_markup
                if isinstance(method.reply_markup, InlineKeyboardMarkup)
                else None,
            )
        return True

    async def stream_content(
        self, *args, **kwargs
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        return None

    def sent_texts(self) -> list[str]:
        return [r.text for r in self.requests if isinstance(r, SendMessage | EditMessageText)]

    def of_type(self, kind: type) -> list[Any]:
        return [r for r in self.requests if isinstance(r, kind)]

    def clear(self) -> None:
        self.requests.clear()
