"""Fields of activity an NGO or a grant topic can belong to.

The first seven are the topics of the first state grants (2016); the rest are
the usual fields of Kazakhstan's NGOs. Codes are stable keys: stored in the
database and translated by the catalog, so never rename one.
"""

from __future__ import annotations

AREAS: tuple[str, ...] = (
    # The 2016 grant topics.
    "gender_equality",
    "children_and_youth",
    "mediation",
    "national_dialogue",
    "expert_communities",
    "public_councils",
    "kazakh_identity",
    # The wider fields of NGO work.
    "education",
    "health",
    "environment",
    "social_support",
    "culture",
    "sport",
    "human_rights",
    "legal_aid",
    "volunteering",
)

_AREA_CODES = frozenset(AREAS)


def is_area(code: str) -> bool:
    return code in _AREA_CODES
