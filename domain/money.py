"""Reading an amount of tenge as people type it."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import RuleViolation

# Far above any grant (a long-term grant starts at 10,000 MCI, about 40 million tenge):
# it stops a pasted account number from passing as an amount.
MAX_AMOUNT_KZT = 10**12

# Group separators: spaces of every width, apostrophes and commas between groups of three.
_GROUPED = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f\u2009',][0-9]{3})+")
_CURRENCY = re.compile(r"(?:₸|тг\.?|тенге|теңге|kzt)$", re.IGNORECASE)


class AmountProblem(StrEnum):
    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    FRACTION = "fraction"
    TOO_LARGE = "too_large"


class InvalidAmount(RuleViolation):
    def __init__(self, reason: AmountProblem, **params: int | str) -> None:
        super().__init__(reason, **params)


def parse_tenge(raw: str) -> int:
    """Whole tenge from "1 500 000", "1500000 ₸" or "1,500,000 тг".

    Tiyn are refused rather than rounded: budgets are planned in whole tenge,
    and silently dropping a part would change what the NGO signed.
    """
    text = _CURRENCY.sub("", raw.strip()).strip()
    if not text:
        raise InvalidAmount(AmountProblem.EMPTY)
    if text.isascii() and text.isdigit():
        digits = text
    elif _GROUPED.fullmatch(text):
        digits = re.sub(r"\D", "", text)
    elif re.fullmatch(r"[0-9 \u00a0\u202f\u2009',]+[.,][0-9]{1,2}", text):
        raise InvalidAmount(AmountProblem.FRACTION)
    else:
        raise InvalidAmount(AmountProblem.NOT_A_NUMBER)
    amount = int(digits)
    if amount > MAX_AMOUNT_KZT:
        raise InvalidAmount(AmountProblem.TOO_LARGE, max=MAX_AMOUNT_KZT)
    return amount
