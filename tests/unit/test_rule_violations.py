"""Refusals carry codes and numbers, never sentences, so the bot can translate them."""

from __future__ import annotations

from domain.grants import BudgetProblem, InvalidBudget
from domain.organisation import InvalidOrganisation, OrganisationProblem


def test_a_refusal_has_a_stable_code_and_parameters() -> None:
    refusal = InvalidBudget(BudgetProblem.BELOW_MIN, min=5_000_000)
    assert refusal.code == "budget.below_min"
    assert dict(refusal.params) == {"min": 5_000_000}
    assert isinstance(refusal, ValueError)


def test_multi_word_families_become_snake_case() -> None:
    refusal = InvalidOrganisation(OrganisationProblem.NEGATIVE_COUNT, max=10)
    assert refusal.code == "organisation.negative_count"
