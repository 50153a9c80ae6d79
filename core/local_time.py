"""Dates and times as the bot shows them: in the zone the NGO lives in, day first,
the same in every language (31.03.2027, 31.03.2027 18:00). People type them back
in the same shape, so the parsers use these formats too."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

DATE_FORMAT = "%d.%m.%Y"
DATE_TIME_FORMAT = "%d.%m.%Y %H:%M"


def day_text(day: date) -> str:
    """A calendar day: 31.03.2027."""
    return day.strftime(DATE_FORMAT)


def local_date(moment: datetime, zone: tzinfo) -> str:
    """The day an instant falls on in the zone: 31.03.2027."""
    return moment.astimezone(zone).strftime(DATE_FORMAT)


def local_date_time(moment: datetime, zone: tzinfo) -> str:
    """An instant in the zone, to the minute: 31.03.2027 18:00."""
    return moment.astimezone(zone).strftime(DATE_TIME_FORMAT)
