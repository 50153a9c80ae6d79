"""Documents and photos: multipart uploads, re-sends by file_id, URLs, getFile."""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

from emulator.bot_messages import store_bot_message, target_chat
from emulator.errors import bad_request
from emulator.formatting import format_caption
from emulator.method_registry import MethodContext, api_method
from emulator.state import BotState, StoredFile

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
WRONG_FILE = "wrong file identifier/HTTP URL specified"


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, so PhotoSize looks plausible; 1x1 otherwise."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        return struct.unpack(">II", content[16:24])
    if content[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                break
            marker, length = content[i + 1], struct.unpack(">H", content[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 1, 1


def _input_file(ctx: MethodContext, field: str, kind: str) -> StoredFile:
    """The file a send method refers to: an upload, attach://name, a file_id or a URL."""
    value = ctx.get(field)
    upload = ctx.files.get(field)
    if isinstance(value, str) and value.startswith("attach://"):
        upload = ctx.files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(WRONG_FILE)
    if upload is not None:
        if len(upload.content) > MAX_UPLOAD:
            raise bad_request("file is too big")
        if not upload.content:
            raise bad_request("file must be non-empty")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename or "")[0] or mime
        return ctx.bot.store_file(upload.content, kind, upload.filename, mime)
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {field} in the request")
    if value in ctx.bot.files:
        return ctx.bot.files[value]
    if value.startswith(("http://", "https://")):
        # Never fetched: the emulator has no internet; an empty placeholder stands in.
        name = value.rsplit("/", 1)[-1] or None
        return ctx.bot.store_file(b"", kind, name, mimetypes.guess_type(value)[0])
    raise bad_request(WRONG_FILE)


def document_dict(stored: StoredFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = image_size(stored.content)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "width": width,
            "height": height,
        }
    ]


def _caption(ctx: MethodContext) -> dict[str, Any]:
    caption, entities = format_caption(
        ctx.get("caption"), ctx.get("parse_mode"), ctx.get("caption_entities")
    )
    return {"caption": caption, "caption_entities": entities}


@api_method("sendDocument")
async def send_document(ctx: MethodContext) -> dict:
    chat = target_chat(ctx)
    content = _caption(ctx)
    stored = _input_file(ctx, "document", "documents")
    content["document"] = document_dict(stored)
    return store_bot_message(ctx, chat, content, ctx.get("caption"), ctx.get("parse_mode")).raw


@api_method("sendPhoto")
async def send_photo(ctx: MethodContext) -> dict:
    chat = target_chat(ctx)
    content = _caption(ctx)
    stored = _input_file(ctx, "photo", "photos")
    if stored.size > MAX_PHOTO:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    content["photo"] = photo_sizes(stored)
    return store_bot_message(ctx, chat, content, ctx.get("caption"), ctx.get("parse_mode")).raw


def file_info(bot: BotState, file_id: Any) -> dict[str, Any]:
    stored = bot.files.get(file_id) if isinstance(file_id, str) else None
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


@api_method("getFile")
async def get_file(ctx: MethodContext) -> dict:
    return file_info(ctx.bot, ctx.require("file_id", "file_id is empty"))
