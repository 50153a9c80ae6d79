"""The directory's name search: SQLite's trigram index (migration 0010) finds exactly
what LIKE '%…%' finds, for any fragment, and the triggers keep the index in step."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text, update

from domain.search import fold_for_search
from registry import organisations as registry
from storage import migrate
from storage.engine import create_engine, create_session_factory
from storage.models import Organisation
from storage.repositories.organisations import SEARCH_INDEX
from storage.store import Store

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
ALPHABET = KAZAKH + "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЁКМО" + "abcknorAEOR019"
PUNCTUATION = " \"'«»*()^:+-.,%_/\\"
# FTS5 query syntax, which a fragment must never be read as.
SYNTAX = ['"', '""', "*", "OR", "AND", "NOT", "NEAR(", "NEAR(a b)", "^", "a:", "(", ")", "-"]

words = st.text(ALPHABET + PUNCTUATION, max_size=8) | st.sampled_from(SYNTAX)
names = st.lists(words, min_size=1, max_size=4).map(" ".join)
organisation = st.tuples(names, st.none() | names, st.booleans())


def _row(number: int, search_text: str, listed: bool) -> dict:
    return {
        "id": number,
        "bin": f"{number:012d}",
        "name": f"Organisation {number:03d}",
        "search_text": search_text,
        "legal_form": "public_association",
        "region": "almaty",
        "description": "",
        "phone": "+77011234567",
        "email": "office@example.kz",
        "founded_year": 2010,
        "staff_count": 1,
        "volunteer_count": 1,
        "public_listing": listed,
    }


async def _replace_organisations(session, texts: list[str], listed: list[bool]) -> None:
    """Delete every organisation, insert the new ones, then change the text of every
    other one: each of the index's three triggers has its turn."""
    await session.execute(delete(Organisation))
    staged = [t if n % 2 else f"placeholder {n}" for n, t in enumerate(texts)]
    if texts:
        await session.execute(
            insert(Organisation),
            [_row(n + 1, t, listed[n]) for n, t in enumerate(staged)],
        )
    for n, final in enumerate(texts):
        if staged[n] != final:
            await session.execute(
                update(Organisation).where(Organisation.id == n + 1).values(search_text=final)
            )
    await session.commit()


async def _like(session, query: str) -> list[int]:
    """The answer of the search before the index: LIKE over the table."""
    rows = await session.scalars(
        select(Organisation.id)
        .where(
            Organisation.public_listing.is_(True),
            Organisation.search_text.contains(query, autoescape=True),
        )
        .order_by(Organisation.name, Organisation.id)
    )
    return list(rows)


async def _index_is_consistent(session) -> None:
    if session.bind.dialect.name == "sqlite":
        # FTS5 compares its index with the content table and raises if they differ.
        await session.execute(
            text(
                f"INSERT INTO {SEARCH_INDEX.name}({SEARCH_INDEX.name}, rank) "
                "VALUES ('integrity-check', 1)"
            )
        )


async def _check(url: str, found: list[tuple[str, str | None, bool]], queries: list[str]):
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            texts = [registry.search_text(name, alt) for name, alt, _listed in found]
            await _replace_organisations(session, texts, [listed for *_, listed in found])
            await _index_is_consistent(session)
            directory = Store(session).organisations
            for raw in queries:
                query = fold_for_search(raw)
                if not query:
                    continue
                expected = await _like(session, query)
                # Names are "Organisation 001", … : their order is the ids'.
                assert expected == [
                    n + 1 for n, t in enumerate(texts) if query in t and found[n][2]
                ]
                page = await directory.directory(
                    query=query, region=None, area=None, offset=0, limit=1000
                )
                assert [o.id for o in page.items] == expected, query
                assert page.total == len(expected)
                second = await directory.directory(
                    query=query, region=None, area=None, offset=1, limit=2
                )
                assert [o.id for o in second.items] == expected[1:3]
                assert second.total == len(expected)
    finally:
        await engine.dispose()


@st.composite
def cases(draw):
    found = draw(st.lists(organisation, max_size=8))
    texts = [registry.search_text(name, alt) for name, alt, _ in found]
    fragments = []
    for _ in range(draw(st.integers(1, 6))):
        if texts and draw(st.booleans()):
            # A piece of a stored name, in the case a person might type it.
            whole = draw(st.sampled_from(texts))
            start = draw(st.integers(0, len(whole)))
            fragment = whole[start : draw(st.integers(start, len(whole)))]
            fragments.append(fragment.upper() if draw(st.booleans()) else fragment)
        else:
            fragments.append(draw(names))
    return found, fragments


def test_the_index_finds_what_like_finds(database_url):
    @hypothesis_settings(
        max_examples=80,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    @example(
        (
            [
                ("Қамқор «Ана үйі»", 'say "hi" OR NEAR(x', True),
                ('a"b*c', None, True),
                ("ҰЛТТЫҚ ҚОР", "Ұлттық қор", False),
            ],
            ['"', 'a"b', "*", "b*c", "OR", "NEAR(", 'hi" OR', "қор", "ҚАМҚОР", "ана ү", "ұлт"],
        )
    )
    def check(case):
        found, queries = case
        asyncio.run(_check(database_url, found, queries))

    check()


@pytest.mark.sqlite_only("the trigram index and its fallback are SQLite's")
async def test_without_the_index_the_search_reads_the_table(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            # As on an SQLite without the trigram tokenizer, where 0010 creates nothing.
            for trigger in ("insert", "delete", "update"):
                await connection.exec_driver_sql(f"DROP TRIGGER {SEARCH_INDEX.name}_{trigger}")
            await connection.exec_driver_sql(f"DROP TABLE {SEARCH_INDEX.name}")
        async with create_session_factory(engine)() as session:
            await _replace_organisations(session, ["қамқор ана үйі", "ұлттық қор"], [True, True])
            page = await Store(session).organisations.directory(
                query="қор", region=None, area=None, offset=0, limit=10
            )
            assert [o.id for o in page.items] == [1, 2]
    finally:
        await engine.dispose()


@pytest.mark.sqlite_only("the trigram index is SQLite's")
async def test_the_migration_indexes_the_organisations_already_there(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine, "0009")
        async with create_session_factory(engine)() as session:
            await session.execute(
                insert(Organisation), [_row(1, "қамқор ана үйі", True), _row(2, "қор", True)]
            )
            await session.commit()
        await migrate.upgrade(engine)
        async with create_session_factory(engine)() as session:
            await _index_is_consistent(session)
            matched = await session.scalars(
                select(SEARCH_INDEX.c.rowid).where(SEARCH_INDEX.c.organisations_fts.match('"ана"'))
            )
            assert list(matched) == [1]
            page = await Store(session).organisations.directory(
                query="ана үйі", region=None, area=None, offset=0, limit=10
            )
            assert [o.id for o in page.items] == [1]
    finally:
        await engine.dispose()
