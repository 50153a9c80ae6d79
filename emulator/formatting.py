"""Message text as Telegram stores it: parse_mode applied, whitespace trimmed, limits checked."""

from __future__ import annotations

from typing import Any

from emulator.errors import bad_request
from emulator.html_entities import EntityParseError, parse_html, utf16_len
from emulator.markdown_v2 import parse_markdown_v2

MAX_TEXT = 4096
MAX_CAPTION = 1024


def _parse(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[dict]]:
    # Telegram ignores parse_mode when explicit entities are given.
    if entities:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request("can't parse entities JSON object")
        cleaned = [{k: v for k, v in e.items() if v is not None} for e in entities]
        total = utf16_len(text)
        for entity in cleaned:
            if not {"type", "offset", "length"} <= entity.keys():
                raise bad_request("can't parse entities JSON object")
            if entity["offset"] < 0 or entity["offset"] + entity["length"] > total:
                raise bad_request("entity beginning/end is out of bounds")
        return text, cleaned
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    try:
        if mode == "html":
            return parse_html(text)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    raise bad_request("unsupported parse_mode")


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips surrounding whitespace and shifts/clips entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    fixed = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, limit)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def format_text(text: Any, parse_mode: str | None, entities: Any) -> tuple[str, list[dict]]:
    """A message text: 1..4096 characters after parsing, or Telegram's error."""
    if text is None or not str(text).strip():
        raise bad_request("message text is empty")
    plain, found = _trim(*_parse(str(text), parse_mode, entities))
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, found


def format_caption(text: Any, parse_mode: str | None, entities: Any) -> tuple[str, list[dict]]:
    """A media caption: may be empty, at most 1024 characters after parsing."""
    if text is None or not str(text).strip():
        return "", []
    plain, found = _trim(*_parse(str(text), parse_mode, entities))
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain, found
