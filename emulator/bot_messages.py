"""Shared steps of every sending method: find the chat, check it may be written to,
build the Bot API Message and store it in the visible chat."""

from __future__ import annotations

import copy
from typing import Any

from emulator.errors import bad_request, forbidden
from emulator.keyboards import validate_reply_markup
from emulator.method_registry import MethodContext
from emulator.records import VisibleMessage
from emulator.state import ChatState, now


def target_chat(ctx: MethodContext, field: str = "chat_id") -> ChatState:
    """The chat a bot wants to write to, or Telegram's refusal."""
    chat_id = ctx.require(field, "chat_id is empty")
    chat = ctx.bot.chat(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        raise bad_request("chat not found")
    if chat.chat["type"] == "private":
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if ctx.emulator.config.require_user_start and not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
    return chat


def find_message(ctx: MethodContext, chat: ChatState, message_id: Any) -> VisibleMessage | None:
    message = chat.messages.get(message_id) if isinstance(message_id, int) else None
    return None if message is None or message.deleted else message


def _reply_target(ctx: MethodContext, chat: ChatState) -> dict | None:
    params = ctx.get("reply_parameters") or {}
    if not isinstance(params, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = params.get("message_id", ctx.get("reply_to_message_id"))
    if message_id is None:
        return None
    allow_missing = params.get(
        "allow_sending_without_reply", ctx.get("allow_sending_without_reply", False)
    )
    target = find_message(ctx, chat, message_id)
    if target is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    reply = copy.deepcopy(target.raw)
    reply.pop("reply_to_message", None)
    return reply


def store_bot_message(
    ctx: MethodContext,
    chat: ChatState,
    content: dict[str, Any],
    raw_text: str | None,
    parse_mode: str | None,
) -> VisibleMessage:
    """Validate common options, then put the message into the chat; returns it."""
    markup = validate_reply_markup(ctx.get("reply_markup"))
    reply = _reply_target(ctx, chat)
    message_id = chat.take_message_id()
    raw: dict[str, Any] = {
        "message_id": message_id,
        "from": dict(ctx.bot.user),
        "chat": dict(chat.chat),
        "date": now(),
    }
    if reply is not None:
        raw["reply_to_message"] = reply
    raw.update({k: v for k, v in content.items() if v not in (None, [], "")})
    if ctx.get("protect_content"):
        raw["has_protected_content"] = True
    if markup is not None and "inline_keyboard" in markup:
        raw["reply_markup"] = markup  # Telegram echoes inline keyboards only
    if markup is not None and ("keyboard" in markup or markup.get("remove_keyboard")):
        chat.reply_keyboard = markup if "keyboard" in markup else None
    message = VisibleMessage(
        message_id=message_id,
        chat_id=chat.chat_id,
        from_bot=True,
        sender_id=ctx.bot.bot_id,
        date=raw["date"],
        raw=raw,
        raw_text=raw_text,
        parse_mode=parse_mode,
        reply_markup=markup,
    )
    chat.messages[message_id] = message
    return message
