from __future__ import annotations

import pytest

from domain.money import AmountProblem, InvalidAmount, parse_tenge


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
        ("1500000.5", AmountProblem.FRACTION),
        ("полтора миллиона", AmountProblem.NOT_A_NUMBER),
        ("1 50 000", AmountProblem.NOT_A_NUMBER),
        ("-5000", AmountProblem.NOT_A_NUMBER),
        ("1e6", AmountProblem.NOT_A_NUMBER),
        ("١٠٠", AmountProblem.NOT_A_NUMBER),
        ("9" * 13, AmountProblem.TOO_LARGE),
    ],
)
def test_what_is_not_a_whole_amount_is_refused(typed: str, reason: AmountProblem) -> None:
    with pytest.raises(InvalidAmount) as refusal:
        parse_tenge(typed)
    assert refusal.value.reason is reason
