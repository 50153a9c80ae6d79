"""Every message exists in every language, with the same placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import Translator, placeholders
from bot.locale_codes import SUPPORTED_LOCALES
from locales import catalog_path

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Texts that are the same in every language on purpose.
SAME_EVERYWHERE = {"language.prompt", "language.name.kk", "language.name.ru", "language.name.en"}


def catalog(locale: str):
    with catalog_path(locale).open("rb") as po_file:
        return read_po(po_file, locale=locale)


def entries(locale: str) -> dict[str, tuple[str, ...]]:
    found = {}
    for message in catalog(locale):
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        found[key] = forms
    return found


def test_every_message_id_is_translated_in_every_locale():
    by_locale = {locale: entries(locale) for locale in SUPPORTED_LOCALES}
    all_keys = set().union(*by_locale.values())
    for locale, found in by_locale.items():
        missing = sorted(all_keys - set(found))
        empty = sorted(k for k, forms in found.items() if not all(f.strip() for f in forms))
        assert not missing, f"{locale} lacks {missing}"
        assert not empty, f"{locale} has empty translations for {empty}"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_placeholders_match_english(locale):
    english = entries("en")
    for key, forms in entries(locale).items():
        expected = set().union(*(placeholders(f) for f in english[key]))
        for form in forms:
            assert placeholders(form) == expected, f"{locale}:{key} placeholders differ"


def test_plural_messages_have_every_form_of_their_language():
    expected_forms = {"kk": 2, "ru": 3, "en": 2}
    for locale in SUPPORTED_LOCALES:
        for message in catalog(locale):
            if message.pluralizable:
                assert len(message.string) == expected_forms[locale], f"{locale}:{message.id[0]}"


def test_kazakh_is_kazakh():
    """A Kazakh text in Cyrillic that is longer than a few words uses Kazakh letters."""
    for key, forms in entries("kk").items():
        if key in SAME_EVERYWHERE:
            continue
        for form in forms:
            words = re.findall(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]+", form)
            if len(words) >= 4:
                assert KAZAKH_LETTERS & set(form), f"kk:{key} looks Russian: {form!r}"


def test_kazakh_differs_from_russian():
    russian = entries("ru")
    for key, forms in entries("kk").items():
        if key not in SAME_EVERYWHERE:
            assert forms != russian[key], f"kk:{key} is a copy of the Russian text"


def test_html_in_every_message_is_balanced():
    tag = re.compile(r"</?([a-z-]+)[^>]*>")
    for locale in SUPPORTED_LOCALES:
        for key, forms in entries(locale).items():
            for form in forms:
                opened = [m.group(1) for m in tag.finditer(form) if not m.group(0).startswith("</")]
                closed = [m.group(1) for m in tag.finditer(form) if m.group(0).startswith("</")]
                assert sorted(opened) == sorted(closed), f"{locale}:{key} has unbalanced HTML"


def test_translator_escapes_parameters_and_falls_back():
    translator = Translator()
    assert translator.get("language.chosen", "en", language="<i>") == "✅ Language: &lt;i&gt;"
    assert translator.get("no.such.key", "kk") == "no.such.key"
