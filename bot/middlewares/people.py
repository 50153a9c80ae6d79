"""Knows who is writing: their record, their language, and their translator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from core.i18n import Translator
from core.locale_codes import choose_locale
from storage.store import Store


class PersonMiddleware(BaseMiddleware):
    def __init__(self, translator: Translator, default_locale: str) -> None:
        self._translator = translator
        self._default_locale = default_locale

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        person = None
        if user is not None and not user.is_bot:
            store: Store = data["store"]
            person = await store.people.get(user.id)
            if person is None:
                # First contact is the one write this middleware makes.
                person = await store.people.add(user.id)
                await store.commit()
            elif person.blocked_bot and data.get("event_update") is not None:
                update = data["event_update"]
                if update.my_chat_member is None:
                    # Writing again after blocking means they want messages again.
                    await store.people.mark_blocked(user.id, blocked=False)
                    await store.commit()
        language_code = user.language_code if user else None
        locale = choose_locale(
            person.locale if person else None, language_code, self._default_locale
        )
        data["person"] = person
        data["t"] = self._translator.for_locale(locale)
        return await handler(event, data)
