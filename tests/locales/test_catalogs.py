"""Every message exists in every language, with the same placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from core.i18n import Translator, placeholders
from core.locale_codes import SUPPORTED_LOCALES
from locales import catalog_files

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Texts that are the same in every language on purpose.
SAME_EVERYWHERE = {"language.prompt", "language.name.kk", "language.name.ru", "language.name.en"}


def catalogs(locale: str):
    for path in catalog_files(locale):
        with path.open("rb") as po_file:
            yield path.name, read_po(po_file, locale=locale)


def messages(locale: str):
    for _name, catalog in catalogs(locale):
        for message in catalog:
            if message.id:
                yield message


def entries(locale: str) -> dict[str, tuple[str, ...]]:
    found = {}
    for message in messages(locale):
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        found[key] = forms
    return found


def test_every_locale_has_the_same_catalog_files():
    names = {locale: [name for name, _ in catalogs(locale)] for locale in SUPPORTED_LOCALES}
    assert names["kk"] == names["ru"] == names["en"]
    assert names["en"], "no catalogs found"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_message_id_is_defined_twice(locale):
    seen: dict[str, str] = {}
    for name, catalog in catalogs(locale):
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            assert key not in seen, f"{locale}:{key} is in both {seen[key]} and {name}"
            seen[key] = name


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
        for message in messages(locale):
            if message.pluralizable:
                assert len(message.string) == expected_forms[locale], f"{locale}:{message.id[0]}"


RUSSIAN_FUNCTION_WORDS = {
    "и",
    "в",
    "во",
    "на",
    "для",
    "что",
    "или",
    "это",
    "по",
    "с",
    "со",
    "от",
    "к",
    "у",
    "из",
    "до",
    "вы",
    "ваш",
    "ваша",
    "ваши",
    "вам",
    "как",
    "если",
    "есть",
    "нет",
    "все",
    "уже",
    "при",
    "о",
    "об",
    "за",
    "чтобы",
    "только",
    "можно",
    "нужно",
    "будет",
}


def looks_russian(text: str) -> bool:
    """Cyrillic with no Kazakh letter and a Russian function word (Kazakh has none of them)."""
    words = [w.lower() for w in re.findall(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]+", text)]
    if len(words) < 4 or KAZAKH_LETTERS & set(text):
        return False
    return any(word in RUSSIAN_FUNCTION_WORDS for word in words)


def test_the_russian_detector_itself():
    assert looks_russian("Выберите один из вариантов кнопками ниже.")
    assert not looks_russian("<b>Байланыс телефоны</b>, мысалы +7 701 немесе 8 701.")


def test_kazakh_is_kazakh():
    for key, forms in entries("kk").items():
        if key in SAME_EVERYWHERE:
            continue
        for form in forms:
            assert not looks_russian(form), f"kk:{key} looks Russian: {form!r}"


def test_kazakh_differs_from_russian():
    """Names and loanwords ("Астана", "Медиация") may match; sentences may not."""
    russian = entries("ru")
    for key, forms in entries("kk").items():
        if key in SAME_EVERYWHERE or all(len(form.split()) < 3 for form in forms):
            continue
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
