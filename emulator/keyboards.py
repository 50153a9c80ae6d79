"""reply_markup validation, as strict as Telegram's, and the button views tests read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.errors import bad_request

INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
    "copy_text", "callback_game", "pay",
)  # fmt: skip
MAX_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64


@dataclass(frozen=True)
class InlineButton:
    """One inline button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: dict | None = None


@dataclass(frozen=True)
class ReplyButton:
    """One reply-keyboard button; request_contact buttons send the user's phone."""

    text: str
    request_contact: bool = False
    request_location: bool = False


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _rows(markup: dict, key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the {key.replace("_", " ")} must be an Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    actions = [name for name in INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        # Telegram's wording for this varies by field; the rule is one action per button.
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url or " " in url:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_reply_button(button: Any) -> dict:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse keyboard button: Can't find field \"text\"")
    if not button["text"]:
        raise bad_request("keyboard button text must be non-empty")
    return button


def validate_reply_markup(markup: Any) -> dict | None:
    """Validate and normalise reply_markup (already JSON-decoded). None if absent."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    markup = _drop_nulls(markup)
    if "inline_keyboard" in markup:
        for row in _rows(markup, "inline_keyboard"):
            for button in row:
                _check_inline_button(button)
        return markup
    if "keyboard" in markup:
        markup["keyboard"] = [
            [_check_reply_button(button) for button in row] for row in _rows(markup, "keyboard")
        ]
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_buttons(markup: dict | None) -> list[list[InlineButton]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        [
            InlineButton(
                text=b["text"], callback_data=b.get("callback_data"), url=b.get("url"), raw=b
            )
            for b in row
        ]
        for row in markup["inline_keyboard"]
    ]


def reply_buttons(markup: dict | None) -> list[list[ReplyButton]]:
    if not markup or "keyboard" not in markup:
        return []
    return [
        [
            ReplyButton(
                text=b["text"],
                request_contact=bool(b.get("request_contact")),
                request_location=bool(b.get("request_location")),
            )
            for b in row
        ]
        for row in markup["keyboard"]
    ]
