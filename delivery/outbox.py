"""Putting messages into the outbox. Nothing here talks to Telegram.

A delivery is either rendered already (`text`) or rendered at send time in the
recipient's language from a message key and params (`enqueue_message`). A param
may itself be per-language ({"kk": ..., "ru": ..., "en": ...}: a topic title)
or a catalog label ({"label": "area.education"}).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.deliveries import NewDelivery
from storage.store import Store

# Ids queued during an update that the update itself should send at its end.
SEND_NOW_KEY = "delivery.send_now"


class Kind(StrEnum):
    BROADCAST = "broadcast"
    REMINDER = "reminder"
    STATUS = "status"
    NEW_TOPIC = "new_topic"
    NOTICE = "notice"


class Category(StrEnum):
    """What a person can turn off in /settings."""

    REMINDERS = "reminders"
    NEW_TOPICS = "new_topics"
    ANNOUNCEMENTS = "announcements"


# Status changes of one's own applications and notices caused by someone's action
# (a join request, its decision) have no category: they cannot be turned off.
KIND_CATEGORY: dict[str, Category] = {
    Kind.REMINDER: Category.REMINDERS,
    Kind.NEW_TOPIC: Category.NEW_TOPICS,
    Kind.BROADCAST: Category.ANNOUNCEMENTS,
}


def _markup_json(reply_markup: Any) -> str | None:
    if reply_markup is None:
        return None
    if isinstance(reply_markup, str):
        return reply_markup
    return reply_markup.model_dump_json(exclude_none=True)


async def enqueue_text(
    session: AsyncSession,
    recipient: int,
    text: str,
    *,
    kind: Kind,
    now: datetime,
    reply_markup: Any = None,
    photo_file_id: str | None = None,
    document_file_id: str | None = None,
    dedupe_key: str | None = None,
    urgent: bool = False,
    not_before: datetime | None = None,
) -> int | None:
    """Queue an already rendered HTML message; None when `dedupe_key` was queued before."""
    return await Store(session).deliveries.add(
        NewDelivery(
            recipient=recipient,
            kind=kind,
            next_attempt_at=not_before or now,
            text=text,
            reply_markup=_markup_json(reply_markup),
            photo_file_id=photo_file_id,
            document_file_id=document_file_id,
            dedupe_key=dedupe_key,
            urgent=urgent,
        )
    )


async def enqueue_message(
    session: AsyncSession,
    recipient: int,
    key: str,
    params: Mapping[str, Any] | None = None,
    *,
    kind: Kind,
    now: datetime,
    reply_markup: Any = None,
    dedupe_key: str | None = None,
    urgent: bool = False,
    not_before: datetime | None = None,
) -> int | None:
    """Queue a message rendered when sent, in the language the recipient has then."""
    return await Store(session).deliveries.add(
        NewDelivery(
            recipient=recipient,
            kind=kind,
            next_attempt_at=not_before or now,
            message_key=key,
            params=json.dumps(dict(params or {}), ensure_ascii=False),
            reply_markup=_markup_json(reply_markup),
            dedupe_key=dedupe_key,
            urgent=urgent,
        )
    )


async def enqueue_broadcast(
    session: AsyncSession,
    recipients: Iterable[int],
    *,
    now: datetime,
    text: str | None = None,
    key: str | None = None,
    params: Mapping[str, Any] | None = None,
    photo_file_id: str | None = None,
    document_file_id: str | None = None,
    broadcast_id: int | None = None,
) -> int:
    """Queue one announcement for many people; returns the broadcast id.

    Each row's dedupe key is (broadcast, recipient), so queuing a broadcast again
    (a retried admin action) adds nobody twice.
    """
    if (text is None) == (key is None):
        raise ValueError("give either text or key")
    repository = Store(session).deliveries
    if broadcast_id is None:
        broadcast_id = await repository.next_broadcast_id()
    encoded = json.dumps(dict(params or {}), ensure_ascii=False) if key else None
    rows = [
        NewDelivery(
            recipient=recipient,
            kind=Kind.BROADCAST,
            next_attempt_at=now,
            text=text,
            message_key=key,
            params=encoded,
            photo_file_id=photo_file_id,
            document_file_id=document_file_id,
            dedupe_key=f"broadcast:{broadcast_id}:{recipient}",
            broadcast_id=broadcast_id,
        )
        for recipient in dict.fromkeys(recipients)
    ]
    await repository.add_many(rows)
    return broadcast_id


def request_send_now(session: AsyncSession, delivery_id: int | None) -> None:
    """Ask the update that queued this delivery to send it as soon as it is done."""
    if delivery_id is not None:
        session.info.setdefault(SEND_NOW_KEY, []).append(delivery_id)


async def queue_notice(
    store: Store,
    recipient: int,
    *,
    now: datetime,
    kind: Kind,
    text: str | None = None,
    key: str | None = None,
    params: Mapping[str, Any] | None = None,
    reply_markup: Any = None,
    dedupe_key: str | None = None,
    urgent: bool = True,
) -> bool:
    """Queue a notice for one person, rendered (`text`) or rendered when sent in their
    language (`key`, `params`), and have the update send it when done
    (delivery/flush.py). False, with nothing queued, when they blocked the bot.

    The one place a notice is queued then sent: use cases reach it through
    delivery/notices.py, in the transaction of the change it reports. The caller
    commits.
    """
    if (text is None) == (key is None):
        raise ValueError("give either text or key")
    person = await store.people.get(recipient)
    if person is not None and person.blocked_bot:
        return False
    if text is not None:
        delivery_id = await enqueue_text(
            store.session,
            recipient,
            text,
            kind=kind,
            now=now,
            reply_markup=reply_markup,
            dedupe_key=dedupe_key,
            urgent=urgent,
        )
    else:
        delivery_id = await enqueue_message(
            store.session,
            recipient,
            str(key),
            params,
            kind=kind,
            now=now,
            reply_markup=reply_markup,
            dedupe_key=dedupe_key,
            urgent=urgent,
        )
    request_send_now(store.session, delivery_id)
    return True
