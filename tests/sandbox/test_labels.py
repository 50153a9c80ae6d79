"""Scripts name buttons in English; the sandbox finds them in Kazakh and Russian."""

from __future__ import annotations

import pytest

from bot.sandbox_labels import ButtonLabels
from core.i18n import Translator


@pytest.fixture(scope="module")
def labels() -> ButtonLabels:
    return ButtonLabels(Translator())


@pytest.mark.parametrize(
    ("button", "label", "locale"),
    [
        ("⬅️ Артқа", "⬅️ Back", "kk"),
        ("⬅️ Назад", "⬅️ Back", "ru"),
        ("⬅️ Back", "⬅️ Back", "en"),
        ("Қоғамдық қор", "Public foundation", "kk"),
        # A placeholder's value stays as it is.
        ("Сарапшы №2", "Expert #2", "kk"),
        # Parts joined by code, each translated: the status, the reference, the name.
        (
            "📨 Жіберілді · GR-2026-000001 · Qamqor Foundation",
            "📨 Submitted · GR-2026-000001 · Qamqor Foundation",
            "kk",
        ),
        # Not in any catalog: shown as it is in every language.
        ("children-and-youth (1)", "children-and-youth (1)", "kk"),
    ],
)
def test_a_button_is_found_by_its_english_label(labels, button, label, locale):
    assert labels.shows(button, label, locale)


@pytest.mark.parametrize(
    ("button", "label", "locale"),
    [
        ("⬅️ Назад", "⬅️ Back", "kk"),  # Russian is not Kazakh
        ("Сарапшы №3", "Expert #2", "kk"),  # another expert
        (
            "📨 Жіберілді · GR-2026-000002 · Qamqor Foundation",
            "📨 Submitted · GR-2026-000001 · Qamqor Foundation",
            "kk",
        ),
        ("Алматы облысы", "Almaty", "kk"),  # the region, not the city
    ],
)
def test_a_different_button_is_not_taken_for_it(labels, button, label, locale):
    assert not labels.shows(button, label, locale)
