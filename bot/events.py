"""Narrowing aiogram's optional fields where the bot has already made sure of them."""

from __future__ import annotations

from aiogram.types import CallbackQuery, InaccessibleMessage, Message, User


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


def button_message(callback: CallbackQuery) -> Message | InaccessibleMessage:
    """The message under which the button was pressed, to answer in its chat.

    Only a button on an inline-mode message comes without one, and the bot
    sends none of those.
    """
    if callback.message is None:
        raise LookupError("a button pressed on an inline-mode message")
    return callback.message
