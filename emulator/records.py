"""What the emulator remembers: API calls, faults, violations, webhook deliveries, messages."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from emulator.keyboards import InlineButton, ReplyButton, inline_buttons, reply_buttons


@dataclass
class Call:
    """One Bot API request, as answered."""

    method: str
    params: dict[str, Any]
    status: int
    result: Any = None
    error: dict | None = None
    timestamp: float = 0.0
    fault: str | None = None
    bot_id: int | None = None
    source: str = "http"  # "http" or "webhook_response"

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class FaultRecord:
    seq: int
    method: str
    # "error_500", "error_502", "drop_before", "drop_after", "burst_429",
    # "timeout_before", "timeout_after", "slow", "latency"; scripted (detail
    # {"scripted": True}): "html_<status>", "malformed_json", "unknown_method" too
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Violation:
    """A request that broke a configured rate limit (rejected or let through)."""

    method: str
    chat_id: Any
    limit: str  # "global", "per_chat", "group", "paid"
    retry_after: float
    timestamp: float
    rejected: bool


@dataclass
class Delivery:
    """One webhook POST attempt."""

    update_id: int
    url: str
    attempt: int
    status: int | None
    error: str | None
    timestamp: float


@dataclass
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None = None
    callback_query_id: str = ""


@dataclass
class VisibleMessage:
    """A message in a chat as a person would see it, edits applied."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: int
    raw: dict[str, Any]
    raw_text: str | None = None  # what the bot sent before entity parsing
    parse_mode: str | None = None
    reply_markup: dict | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str | None:
        return self.raw.get("text")

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def entities(self) -> list[dict]:
        return self.raw.get("entities") or self.raw.get("caption_entities") or []

    @property
    def html(self) -> str | None:
        return self.raw_text

    @property
    def document(self) -> dict | None:
        return self.raw.get("document")

    @property
    def photo(self) -> list[dict] | None:
        return self.raw.get("photo")

    @property
    def buttons(self) -> list[list[InlineButton]]:
        return inline_buttons(self.reply_markup)

    @property
    def reply_keyboard(self) -> list[list[ReplyButton]]:
        return reply_buttons(self.reply_markup)

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    def snapshot(self) -> dict[str, Any]:
        return {
            "raw": copy.deepcopy(self.raw),
            "raw_text": self.raw_text,
            "reply_markup": copy.deepcopy(self.reply_markup),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "text": self.text,
            "caption": self.caption,
            "raw_text": self.raw_text,
            "entities": self.entities,
            "buttons": [
                [{"text": b.text, "callback_data": b.callback_data, "url": b.url} for b in row]
                for row in self.buttons
            ],
            "reply_keyboard": [
                [{"text": b.text, "request_contact": b.request_contact} for b in row]
                for row in self.reply_keyboard
            ],
            "document": self.document,
            "photo": self.photo,
            "edits": len(self.edits),
        }
