"""Telegram's HTML parse mode, as tdlib parses it."""

from __future__ import annotations

import pytest

from emulator import EntityParseError, parse_html
from emulator.markdown_v2 import escape_markdown_v2, parse_markdown_v2


def test_plain_text_and_nested_entities():
    text, entities = parse_html('<b>Bold <i>both</i></b> <a href="https://e.kz">link</a>')
    assert text == "Bold both link"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://e.kz/"},
    ]


def test_entities_are_decoded_and_bare_ampersand_stays():
    text, entities = parse_html("a &lt;b&gt; &amp; &quot;q&quot; &#65;&#x42; AT&T &unknown;")
    assert text == 'a <b> & "q" AB AT&T &unknown;'
    assert entities == []


def test_offsets_are_utf16_code_units():
    text, entities = parse_html("😀 <b>Сәлем</b>")
    assert text == "😀 Сәлем"
    assert entities == [{"type": "bold", "offset": 3, "length": 5}]


def test_pre_with_language_and_spoilers_and_quotes():
    html = (
        '<pre><code class="language-python">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
        "<blockquote expandable>q</blockquote><code>c</code>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(html)
    assert text == "x = 1stqc👍"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 5, "length": 1},
        {"type": "spoiler", "offset": 6, "length": 1},
        {"type": "expandable_blockquote", "offset": 7, "length": 1},
        {"type": "code", "offset": 8, "length": 1},
        {
            "type": "custom_emoji",
            "offset": 9,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Сәлем <br>", 'Unsupported start tag "br" at byte offset 11'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("text</b>", "Unexpected end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_errors_use_telegram_wording(html, reason):
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert str(caught.value) == reason


def test_markdown_v2_minimal():
    text, entities = parse_markdown_v2("*bold* and _it_ \\. [l](https://e.kz)")
    assert text == "bold and it . l"
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link"]
    with pytest.raises(EntityParseError, match="reserved"):
        parse_markdown_v2("Price: 5.00")
    assert parse_markdown_v2(escape_markdown_v2("a.b-c!"))[0] == "a.b-c!"
