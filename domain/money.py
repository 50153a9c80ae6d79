"""Reading an amount of tenge as people type it: see `domain.text_input`."""

from __future__ import annotations

from domain.text_input import LIMITS, NumberKind, read_money

# Far above any grant (a long-term grant starts at 10,000 MCI, about 40 million tenge):
# it stops a pasted account number from passing as an amount.
MAX_AMOUNT_KZT = LIMITS[NumberKind.MONEY]

# Whole tenge from "1 500 000", "1500000 ₸", "1,500,000 тг" or "4 500 000,00".
parse_tenge = read_money

__all__ = ["MAX_AMOUNT_KZT", "parse_tenge"]
