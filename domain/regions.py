"""Kazakhstan's 20 top-level territories since 8 June 2022.

Codes are stable keys (stored in the database, mapped to kk/ru/en names by the
translation catalog). The three cities of republican significance come first
because most NGOs are there; the 17 regions follow in English alphabetical order.
"""

from __future__ import annotations

CITIES: tuple[str, ...] = ("astana", "almaty", "shymkent")

PROVINCES: tuple[str, ...] = (
    "abai",
    "akmola",
    "aktobe",
    # Not "almaty": that code is the city, a separate unit from the region around it.
    "almaty_region",
    "atyrau",
    "east_kazakhstan",
    "jambyl",
    "jetisu",
    "karaganda",
    "kostanay",
    "kyzylorda",
    "mangystau",
    "north_kazakhstan",
    "pavlodar",
    "turkistan",
    "ulytau",
    "west_kazakhstan",
)

REGIONS: tuple[str, ...] = CITIES + PROVINCES

_REGION_CODES = frozenset(REGIONS)


def is_region(code: str) -> bool:
    """Whether ``code`` is one of the 20 known codes (a city or a region)."""
    return code in _REGION_CODES
