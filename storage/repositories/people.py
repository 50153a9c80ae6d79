"""People who use the bot, and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, Role, RoleGrant
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    telegram_id: int
    locale: str | None
    roles: frozenset[Role]
    consent_version: str | None
    consented_at: datetime | None
    blocked_bot: bool

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def _view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        telegram_id=person.telegram_id,
        locale=person.locale,
        roles=frozenset(grant.role for grant in person.roles),
        consent_version=person.consent_version,
        consented_at=person.consented_at,
        blocked_bot=person.blocked_bot_at is not None,
    )


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _get(self, telegram_id: int) -> Person | None:
        return await self._session.scalar(select(Person).where(Person.telegram_id == telegram_id))

    async def get(self, telegram_id: int) -> PersonView | None:
        person = await self._get(telegram_id)
        return _view(person) if person else None

    async def add(self, telegram_id: int, locale: str | None = None) -> PersonView:
        person = Person(telegram_id=telegram_id, locale=locale, roles=[])
        self._session.add(person)
        await self._session.flush()
        return _view(person)

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(locale=locale, updated_at=utcnow())
        )

    async def mark_blocked(self, telegram_id: int, blocked: bool) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.telegram_id == telegram_id)
            .values(blocked_bot_at=utcnow() if blocked else None, updated_at=utcnow())
        )

    async def grant_role(self, telegram_id: int, role: Role, granted_by: int | None) -> bool:
        """Give a role; returns False when the person already had it."""
        person = await self._get(telegram_id)
        if person is None:
            person = Person(telegram_id=telegram_id, roles=[])
            self._session.add(person)
            await self._session.flush()
        if any(grant.role == role for grant in person.roles):
            return False
        person.roles.append(RoleGrant(role=role, granted_by=granted_by))
        await self._session.flush()
        return True

    async def revoke_role(self, telegram_id: int, role: Role) -> bool:
        person = await self._get(telegram_id)
        if person is None:
            return False
        result = await self._session.execute(
            delete(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == role)
        )
        await self._session.refresh(person, ["roles"])
        return bool(result.rowcount)
