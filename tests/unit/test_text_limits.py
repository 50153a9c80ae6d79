from __future__ import annotations

import pytest

from domain.text_limits import (
    ACTIVITIES_LIMIT,
    APPLICATION_TITLE_LIMIT,
    EXPECTED_RESULTS_LIMIT,
    ORGANISATION_DESCRIPTION_LIMIT,
    PROBLEM_LIMIT,
    InvalidText,
    TextProblem,
    check_length,
    clean_user_text,
)


def test_the_limits() -> None:
    assert APPLICATION_TITLE_LIMIT == 150
    assert PROBLEM_LIMIT == EXPECTED_RESULTS_LIMIT == 1000
    assert ACTIVITIES_LIMIT == 1500
    assert ORGANISATION_DESCRIPTION_LIMIT == 1000


def test_exactly_the_limit_is_accepted_and_one_more_refused() -> None:
    check_length("қ" * APPLICATION_TITLE_LIMIT, APPLICATION_TITLE_LIMIT)
    with pytest.raises(InvalidText) as refusal:
        check_length("қ" * (APPLICATION_TITLE_LIMIT + 1), APPLICATION_TITLE_LIMIT)
    assert refusal.value.reason is TextProblem.TOO_LONG
    assert dict(refusal.value.params) == {"limit": 150, "count": 151}


def test_blank_text_is_refused_only_when_required() -> None:
    with pytest.raises(InvalidText) as refusal:
        check_length("  \n ", 150)
    assert refusal.value.reason is TextProblem.EMPTY
    check_length("", 150, required=False)


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("  Жобаның мақсаты  ", "Жобаның мақсаты"),
        ("Бірінші жол\r\nЕкінші жол", "Бірінші жол\nЕкінші жол"),
        ("Line one   \nLine two", "Line one\nLine two"),
        ("tab\there", "tab here"),
        ("bell\x07 and null\x00", "bell and null"),
        ("safe\u202etxt.exe", "safetxt.exe"),
        ("isolate\u2066d\u2069", "isolated"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("И\u0306", "Й"),
    ],
)
def test_cleaning(typed: str, cleaned: str) -> None:
    assert clean_user_text(typed) == cleaned


@pytest.mark.parametrize(
    "legitimate",
    [
        "Қамқор қоғамдық қоры\n\nБалалар құқықтарын қорғау",
        "Ёлки — «ёлочки» № 5, 100%",
        "Family 👨\u200d👩\u200d👧 emoji",
        "Emphasis *kept* and <b>tags</b> too",
    ],
)
def test_cleaning_keeps_legitimate_text(legitimate: str) -> None:
    assert clean_user_text(legitimate) == legitimate
