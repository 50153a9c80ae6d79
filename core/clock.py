"""The bot's notion of "now", injectable so tests can move time without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, zone: str = "Asia/Almaty") -> None:
        self.zone = ZoneInfo(zone)
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC) + self._offset

    def local_now(self) -> datetime:
        return self.now().astimezone(self.zone)

    def advance(self, delta: timedelta) -> None:
        """Tests only: pretend `delta` has passed."""
        self._offset += delta

    def set(self, instant: datetime) -> None:
        """Tests only: pretend it is `instant` now (time keeps running from there)."""
        self._offset = instant - datetime.now(UTC)
