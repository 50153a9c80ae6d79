from __future__ import annotations

import pytest

from domain.money import parse_tenge
from domain.text_input import InvalidNumber
from domain.text_input import NumberProblem as AmountProblem


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1500000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1\u00a0500\u00a0000 ₸", 1_500_000),
        ("1,500,000 тг", 1_500_000),
        ("2 000 000 теңге", 2_000_000),
        ("750 000 KZT", 750_000),
        ("0", 0),
        ("4 500 000,00", 4_500_000),
        ("4\u2009500\u2009000 тенге", 4_500_000),
    ],
)
def test_amounts_as_people_type_them(typed: str, amount: int) -> None:
    assert parse_tenge(typed) == amount


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", AmountProblem.EMPTY),
        ("₸", AmountProblem.EMPTY),
        ("1 500 000,50", AmountProblem.FRACTION),
        ("$1500", AmountProblem.WRONG_UNIT),
        ("1500000.5", AmountProblem.FRACTION),
        ("полтора миллиона", AmountProblem.NOT_A_NUMBER),
        ("1 50 000", AmountProblem.NOT_A_NUMBER),
        ("-5000", AmountProblem.NEGATIVE),
        ("1e6", AmountProblem.NOT_A_NUMBER),
        ("١٠٠", AmountProblem.NOT_A_NUMBER),
        ("9" * 13, AmountProblem.TOO_LARGE),
    ],
)
def test_what_is_not_a_whole_amount_is_refused(typed: str, reason: AmountProblem) -> None:
    with pytest.raises(InvalidNumber) as refusal:
        parse_tenge(typed)
    assert refusal.value.reason is reason
