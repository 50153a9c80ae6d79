from __future__ import annotations

import re

import pytest

from domain.areas import AREAS, GRANT_TOPICS_2016, is_area
from domain.regions import CITIES, PROVINCES, REGIONS, is_city, is_region

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


def test_almaty_city_and_almaty_region_are_different() -> None:
    assert is_city("almaty")
    assert not is_city("almaty_region")


def test_unknown_region_codes() -> None:
    assert not is_region("south_kazakhstan")  # renamed Turkistan in 2018
    with pytest.raises(KeyError):
        is_city("south_kazakhstan")


def test_area_codes() -> None:
    assert len(AREAS) == len(set(AREAS)) == 16
    assert all(SNAKE_CASE.fullmatch(code) for code in REGIONS + AREAS)
    assert GRANT_TOPICS_2016 == (
        "gender_equality",
        "children_and_youth",
        "mediation",
        "national_dialogue",
        "expert_communities",
        "public_councils",
        "kazakh_identity",
    )
    assert is_area("legal_aid")
    assert not is_area("astana")
