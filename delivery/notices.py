"""Telling people what someone else did: the one way a use case sends a notice.

A notice is queued in the outbox on the use case's own session, so it commits with
the change it reports or not at all: a crash after the commit delays it (the outbox
job sends it after a restart), and nothing loses it. It is kept as a message key
and params, rendered when sent in the recipient's language then; the update that
queued it sends it as soon as it is done (delivery/flush.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from core.locale_codes import SUPPORTED_LOCALES
from delivery.outbox import Kind, queue_notice
from storage.store import Store


def each_language(text_of: Callable[[str], str]) -> dict[str, str]:
    """A param that differs by language (a topic's title): the sender picks the
    recipient's."""
    return {locale: text_of(locale) for locale in SUPPORTED_LOCALES}


def label(key: str) -> dict[str, str]:
    """A param that is a catalog label (a status's name), in the recipient's language."""
    return {"label": key}


async def tell(
    store: Store,
    telegram_id: int,
    key: str,
    params: Mapping[str, Any],
    now: datetime,
    *,
    kind: Kind = Kind.NOTICE,
    reply_markup: Any = None,
    about: int | None = None,
) -> bool:
    """Queue one notice; False, with nothing queued, when they blocked the bot.

    Urgent: someone's action just caused it, so quiet hours do not hold it. `about`
    is the Telegram id of the person it names (a join request's sender): when they
    erase their data, the notice forgets them too (`forget_notices_about`).
    """
    return await queue_notice(
        store,
        telegram_id,
        now=now,
        kind=kind,
        key=key,
        params=params,
        reply_markup=reply_markup,
        dedupe_key=f"{_about(about)}{secrets.token_hex(8)}" if about is not None else None,
    )


def _about(telegram_id: int) -> str:
    return f"about:{telegram_id}:"


async def forget_notices_about(store: Store, telegram_id: int) -> int:
    """The person erased their data: the notices naming them, to others, forget them;
    those not sent yet are cancelled (returns how many)."""
    return await store.deliveries.forget_subject(_about(telegram_id))


async def tell_members(
    store: Store,
    organisation_id: int,
    key: str,
    params: Mapping[str, Any],
    now: datetime,
    *,
    kind: Kind = Kind.NOTICE,
    except_person_id: int | None = None,
) -> int:
    """Every member of the organisation but `except_person_id` (who made the change and
    sees it on screen), each in their own language; returns how many were told."""
    told = 0
    for member in await store.memberships.members(organisation_id):
        if member.person_id != except_person_id:
            told += await tell(store, member.telegram_id, key, params, now, kind=kind)
    return told
