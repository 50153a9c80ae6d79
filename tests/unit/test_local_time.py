"""Dates and times as people read them: in the zone, day first, to the minute."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from core.local_time import DATE_FORMAT, DATE_TIME_FORMAT, day_text, local_date, local_date_time

ALMATY = ZoneInfo("Asia/Almaty")


def test_an_instant_is_shown_on_the_day_it_falls_in_the_zone():
    # 20:30 UTC on 31 December is already the next year in Almaty (UTC+5).
    moment = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)
    assert local_date(moment, ALMATY) == "01.01.2027"
    assert local_date_time(moment, ALMATY) == "01.01.2027 01:30"
    assert local_date(moment, UTC) == "31.12.2026"


def test_a_calendar_day_is_day_first():
    assert day_text(date(2027, 3, 31)) == "31.03.2027"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_what_is_shown_reads_back_as_the_same_minute(naive):
    """People type dates back in the shape they are shown (a reveal time, a round's days)."""
    moment = naive.replace(tzinfo=UTC)
    shown = local_date_time(moment, ALMATY)
    read = datetime.strptime(shown, DATE_TIME_FORMAT).replace(tzinfo=ALMATY)
    assert timedelta(0) <= moment - read < timedelta(minutes=1)
    assert datetime.strptime(local_date(moment, ALMATY), DATE_FORMAT).date() == read.date()
