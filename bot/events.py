"""Narrowing aiogram's optional fields where the bot has already made sure of them."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User


def sender(message: Message) -> User:
    """The message's sender. SkipSenderless lets no message without one (a
    channel's post, an anonymous administrator's) reach a handler."""
    if message.from_user is None:
        raise LookupError("a message without a sender reached a handler")
    return message.from_user


def pressed_on(callback: CallbackQuery) -> Message | None:
    """The message whose button was pressed, or None when Telegram no longer
    gives it (an InaccessibleMessage: deleted, or too old to edit)."""
    message = callback.message
    return message if isinstance(message, Message) else None
