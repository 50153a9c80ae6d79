"""Messages to people who did not just write to the bot (an owner told of a join
request, a member told of a decision).

Every such message goes into the outbox (delivery/): `notify` queues an already
rendered text, written on the caller's session, so the message exists
exactly when the caller's use case commits. The update that queued a notice
sends it as soon as it is done (DeliveryFlushMiddleware); if the process dies
first, the scheduler's outbox job sends it.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup

from core.clock import Clock
from delivery.outbox import (
    AS_SOON_AS_POSSIBLE,
    Kind,
    queue_notice,
)
from storage.store import Store


async def notify(
    bot: Bot,
    store: Store,
    telegram_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    kind: Kind = Kind.NOTICE,
    urgent: bool = True,
    dedupe_key: str | None = None,
    clock: Clock | None = None,
) -> bool:
    """Queue `text` for the person; False when they blocked the bot (nothing is queued).

    Notices are urgent by default: someone's action just caused them (a join
    request, a decision on an application), so quiet hours do not hold them.
    Never raises on Telegram's account; the caller commits.
    """
    return await queue_notice(
        store,
        telegram_id,
        now=clock.now() if clock else AS_SOON_AS_POSSIBLE,
        kind=kind,
        text=text,
        reply_markup=reply_markup,
        dedupe_key=dedupe_key,
        urgent=urgent,
    )
