"""The public directory: folded search, filters, pages, and only listed organisations."""

from __future__ import annotations

from itertools import count

from registry import directory
from storage.store import Store
from tests import seeding
from tests.seeding import NOW

_BINS = count(940140000100)


async def listed(
    store: Store, name: str, *, region="almaty", areas=("education",), public=True, name_alt=None
):
    seeded = await seeding.organisation(
        store, None, NOW, bin_=str(next(_BINS)), name=name, name_alt=name_alt, region=region,
        areas=areas, public_listing=public,
    )  # fmt: skip
    return await store.organisations.get(seeded.organisation_id)


async def names(store, **filters) -> list[str]:
    return [o.name for o in (await directory.search(store, page_size=50, **filters)).items]


async def test_search_folds_case_in_kazakh_russian_and_latin(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await listed(store, "«Қамқор» қоғамдық бірлестігі", name_alt="Kamkor Public Association")
        await listed(store, "Фонд «Ёлка»")
        for query in ("қамқор", "ҚАМҚОР", "Қамқор", "KAMKOR", "  қоғамдық   бірлестігі "):
            assert await names(store, query=query) == ["«Қамқор» қоғамдық бірлестігі"], query
        assert await names(store, query="ЕЛКА") == ["Фонд «Ёлка»"]


async def test_like_wildcards_in_a_query_are_literal(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await listed(store, "Центр 100% помощи")
        await listed(store, "Центр 1000 помощи")
        await listed(store, "snake_case NGO")
        await listed(store, "snakeXcase NGO")
        assert await names(store, query="100%") == ["Центр 100% помощи"]
        assert await names(store, query="%") == ["Центр 100% помощи"]
        assert await names(store, query="snake_case") == ["snake_case NGO"]


async def test_filters_by_region_and_area_and_ignore_unknown_codes(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await listed(store, "A", region="astana", areas=("health",))
        await listed(store, "B", region="astana", areas=("education", "sport"))
        await listed(store, "C", region="shymkent", areas=("sport",))
        assert await names(store, region="astana") == ["A", "B"]
        assert await names(store, area="sport") == ["B", "C"]
        assert await names(store, region="astana", area="sport") == ["B"]
        assert await names(store, region="mars") == ["A", "B", "C"]


async def test_pages_and_a_page_past_the_end(session_factory):
    async with session_factory() as session:
        store = Store(session)
        for number in range(12):
            await listed(store, f"NGO {number:02}")
        first = await directory.search(store, page=0)
        assert (first.total, first.pages, first.page) == (12, 3, 0)
        assert [o.name for o in first.items] == [f"NGO {n:02}" for n in range(5)]
        last = await directory.search(store, page=7)
        assert last.page == 2 and [o.name for o in last.items] == ["NGO 10", "NGO 11"]
        empty = await directory.search(store, query="nothing like this")
        assert (empty.total, empty.pages, empty.page, empty.items) == (0, 1, 0, ())


async def test_unlisted_organisations_never_appear(session_factory):
    async with session_factory() as session:
        store = Store(session)
        shown = await listed(store, "Қамқор ашық")
        hidden = await listed(store, "Қамқор жабық", public=False)
        assert await names(store, query="қамқор") == ["Қамқор ашық"]
        assert await directory.card(store, hidden.id) is None
        assert await directory.card(store, 999) is None
        card = await directory.card(store, shown.id)
        assert card.organisation.name == "Қамқор ашық" and card.latest_filing is None
