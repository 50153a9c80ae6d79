"""Dead letters are kept once per update, and only for DEAD_LETTER_RETENTION_DAYS."""

from __future__ import annotations

from datetime import timedelta

from core.settings import Settings
from scheduler.jobs import purge_dead_letters
from storage.store import Store
from storage.types import utcnow

BOT = 123456789


async def record(store: Store, update_id: int | None, days_ago: float = 0) -> bool:
    return await store.dead_letters.record(
        bot_id=BOT,
        update_id=update_id,
        kind="message",
        error="message.forward_origin.hidden_user.sender_user_name: Field required",
        payload='{"update_id": 1}',
        received_at=utcnow() - timedelta(days=days_ago),
    )


async def test_a_copy_of_an_update_is_recognised_not_kept_twice(session_factory):
    async with session_factory() as session:
        store = Store(session)
        assert await record(store, 41)
        assert not await record(store, 41)
        # Without an update_id nothing can be matched: each is kept.
        assert await record(store, None) and await record(store, None)
        await store.commit()
        assert len(await store.dead_letters.recent()) == 3


async def test_the_purge_forgets_only_letters_past_the_retention(session_factory):
    retention = timedelta(days=Settings(_env_file=None).dead_letter_retention_days)
    async with session_factory() as session:
        store = Store(session)
        await record(store, 1, days_ago=31)
        await record(store, 2, days_ago=29)
        await store.commit()
    assert await purge_dead_letters(session_factory, retention) == 1
    async with session_factory() as session:
        kept = await Store(session).dead_letters.recent()
    assert [letter.update_id for letter in kept] == [2]
