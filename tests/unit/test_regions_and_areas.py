from __future__ import annotations

import re

from domain.areas import AREAS, is_area
from domain.regions import CITIES, PROVINCES, REGIONS, is_region

SNAKE_CASE = re.compile(r"[a-z]+(_[a-z]+)*")


def test_twenty_regions_since_june_2022() -> None:
    assert len(REGIONS) == 20
    assert len(set(REGIONS)) == 20
    assert len(PROVINCES) == 17
    assert CITIES == ("astana", "almaty", "shymkent")


def test_cities_come_first_then_regions_in_order() -> None:
    assert REGIONS[:3] == CITIES
    assert list(PROVINCES) == sorted(PROVINCES)
    for new_region in ("abai", "jetisu", "ulytau"):
        assert new_region in PROVINCES


def test_unknown_region_codes() -> None:
    assert not is_region("south_kazakhstan")  # renamed Turkistan in 2018


def test_area_codes() -> None:
    assert len(AREAS) == len(set(AREAS)) == 16
    assert all(SNAKE_CASE.fullmatch(code) for code in REGIONS + AREAS)
    assert is_area("legal_aid")
    assert not is_area("astana")
