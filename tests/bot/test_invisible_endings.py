"""The invisible ending aiogram-dialog would take for a reply button's data is
cut; nothing else of a text is touched (bot/middlewares/invisible_endings.py)."""

from __future__ import annotations

from aiogram_dialog.utils import REPLY_CALLBACK_SYMBOLS, split_reply_callback
from hypothesis import given
from hypothesis import strategies as st

from bot.middlewares.invisible_endings import without_invisible_ending

MARKS = st.text(alphabet=REPLY_CALLBACK_SYMBOLS)


@given(st.text(), MARKS)
def test_aiogram_dialog_finds_no_button_data_left(text, ending):
    kept = without_invisible_ending(text + ending)
    assert (text + ending).startswith(kept)
    try:
        _, data = split_reply_callback(kept)
    except UnicodeDecodeError:  # what aiogram-dialog raises on marks that don't decode
        data = "undecodable"
    assert not data


@given(st.text(), MARKS.filter(lambda marks: len(marks) < 2))
def test_text_with_at_most_one_mark_at_the_end_is_kept_whole(text, ending):
    if len(ending) == 1 and text[-1:] in REPLY_CALLBACK_SYMBOLS:
        ending = ""
    assert without_invisible_ending(text + ending) == text + ending


def test_examples():
    assert without_invisible_ending("Қамқор\u00ad\u00ad") == "Қамқор"
    assert without_invisible_ending("a\u200db\u2060\u2061\u2062") == "a\u200db"
    assert without_invisible_ending("soft\u00adhyphen\u00ad") == "soft\u00adhyphen\u00ad"
    assert without_invisible_ending("\u200c\u200d") == ""
