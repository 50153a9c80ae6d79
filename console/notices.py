"""Telling the people a console action concerns: each message goes to the outbox as a
message key, rendered when sent in the recipient's own language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from delivery.outbox import Kind, queue_notice
from storage.repositories.topics import TopicView
from storage.store import Store


def topic_title(topic: TopicView) -> dict[str, str]:
    """A per-language param: the sender picks the recipient's language."""
    return {locale: topic.title(locale) for locale in ("kk", "ru", "en")}


async def tell(
    store: Store, telegram_id: int, key: str, params: Mapping[str, Any], now: datetime
) -> bool:
    return await queue_notice(store, telegram_id, now=now, kind=Kind.STATUS, key=key, params=params)


async def tell_organisation(
    store: Store, organisation_id: int, key: str, params: Mapping[str, Any], now: datetime
) -> int:
    """Every member of the organisation, each in their own language; returns how many."""
    told = 0
    for member in await store.memberships.members(organisation_id):
        told += await tell(store, member.telegram_id, key, params, now)
    return told
