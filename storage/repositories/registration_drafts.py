"""The answers of an unfinished registration (see storage.models.RegistrationDraft)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, RegistrationDraft


@dataclass(frozen=True, slots=True)
class RegistrationDraftView:
    answers: dict[str, Any]
    reviewing: bool
    updated_at: datetime


class RegistrationDraftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _person_id(self, telegram_id: int) -> int | None:
        return await self._session.scalar(
            select(Person.id).where(Person.telegram_id == telegram_id)
        )

    async def get(self, telegram_id: int) -> RegistrationDraftView | None:
        row = await self._session.scalar(
            select(RegistrationDraft)
            .join(Person, Person.id == RegistrationDraft.person_id)
            .where(Person.telegram_id == telegram_id)
        )
        if row is None:
            return None
        return RegistrationDraftView(json.loads(row.answers), row.reviewing, row.updated_at)

    async def keep(
        self, telegram_id: int, answers: dict[str, Any], reviewing: bool, now: datetime
    ) -> bool:
        """Save the answers so far; False when the person is not known (nothing kept)."""
        person_id = await self._person_id(telegram_id)
        if person_id is None:
            return False
        text = json.dumps(answers, ensure_ascii=False)
        row = await self._session.get(RegistrationDraft, person_id)
        if row is None:
            self._session.add(
                RegistrationDraft(
                    person_id=person_id, answers=text, reviewing=reviewing, updated_at=now
                )
            )
        else:
            row.answers, row.reviewing, row.updated_at = text, reviewing, now
        await self._session.flush()
        return True

    async def discard(self, telegram_id: int) -> None:
        person_id = await self._person_id(telegram_id)
        if person_id is not None:
            await self._session.execute(
                delete(RegistrationDraft).where(RegistrationDraft.person_id == person_id)
            )
