"""Phone numbers as NGO staff type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.phone import InvalidPhone, PhoneProblem, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "8 701 123 45 67",
        "+7 (701) 123-45-67",
        "87011234567",
        "7011234567",
        "+77011234567",
        "77011234567",
        "8 (701) 123\u00a045\u00a067",
        " +7 701 123 4567 ",
        "8-701-123-45-67",
    ],
)
def test_usual_spellings_become_one_number(typed: str) -> None:
    assert normalize_phone(typed) == "+77011234567"


def test_a_fixed_line_in_astana() -> None:
    assert normalize_phone("8 (7172) 55-66-77") == "+77172556677"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", PhoneProblem.EMPTY),
        ("   ", PhoneProblem.EMPTY),
        ("8 701 123 45 6x", PhoneProblem.CHARACTERS),
        ("701+1234567", PhoneProblem.CHARACTERS),
        ("+", PhoneProblem.CHARACTERS),
        ("8 701 123 45", PhoneProblem.LENGTH),
        ("8 701 123 45 678", PhoneProblem.LENGTH),
        ("+7 701 123 45", PhoneProblem.LENGTH),
        ("97011234567", PhoneProblem.LENGTH),
        ("+8 701 123 45 67", PhoneProblem.NOT_KAZAKHSTAN),
        ("+380 44 123 4567", PhoneProblem.NOT_KAZAKHSTAN),
        ("+7 912 123 45 67", PhoneProblem.NOT_KAZAKHSTAN),  # a Russian mobile
        ("8 495 123 45 67", PhoneProblem.NOT_KAZAKHSTAN),  # Moscow
    ],
)
def test_other_input_is_refused_with_a_reason(typed: str, reason: PhoneProblem) -> None:
    with pytest.raises(InvalidPhone) as refusal:
        normalize_phone(typed)
    assert refusal.value.reason is reason


@given(
    national=st.from_regex(r"7[0-9]{9}", fullmatch=True), prefix=st.sampled_from(["8", "+7", ""])
)
def test_normalising_is_idempotent(national: str, prefix: str) -> None:
    phone = normalize_phone(prefix + national)
    assert phone == "+7" + national
    assert normalize_phone(phone) == phone
