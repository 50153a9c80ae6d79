"""Telegram's `parse_mode=HTML`, reproduced from tdlib's `parse_html`.

Other tests render every bot message through `parse_html` to prove user content
is escaped, so this module follows tdlib closely: the same supported tags, the
same entity decoding (a bare `&` stays literal, `&lt` works without `;`), and
the same error wording with UTF-8 byte offsets. Offsets and lengths of the
produced entities are in UTF-16 code units, as the Bot API reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_LINK_SCHEMES = ("http", "https", "tg", "ton", "tonsite")
_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)
# tdlib's is_space() also treats NUL (its end-of-string sentinel) as a space.
_SPACES = " \t\r\n\v\0"


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; `str(exc)` is tdlib's reason."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    result_pos: int


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _at(text: str, index: int) -> str:
    return text[index] if index < len(text) else "\0"


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML character reference at `pos`; returns (char, next position)."""
    end = pos + 1
    if _at(text, end) == "#":
        end += 1
        value = 0
        if _at(text, end) == "x":
            end += 1
            while _at(text, end) in "0123456789abcdefABCDEF" and _at(text, end) != "\0":
                value = value * 16 + int(text[end], 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while _at(text, end).isascii() and _at(text, end).isdigit():
                value = value * 10 + int(text[end])
                end += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while _at(text, end).isascii() and _at(text, end).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if _at(text, end) == ";":
        end += 1
    return char, end


def checked_link(url: str) -> str | None:
    """A cut-down LinkManager::get_checked_link: add http://, refuse odd schemes."""
    url = url.strip()
    if not url or any(c in url for c in " \n\t"):
        return None
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if match is None or (match.group(1).lower() not in _LINK_SCHEMES and "//" not in url):
        url = "http://" + url
        match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
        if match is None:
            return None
    scheme = match.group(1).lower()
    if scheme not in _LINK_SCHEMES:
        return None
    if scheme in ("http", "https"):
        rest = url[len(scheme) + 3 :] if url[len(scheme) : len(scheme) + 3] == "://" else None
        if not rest:
            return None
        host = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if not host or ("." not in host and host.lower() != "localhost"):
            return None
        if rest == host:
            url += "/"
    return url


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into (plain text, Bot API MessageEntity dicts).

    Raises EntityParseError with tdlib's wording, e.g.
    'Unsupported start tag "foo" at byte offset 0'.
    """
    result: list[str] = []
    result_len = 0  # characters in `result`, to slice link texts
    utf16 = 0
    nested: list[_OpenTag] = []
    entities: list[dict] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                result.append(char)
                result_len += 1
                utf16 += utf16_len(char)
                continue
        if c != "<":
            result.append(c)
            result_len += 1
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if _at(text, i) != "/":
            i = _open_tag(text, begin, i, nested, utf16, result_len)
        else:
            i = _close_tag(text, begin, i, nested, entities, utf16, "".join(result))
    if nested:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{nested[-1].name}"'
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(result), entities


def _open_tag(
    text: str, begin: int, i: int, nested: list[_OpenTag], utf16: int, result_len: int
) -> int:
    tag_end = i
    while _at(text, tag_end) not in _SPACES and _at(text, tag_end) != ">":
        tag_end += 1
    name = text[i:tag_end].lower()
    if name not in SUPPORTED_TAGS:
        raise EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
        )
    argument = ""
    while _at(text, tag_end) != ">":
        while tag_end < len(text) and text[tag_end] in _SPACES:
            tag_end += 1
        if tag_end >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[tag_end] == ">":
            break
        attr_begin = tag_end
        while _at(text, tag_end) not in _SPACES and _at(text, tag_end) not in "=>":
            tag_end += 1
        attr_name = text[attr_begin:tag_end]
        if not attr_name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        while tag_end < len(text) and text[tag_end] in _SPACES:
            tag_end += 1
        if _at(text, tag_end) != "=":
            if tag_end >= len(text):
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if name == "blockquote" and attr_name == "expandable":
                argument = "1"
            continue
        tag_end += 1
        while tag_end < len(text) and text[tag_end] in _SPACES:
            tag_end += 1
        if tag_end >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        value, tag_end = _attribute_value(text, tag_end)
        if tag_end >= len(text):
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if name == "a" and attr_name == "href":
            argument = value
        elif name == "code" and attr_name == "class" and value.startswith("language-"):
            argument = value[9:]
        elif name == "span" and attr_name == "class" and value.startswith("tg-"):
            argument = value[3:]
        elif name == "tg-emoji" and attr_name == "emoji-id":
            argument = value
        elif name == "blockquote" and attr_name == "expandable":
            argument = "1"
    if name == "span" and argument != "spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
        )
    nested.append(_OpenTag(name, argument, utf16, result_len))
    return tag_end + 1


def _attribute_value(text: str, pos: int) -> tuple[str, int]:
    quote = text[pos]
    if quote not in "'\"":
        start = pos
        while _at(text, pos).isascii() and (_at(text, pos).isalnum() or _at(text, pos) in ".-"):
            pos += 1
        if _at(text, pos) not in _SPACES and _at(text, pos) != ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(text, pos)}"
            )
        return text[start:pos].lower(), pos
    pos += 1
    value: list[str] = []
    while pos < len(text) and text[pos] != quote:
        if text[pos] == "&":
            decoded = _decode_entity(text, pos)
            if decoded is not None:
                value.append(decoded[0])
                pos = decoded[1]
                continue
        value.append(text[pos])
        pos += 1
    if pos < len(text):
        pos += 1
    return "".join(value), pos


def _close_tag(
    text: str,
    begin: int,
    i: int,
    nested: list[_OpenTag],
    entities: list[dict],
    utf16: int,
    result: str,
) -> int:
    if not nested:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
    tag_end = i
    while _at(text, tag_end) not in _SPACES and _at(text, tag_end) != ">":
        tag_end += 1
    end_name = text[i + 1 : tag_end]
    while tag_end < len(text) and text[tag_end] in _SPACES:
        tag_end += 1
    if _at(text, tag_end) != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
    opened = nested.pop()
    if end_name and end_name != opened.name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
            f'expected "</{opened.name}>", found "</{end_name}>"'
        )
    if utf16 > opened.utf16_offset:
        _add_entity(opened, utf16 - opened.utf16_offset, entities, result)
    return tag_end + 1


def _add_entity(opened: _OpenTag, length: int, entities: list[dict], result: str) -> None:
    offset = opened.utf16_offset
    name = opened.name
    if name in _SIMPLE_TYPES:
        entities.append({"type": _SIMPLE_TYPES[name], "offset": offset, "length": length})
    elif name == "span":
        entities.append({"type": "spoiler", "offset": offset, "length": length})
    elif name == "tg-emoji":
        if not opened.argument.isdigit() or int(opened.argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": opened.argument,
            }
        )
    elif name == "a":
        url = opened.argument or result[opened.result_pos :]
        user = _USER_LINK.match(url)
        if user:
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""},
                }
            )
        elif (checked := checked_link(url)) is not None:
            entities.append(
                {"type": "text_link", "offset": offset, "length": length, "url": checked}
            )
    elif name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and (last["offset"], last["length"]) == (offset, length)
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif name == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and (last["offset"], last["length"]) == (offset, length)
            and opened.argument
        ):
            last["language"] = opened.argument
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if opened.argument:
                entity["language"] = opened.argument
            entities.append(entity)
    elif name == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def escape_html(text: str) -> str:
    """Escape text the way Telegram expects inside HTML messages."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
