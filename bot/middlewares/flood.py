"""Per-user flood control: one person sending too fast cannot slow the bot for others.

A person who sends more than `limit` updates in a minute gets one localised
"slow down" notice for that window; their further updates are dropped here,
before the de-duplication claim and the database session, so a flood costs a
dictionary lookup and nothing else. Counting is per process and in memory: a
restart forgets it, which is harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, User

from core.i18n import Translator
from core.locale_codes import choose_locale

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
# Forgotten windows are swept once this many people are being counted.
SWEEP_AT = 10_000


@dataclass
class _Window:
    started: float
    count: int = 0
    noticed: bool = False


class FloodControl(BaseMiddleware):
    def __init__(
        self,
        limit_per_minute: int,
        translator: Translator,
        default_locale: str,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit_per_minute
        self._translator = translator
        self._default_locale = default_locale
        self._now = now
        self._windows: dict[int, _Window] = {}

    def allows(self, user_id: int) -> tuple[bool, bool]:
        """(handle it, send the notice now) for one more update from this person."""
        now = self._now()
        window = self._windows.get(user_id)
        if window is None or now - window.started >= WINDOW_SECONDS:
            if len(self._windows) >= SWEEP_AT:
                self._sweep(now)
            window = self._windows[user_id] = _Window(started=now)
        window.count += 1
        if window.count <= self.limit:
            return True, False
        first = not window.noticed
        window.noticed = True
        return False, first

    def _sweep(self, now: float) -> None:
        for user_id in [u for u, w in self._windows.items() if now - w.started >= WINDOW_SECONDS]:
            del self._windows[user_id]

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return await handler(event, data)
        handle, notice = self.allows(user.id)
        if handle:
            return await handler(event, data)
        if notice:
            log.warning("flood control: updates from %s dropped for this minute", user.id)
            chat: Chat | None = data.get("event_chat")
            if chat is None or chat.type == ChatType.PRIVATE:
                await self._notify(data["bot"], user)
        return None

    async def _notify(self, bot, user: User) -> None:
        locale = choose_locale(None, user.language_code, self._default_locale)
        text = self._translator.for_locale(locale)("reliability.slow_down")
        try:
            await bot.send_message(user.id, text)
        except Exception:  # the notice is a courtesy; a flood must not raise
            log.info("flood notice to %s not delivered", user.id, exc_info=True)
