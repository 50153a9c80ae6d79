"""Button labels fit a phone: at most 30 characters in a one-column keyboard, about 18
in a two-column one (GLOSSARY.md, "Button labels stay short").

Every label must fit one column. Two-column grids (areas, regions, the fields of a
filing or a topic, Row pairs) hold labels that are mostly the official names of
things; those still wider than 18 are listed in KNOWN_WIDE, and the list may only
shrink: a label that grows past 18 fails, and so does an entry no longer needed.
"""

from __future__ import annotations

import pytest

from tests.locales.compiled import (
    LOCALES,
    button_keys,
    is_two_column,
    rendered,
    texts,
    visible_length,
)

ONE_COLUMN = 30
TWO_COLUMNS = 18

KNOWN_WIDE: dict[str, set[str]] = {
    "area.children_and_youth": {"kk", "ru", "en"},
    "area.expert_communities": {"kk", "ru"},
    "area.gender_equality": {"ru"},
    "area.kazakh_identity": {"kk", "ru"},
    "area.national_dialogue": {"ru"},
    "area.public_councils": {"ru"},
    "area.social_support": {"ru"},
    "directory.filter_area": {"ru"},
    "field.edit.legal_form": {"kk", "ru"},
    "field.edit.name_alt": {"kk", "ru", "en"},
    "field.edit.public_listing": {"kk", "en"},
    "filing.field.income_donations": {"kk", "ru", "en"},
    "filing.field.income_own": {"ru"},
    "filing.field.income_state_grants": {"kk", "ru"},
    "filing.field.income_state_order": {"kk", "en"},
    "filing.field.projects": {"kk", "ru", "en"},
    "filing.field.staff_count": {"ru"},
    "region.akmola": {"ru"},
    "region.aktobe": {"ru"},
    "region.almaty_region": {"ru"},
    "region.east_kazakhstan": {"kk", "ru", "en"},
    "region.karaganda": {"ru"},
    "region.kostanay": {"ru"},
    "region.kyzylorda": {"ru"},
    "region.mangystau": {"ru"},
    "region.north_kazakhstan": {"kk", "ru", "en"},
    "region.pavlodar": {"ru"},
    "region.turkistan": {"ru"},
    "region.west_kazakhstan": {"kk", "ru", "en"},
    "topic_admin.field.budget_max": {"ru"},
    "topic_admin.field.closes_at": {"kk"},
    "topic_admin.field.description_en": {"kk", "ru", "en"},
    "topic_admin.field.description_kk": {"kk", "ru", "en"},
    "topic_admin.field.description_ru": {"kk", "en"},
    "topic_admin.field.opens_at": {"kk"},
    "topic_admin.field.title_en": {"ru"},
    "topic_admin.field.title_kk": {"ru"},
}


def test_the_buttons_are_found():
    keys = button_keys()
    assert {"common.skip", "menu.topics", "area.education", "field.edit.bin"} <= keys
    assert "input.choose_button" not in keys  # a sentence, not a label


@pytest.mark.parametrize("locale", LOCALES)
def test_every_button_label_fits_one_column(locale):
    catalog = texts(locale)
    too_long = [
        (key, form)
        for key in sorted(button_keys())
        for form in catalog[key]
        if visible_length(rendered(form)) > ONE_COLUMN
    ]
    assert not too_long, f"{locale}: labels over {ONE_COLUMN} characters: {too_long}"


@pytest.mark.parametrize("locale", LOCALES)
def test_two_column_labels_fit_half_a_row(locale):
    catalog = texts(locale)
    wide = {
        key
        for key in button_keys()
        if is_two_column(key)
        and any(visible_length(rendered(form)) > TWO_COLUMNS for form in catalog[key])
    }
    known = {key for key, locales in KNOWN_WIDE.items() if locale in locales}
    assert wide - known == set(), f"{locale}: two-column labels over {TWO_COLUMNS}"
    assert known - wide == set(), f"{locale}: KNOWN_WIDE lists labels that now fit"
