"""Time rules: competition windows, the yearly activity report, reminders, quiet hours.

Instants are aware datetimes, stored and compared in UTC; calendar questions
("how many days left", "31 March") are answered in the zone the NGO lives in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from domain.time_zone import load_zone

# The yearly information for the NGO database is due by 31 March, for the year before.
ACTIVITY_REPORT_DUE_MONTH = 3
ACTIVITY_REPORT_DUE_DAY = 31
ACTIVITY_REMINDERS_FROM_DAY = 1
ACTIVITY_REMINDER_EVERY_DAYS = 7
ACTIVITY_REMINDER_LAST_CALLS = (3, 1)

QUIET_HOURS_START = time(21, 0)
QUIET_HOURS_END = time(9, 0)

_END_OF_DAY = time(23, 59, 59)


def days_left(now: datetime, closes_at: datetime, tz: tzinfo | None = None) -> int:
    """Calendar days in the zone from today to the closing day: 0 on the closing day itself.

    Negative once the closing day has passed. Counting dates, not 24-hour blocks,
    is what a person means: at 23:00 the day before closing, one day is left.
    """
    zone = _zone(tz)
    _require_aware(now)
    _require_aware(closes_at)
    return (closes_at.astimezone(zone).date() - now.astimezone(zone).date()).days


def end_of_local_day(day: date, tz: tzinfo | None = None) -> datetime:
    """23:59:59 of ``day`` in the zone, as a UTC instant."""
    return at_local(day, _END_OF_DAY, tz)


def at_local(day: date, at: time, tz: tzinfo | None = None) -> datetime:
    """The UTC instant of a wall-clock time on a local date (how reminders get scheduled)."""
    zone = _zone(tz)
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def activity_report_deadline(year: int, tz: tzinfo | None = None) -> datetime:
    """The end of 31 March of ``year`` in the zone (as UTC): the report on ``year - 1`` is due."""
    return end_of_local_day(date(year, ACTIVITY_REPORT_DUE_MONTH, ACTIVITY_REPORT_DUE_DAY), tz)


def reporting_year_due(today: date) -> int:
    """The year the report filed in ``today``'s calendar year is about: always the one before.

    Until 31 March it is due; from 1 April the same report is late (filing late
    is still required, and carries liability), so the answer does not change.
    """
    return today.year - 1


def activity_reminder_dates(year: int) -> tuple[date, ...]:
    """Local dates to remind NGOs of the report due on 31 March of ``year``.

    Weekly from 1 March, then 3 days and 1 day before the deadline; sorted, no repeats.
    """
    deadline = date(year, ACTIVITY_REPORT_DUE_MONTH, ACTIVITY_REPORT_DUE_DAY)
    first = date(year, ACTIVITY_REPORT_DUE_MONTH, ACTIVITY_REMINDERS_FROM_DAY)
    weekly = {
        first + timedelta(days=offset)
        for offset in range(0, (deadline - first).days, ACTIVITY_REMINDER_EVERY_DAYS)
    }
    last_calls = {deadline - timedelta(days=days) for days in ACTIVITY_REMINDER_LAST_CALLS}
    return tuple(sorted(weekly | last_calls))


def quiet_hours_defer(
    when_utc: datetime,
    tz: tzinfo | None = None,
    start: time = QUIET_HOURS_START,
    end: time = QUIET_HOURS_END,
) -> datetime:
    """``when_utc`` itself outside quiet hours, else the next local ``end`` (as UTC).

    Quiet hours run from ``start`` included to ``end`` excluded, across midnight
    when ``start`` is later than ``end``: with the defaults 21:00 is quiet, 09:00 is not.
    """
    _require_aware(when_utc)
    zone = _zone(tz)
    local = when_utc.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not _is_quiet(wall, start, end):
        return when_utc.astimezone(UTC)
    wake_day = local.date() if wall < end else local.date() + timedelta(days=1)
    return at_local(wake_day, end, zone)


def _is_quiet(wall: time, start: time, end: time) -> bool:
    if start > end:
        return wall >= start or wall < end
    return start <= wall < end


def _zone(tz: tzinfo | None) -> tzinfo:
    return load_zone() if tz is None else tz


def _require_aware(moment: datetime) -> None:
    # A naive datetime is a bug upstream: guessing its zone would shift a deadline by hours.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
