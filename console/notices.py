"""Telling the people a console action concerns: each message goes to the outbox as a
message key, rendered when sent in the recipient's own language (delivery/notices.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from delivery import notices
from delivery.outbox import Kind
from storage.repositories.topics import TopicView
from storage.store import Store


def topic_title(topic: TopicView) -> dict[str, str]:
    """A per-language param: the sender picks the recipient's language."""
    return notices.each_language(topic.title)


async def tell(
    store: Store, telegram_id: int, key: str, params: Mapping[str, Any], now: datetime
) -> bool:
    return await notices.tell(store, telegram_id, key, params, now, kind=Kind.STATUS)


async def tell_organisation(
    store: Store, organisation_id: int, key: str, params: Mapping[str, Any], now: datetime
) -> int:
    """Every member of the organisation, each in their own language; returns how many."""
    return await notices.tell_members(store, organisation_id, key, params, now, kind=Kind.STATUS)
