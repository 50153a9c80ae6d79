"""Grant types, their lengths and amounts, and the budget caps of an application.

Money is whole tenge in ``int``: a float would turn 10% of a budget into
199999.99999 and refuse a correct amount. The MCI (monthly calculation index)
is set by the budget law each year: `MCI_KZT_BY_YEAR` holds the known values,
and a grant type's bounds in tenge are those of the year that matters (the topic's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.errors import RuleViolation

# From the project brief, not the law: a setting whose default is this value.
DEFAULT_INSTITUTIONAL_PERCENT = 10


class GrantType(StrEnum):
    SHORT_TERM = "short_term"
    MEDIUM_TERM = "medium_term"
    LONG_TERM = "long_term"


@dataclass(frozen=True)
class GrantTerms:
    """Inclusive bounds; ``max_mci`` is None where the law sets no ceiling."""

    min_months: int
    max_months: int
    min_mci: int
    max_mci: int | None


# The law says "3 months to 1 year", "1 to 2 years", "2 to 3 years": each bound
# belongs to both neighbours, so 12 and 24 months fit two types. That is harmless
# (the topic fixes the type; the length only has to fit it), and refusing 12
# months for a short-term grant would contradict the law's wording.
GRANT_TERMS = MappingProxyType(
    {
        GrantType.SHORT_TERM: GrantTerms(3, 12, 500, 3_000),
        GrantType.MEDIUM_TERM: GrantTerms(12, 24, 3_000, 10_000),
        GrantType.LONG_TERM: GrantTerms(24, 36, 10_000, None),
    }
)


# The MCI in tenge by year, as the budget law sets it: add the new year's value
# when the law is passed. The setting MCI_KZT_BY_YEAR replaces this table.
MCI_KZT_BY_YEAR = MappingProxyType({2025: 3_932, 2026: 4_325})


class GrantProblem(StrEnum):
    DURATION = "duration"
    AMOUNT_TOO_LOW = "amount_too_low"
    AMOUNT_TOO_HIGH = "amount_too_high"


class InvalidGrant(RuleViolation):
    def __init__(self, reason: GrantProblem, **params: int | str) -> None:
        super().__init__(reason, **params)


class BudgetProblem(StrEnum):
    NOT_POSITIVE = "not_positive"
    BELOW_MIN = "below_min"
    ABOVE_MAX = "above_max"
    INSTITUTIONAL_NEGATIVE = "institutional_negative"
    INSTITUTIONAL_TOO_HIGH = "institutional_too_high"


class InvalidBudget(RuleViolation):
    def __init__(self, reason: BudgetProblem, **params: int | str) -> None:
        super().__init__(reason, **params)


def mci_to_kzt(mci: int, mci_value: int) -> int:
    """Tenge for an amount in MCI, at the year's MCI value (itself whole tenge)."""
    _require_whole(mci, "mci")
    _require_whole(mci_value, "mci_value")
    if mci_value <= 0:
        raise ValueError("the MCI value must be positive")
    return mci * mci_value


def check_duration(months: int, grant_type: GrantType) -> None:
    """A length fits a type when min_months <= months <= max_months."""
    _require_whole(months, "months")
    terms = GRANT_TERMS[grant_type]
    if not terms.min_months <= months <= terms.max_months:
        raise InvalidGrant(GrantProblem.DURATION, min=terms.min_months, max=terms.max_months)


def mci_for_year(year: int, table: Mapping[int, int] = MCI_KZT_BY_YEAR) -> int:
    """The MCI in tenge of ``year``.

    A year after the table's last takes the last known value (next year's budget
    law may not be in the table yet, and the bot must keep working); a year
    before its first takes the first. An empty table is a bug: the settings refuse it.
    """
    if not table:
        raise ValueError("the MCI table is empty")
    known = sorted(table)
    if year in table:
        return table[year]
    return table[known[-1]] if year > known[-1] else table[known[0]]


def check_mci_table(table: Mapping[int, int]) -> None:
    """Refuse a table the bot cannot use, with a one-line reason (read at start-up)."""
    if not table:
        raise ValueError('needs at least one year, like {"2026": 4325}')
    for year, value in table.items():
        if not 1992 <= year <= 2100:
            raise ValueError(f"{year} is not a year of the tenge")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"the MCI of {year} must be a positive whole number of tenge")


def grant_amount_range(grant_type: GrantType, mci_value: int) -> tuple[int, int | None]:
    """The type's (min, max) in tenge for the year's MCI; max is None for no ceiling."""
    terms = GRANT_TERMS[grant_type]
    ceiling = None if terms.max_mci is None else mci_to_kzt(terms.max_mci, mci_value)
    return mci_to_kzt(terms.min_mci, mci_value), ceiling


def check_grant_amount(amount: int, grant_type: GrantType, mci_value: int) -> None:
    _require_whole(amount, "amount")
    low, high = grant_amount_range(grant_type, mci_value)
    if amount < low:
        raise InvalidGrant(GrantProblem.AMOUNT_TOO_LOW, min=low)
    if high is not None and amount > high:
        raise InvalidGrant(GrantProblem.AMOUNT_TOO_HIGH, max=high)


def check_budget(total: int, topic_min: int, topic_max: int | None) -> None:
    """An application's total must lie within its topic's bounds, both inclusive."""
    _require_whole(total, "total")
    if total <= 0:
        raise InvalidBudget(BudgetProblem.NOT_POSITIVE)
    if total < topic_min:
        raise InvalidBudget(BudgetProblem.BELOW_MIN, min=topic_min)
    if topic_max is not None and total > topic_max:
        raise InvalidBudget(BudgetProblem.ABOVE_MAX, max=topic_max)


def max_institutional_amount(total: int, percent: int = DEFAULT_INSTITUTIONAL_PERCENT) -> int:
    """The most tenge of ``total`` that may go to institutional development (rounded down).

    Rounding down keeps the cap a promise: a tenge above it is always over the percentage.
    """
    _require_whole(total, "total")
    _check_percent(percent)
    return total * percent // 100


def check_institutional(
    amount: int, total: int, percent: int = DEFAULT_INSTITUTIONAL_PERCENT
) -> None:
    _require_whole(amount, "amount")
    if amount < 0:
        raise InvalidBudget(BudgetProblem.INSTITUTIONAL_NEGATIVE)
    cap = max_institutional_amount(total, percent)
    if amount > cap:
        raise InvalidBudget(BudgetProblem.INSTITUTIONAL_TOO_HIGH, max=cap, percent=percent)


def _check_percent(percent: int) -> None:
    _require_whole(percent, "percent")
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")


def _require_whole(value: int, name: str) -> None:
    # A float or bool here is a programming error, not a user's mistake: fail loudly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
