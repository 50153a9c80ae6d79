"""Grant topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import TopicStatus
from storage.models import GrantTopic

TOPIC_FIELDS = (
    "code",
    "title_kk",
    "title_ru",
    "title_en",
    "description_kk",
    "description_ru",
    "description_en",
    "area",
    "grant_type",
    "budget_min",
    "budget_max",
    "opens_at",
    "closes_at",
    "status",
    "published",
    "max_applications_per_ngo",
)


@dataclass(frozen=True, slots=True)
class TopicView:
    id: int
    code: str
    title_kk: str
    title_ru: str
    title_en: str
    description_kk: str
    description_ru: str
    description_en: str
    area: str
    regions: tuple[str, ...]
    grant_type: str
    budget_min: int
    budget_max: int
    opens_at: datetime
    closes_at: datetime
    status: TopicStatus
    published: bool
    max_applications_per_ngo: int
    application_languages: tuple[str, ...]

    def title(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", None) or self.title_ru

    def description(self, locale: str) -> str:
        return getattr(self, f"description_{locale}", None) or self.description_ru

    def region_is_eligible(self, region: str) -> bool:
        return not self.regions or region in self.regions


def topic_view(row: GrantTopic) -> TopicView:
    return TopicView(
        regions=tuple(row.regions.split()) if row.regions else (),
        application_languages=tuple(row.application_languages.split()),
        **{name: getattr(row, name) for name in (*TOPIC_FIELDS, "id")},
    )


class TopicRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, topic_id: int) -> TopicView | None:
        row = await self._session.get(GrantTopic, topic_id)
        return topic_view(row) if row else None

    async def by_code(self, code: str) -> TopicView | None:
        row = await self._session.scalar(select(GrantTopic).where(GrantTopic.code == code))
        return topic_view(row) if row else None

    async def upsert(
        self, *, regions: tuple[str, ...], languages: tuple[str, ...], **fields: Any
    ) -> int:
        row = await self._session.scalar(
            select(GrantTopic).where(GrantTopic.code == fields["code"])
        )
        if row is None:
            row = GrantTopic()
            self._session.add(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.regions = " ".join(regions)
        row.application_languages = " ".join(languages)
        await self._session.flush()
        return row.id

    async def open_topics(self) -> list[TopicView]:
        """Open topics, soonest deadline first."""
        rows = await self._session.scalars(
            select(GrantTopic)
            .where(GrantTopic.status == TopicStatus.OPEN)
            .order_by(GrantTopic.closes_at, GrantTopic.id)
        )
        return [topic_view(r) for r in rows]

    async def all(self) -> list[TopicView]:
        rows = await self._session.scalars(select(GrantTopic).order_by(GrantTopic.opens_at))
        return [topic_view(r) for r in rows]

    async def open_due(self, now: datetime) -> list[int]:
        """Published drafts whose time has come: opened now. Returns their ids."""
        rows = await self._session.scalars(
            select(GrantTopic.id).where(
                GrantTopic.status == TopicStatus.DRAFT,
                GrantTopic.published.is_(True),
                GrantTopic.opens_at <= now,
                GrantTopic.closes_at > now,
            )
        )
        ids = list(rows)
        if ids:
            await self._session.execute(
                update(GrantTopic).where(GrantTopic.id.in_(ids)).values(status=TopicStatus.OPEN)
            )
        return ids

    async def close_due(self, now: datetime) -> list[int]:
        rows = await self._session.scalars(
            select(GrantTopic.id).where(
                GrantTopic.status == TopicStatus.OPEN, GrantTopic.closes_at <= now
            )
        )
        ids = list(rows)
        if ids:
            await self._session.execute(
                update(GrantTopic).where(GrantTopic.id.in_(ids)).values(status=TopicStatus.CLOSED)
            )
        return ids

    async def set_status(self, topic_id: int, status: TopicStatus) -> None:
        await self._session.execute(
            update(GrantTopic).where(GrantTopic.id == topic_id).values(status=status)
        )
