"""Competition windows, the 31 March activity report, reminders and quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.deadlines import (
    activity_reminder_dates,
    activity_report_deadline,
    at_local,
    days_left,
    quiet_hours_defer,
    reporting_year_due,
)
from domain.time_zone import load_zone

ALMATY = load_zone("Asia/Almaty")
SECOND = timedelta(seconds=1)

# A competition taking applications for 30 days, closing at 18:00 Almaty time.
OPENS_AT = datetime(2026, 3, 2, 9, 0, tzinfo=ALMATY).astimezone(UTC)
CLOSES_AT = datetime(2026, 3, 31, 18, 0, tzinfo=ALMATY).astimezone(UTC)


def almaty(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY).astimezone(UTC)


def test_closing_time_is_stored_in_utc() -> None:
    closing_in_utc = datetime(2026, 3, 31, 13, 0, tzinfo=UTC)
    assert closing_in_utc == CLOSES_AT


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (almaty(2026, 3, 30, 23, 0), 1),  # late evening the day before: one day left
        (almaty(2026, 3, 31, 0, 30), 0),  # after local midnight: the closing day
        (almaty(2026, 3, 31, 17, 59), 0),
        (almaty(2026, 3, 1, 12, 0), 30),
        (almaty(2026, 4, 1, 0, 0), -1),
    ],
)
def test_days_left_counts_local_calendar_days(now: datetime, left: int) -> None:
    assert days_left(now, CLOSES_AT, ALMATY) == left


def test_days_left_uses_the_local_date_not_the_utc_one() -> None:
    # 00:30 in Almaty on 31 March is still 30 March in UTC.
    now = almaty(2026, 3, 31, 0, 30)
    assert now.date() == date(2026, 3, 30)
    assert days_left(now, CLOSES_AT) == 0


def test_the_activity_report_is_due_at_the_end_of_31_march_local() -> None:
    deadline = activity_report_deadline(2026, ALMATY)
    assert deadline == datetime(2026, 3, 31, 18, 59, 59, tzinfo=UTC)
    assert deadline.astimezone(ALMATY).replace(tzinfo=None) == datetime(2026, 3, 31, 23, 59, 59)


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 1, 1), 2025),
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2025),  # late from 1 April, but about the same year
        (date(2026, 12, 31), 2025),
    ],
)
def test_the_report_filed_this_year_is_about_last_year(today: date, year: int) -> None:
    assert reporting_year_due(today) == year


def test_reminders_for_31_march() -> None:
    assert activity_reminder_dates(2026) == (
        date(2026, 3, 1),
        date(2026, 3, 8),
        date(2026, 3, 15),
        date(2026, 3, 22),
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 3, 30),
    )


@given(year=st.integers(2000, 2100))
def test_reminders_are_sorted_distinct_and_before_the_deadline(year: int) -> None:
    reminders = activity_reminder_dates(year)
    assert list(reminders) == sorted(set(reminders))
    assert reminders[0] == date(year, 3, 1)
    assert reminders[-1] == date(year, 3, 30)
    assert date(year, 3, 28) in reminders


def test_a_reminder_date_becomes_a_utc_instant_at_a_local_time() -> None:
    assert at_local(date(2026, 3, 28), time(10, 0), ALMATY) == datetime(
        2026, 3, 28, 5, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("local", "sent_at"),
    [
        ((2026, 5, 4, 20, 59, 59), (2026, 5, 4, 20, 59, 59)),  # just before quiet hours
        ((2026, 5, 4, 21, 0, 0), (2026, 5, 5, 9, 0, 0)),  # quiet from 21:00 sharp
        ((2026, 5, 4, 23, 30, 0), (2026, 5, 5, 9, 0, 0)),
        ((2026, 5, 5, 0, 0, 0), (2026, 5, 5, 9, 0, 0)),  # after midnight: the same morning
        ((2026, 5, 5, 8, 59, 59), (2026, 5, 5, 9, 0, 0)),
        ((2026, 5, 5, 9, 0, 0), (2026, 5, 5, 9, 0, 0)),  # 09:00 is no longer quiet
        ((2026, 5, 5, 13, 0, 0), (2026, 5, 5, 13, 0, 0)),
        ((2026, 12, 31, 22, 0, 0), (2027, 1, 1, 9, 0, 0)),  # across the year
    ],
)
def test_quiet_hours_around_21_and_9_local(
    local: tuple[int, ...], sent_at: tuple[int, ...]
) -> None:
    deferred = quiet_hours_defer(almaty(*local), ALMATY)
    assert deferred == almaty(*sent_at)
    assert deferred.tzinfo is UTC


def test_quiet_hours_can_be_a_window_inside_one_day() -> None:
    lunch = (time(13, 0), time(14, 0))
    assert quiet_hours_defer(almaty(2026, 5, 5, 13, 30), ALMATY, *lunch) == almaty(2026, 5, 5, 14)
    assert quiet_hours_defer(almaty(2026, 5, 5, 14, 0), ALMATY, *lunch) == almaty(2026, 5, 5, 14)


@given(moment=st.datetimes(min_value=datetime(2024, 3, 2), max_value=datetime(2100, 1, 1)))
def test_a_deferred_message_never_lands_in_quiet_hours(moment: datetime) -> None:
    when = moment.replace(tzinfo=UTC)
    deferred = quiet_hours_defer(when, ALMATY)
    assert deferred >= when
    assert deferred - when <= timedelta(hours=12)
    local = deferred.astimezone(ALMATY).time()
    assert time(9, 0) <= local < time(21, 0)
