"""The folded search column: Kazakh, Russian and Latin names match regardless of case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.search import fold_for_search


def test_kazakh_case_variants_fold_together() -> None:
    assert fold_for_search("ҚАМҚОР") == fold_for_search("қамқор") == fold_for_search("Қамқор")
    assert fold_for_search("ҚАМҚОР") == "қамқор"


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        ("Ә", "ә"),
        ("Ғ", "ғ"),
        ("Қ", "қ"),
        ("Ң", "ң"),
        ("Ө", "ө"),
        ("Ұ", "ұ"),
        ("Ү", "ү"),
        ("Һ", "һ"),
        ("І", "і"),
    ],
)
def test_every_kazakh_letter_has_its_case_folded(upper: str, lower: str) -> None:
    assert fold_for_search(upper) == lower


def test_kazakh_letters_are_not_confused_with_russian_ones() -> None:
    # Қ and К are different letters: "қазақ" and "казак" are different words.
    assert fold_for_search("Қазақ") != fold_for_search("Казак")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ёлка", "елка"),
        ("ЗЕЛЁНЫЙ", "зеленый"),
        ("Civil  Initiatives\tSupport\nCentre", "civil initiatives support centre"),
        ("  Жастар   орталығы ", "жастар орталығы"),
        ("Қам\u200bқор", "қамқор"),
        ("\ufeffҚамқор\u00ad", "қамқор"),
        ("ＮＧＯ", "ngo"),  # full-width letters
        ("Straße", "strasse"),
    ],
)
def test_folding(typed: str, stored: str) -> None:
    assert fold_for_search(typed) == stored


def test_decomposed_letters_fold_like_composed_ones() -> None:
    assert fold_for_search("Й") == fold_for_search("И\u0306")


@given(st.text())
def test_folding_is_idempotent(text: str) -> None:
    once = fold_for_search(text)
    assert fold_for_search(once) == once


@given(st.text(alphabet="АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ ", max_size=30))
def test_upper_and_lower_kazakh_fold_together(word: str) -> None:
    assert fold_for_search(word) == fold_for_search(word.lower())
