"""A minimal `parse_mode=MarkdownV2`, enough to catch the classic bot bug.

The classic bug is an unescaped reserved character (`.` or `-` in user text),
which Telegram refuses; this parser refuses it with Telegram's wording. It
supports *bold*, _italic_, __underline__, ~strike~, ||spoiler||, `code`,
```pre``` and [text](url); nesting works, block quotes and custom emoji do not.
"""

from __future__ import annotations

from emulator.html_entities import EntityParseError, checked_link, utf16_len

RESERVED = "_*[]()~`>#+-=|{}.!"
_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


def parse_markdown_v2(text: str) -> tuple[str, list[dict]]:
    """Parse MarkdownV2 into (plain text, MessageEntity dicts)."""
    out: list[str] = []
    utf16 = 0
    entities: list[dict] = []
    stack: list[tuple[str, int, int]] = []  # (marker, utf16 offset, byte offset)
    i = 0
    n = len(text)

    def emit(chunk: str) -> None:
        nonlocal utf16
        out.append(chunk)
        utf16 += utf16_len(chunk)

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if c == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _find_unescaped(text, fence, i + len(fence))
            if end < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise EntityParseError(
                    f"Can't find end of {kind} entity at byte offset {_bytes(text, i)}"
                )
            body = text[i + len(fence) : end]
            language = ""
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    language, body = first, rest
            body = body.replace("\\`", "`").replace("\\\\", "\\")
            start = utf16
            emit(body)
            entity = {"type": "pre" if fence == "```" else "code", "offset": start}
            entity["length"] = utf16 - start
            if language:
                entity["language"] = language
            if entity["length"]:
                entities.append(entity)
            i = end + len(fence)
            continue
        if c == "[":
            stack.append(("[", utf16, _bytes(text, i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            _, start, _ = stack.pop()
            if not text.startswith("(", i + 1):
                raise EntityParseError(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            close = text.find(")", i + 2)
            if close < 0:
                raise EntityParseError(f"Can't find end of a URL at byte offset {_bytes(text, i)}")
            url = checked_link(text[i + 2 : close].replace("\\)", ")"))
            if url and utf16 > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": utf16 - start, "url": url}
                )
            i = close + 1
            continue
        marker = text[i : i + 2] if text[i : i + 2] in ("__", "||") else c
        if marker in _MARKERS:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                if utf16 > start:
                    entities.append(
                        {"type": _MARKERS[marker], "offset": start, "length": utf16 - start}
                    )
            else:
                stack.append((marker, utf16, _bytes(text, i)))
            i += len(marker)
            continue
        if c in RESERVED:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(c)
        i += 1
    if stack:
        marker, _, byte_offset = stack[-1]
        kind = {"[": "TextUrl"}.get(marker) or _MARKERS[marker].title()
        raise EntityParseError(f"Can't find end of {kind} entity at byte offset {byte_offset}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _find_unescaped(text: str, token: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def escape_markdown_v2(text: str) -> str:
    """Escape every reserved character, as a correct bot must."""
    return "".join("\\" + c if c in RESERVED or c == "\\" else c for c in text)
