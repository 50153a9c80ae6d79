"""Scale of data: directory search, "my applications", planning a day's reminders and
resident memory, at 2,500 and 25,000 organisations (4 people, 2 applications and about 3
application events each); then our bot on the same database while people search the
directory through it (its latency and memory).

    python -m bench.data_scale --organisations 2500 25000 --databases sqlite postgres
    python -m bench.data_scale --bot-users 0        # without the bot

Each size runs in a fresh process, so its resident memory is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from bench import figures, process_stats
from bench.databases import postgres_available, scratch_database
from bench.seeding import TOPICS, bins
from delivery.planner import REMINDER_TIME, plan_all
from domain.deadlines import at_local
from grants.topic_files import import_topics
from registry import directory
from storage.engine import create_engine, create_session_factory
from storage.models import (
    ActivityReport,
    Application,
    ApplicationEvent,
    GrantTopic,
    MemberRole,
    Membership,
    Organisation,
    OrganisationArea,
    Person,
)
from storage.store import Store

ZONE = ZoneInfo("Asia/Almaty")
PEOPLE_PER_ORGANISATION = 4
APPLICATIONS_PER_ORGANISATION = 2
CHUNK = 5000
REPEATS = 30
BOT_USERS = 20
REGIONS = ("almaty", "astana", "shymkent", "abai", "akmola", "karaganda")
AREAS = ("education", "gender_equality", "children_and_youth", "health")
COLUMNS = (
    "database", "organisations", "people", "applications", "insert s",
    "search ms", "search by region ms", "my applications ms", "plan day ms",
    "reminders planned", "rss MB", "bot search p50 ms", "bot search p95 ms", "bot rss MB",
)  # fmt: skip


async def _insert(session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


async def populate(url: str, organisations: int, now: datetime) -> None:
    rng = random.Random(organisations)
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            store = Store(session)
            await import_topics(store, TOPICS.read_text(encoding="utf-8"), now)
            await session.flush()
            topic_ids = list((await session.scalars(select(GrantTopic.id))).all())
            people = organisations * PEOPLE_PER_ORGANISATION
            await _insert(
                session,
                Person,
                [
                    {"id": i + 1, "telegram_id": 9_000_000 + i, "locale": "ru"}
                    for i in range(people)
                ],
            )
            numbers = bins(organisations)
            await _insert(
                session,
                Organisation,
                [
                    {
                        "id": i + 1,
                        "bin": numbers[i],
                        "name": f"Организация {i:06d}",
                        "search_text": f"организация {i:06d} ngo",
                        "legal_form": "public_association",
                        "region": REGIONS[i % len(REGIONS)],
                        "description": "Benchmark organisation.",
                        "phone": "+77011234567",
                        "email": "office@example.kz",
                        "founded_year": 2010,
                        "staff_count": 5,
                        "volunteer_count": 10,
                        "public_listing": i % 2 == 0,
                    }
                    for i in range(organisations)
                ],
            )
            await _insert(
                session,
                OrganisationArea,
                [{"organisation_id": i + 1, "area": AREAS[i % 4]} for i in range(organisations)],
            )
            await _insert(
                session,
                Membership,
                [
                    {
                        "organisation_id": p // PEOPLE_PER_ORGANISATION + 1,
                        "person_id": p + 1,
                        "role": MemberRole.OWNER
                        if p % PEOPLE_PER_ORGANISATION == 0
                        else MemberRole.MEMBER,
                    }
                    for p in range(people)
                ],
            )
            await _insert(
                session,
                ActivityReport,
                [
                    {"organisation_id": i + 1, "year": now.year - 1, "status": "submitted"}
                    for i in range(organisations)
                ],
            )
            applications = organisations * APPLICATIONS_PER_ORGANISATION
            owner = [(a // APPLICATIONS_PER_ORGANISATION) * PEOPLE_PER_ORGANISATION + 1
                     for a in range(applications)]  # fmt: skip
            await _insert(
                session,
                Application,
                [
                    {
                        "id": a + 1,
                        "organisation_id": a // APPLICATIONS_PER_ORGANISATION + 1,
                        "topic_id": rng.choice(topic_ids),
                        "status": "draft" if a % 3 else "submitted",
                        "title": f"Project {a}",
                        "created_by": owner[a],
                        "updated_by": owner[a],
                        "submitted_by": None if a % 3 else owner[a],
                        "submitted_at": None if a % 3 else now,
                    }
                    for a in range(applications)
                ],
            )
            # Its history: created, and submitted for every third.
            await _insert(
                session,
                ApplicationEvent,
                [
                    {"application_id": a + 1, "from_status": None, "to_status": "draft",
                     "by": owner[a]}
                    for a in range(applications)
                ]
                + [
                    {"application_id": a + 1, "from_status": "draft", "to_status": "submitted",
                     "by": owner[a]}
                    for a in range(0, applications, 3)
                ],
            )  # fmt: skip
            if session.bind.dialect.name == "postgresql":
                # The ids above were given, so the sequences must catch up with them.
                for table in ("people", "organisations", "applications"):
                    await session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
            await session.commit()
        if engine.dialect.name == "postgresql":
            # As autovacuum would after a bulk load: statistics, and the GIN index's
            # pending list (rows an index scan would otherwise read one by one) merged.
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql("VACUUM ANALYZE")
    finally:
        await engine.dispose()


async def timed(action, repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` calls (the first, warming caches, is dropped)."""
    await action(0)
    spent = []
    for number in range(repeats):
        started = time.perf_counter()
        await action(number)
        spent.append(time.perf_counter() - started)
    return round(statistics.median(spent) * 1000, 2)


async def measure_size(database: str, organisations: int, bot_users: int = BOT_USERS) -> dict:
    now = datetime.now(UTC)
    async with scratch_database(database) as url:
        started = time.monotonic()
        await populate(url, organisations, now)
        inserted = time.monotonic() - started
        engine = create_engine(url)
        factory = create_session_factory(engine)
        rng = random.Random(7)
        try:
            async with factory() as session:
                store = Store(session)

                async def search(number: int) -> None:
                    await directory.search(store, query=f"{rng.randrange(organisations):06d}")

                async def by_region(number: int) -> None:
                    await directory.search(store, region=REGIONS[number % len(REGIONS)], page=3)

                async def mine(number: int) -> None:
                    await store.applications.of_organisation(rng.randrange(organisations) + 1)

                search_ms = await timed(search)
                region_ms = await timed(by_region)
                mine_ms = await timed(mine)
            rss = process_stats.rss_mb(os.getpid())
            through_bot = await directory_through_bot(url, database, organisations, bot_users)
            # The day the gender-equality topic's 7-day reminder is due, just after 10:00.
            closes = await _closing_of(factory, "gender-equality")
            day = closes.astimezone(ZONE).date() - timedelta(days=7)
            moment = at_local(day, REMINDER_TIME, ZONE) + timedelta(minutes=1)
            started = time.perf_counter()
            planned = await plan_all(factory, moment, ZONE, [7, 1])
            plan_ms = round((time.perf_counter() - started) * 1000, 1)
        finally:
            await engine.dispose()
    return {
        "database": database,
        "organisations": organisations,
        "people": organisations * PEOPLE_PER_ORGANISATION,
        "applications": organisations * APPLICATIONS_PER_ORGANISATION,
        "insert s": round(inserted, 1),
        "search ms": search_ms,
        "search by region ms": region_ms,
        "my applications ms": mine_ms,
        "plan day ms": plan_ms,
        "reminders planned": planned,
        "rss MB": round(rss, 1),
        **through_bot,
    }


async def directory_through_bot(
    url: str, database: str, organisations: int, users: int
) -> dict[str, float | None]:
    """Our bot on this database: `users` people each open the directory (/ngos) and search
    it twice by name. Returns the search replies' latency and the bot's resident memory."""
    if not users:
        return {"bot search p50 ms": None, "bot search p95 ms": None, "bot rss MB": None}
    # Imported here: the bot's frameworks would count in this process's memory above.
    from bench.bot_process import our_bot
    from bench.journeys import FIRST_USER, wait_ready
    from bench.world import BenchEmulator, PacedUser, latencies
    from emulator import EmulatorConfig
    from tests.e2e.journeys import open_menu

    emulator = BenchEmulator(EmulatorConfig(settle_timeout=60))
    await emulator.start()
    bot = our_bot(f"data-scale-{database}", emulator.base_url, emulator.config.token, url)
    bot.start()
    searches: list = []
    try:
        await wait_ready(bot, emulator, webhook=False)
        rng = random.Random(organisations)

        async def browse(number: int) -> None:
            warm_up: list = []
            user = PacedUser(emulator.user(FIRST_USER + number, "Aigerim", "ru"), emulator, warm_up)
            await open_menu(user, "ru")
            await user.send("/ngos")
            user.samples = searches
            for _search in range(2):
                await user.send(f"{rng.randrange(organisations):06d}")

        await asyncio.gather(*(browse(n) for n in range(users)))
        found = latencies(searches, emulator, webhook=False)
        return {
            "bot search p50 ms": _ms(figures.percentile(found, 0.5)),
            "bot search p95 ms": _ms(figures.percentile(found, 0.95)),
            "bot rss MB": round(bot.rss_mb(), 1),
        }
    finally:
        await bot.stop()
        await emulator.stop()


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def _closing_of(factory, code: str) -> datetime:
    async with factory() as session:
        closes = await session.scalar(select(GrantTopic.closes_at).where(GrantTopic.code == code))
    return closes if closes.tzinfo else closes.replace(tzinfo=UTC)


def growth(rows: list[dict]) -> list[str]:
    """How each figure grows from the smallest to the largest size, against log growth."""
    notes = []
    for database in dict.fromkeys(r["database"] for r in rows):
        mine = [r for r in rows if r["database"] == database]
        mine.sort(key=lambda r: r["organisations"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        log_bound = math.log(large["organisations"]) / math.log(small["organisations"])
        size = large["organisations"] / small["organisations"]
        parts = []
        for column in ("search ms", "search by region ms", "my applications ms", "plan day ms"):
            if small[column]:
                parts.append(f"{column[:-3]} ×{large[column] / small[column]:.2f}")
        notes.append(
            f"{database}: data ×{size:.0f} → "
            + ", ".join(parts)
            + f" (logarithmic growth would be ×{log_bound:.2f}, linear ×{size:.0f})"
        )
    return notes


def run_in_child(database: str, organisations: int, bot_users: int = BOT_USERS) -> dict:
    child = ["--child", database, str(organisations), "--bot-users", str(bot_users)]
    output = subprocess.run(
        [sys.executable, "-m", "bench.data_scale", *child],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(sizes: list[int], databases: list[str], bot_users: int = BOT_USERS) -> dict:
    notes = [
        "Each size in a fresh process; rss MB is that process after inserting and querying "
        "(SQLAlchemy and the data code, without the bot's frameworks).",
        f"bot: our bot on the same database, {bot_users} people each opening /ngos and "
        "searching it twice by name at once; update-to-reply latency of the searches, and "
        "the bot process's resident memory after them.",
        "search: a name fragment (LIKE %…%); by region: page 4 of one region; "
        f"medians of {REPEATS} calls. plan day: delivery.planner.plan_all on the day a "
        "7-day deadline reminder is due (every member of an organisation with a draft).",
    ]
    if "postgres" in databases and not asyncio.run(postgres_available()):
        databases = [d for d in databases if d != "postgres"]
        notes.append("PostgreSQL was not reachable: its runs were skipped.")
    rows = [run_in_child(d, n, bot_users) for d in databases for n in sizes]
    notes += growth(rows)
    return figures.write("data_scale", "Scale of data", COLUMNS, rows, notes=notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.data_scale", description=__doc__)
    parser.add_argument("--organisations", type=int, nargs="+", default=[2500, 25000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--bot-users",
        type=int,
        default=BOT_USERS,
        help="people searching the directory through the bot (0: no bot)",
    )
    parser.add_argument("--child", nargs=2, metavar=("DATABASE", "ORGANISATIONS"))
    args = parser.parse_args(argv)
    if args.child:
        found = measure_size(args.child[0], int(args.child[1]), args.bot_users)
        print(json.dumps(asyncio.run(found)))
        return
    figures.show(measure(args.organisations, args.databases, args.bot_users))


if __name__ == "__main__":
    main()
