"""Updates the bot could not read: what of them is kept, and whom to tell.

A dead letter keeps the update's shape so a developer can see why it failed,
and nothing a person wrote or is called: every string is masked except the
few fields that only name a type or an identifier Telegram made up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Strings under these keys name a type, a status or an identifier, never a person.
KEPT_STRINGS = frozenset(
    {
        "type",
        "status",
        "language_code",
        "mime_type",
        "currency",
        "chat_instance",
        "file_id",
        "file_unique_id",
        "inline_message_id",
        "media_group_id",
    }
)
# callback_query.id, inline_query.id and the like are strings Telegram made up.
KEPT_STRING_IDS = frozenset({"id"})
MASK = "<redacted>"
# How many validation errors are kept, and how long the whole text may be.
ERRORS_KEPT = 5
ERROR_TEXT_LIMIT = 500


def redact(value: Any, key: str | None = None) -> Any:
    """The same JSON structure with every personal value masked.

    Integers (ids, dates, offsets) and booleans stay; other numbers may be a
    location and are masked; a string stays only under a key of KEPT_STRINGS.
    """
    if isinstance(value, dict):
        return {str(name): redact(item, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str) and key in KEPT_STRINGS | KEPT_STRING_IDS:
        return value[:64]
    return MASK


def update_kind(raw: Any) -> str:
    """The update's top-level key ("message", "callback_query"), or "unknown"."""
    if isinstance(raw, dict):
        for name in raw:
            if name != "update_id":
                return str(name)[:32]
    return "unknown"


def update_id_of(raw: Any) -> int | None:
    if not isinstance(raw, dict):
        return None
    update_id = raw.get("update_id")
    return update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else None


def error_text(errors: Sequence[Mapping[str, Any]]) -> str:
    """'message.forward_origin...sender_user_name: Field required; ...' from
    pydantic's errors taken without their input, so no value of the update shows."""
    parts = [
        ".".join(str(step) for step in error.get("loc", ())) + ": " + str(error.get("msg", ""))
        for error in errors[:ERRORS_KEPT]
    ]
    if len(errors) > ERRORS_KEPT:
        parts.append(f"and {len(errors) - ERRORS_KEPT} more")
    return "; ".join(parts)[:ERROR_TEXT_LIMIT]


@dataclass(frozen=True)
class Sender:
    """Someone to ask to send an unreadable message again, in their private chat."""

    chat_id: int
    language_code: str | None


def private_sender(raw: Any) -> Sender | None:
    """The person whose private chat the update came from, if the raw JSON says so
    plainly enough: a message in a private chat, or a button pressed in one."""
    if not isinstance(raw, dict):
        return None
    for kind in ("message", "edited_message"):
        message = raw.get(kind)
        chat = _dict(message, "chat")
        if chat.get("type") == "private" and _is_id(chat.get("id")):
            return Sender(chat["id"], _language(_dict(message, "from")))
    query = raw.get("callback_query")
    person = _dict(query, "from")
    chat = _dict(_dict(query, "message"), "chat")
    if _is_id(person.get("id")) and chat.get("type", "private") == "private":
        return Sender(person["id"], _language(person))
    return None


def _dict(value: Any, key: str) -> dict[str, Any]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _language(person: dict[str, Any]) -> str | None:
    code = person.get("language_code")
    return code if isinstance(code, str) else None
