from __future__ import annotations

from datetime import date

import pytest

from domain.organisation import (
    MAX_PEOPLE_COUNT,
    InvalidOrganisation,
    LegalForm,
    OrganisationProblem,
    check_founded_year,
    check_people_count,
)

TODAY = date(2026, 5, 4)


@pytest.mark.parametrize("year", [1991, 2005, 2026])
def test_founding_years_from_independence_to_this_year(year: int) -> None:
    check_founded_year(year, TODAY)


@pytest.mark.parametrize(
    ("year", "reason"),
    [(1990, OrganisationProblem.FOUNDED_TOO_EARLY), (2027, OrganisationProblem.FOUNDED_IN_FUTURE)],
)
def test_founding_years_out_of_range(year: int, reason: OrganisationProblem) -> None:
    with pytest.raises(InvalidOrganisation) as refusal:
        check_founded_year(year, TODAY)
    assert refusal.value.reason is reason
    assert dict(refusal.value.params) == {"min": 1991, "max": 2026}


@pytest.mark.parametrize("count", [0, 1, 250, MAX_PEOPLE_COUNT])
def test_people_counts(count: int) -> None:
    check_people_count(count)


@pytest.mark.parametrize(
    ("count", "reason"),
    [
        (-1, OrganisationProblem.NEGATIVE_COUNT),
        (MAX_PEOPLE_COUNT + 1, OrganisationProblem.COUNT_TOO_LARGE),
    ],
)
def test_people_counts_out_of_range(count: int, reason: OrganisationProblem) -> None:
    with pytest.raises(InvalidOrganisation) as refusal:
        check_people_count(count)
    assert refusal.value.reason is reason


def test_legal_forms() -> None:
    assert [form.value for form in LegalForm] == [
        "public_association",
        "public_foundation",
        "association_of_legal_entities",
        "private_institution",
        "other",
    ]
