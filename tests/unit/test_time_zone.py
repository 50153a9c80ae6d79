"""Kazakhstan is on UTC+5 since 1 March 2024: stale zone data would be an hour off."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from domain.time_zone import DEFAULT_TIMEZONE, load_zone

FIVE_HOURS = timedelta(hours=5)


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("month", [1, 7])
def test_almaty_is_utc_plus_five(year: int, month: int) -> None:
    assert datetime(year, month, 15, 12, tzinfo=load_zone("Asia/Almaty")).utcoffset() == FIVE_HOURS


def test_almaty_was_utc_plus_six_before_march_2024() -> None:
    zone = load_zone()
    assert datetime(2024, 2, 29, 12, tzinfo=zone).utcoffset() == timedelta(hours=6)
    assert datetime(2024, 3, 1, 12, tzinfo=zone).utcoffset() == FIVE_HOURS


def test_the_default_zone_is_almaty() -> None:
    assert DEFAULT_TIMEZONE == "Asia/Almaty"
    assert str(load_zone()) == "Asia/Almaty"


def test_the_zone_key_as_the_standard_library_reads_it_agrees() -> None:
    # If the server's own zone files are stale, this fails while load_zone stays right.
    assert datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Almaty")).utcoffset() == FIVE_HOURS


@pytest.mark.parametrize("key", ["Not/AZone", "../etc/passwd", "", "/Asia/Almaty"])
def test_unknown_zones_are_refused(key: str) -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        load_zone(key)
