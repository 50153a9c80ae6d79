"""Facts an NGO states about itself: legal form, founding year, head-counts."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.errors import RuleViolation

# Kazakhstan became independent in December 1991. NGOs founded earlier had to
# re-register under Kazakh law, so no registration year can be older than that.
FIRST_FOUNDING_YEAR = 1991

# Far above any NGO (the largest have a few thousand members in staff and
# volunteers); the cap only catches typos such as an extra zero or a phone number.
MAX_PEOPLE_COUNT = 100_000


class LegalForm(StrEnum):
    PUBLIC_ASSOCIATION = "public_association"
    PUBLIC_FOUNDATION = "public_foundation"
    ASSOCIATION_OF_LEGAL_ENTITIES = "association_of_legal_entities"
    PRIVATE_INSTITUTION = "private_institution"
    OTHER = "other"


class OrganisationProblem(StrEnum):
    FOUNDED_TOO_EARLY = "founded_too_early"
    FOUNDED_IN_FUTURE = "founded_in_future"
    NEGATIVE_COUNT = "negative_count"
    COUNT_TOO_LARGE = "count_too_large"


class InvalidOrganisation(RuleViolation):
    def __init__(self, reason: OrganisationProblem, **params: int | str) -> None:
        super().__init__(reason, **params)


def check_founded_year(year: int, today: date) -> None:
    """Refuse years before 1991 and after this year."""
    if year < FIRST_FOUNDING_YEAR:
        raise InvalidOrganisation(
            OrganisationProblem.FOUNDED_TOO_EARLY, min=FIRST_FOUNDING_YEAR, max=today.year
        )
    if year > today.year:
        raise InvalidOrganisation(
            OrganisationProblem.FOUNDED_IN_FUTURE, min=FIRST_FOUNDING_YEAR, max=today.year
        )


def check_people_count(count: int, cap: int = MAX_PEOPLE_COUNT) -> None:
    """Staff, members or volunteers: 0 to ``cap`` inclusive (none is a real answer)."""
    if count < 0:
        raise InvalidOrganisation(OrganisationProblem.NEGATIVE_COUNT, max=cap)
    if count > cap:
        raise InvalidOrganisation(OrganisationProblem.COUNT_TOO_LARGE, max=cap)
