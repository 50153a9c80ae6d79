"""The public directory of NGOs that agreed to be listed."""

from __future__ import annotations

from dataclasses import dataclass

from domain.areas import is_area
from domain.regions import is_region
from domain.search import fold_for_search
from storage.repositories.activity_reports import ReportView
from storage.repositories.organisations import OrganisationView
from storage.store import Store

PAGE_SIZE = 5
MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class DirectoryResult:
    items: tuple[OrganisationView, ...]
    total: int
    page: int
    pages: int


async def search(
    store: Store,
    *,
    query: str | None = None,
    region: str | None = None,
    area: str | None = None,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> DirectoryResult:
    """One page of listed organisations, by name; a page past the end shows the last one.

    The query is folded like the stored search column, so "ҚАМҚОР" finds "Қамқор"
    (SQLite's LIKE only ignores the case of ASCII letters). Unknown filter codes,
    which only a forged button can send, are ignored.
    """
    folded = fold_for_search(query[:MAX_QUERY]) if query else None
    region = region if region and is_region(region) else None
    area = area if area and is_area(area) else None
    page = max(page, 0)
    found = await store.organisations.directory(
        query=folded or None, region=region, area=area, offset=page * page_size, limit=page_size
    )
    pages = max(1, -(-found.total // page_size))
    if page >= pages and found.total:
        return await search(
            store, query=query, region=region, area=area, page=pages - 1, page_size=page_size
        )
    return DirectoryResult(items=found.items, total=found.total, page=page, pages=pages)


async def public_card(store: Store, organisation_id: int) -> OrganisationView | None:
    """An organisation's public fields, or None when it is not listed (or archived)."""
    organisation = await store.organisations.get(organisation_id)
    if organisation is None or not organisation.public_listing or organisation.archived_at:
        return None
    return organisation


@dataclass(frozen=True, slots=True)
class DirectoryCard:
    organisation: OrganisationView
    latest_filing: ReportView | None


async def card(store: Store, organisation_id: int) -> DirectoryCard | None:
    """The public card with the latest submitted filing, or None when it is not listed."""
    organisation = await public_card(store, organisation_id)
    if organisation is None:
        return None
    latest = await store.activity_reports.latest_submitted(organisation_id)
    return DirectoryCard(organisation=organisation, latest_filing=latest)
