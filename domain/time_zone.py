"""Loading the zone that times are shown and scheduled in.

Kazakhstan moved to UTC+5 on 1 March 2024 (tzdata 2024a). ``ZoneInfo`` prefers
the operating system's zone files, which on an old server still say +6, so we
read the pinned ``tzdata`` package first and fall back to the system only when
the package is missing.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Almaty"


@cache
def load_zone(key: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The zone ``key`` from the tzdata package when installed, else from the system."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ZoneInfoNotFoundError(f"not a zone key: {key!r}")
    try:
        zone_file = resources.files("tzdata.zoneinfo").joinpath(*parts)
        with zone_file.open("rb") as data:
            return ZoneInfo.from_file(data, key=key)
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return ZoneInfo(key)
