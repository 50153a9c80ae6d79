"""Organisations and their activity areas."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, column, exists, func, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organisation, OrganisationArea

# SQLite's trigram index of search_text (migration 0010), outside the ORM's metadata.
# Its hidden column of the same name is the left side of MATCH.
SEARCH_INDEX = table("organisations_fts", column("rowid"), column("organisations_fts"))
# The trigram tokenizer matches fragments of at least this many characters.
TRIGRAM = 3
# Whether each engine's database has that index, looked up once per engine.
_has_search_index: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: int
    bin: str
    name: str
    name_alt: str | None
    legal_form: str
    region: str
    areas: tuple[str, ...]
    description: str
    phone: str
    email: str
    website: str | None
    founded_year: int
    staff_count: int
    volunteer_count: int
    public_listing: bool
    created_at: datetime
    # Its last member left or erased their data (registry.staff.archive_if_empty).
    archived_at: datetime | None = None


def organisation_view(row: Organisation) -> OrganisationView:
    return OrganisationView(
        id=row.id,
        bin=row.bin,
        name=row.name,
        name_alt=row.name_alt,
        legal_form=row.legal_form,
        region=row.region,
        areas=tuple(area.area for area in row.areas),
        description=row.description,
        phone=row.phone,
        email=row.email,
        website=row.website,
        founded_year=row.founded_year,
        staff_count=row.staff_count,
        volunteer_count=row.volunteer_count,
        public_listing=row.public_listing,
        created_at=row.created_at,
        archived_at=row.archived_at,
    )


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    items: tuple[OrganisationView, ...]
    total: int


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, organisation_id: int) -> OrganisationView | None:
        row = await self._session.get(Organisation, organisation_id)
        return organisation_view(row) if row else None

    async def get_by_bin(self, bin_: str) -> OrganisationView | None:
        row = await self._session.scalar(select(Organisation).where(Organisation.bin == bin_))
        return organisation_view(row) if row else None

    async def add(
        self, *, areas: tuple[str, ...], search_text: str, **fields: Any
    ) -> OrganisationView:
        row = Organisation(
            **fields,
            search_text=search_text,
            areas=[OrganisationArea(area=area) for area in areas],
        )
        self._session.add(row)
        await self._session.flush()
        return organisation_view(row)

    async def update(
        self, organisation_id: int, search_text: str | None = None, **fields: Any
    ) -> None:
        row = await self._session.get(Organisation, organisation_id)
        if row is None:
            raise LookupError(organisation_id)
        areas = fields.pop("areas", None)
        for name, value in fields.items():
            setattr(row, name, value)
        if search_text is not None:
            row.search_text = search_text
        if areas is not None:
            row.areas = [OrganisationArea(area=area) for area in areas]
        await self._session.flush()

    async def set_archived(self, organisation_id: int, when: datetime | None) -> None:
        """Archive (a time) or revive (None) the organisation."""
        row = await self._session.get(Organisation, organisation_id)
        if row is not None:
            row.archived_at = when
            await self._session.flush()

    async def directory(
        self,
        *,
        query: str | None,
        region: str | None,
        area: str | None,
        offset: int,
        limit: int,
    ) -> DirectoryPage:
        """One page of listed organisations by name, and how many match in all.

        `query` is a fragment of search_text, folded like it (domain.search).
        """
        conditions: list[ColumnElement[bool]] = [
            Organisation.public_listing.is_(True),
            Organisation.archived_at.is_(None),
        ]
        if query:
            conditions.append(await self._name_contains(query))
        if region:
            conditions.append(Organisation.region == region)
        if area:
            conditions.append(
                exists().where(
                    and_(
                        OrganisationArea.organisation_id == Organisation.id,
                        OrganisationArea.area == area,
                    )
                )
            )
        where = and_(*conditions)
        total = await self._session.scalar(select(func.count(Organisation.id)).where(where))
        rows = await self._session.scalars(
            select(Organisation)
            .where(where)
            .order_by(Organisation.name, Organisation.id)
            .offset(offset)
            .limit(limit)
        )
        return DirectoryPage(items=tuple(organisation_view(r) for r in rows), total=total or 0)

    async def _name_contains(self, query: str) -> ColumnElement[bool]:
        """search_text contains `query`: LIKE '%…%', through the trigram index on SQLite.

        The index gives LIKE's answers (both sides are folded, and it matches exact
        substrings) without reading every row; it cannot look up fewer than 3
        characters, nor is it there where SQLite lacks the trigram tokenizer. The
        fragment goes in as one FTS5 string, so quotes, `*`, OR or NEAR( in it are
        only text. PostgreSQL answers LIKE from its own trigram index (0009).
        """
        if len(query) >= TRIGRAM and await self._search_index():
            phrase = '"' + query.replace('"', '""') + '"'
            return Organisation.id.in_(
                select(SEARCH_INDEX.c.rowid).where(SEARCH_INDEX.c.organisations_fts.match(phrase))
            )
        return Organisation.search_text.contains(query, autoescape=True)

    async def _search_index(self) -> bool:
        bind = self._session.get_bind()
        if bind.dialect.name != "sqlite":
            return False
        engine = bind.engine
        if engine not in _has_search_index:
            _has_search_index[engine] = bool(
                await self._session.scalar(
                    text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                    {"name": SEARCH_INDEX.name},
                )
            )
        return _has_search_index[engine]

    async def count(self) -> int:
        return await self._session.scalar(select(func.count(Organisation.id))) or 0
