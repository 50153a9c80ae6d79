"""A text that names a button names it by its label (GLOSSARY.md: "A button that the
text names must carry that exact label"): «Өткізу» for a button labelled
"Өткізіп жіберу ➡️", or «Грантовые темы» for "🔎 Темы грантов", sends people looking
for a button that is not there.

A quoted name («…» in Kazakh and Russian, “…” in English) in a sentence that asks to
press a button or points to a menu section must be the label of a button in that
language: the whole label, or the label without its leading or trailing emoji.
"""

from __future__ import annotations

import re

import pytest

from tests.locales.compiled import LOCALES, button_keys, texts

QUOTED = {"kk": r"«([^«»]+)»", "ru": r"«([^«»]+)»", "en": r"“([^“”]+)”"}
# Words that make a quoted name a button or a menu section.
CUES = {
    "kk": r"батырма|басыңыз|бөлім",
    "ru": r"кнопк|нажмите|раздел",
    "en": r"\bpress\b|\bbutton\b|\btap\b|\bunder\b",
}
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
EMOJI_EDGE = re.compile(r"^[^\w«“]+|[^\w»”)]+$")


def labels(locale: str) -> set[str]:
    catalog = texts(locale)
    found: set[str] = set()
    for key in button_keys():
        for form in catalog[key]:
            found.add(form)
            found.add(EMOJI_EDGE.sub("", form))
    return found


def references(locale: str) -> list[tuple[str, str]]:
    """(key, quoted name) for every quoted name that a sentence calls a button."""
    found = []
    for key, forms in texts(locale).items():
        for form in forms:
            for sentence in SENTENCE.findall(form):
                if not re.search(CUES[locale], sentence, re.I):
                    continue
                for name in re.findall(QUOTED[locale], sentence):
                    if "{" not in name:  # a value: a topic, an organisation
                        found.append((key, name))
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_a_button_named_in_a_text_is_a_real_label(locale):
    known = labels(locale)
    wrong = [(key, name) for key, name in references(locale) if name not in known]
    assert not wrong, f"{locale}: texts name buttons that do not exist: {wrong}"


def test_the_references_are_found():
    """The check sees the references it is about (a check that sees none cannot fail)."""
    assert ("application.attachment_type", "Өткізіп жіберу ➡️") in references("kk")
    assert ("application.apply_usage", "🔎 Темы грантов") in references("ru")
    assert ("broadcast.ask_values", "✅ Done") in references("en")
    assert len(references("kk")) >= 20


def test_a_wrong_name_is_caught():
    assert "Өткізу" not in labels("kk")
    assert "Грантовые темы" not in labels("ru")
    assert "Өткізіп жіберу" in labels("kk")  # the label without its arrow


def test_english_names_a_button_in_quotes():
    """“press Done” with no quotes escapes the check above: quote the label."""
    bare = [
        (key, form)
        for key, forms in texts("en").items()
        for form in forms
        if re.search(r"\b(press|tap) (the )?[A-Z]", form)
    ]
    assert not bare, bare
