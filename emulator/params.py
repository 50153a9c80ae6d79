"""Bot API parameters from any transport: query string, JSON, urlencoded or multipart.

aiogram sends multipart/form-data with every value a string and complex fields
JSON-encoded; python-telegram-bot sends JSON. Both end up as the same typed dict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web
from multidict import MultiMapping

from emulator.errors import bad_request

JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope",
        "allowed_updates", "reply_parameters", "link_preview_options", "media",
        "menu_button", "results", "permissions", "explanation_entities", "options",
    }
)  # fmt: skip
INT_FIELDS = frozenset(
    {
        "chat_id", "from_chat_id", "message_id", "reply_to_message_id", "offset", "limit",
        "timeout", "max_connections", "cache_time", "user_id", "message_thread_id",
        "width", "height", "duration",
    }
)  # fmt: skip
BOOL_FIELDS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "drop_pending_updates",
        "allow_paid_broadcast", "disable_web_page_preview", "has_spoiler",
        "disable_content_type_detection", "allow_sending_without_reply",
        "show_caption_above_media", "for_channels", "remove_caption",
    }
)  # fmt: skip


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, str):
        if name in JSON_FIELDS:
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        if name in INT_FIELDS:
            try:
                return int(value)
            except ValueError:
                return value  # "@channelusername" stays a string
        if name in BOOL_FIELDS:
            return value.strip().lower() in ("true", "1")
    return value


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    return {name: _coerce(name, value) for name, value in raw.items()}


def _from_multidict(values: MultiMapping) -> dict[str, Any]:
    return {key: values[key] for key in values}


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """All parameters of a Bot API request, typed, and the uploaded files by part name."""
    raw: dict[str, Any] = _from_multidict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON")
            raw.update(body)
        elif content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                data = await part.read()
                if part.filename is not None:
                    files[part.name] = Upload(
                        part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    raw[part.name] = data.decode("utf-8")
        else:
            raw.update(_from_multidict(await request.post()))
    return coerce_params(raw), files
