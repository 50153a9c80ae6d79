"""Messages that carry no sender are left alone.

A message posted in a group on behalf of a channel or by an anonymous
administrator, or a channel's own post, has no `from`. Nobody can be answered
and no person's dialog applies, and aiogram-dialog, which keys every dialog by
the person, would fail on it (`event_context.user` is None): the update is
skipped before aiogram-dialog's middleware sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

log = logging.getLogger(__name__)


class SkipSenderless(BaseMiddleware):
    """Outer message and business-message middleware, before aiogram-dialog's."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Message):  # registered for messages only
            return await handler(event, data)
        if event.from_user is None:
            log.debug("a message with no sender skipped", extra={"chat_type": event.chat.type})
            return None
        return await handler(event, data)
