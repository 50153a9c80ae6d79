"""Grant lengths, amounts and the budget caps of an application."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.grants import (
    GRANT_TERMS,
    MCI_KZT_BY_YEAR,
    BudgetProblem,
    GrantProblem,
    GrantType,
    InvalidBudget,
    InvalidGrant,
    check_budget,
    check_duration,
    check_grant_amount,
    check_institutional,
    check_mci_table,
    grant_amount_range,
    max_institutional_amount,
    mci_for_year,
    mci_to_kzt,
)

MCI_2026 = 4_325  # tenge; the value is a setting, this is only test data
TOPIC_MIN = 5_000_000
TOPIC_MAX = 12_000_000


def budget_problem(total: int, topic_max: int | None = TOPIC_MAX) -> BudgetProblem:
    with pytest.raises(InvalidBudget) as refusal:
        check_budget(total, TOPIC_MIN, topic_max)
    return refusal.value.reason


def test_the_budget_may_be_exactly_the_topic_minimum_or_maximum() -> None:
    check_budget(TOPIC_MIN, TOPIC_MIN, TOPIC_MAX)
    check_budget(TOPIC_MAX, TOPIC_MIN, TOPIC_MAX)


def test_one_tenge_outside_the_topic_bounds_is_refused() -> None:
    assert budget_problem(TOPIC_MIN - 1) is BudgetProblem.BELOW_MIN
    assert budget_problem(TOPIC_MAX + 1) is BudgetProblem.ABOVE_MAX


def test_the_refusal_names_the_bound() -> None:
    with pytest.raises(InvalidBudget) as refusal:
        check_budget(TOPIC_MAX + 1, TOPIC_MIN, TOPIC_MAX)
    assert dict(refusal.value.params) == {"max": TOPIC_MAX}
    assert refusal.value.code == "budget.above_max"


def test_a_topic_without_a_ceiling() -> None:
    check_budget(10**11, TOPIC_MIN, None)


@pytest.mark.parametrize("total", [0, -1])
def test_the_budget_must_be_positive(total: int) -> None:
    assert budget_problem(total) is BudgetProblem.NOT_POSITIVE


def test_money_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        check_budget(5_000_000.0, TOPIC_MIN, TOPIC_MAX)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        max_institutional_amount(True)  # type: ignore[arg-type]


def test_exactly_ten_percent_may_go_to_institutional_development() -> None:
    check_institutional(1_000_000, 10_000_000)
    check_institutional(0, 10_000_000)


def test_ten_percent_and_one_tenge_is_refused() -> None:
    with pytest.raises(InvalidBudget) as refusal:
        check_institutional(1_000_001, 10_000_000)
    assert refusal.value.reason is BudgetProblem.INSTITUTIONAL_TOO_HIGH
    assert dict(refusal.value.params) == {"max": 1_000_000, "percent": 10}


def test_the_cap_rounds_down_to_a_whole_tenge() -> None:
    assert max_institutional_amount(10_000_009) == 1_000_000
    check_institutional(1_000_000, 10_000_009)
    with pytest.raises(InvalidBudget):
        check_institutional(1_000_001, 10_000_009)


def test_the_percentage_is_a_setting() -> None:
    assert max_institutional_amount(10_000_000, percent=15) == 1_500_000
    check_institutional(1_500_000, 10_000_000, percent=15)
    with pytest.raises(ValueError):
        max_institutional_amount(10_000_000, percent=101)


def test_negative_institutional_amounts_are_refused() -> None:
    with pytest.raises(InvalidBudget) as refusal:
        check_institutional(-1, 10_000_000)
    assert refusal.value.reason is BudgetProblem.INSTITUTIONAL_NEGATIVE


@given(total=st.integers(0, 10**12), percent=st.integers(0, 100))
def test_the_cap_is_the_largest_amount_within_the_percentage(total: int, percent: int) -> None:
    cap = max_institutional_amount(total, percent)
    assert cap * 100 <= total * percent < (cap + 1) * 100
    check_institutional(cap, total, percent)
    with pytest.raises(InvalidBudget):
        check_institutional(cap + 1, total, percent)


@pytest.mark.parametrize(
    ("grant_type", "shortest", "longest"),
    [
        (GrantType.SHORT_TERM, 3, 12),
        (GrantType.MEDIUM_TERM, 12, 24),
        (GrantType.LONG_TERM, 24, 36),
    ],
)
def test_duration_edges(grant_type: GrantType, shortest: int, longest: int) -> None:
    check_duration(shortest, grant_type)
    check_duration(longest, grant_type)
    for months in (shortest - 1, longest + 1):
        with pytest.raises(InvalidGrant) as refusal:
            check_duration(months, grant_type)
        assert refusal.value.reason is GrantProblem.DURATION
        assert dict(refusal.value.params) == {"min": shortest, "max": longest}


def test_amounts_in_mci() -> None:
    assert GRANT_TERMS[GrantType.SHORT_TERM].min_mci == 500
    assert GRANT_TERMS[GrantType.LONG_TERM].max_mci is None
    assert mci_to_kzt(500, MCI_2026) == 2_162_500
    assert grant_amount_range(GrantType.SHORT_TERM, MCI_2026) == (2_162_500, 12_975_000)
    assert grant_amount_range(GrantType.MEDIUM_TERM, MCI_2026) == (12_975_000, 43_250_000)
    assert grant_amount_range(GrantType.LONG_TERM, MCI_2026) == (43_250_000, None)


def test_mci_value_must_be_positive() -> None:
    with pytest.raises(ValueError):
        mci_to_kzt(500, 0)


def test_the_mci_is_a_value_per_year() -> None:
    # The budget laws: 3,932 tenge in 2025, 4,325 in 2026.
    assert mci_for_year(2025) == 3_932
    assert mci_for_year(2026) == 4_325
    assert grant_amount_range(GrantType.SHORT_TERM, mci_for_year(2025)) == (1_966_000, 11_796_000)


def test_a_year_outside_the_table_takes_the_nearest_known_value() -> None:
    # Next year's law may not be in the table yet: the bot keeps the last known MCI.
    assert mci_for_year(2031) == MCI_KZT_BY_YEAR[max(MCI_KZT_BY_YEAR)]
    assert mci_for_year(2001) == MCI_KZT_BY_YEAR[min(MCI_KZT_BY_YEAR)]
    assert mci_for_year(2027, {2026: 4_325, 2027: 4_700}) == 4_700


@given(year=st.integers(1992, 2100))
def test_every_year_has_an_mci_from_the_table(year: int) -> None:
    assert mci_for_year(year) in MCI_KZT_BY_YEAR.values()


@pytest.mark.parametrize(
    "table", [{}, {1850: 10}, {2026: 0}, {2026: -4_325}, {2026: True}, {2026: 4_325.5}]
)
def test_a_table_the_bot_cannot_use_is_refused(table: dict) -> None:
    check_mci_table(MCI_KZT_BY_YEAR)
    with pytest.raises(ValueError):
        check_mci_table(table)


@pytest.mark.parametrize("grant_type", list(GrantType))
def test_grant_amount_edges(grant_type: GrantType) -> None:
    low, high = grant_amount_range(grant_type, MCI_2026)
    check_grant_amount(low, grant_type, MCI_2026)
    with pytest.raises(InvalidGrant) as refusal:
        check_grant_amount(low - 1, grant_type, MCI_2026)
    assert refusal.value.reason is GrantProblem.AMOUNT_TOO_LOW
    if high is None:
        check_grant_amount(low * 100, grant_type, MCI_2026)
        return
    check_grant_amount(high, grant_type, MCI_2026)
    with pytest.raises(InvalidGrant) as refusal:
        check_grant_amount(high + 1, grant_type, MCI_2026)
    assert refusal.value.reason is GrantProblem.AMOUNT_TOO_HIGH
