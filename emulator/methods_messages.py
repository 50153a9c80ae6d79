"""Text messages, edits, deletion, callback answers, chat actions, copies."""

from __future__ import annotations

import copy
from typing import Any

from emulator.bot_messages import find_message, store_bot_message, target_chat
from emulator.errors import bad_request
from emulator.formatting import format_caption, format_text
from emulator.keyboards import validate_reply_markup
from emulator.method_registry import MethodContext, api_method
from emulator.records import CallbackAnswer, VisibleMessage
from emulator.state import ChatState, now

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


@api_method("sendMessage")
async def send_message(ctx: MethodContext) -> dict:
    chat = target_chat(ctx)
    text, entities = format_text(ctx.get("text"), ctx.get("parse_mode"), ctx.get("entities"))
    content: dict[str, Any] = {"text": text, "entities": entities}
    options = ctx.get("link_preview_options")
    if isinstance(options, dict) and options.get("is_disabled") is not None:
        content["link_preview_options"] = {"is_disabled": bool(options["is_disabled"])}
    message = store_bot_message(ctx, chat, content, ctx.get("text"), ctx.get("parse_mode"))
    return message.raw


def _message_to_edit(ctx: MethodContext) -> tuple[ChatState, VisibleMessage]:
    if ctx.get("inline_message_id"):
        raise bad_request("message to edit not found")
    chat = ctx.bot.chat(ctx.get("chat_id"))
    if chat is None:
        raise bad_request("chat not found")
    if chat.blocked:
        target_chat(ctx)  # raises Telegram's 403
    message = find_message(
        ctx, chat, ctx.require("message_id", "message identifier is not specified")
    )
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    message: VisibleMessage, changes: dict[str, Any], markup: dict | None, raw_text: str | None
) -> dict:
    current = {key: message.raw.get(key) for key in changes}
    inline = markup if markup and "inline_keyboard" in markup else None
    if current == changes and message.raw.get("reply_markup") == inline:
        raise bad_request(NOT_MODIFIED)
    message.edits.append(message.snapshot())
    for key, value in changes.items():
        if value in (None, [], ""):
            message.raw.pop(key, None)
        else:
            message.raw[key] = value
    if inline is None:
        message.raw.pop("reply_markup", None)
    else:
        message.raw["reply_markup"] = inline
    message.reply_markup = inline
    if raw_text is not None:
        message.raw_text = raw_text
    message.raw["edit_date"] = now()
    return message.raw


@api_method("editMessageText")
async def edit_message_text(ctx: MethodContext) -> dict:
    _, message = _message_to_edit(ctx)
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    text, entities = format_text(ctx.get("text"), ctx.get("parse_mode"), ctx.get("entities"))
    markup = validate_reply_markup(ctx.get("reply_markup"))
    changes = {"text": text, "entities": entities or None}
    if message.raw.get("entities") is None and not entities:
        changes["entities"] = None
    message.parse_mode = ctx.get("parse_mode")
    return _apply_edit(message, changes, markup, ctx.get("text"))


@api_method("editMessageCaption")
async def edit_message_caption(ctx: MethodContext) -> dict:
    _, message = _message_to_edit(ctx)
    if "text" in message.raw:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = format_caption(
        ctx.get("caption"), ctx.get("parse_mode"), ctx.get("caption_entities")
    )
    markup = validate_reply_markup(ctx.get("reply_markup"))
    changes = {"caption": caption or None, "caption_entities": entities or None}
    return _apply_edit(message, changes, markup, None)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: MethodContext) -> dict:
    _, message = _message_to_edit(ctx)
    markup = validate_reply_markup(ctx.get("reply_markup"))
    return _apply_edit(message, {}, markup, None)


@api_method("deleteMessage")
async def delete_message(ctx: MethodContext) -> bool:
    chat = ctx.bot.chat(ctx.get("chat_id"))
    if chat is None:
        raise bad_request("chat not found")
    message = find_message(
        ctx, chat, ctx.require("message_id", "message identifier is not specified")
    )
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(ctx: MethodContext) -> bool:
    query_id = str(ctx.require("callback_query_id", QUERY_INVALID))
    entry = ctx.bot.callback_queries.get(query_id)
    if entry is None or entry[1]:
        raise bad_request(QUERY_INVALID)
    text = ctx.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    ctx.bot.callback_queries[query_id] = (entry[0], True)
    ctx.emulator.callback_answers[(ctx.bot.bot_id, entry[0])] = CallbackAnswer(
        text=text,
        show_alert=bool(ctx.get("show_alert")),
        url=ctx.get("url"),
        callback_query_id=query_id,
    )
    return True


@api_method("sendChatAction")
async def send_chat_action(ctx: MethodContext) -> bool:
    target_chat(ctx)
    if ctx.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@api_method("copyMessage")
async def copy_message(ctx: MethodContext) -> dict:
    chat = target_chat(ctx)
    source_chat = ctx.bot.chat(ctx.get("from_chat_id"))
    if source_chat is None:
        raise bad_request("chat not found")
    source = find_message(ctx, source_chat, ctx.get("message_id"))
    if source is None:
        raise bad_request("message to copy not found")
    keep = ("text", "entities", "caption", "caption_entities", "document", "photo", "contact")
    content = {k: copy.deepcopy(source.raw[k]) for k in keep if k in source.raw}
    if ctx.get("caption") is not None and "text" not in content:
        caption, entities = format_caption(
            ctx.get("caption"), ctx.get("parse_mode"), ctx.get("caption_entities")
        )
        content["caption"], content["caption_entities"] = caption, entities
    message = store_bot_message(ctx, chat, content, source.raw_text, source.parse_mode)
    return {"message_id": message.message_id}
