"""Screens that fit in a Telegram message, however long what people typed.

Telegram refuses a text longer than 4096 characters (a caption: 1024) counted
after the HTML is parsed, and a dialog whose edit is refused leaves the person
stuck. These functions measure a screen as Telegram shows it and shorten it:
a list keeps the lines that fit and says how many more there are; any text is
cut at the limit with its tags closed. Lengths are UTF-16 code units, as the
Bot API counts entity offsets: never less than the number of characters, so a
screen that fits in units fits in characters too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

MAX_TEXT = 4096
MAX_CAPTION = 1024
ELLIPSIS = "…"

# A tag, a character reference Telegram decodes, or a run of plain text.
_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);|[^<&]+|&")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shown(token: str) -> str:
    """What one token puts on the screen: nothing for a tag, the character of a reference."""
    if token.startswith("<"):
        return ""
    if token.startswith("&") and token.endswith(";"):
        return html.unescape(token)
    return token


def visible_length(text: str) -> int:
    """The length Telegram counts: tags dropped, references decoded, the ends trimmed."""
    return _units("".join(_shown(token) for token in _TOKEN.findall(text)).strip())


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """`text` itself when it fits in `limit`; else cut to fit, ending in "…" with every
    tag it opened closed again."""
    if visible_length(text) <= limit:
        return text
    budget = limit - _units(ELLIPSIS)
    kept: list[str] = []
    open_tags: list[str] = []
    for token in _TOKEN.findall(text.strip()):
        if token.startswith("<"):
            name = _TAG_NAME.match(token)
            if name is None:
                continue
            if token.startswith("</"):
                if open_tags and open_tags[-1] == name.group(1).lower():
                    open_tags.pop()
            else:
                open_tags.append(name.group(1).lower())
            kept.append(token)
            continue
        shown = _shown(token)
        if _units(shown) <= budget:
            kept.append(token)
            budget -= _units(shown)
            continue
        if token == shown:  # plain text: keep the characters that fit
            part = []
            for char in token:
                if _units(char) > budget:
                    break
                part.append(char)
                budget -= _units(char)
            kept.append("".join(part).rstrip())
        break
    closing = "".join(f"</{name}>" for name in reversed(open_tags))
    return "".join(kept) + ELLIPSIS + closing


def clip(value: str, limit: int) -> str:
    """A value as typed (not HTML) in at most `limit` units, "…" ending a cut one."""
    if _units(value) <= limit:
        return value
    budget = limit - _units(ELLIPSIS)
    if budget < 0:
        return ""
    kept = []
    for char in value:
        budget -= _units(char)
        if budget < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


def fit_lines(
    lines: Sequence[str], budget: int, more: Callable[[int], str], separator: str = "\n"
) -> str:
    """The lines, as many as fit in `budget`; when some are left out, the last row is
    `more(how many)` (an "… and N more" in the reader's language)."""
    if visible_length(separator.join(lines)) <= budget:
        return separator.join(lines)
    for shown in range(len(lines) - 1, -1, -1):
        rows = [*lines[:shown], more(len(lines) - shown)]
        if visible_length(separator.join(rows)) <= budget:
            return separator.join(rows)
    return shorten(more(len(lines)), budget)
