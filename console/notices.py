"""Telling the people a console action concerns: each message goes to the outbox as a
message key, rendered when sent in the recipient's own language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from delivery.outbox import Kind, enqueue_message, request_send_now
from storage.repositories.topics import TopicView
from storage.store import Store


def topic_title(topic: TopicView) -> dict[str, str]:
    """A per-language param: the sender picks the recipient's language."""
    return {locale: topic.title(locale) for locale in ("kk", "ru", "en")}


async def tell(
    store: Store, telegram_id: int, key: str, params: Mapping[str, Any], now: datetime
) -> bool:
    person = await store.people.get(telegram_id)
    if person is not None and person.blocked_bot:
        return False
    delivery_id = await enqueue_message(
        store.session, telegram_id, key, params, kind=Kind.STATUS, now=now, urgent=True
    )
    request_send_now(store.session, delivery_id)
    return True


async def tell_organisation(
    store: Store, organisation_id: int, key: str, params: Mapping[str, Any], now: datetime
) -> int:
    """Every member of the organisation, each in their own language; returns how many."""
    told = 0
    for member in await store.memberships.members(organisation_id):
        told += await tell(store, member.telegram_id, key, params, now)
    return told
