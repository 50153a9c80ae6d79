"""One holder of the repositories on one session; the only place that commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.people import PeopleRepository


class Store:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.people = PeopleRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
