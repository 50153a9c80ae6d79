"""Screens cut to Telegram's limits, checked against the emulator's own HTML parser
(a copy of tdlib's), which is what counts the characters in the end-to-end tests."""

from __future__ import annotations

import html

from aiogram.types import Chat
from aiogram_dialog.api.entities import MediaAttachment, NewMessage
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogs.message_manager import fitted
from bot.screen_fit import ELLIPSIS, clip, fit_lines, shorten, visible_length
from emulator.formatting import format_text
from emulator.html_entities import utf16_len

# Letters Telegram users type: Kazakh, Russian, Latin, emoji outside the BMP, markup.
typed = st.lists(
    st.sampled_from([*"әғқңөұүһіАаЯяzZ <>&\"'\n", "😀", "👍🏽", "&amp;"]), max_size=400
).map("".join)


@st.composite
def screens(draw) -> str:
    """A screen as the catalogs build one: tags around escaped user text."""
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        text = html.escape(draw(typed), quote=False)
        tag = draw(st.sampled_from(["", "b", "i", "code"]))
        parts.append(f"<{tag}>{text}</{tag}>" if tag else text)
    return "\n".join(parts)


def telegram_length(text: str) -> int:
    plain, _entities = format_text(text, "HTML", None)
    return utf16_len(plain)


@given(screens())
def test_the_measured_length_is_telegrams(text):
    if visible_length(text):
        assert visible_length(text) == telegram_length(text)


@given(screens(), st.integers(10, 300))
def test_a_shortened_screen_parses_and_fits(text, limit):
    cut = shorten(text, limit)
    if cut != text:
        assert cut.endswith(ELLIPSIS) or "</" in cut
    if visible_length(cut):
        assert telegram_length(cut) <= limit
    assert visible_length(cut) <= limit


def test_a_screen_that_fits_is_left_alone():
    text = "<b>Қамқор &amp; Co</b>\n" + "я" * 100
    assert shorten(text, 4096) == text


def test_a_long_list_says_how_many_are_left_out():
    lines = [f"{n}. <b>{'ж' * 200}</b>" for n in range(1, 31)]
    shown = fit_lines(lines, 1000, lambda count: f"… and {count} more")
    assert visible_length(shown) <= 1000
    kept = shown.count("<b>")
    assert shown.endswith(f"… and {30 - kept} more")
    assert kept == 4


@given(typed, st.integers(0, 300))
def test_a_clipped_value_fits_and_keeps_its_start(value, limit):
    clipped = clip(value, limit)
    assert utf16_len(clipped) <= limit
    if clipped != value and clipped:
        assert clipped.endswith(ELLIPSIS)
        assert value.startswith(clipped.removesuffix(ELLIPSIS))


def test_the_dialogs_cut_a_window_text_at_4096_and_a_caption_at_1024():
    chat = Chat(id=1, type="private")
    long = "<b>Қамқор</b> " + "ж" * 5000
    assert telegram_length(fitted(NewMessage(chat=chat, text=long)).text) == 4096
    photo = MediaAttachment(type="photo", url="https://ngo.kz/a.png")
    captioned = fitted(NewMessage(chat=chat, text=long, media=photo)).text
    assert visible_length(captioned) == 1024
    short = NewMessage(chat=chat, text="<b>Қамқор</b>")
    assert fitted(short) is short
