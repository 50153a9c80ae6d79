"""Plans reminders and alerts into the outbox. The state is in the database; the
scheduler only says when to look.

Every planner is idempotent (each row has a dedupe key) and catches up once:
after downtime a reminder whose moment passed less than CATCH_UP ago is still
sent, an older one is skipped rather than flooding people with stale news.

A planner asks for its whole audience in one query and queues it with one bulk
insert (ON CONFLICT DO NOTHING on the dedupe key), not one row at a time: a day
with 18,000 reminders takes about a second, not twenty.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.local_time import day_text, local_date
from delivery.outbox import Kind
from domain.deadlines import activity_reminder_dates, at_local
from storage.repositories.deliveries import NewDelivery
from storage.store import Store

# Reminders go out at this local time on their day (after quiet hours end).
REMINDER_TIME = time(10, 0)
CATCH_UP = timedelta(days=1)


def _due(moment: datetime, now: datetime) -> bool:
    return now - CATCH_UP < moment <= now


async def plan_topic_deadline_reminders(
    session: AsyncSession, now: datetime, zone: tzinfo, days_before: list[int]
) -> int:
    """Members of organisations with a draft on a topic, `days_before` its closing day."""
    audience = Store(session).audience
    horizon = now + timedelta(days=max(days_before, default=0) + 1)
    planned = 0
    for topic in await audience.open_topics_closing_between(now, horizon):
        closing_day = topic.closes_at.astimezone(zone).date()
        for days in days_before:
            if not _due(at_local(closing_day - timedelta(days=days), REMINDER_TIME, zone), now):
                continue
            planned += await _plan(
                session,
                await audience.members_with_draft_on(topic.id),
                "delivery.topic_deadline",
                {
                    "title": topic.titles,
                    "days": days,
                    "deadline": local_date(topic.closes_at, zone),
                },
                now=now,
                dedupe_prefix=f"topic-deadline:{topic.id}:{days}",
            )
    return planned


async def plan_new_topic_alerts(session: AsyncSession, now: datetime, zone: tzinfo) -> int:
    """Subscribers told of topics opened in their areas (within the catch-up window)."""
    audience = Store(session).audience
    planned = 0
    for topic in await audience.topics_opened_since(now - CATCH_UP, now):
        planned += await _plan(
            session,
            await audience.new_topic_subscribers(topic.area),
            "delivery.new_topic",
            {
                "title": topic.titles,
                "area": {"label": f"area.{topic.area}"},
                "deadline": local_date(topic.closes_at, zone),
            },
            now=now,
            kind=Kind.NEW_TOPIC,
            dedupe_prefix=f"new-topic:{topic.id}",
        )
    return planned


def activity_reminder_moments(year: int, zone: tzinfo) -> list[tuple[date, datetime]]:
    """(local day, UTC instant) of each reminder for the report due 31 March `year`."""
    return [(day, at_local(day, REMINDER_TIME, zone)) for day in activity_reminder_dates(year)]


async def plan_activity_reminders(session: AsyncSession, now: datetime, zone: tzinfo) -> int:
    """Members of organisations that have not filed last year's information by 31 March."""
    year = now.astimezone(zone).year
    deadline = date(year, 3, 31)
    planned = 0
    for day, moment in activity_reminder_moments(year, zone):
        if not _due(moment, now):
            continue
        members = await Store(session).audience.members_not_filed(year - 1)
        planned += await _plan(
            session,
            (telegram_id for _organisation_id, telegram_id in members),
            "delivery.activity_due",
            {
                "year": year - 1,
                "deadline": day_text(deadline),
                "days": (deadline - day).days,
            },
            now=now,
            dedupe_prefix=f"activity:{year - 1}:{day.isoformat()}",
        )
    return planned


async def _plan(
    session: AsyncSession,
    recipients: Iterable[int],
    key: str,
    params: dict,
    *,
    now: datetime,
    dedupe_prefix: str,
    kind: Kind = Kind.REMINDER,
) -> int:
    """Queue one message (rendered at send time, as `enqueue_message` does) for each
    recipient, keyed `{dedupe_prefix}:{telegram id}`; returns how many were new."""
    encoded = json.dumps(params, ensure_ascii=False)
    return await Store(session).deliveries.add_many(
        NewDelivery(
            recipient=telegram_id,
            kind=kind,
            next_attempt_at=now,
            message_key=key,
            params=encoded,
            dedupe_key=f"{dedupe_prefix}:{telegram_id}",
        )
        for telegram_id in dict.fromkeys(recipients)
    )


async def plan_all(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime,
    zone: tzinfo,
    days_before: list[int],
) -> int:
    """Run every planner once in one transaction; returns how many rows were new."""
    async with session_factory() as session:
        planned = await plan_topic_deadline_reminders(session, now, zone, days_before)
        planned += await plan_new_topic_alerts(session, now, zone)
        planned += await plan_activity_reminders(session, now, zone)
        await session.commit()
    return planned
