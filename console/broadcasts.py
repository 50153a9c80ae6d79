"""Operator broadcasts: who a segment reaches, queuing one in each person's language,
pausing, resuming and cancelling it, and its progress. No aiogram here.

Each recipient's outbox row holds the final text in their language (kk, ru or en;
a missing one falls back to ru, then to whichever exists). Pausing moves the rows
not taken yet to "paused", which the sender never claims; resuming moves them back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.audit import record
from console.roles import OPERATOR_ROLES, Actor, Forbidden
from delivery.outbox import Kind, enqueue_broadcast, enqueue_text
from domain.statuses import BroadcastStatus, DeliveryStatus
from storage.repositories.broadcasts import BroadcastView
from storage.store import Store

LANGUAGES = ("kk", "ru", "en")
SEGMENT_KINDS = ("all", "region", "area", "language", "role", "draft", "not_filed")
ROLE_VALUES = ("owner", "member", "operator", "expert", "admin")
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024  # Telegram's limit for a photo's or document's caption
# When nothing is sent yet: the outbox's share of the global rate, roughly.
DEFAULT_RATE_PER_SECOND = 20.0


def _check(actor: Actor) -> None:
    if actor.role not in {role.value for role in OPERATOR_ROLES}:
        raise Forbidden()


def text_for(texts: dict[str, str], locale: str | None) -> str:
    """The text in the person's language, else Russian, else whichever exists."""
    for code in (locale, "ru", *LANGUAGES):
        if code and texts.get(code):
            return texts[code]
    return ""


def text_limit(has_media: bool) -> int:
    return CAPTION_LIMIT if has_media else TEXT_LIMIT


def too_long(texts: dict[str, str], has_media: bool) -> str | None:
    """The first language whose text does not fit the message (or caption)."""
    limit = text_limit(has_media)
    return next((code for code in LANGUAGES if len(texts.get(code) or "") > limit), None)


async def audience(
    store: Store, actor: Actor, segment: dict[str, Any]
) -> list[tuple[int, str | None]]:
    _check(actor)
    return await store.broadcasts.audience(segment)


async def start(
    store: Store,
    actor: Actor,
    *,
    texts: dict[str, str],
    segment: dict[str, Any],
    now: datetime,
    photo_file_id: str | None = None,
    document_file_id: str | None = None,
    default_locale: str = "ru",
    channel_id: int | None = None,
) -> BroadcastView:
    """Create the broadcast and queue it to everyone the segment reaches, and to the
    channel if one is configured (in the default language). The caller commits."""
    _check(actor)
    texts = {code: text for code, text in texts.items() if code in LANGUAGES and text}
    if not texts:
        raise ValueError("a broadcast needs a text")
    repository = store.broadcasts
    people = await repository.audience(segment)
    by_text: dict[str, list[int]] = defaultdict(list)
    for telegram_id, locale in people:
        by_text[text_for(texts, locale or default_locale)].append(telegram_id)
    outbox_id = await store.deliveries.next_broadcast_id()
    for text, recipients in by_text.items():
        await enqueue_broadcast(
            store.session,
            recipients,
            now=now,
            text=text,
            photo_file_id=photo_file_id,
            document_file_id=document_file_id,
            broadcast_id=outbox_id,
        )
    if channel_id is not None:
        # Not part of the broadcast's counts: a channel is not a person to report on.
        await enqueue_text(
            store.session,
            channel_id,
            text_for(texts, default_locale),
            kind=Kind.BROADCAST,
            now=now,
            photo_file_id=photo_file_id,
            document_file_id=document_file_id,
            dedupe_key=f"broadcast:{outbox_id}:channel",
        )
    broadcast = await repository.add(
        created_by=actor.telegram_id,
        texts=texts,
        photo_file_id=photo_file_id,
        document_file_id=document_file_id,
        segment=segment,
        status=BroadcastStatus.RUNNING,
        outbox_id=outbox_id,
        recipients=len(people),
        at=now,
    )
    facts = {
        "segment": segment,
        "recipients": len(people),
        "languages": sorted(texts),
        "channel": channel_id,
    }
    await record(store, actor, "broadcast.create", "broadcast", broadcast.id, after=facts, when=now)
    await record(
        store, actor, "broadcast.confirm", "broadcast", broadcast.id, after=facts, when=now
    )
    return broadcast


_MOVES = {
    "pause": (BroadcastStatus.RUNNING, BroadcastStatus.PAUSED, DeliveryStatus.PENDING),
    "resume": (BroadcastStatus.PAUSED, BroadcastStatus.RUNNING, DeliveryStatus.PAUSED),
}


async def _move(store: Store, actor: Actor, broadcast_id: int, action: str, now: datetime) -> bool:
    _check(actor)
    repository = store.broadcasts
    broadcast = await repository.get(broadcast_id)
    if broadcast is None or broadcast.outbox_id is None:
        return False
    if action == "cancel":
        expected = (BroadcastStatus.RUNNING, BroadcastStatus.PAUSED)
        if not await repository.set_status(
            broadcast_id, BroadcastStatus.CANCELLED, expected=expected, finished_at=now
        ):
            return False
        moved = 0
        for status in (DeliveryStatus.PENDING, DeliveryStatus.PAUSED):
            moved += await repository.move_rows(
                broadcast.outbox_id, status, DeliveryStatus.CANCELLED
            )
        after = BroadcastStatus.CANCELLED
    else:
        before, after, rows_from = _MOVES[action]
        if not await repository.set_status(broadcast_id, after, expected=(before,)):
            return False
        rows_to = DeliveryStatus.PAUSED if action == "pause" else DeliveryStatus.PENDING
        moved = await repository.move_rows(broadcast.outbox_id, rows_from, rows_to)
    await record(
        store,
        actor,
        f"broadcast.{action}",
        "broadcast",
        broadcast_id,
        before={"status": broadcast.status.value},
        after={"status": after.value, "rows": moved},
        when=now,
    )
    return True


async def pause(store: Store, actor: Actor, broadcast_id: int, now: datetime) -> bool:
    """False when it was not running (already paused, finished or cancelled)."""
    return await _move(store, actor, broadcast_id, "pause", now)


async def resume(store: Store, actor: Actor, broadcast_id: int, now: datetime) -> bool:
    return await _move(store, actor, broadcast_id, "resume", now)


async def cancel(store: Store, actor: Actor, broadcast_id: int, now: datetime) -> bool:
    return await _move(store, actor, broadcast_id, "cancel", now)


@dataclass(frozen=True, slots=True)
class Progress:
    sent: int
    failed: int
    blocked: int
    skipped: int  # cancelled rows: opted out meanwhile, or the broadcast was cancelled
    remaining: int
    eta_seconds: int | None  # None when nothing remains or it is paused

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.blocked + self.skipped + self.remaining


async def progress(store: Store, broadcast: BroadcastView, now: datetime) -> Progress:
    counts = await store.deliveries.counts(broadcast.outbox_id)
    sent = counts.get(DeliveryStatus.SENT, 0)
    failed = counts.get(DeliveryStatus.FAILED, 0)
    blocked = counts.get(DeliveryStatus.BLOCKED, 0)
    skipped = counts.get(DeliveryStatus.CANCELLED, 0)
    remaining = sum(
        counts.get(status, 0)
        for status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.PAUSED)
    )
    eta = None
    if remaining and broadcast.status == BroadcastStatus.RUNNING:
        done = sent + failed + blocked + skipped
        elapsed = (now - broadcast.started_at).total_seconds() if broadcast.started_at else 0
        rate = done / elapsed if done and elapsed > 1 else DEFAULT_RATE_PER_SECOND
        eta = max(1, round(remaining / rate))
    return Progress(sent, failed, blocked, skipped, remaining, eta)


async def finish_if_done(store: Store, broadcast: BroadcastView, now: datetime) -> bool:
    """Mark a running broadcast done once nothing remains; True the one time it happens."""
    if broadcast.status != BroadcastStatus.RUNNING:
        return False
    if (await progress(store, broadcast, now)).remaining:
        return False
    return await store.broadcasts.set_status(
        broadcast.id, BroadcastStatus.DONE, expected=(BroadcastStatus.RUNNING,), finished_at=now
    )


async def keep_paused(store: Store, broadcast: BroadcastView) -> int:
    """Rows a retry put back to pending while paused (they were being sent) pause too."""
    if broadcast.status != BroadcastStatus.PAUSED or broadcast.outbox_id is None:
        return 0
    return await store.broadcasts.move_rows(
        broadcast.outbox_id, DeliveryStatus.PENDING, DeliveryStatus.PAUSED
    )
