"""Telegram tells the bot when a person blocks or unblocks it."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from storage.store import Store


async def on_blocked(event: ChatMemberUpdated, store: Store) -> None:
    await store.people.mark_blocked(event.from_user.id, blocked=True)
    await store.commit()


async def on_unblocked(event: ChatMemberUpdated, store: Store) -> None:
    await store.people.mark_blocked(event.from_user.id, blocked=False)
    await store.commit()


def get_router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(
        on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED)
    )
    router.my_chat_member.register(
        on_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER)
    )
    return router
