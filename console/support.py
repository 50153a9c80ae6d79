"""The support inbox: NGO staff ask the operator, operators answer by replying.

A question is shown in the operator chat (OPERATOR_CHAT_ID), or privately to
every operator when there is none; each copy is remembered as a relay, so a
reply to any copy answers the thread. Both directions are stored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from console.roles import OPERATOR_ROLES, may
from delivery.notices import tell
from domain.lookup import found
from domain.text_limits import check_length, clean_user_text
from registry.staff import active_organisation_id
from storage.models import Role
from storage.repositories.people import PersonView
from storage.repositories.support import ANSWER, SupportRepository, SupportThreadView
from storage.store import Store

QUESTION_LIMIT = 2000
ANSWER_LIMIT = 3000
RECENT_THREADS = 5
# How much of the question the answer quotes back to the asker.
QUOTED_QUESTION = 300


@dataclass(frozen=True, slots=True)
class Answered:
    thread: SupportThreadView
    # False when the asker blocked the bot: the answer is stored, and nobody is told.
    delivered: bool


def support(store: Store) -> SupportRepository:
    return store.support


def clean_message(raw: str, limit: int) -> str:
    text = clean_user_text(raw)
    check_length(text, limit)
    return text


async def ask(
    store: Store, person: PersonView, raw_question: str, now: datetime
) -> SupportThreadView:
    """Store the question (InvalidText when blank or too long); the caller relays it."""
    question = clean_message(raw_question, QUESTION_LIMIT)
    organisation_id = await active_organisation_id(store, person)
    thread_id = await support(store).open_thread(
        person_id=person.id, organisation_id=organisation_id, question=question, when=now
    )
    return found(await support(store).thread(thread_id), thread_id)


async def relay_targets(store: Store, operator_chat_id: int | None) -> list[int]:
    """Where a question goes: the operator chat, else every operator's private chat."""
    if operator_chat_id is not None:
        return [operator_chat_id]
    return sorted(set(await store.people.all_telegram_ids_with_role(Role.OPERATOR)))


async def remember_relay(store: Store, thread_id: int, chat_id: int, message_id: int) -> None:
    await support(store).add_relay(thread_id, chat_id, message_id)


async def thread_answered_by_reply(
    store: Store, chat_id: int, replied_message_id: int
) -> int | None:
    return await support(store).thread_relayed_as(chat_id, replied_message_id)


async def answer(
    store: Store,
    *,
    thread_id: int,
    raw_answer: str,
    answered_by: PersonView | None,
    in_operator_chat: bool,
    admin_ids: Collection[int],
    now: datetime,
) -> Answered | None:
    """Store an operator's answer and queue it for the asker in their language; None
    when the replier may not answer.

    In the configured operator chat, being in that chat is the permission; a reply
    in a private chat must come from someone who still holds the operator role."""
    if not in_operator_chat and not may(answered_by, admin_ids, OPERATOR_ROLES):
        return None
    text = clean_message(raw_answer, ANSWER_LIMIT)
    await support(store).add_message(
        thread_id, ANSWER, text, answered_by.id if answered_by else None, now
    )
    thread = found(await support(store).thread(thread_id), thread_id)
    params = {"question": thread.question[:QUOTED_QUESTION], "answer": text}
    delivered = await tell(store, thread.telegram_id, "support.answer", params, now)
    return Answered(thread, delivered)


async def recent_threads(store: Store, person: PersonView) -> list[SupportThreadView]:
    return await support(store).recent_of(person.id, RECENT_THREADS)
