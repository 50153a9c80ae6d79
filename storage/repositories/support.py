"""The support inbox: questions from NGO staff, the operators' answers, and where
each question was shown to operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organisation, Person, SupportMessage, SupportRelay, SupportThread

QUESTION = "question"
ANSWER = "answer"


@dataclass(frozen=True, slots=True)
class SupportMessageView:
    direction: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SupportThreadView:
    id: int
    person_id: int
    telegram_id: int
    locale: str | None
    organisation_name: str | None
    question: str
    created_at: datetime
    answered_at: datetime | None
    messages: tuple[SupportMessageView, ...]


class SupportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_thread(
        self, *, person_id: int, organisation_id: int | None, question: str, when: datetime
    ) -> int:
        thread = SupportThread(
            person_id=person_id, organisation_id=organisation_id, question=question, created_at=when
        )
        self._session.add(thread)
        await self._session.flush()
        await self.add_message(thread.id, QUESTION, question, person_id, when)
        return thread.id

    async def add_message(
        self, thread_id: int, direction: str, text: str, author_id: int | None, when: datetime
    ) -> None:
        self._session.add(
            SupportMessage(
                thread_id=thread_id,
                direction=direction,
                text=text,
                author_id=author_id,
                created_at=when,
            )
        )
        if direction == ANSWER:
            thread = await self._session.get(SupportThread, thread_id)
            if thread is not None:
                thread.answered_at = when
        await self._session.flush()

    async def add_relay(self, thread_id: int, chat_id: int, message_id: int) -> None:
        self._session.add(SupportRelay(thread_id=thread_id, chat_id=chat_id, message_id=message_id))
        await self._session.flush()

    async def thread_relayed_as(self, chat_id: int, message_id: int) -> int | None:
        return await self._session.scalar(
            select(SupportRelay.thread_id).where(
                SupportRelay.chat_id == chat_id, SupportRelay.message_id == message_id
            )
        )

    async def thread(self, thread_id: int) -> SupportThreadView | None:
        found = (
            await self._session.execute(
                select(SupportThread, Person, Organisation.name)
                .join(Person, Person.id == SupportThread.person_id)
                .outerjoin(Organisation, Organisation.id == SupportThread.organisation_id)
                .where(SupportThread.id == thread_id)
            )
        ).first()
        if found is None:
            return None
        return await self._view(*found)

    async def recent_of(self, person_id: int, limit: int | None) -> list[SupportThreadView]:
        rows = await self._session.execute(
            select(SupportThread, Person, Organisation.name)
            .join(Person, Person.id == SupportThread.person_id)
            .outerjoin(Organisation, Organisation.id == SupportThread.organisation_id)
            .where(SupportThread.person_id == person_id)
            .order_by(SupportThread.created_at.desc(), SupportThread.id.desc())
            .limit(limit)
        )
        return [await self._view(*row) for row in rows]

    async def all_of(self, person_id: int) -> list[SupportThreadView]:
        return await self.recent_of(person_id, limit=None)

    async def _view(
        self, thread: SupportThread, person: Person, organisation_name: str | None
    ) -> SupportThreadView:
        messages = await self._session.scalars(
            select(SupportMessage)
            .where(SupportMessage.thread_id == thread.id)
            .order_by(SupportMessage.created_at, SupportMessage.id)
        )
        return SupportThreadView(
            id=thread.id,
            person_id=person.id,
            telegram_id=person.telegram_id,
            locale=person.locale,
            organisation_name=organisation_name,
            question=thread.question,
            created_at=thread.created_at,
            answered_at=thread.answered_at,
            messages=tuple(SupportMessageView(m.direction, m.text, m.created_at) for m in messages),
        )
