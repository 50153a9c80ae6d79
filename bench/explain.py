"""EXPLAIN on PostgreSQL: which statements read whole tables at 25,000 organisations.

    python -m bench.explain                      # at the head revision
    python -m bench.explain --revision 0008      # the same, before migration 0009

1. A scratch PostgreSQL database gets bench.data_scale's data (25,000 organisations,
   100,000 people, 50,000 applications).
2. N users run the journey through the bot, which runs with every SQL statement it
   sends counted (bench.sql_trace).
3. This process, traced too, does what the journeys do not: directory searches,
   "my applications", planning a day's reminders (18,000 deliveries) and the outbox
   claiming a batch of them.
4. The database is taken to `--revision` (a downgrade drops the newer indexes) and
   analysed, and each distinct statement runs again under EXPLAIN (ANALYZE, BUFFERS)
   with the parameters of its first call, in a transaction rolled back afterwards.

Reported: every statement that reads a table of more than 1,000 rows sequentially, and
the slowest statements; bench/results/explain.json has every plan's summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from bench import figures, sql_trace
from bench.data_scale import PEOPLE_PER_ORGANISATION, REGIONS, _closing_of, populate
from bench.databases import POSTGRES_ADMIN_URL, postgres_available, scratch_database
from bench.journeys import journeys_on
from delivery.planner import REMINDER_TIME, plan_all
from domain.deadlines import at_local
from registry import directory
from registry.privacy import erase_person, erasure_plan
from storage import migrate
from storage.engine import create_engine, create_session_factory
from storage.store import Store

ZONE = ZoneInfo("Asia/Almaty")
BIG_TABLE = 1000  # rows; a sequential scan of a smaller table is as good as an index
SLOW_TRIGGER_MS = 1.0  # a foreign key's ON DELETE check taking this long scans its table
SHOWN = 12
COLUMNS = (
    "where from", "statement", "calls", "ms", "sequential scans of big tables",
    "slow foreign-key triggers",
)  # fmt: skip
SKIPPED = re.compile(r"pg_catalog|alembic_version|current_schema|^\s*(show|begin|commit)", re.I)
# A plain INSERT's plan is "Insert"; replaying it would also break a unique key.
PLAIN_INSERT = re.compile(r"^\s*INSERT INTO \w+ \([^)]*\) VALUES", re.I)
IN_LIST = re.compile(r"(\$\d+(::[\w\[\]]+)?,\s*)+\$\d+(::[\w\[\]]+)?")


def shape(text: str) -> str:
    """The statement with IN-lists of any length alike, so they count as one."""
    return IN_LIST.sub("$…", " ".join(text.split()))


def short(text: str, width: int = 150) -> str:
    """SELECT's column list elided: what is read, from where, on what condition."""
    flat = shape(text)
    flat = re.sub(r"^SELECT (DISTINCT )?.*? FROM ", r"SELECT \1… FROM ", flat, count=1)
    flat = re.sub(r"^UPDATE (\w+) SET .*? WHERE ", r"UPDATE \1 SET … WHERE ", flat, count=1)
    flat = re.sub(r"^INSERT INTO (\w+) \(.*?\) VALUES .*", r"INSERT INTO \1 …", flat)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


async def in_process_work(url: str, organisations: int, tally: sql_trace.Tally) -> None:
    """What the journeys do not do, traced in this process."""
    engine = create_engine(url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            store = Store(session)
            tally.source = "directory"
            await directory.search(store, query=f"{organisations // 2:06d}")
            await directory.search(store, region=REGIONS[1], page=3)
            await directory.search(store, area="education", page=2)
            tally.source = "my applications"
            await store.applications.of_organisation(organisations // 3)
        tally.source = "operator queue"
        async with factory() as session:
            store = Store(session)
            topics = await store.console.topics_with(("submitted",))
            if topics:
                await store.console.queue(topics[0].topic_id, ("submitted",))
        tally.source = "privacy erase"
        async with factory() as session:
            # The owner of an organisation in the middle; rolled back, as EXPLAIN will be.
            owner = 9_000_000 + (organisations // 2) * PEOPLE_PER_ORGANISATION
            store = Store(session)
            plan = await erasure_plan(store, owner)
            # They hand over to the longest-serving member, as the bot offers first.
            successors = {
                d.organisation_id: d.candidates[0].person_id
                for d in (plan.successors_needed if plan else ())
            }
            await erase_person(store, owner, datetime.now(UTC), successors)
            await session.rollback()
        tally.source = "reminder planner"
        closes = await _closing_of(factory, "gender-equality")
        day = closes.astimezone(ZONE).date() - timedelta(days=7)
        moment = at_local(day, REMINDER_TIME, ZONE) + timedelta(minutes=1)
        await plan_all(factory, moment, ZONE, [7, 1])
        tally.source = "outbox claim"
        async with factory() as session:
            await Store(session).deliveries.claim(
                moment,
                limit=50,
                token=secrets.token_hex(8),
                lease_until=moment + timedelta(minutes=1),
            )
            await session.rollback()
    finally:
        await engine.dispose()


def suspect(row: dict) -> bool:
    return bool(row.get("sequential scans of big tables") or row.get("slow foreign-key triggers"))


def sequential_scans(plan: dict, sizes: dict[str, float]) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan":
        table = plan.get("Relation Name", "?")
        if sizes.get(table, 0) > BIG_TABLE:
            found.append(f"{table} ({sizes[table]:,.0f})")
    for child in plan.get("Plans", []):
        found += sequential_scans(child, sizes)
    return found


async def explain(connection, text: str, parameters) -> dict:
    """EXPLAIN ANALYZE in a transaction that is rolled back: an UPDATE changes nothing."""
    transaction = connection.transaction()
    await transaction.start()
    try:
        found = await connection.fetchval(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text, *(parameters or ())
        )
    finally:
        await transaction.rollback()
    return json.loads(found)[0]


async def explain_all(url: str, statements: list[sql_trace.Statement]) -> list[dict]:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        # As autovacuum would have by now: statistics, and the GIN index's pending list
        # (rows added since the index was built, which an index scan must read) merged.
        await connection.execute("VACUUM ANALYZE")
        sizes = {
            r["relname"]: r["reltuples"]
            for r in await connection.fetch(
                "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
            )
        }
        constraints = {
            r["tgname"]: r["conname"]
            for r in await connection.fetch(
                "SELECT t.tgname, c.conname FROM pg_trigger t "
                "JOIN pg_constraint c ON c.oid = t.tgconstraint"
            )
        }
        grouped: dict[str, dict] = {}
        for statement in statements:
            if SKIPPED.search(statement.text) or PLAIN_INSERT.search(statement.text):
                continue
            key = shape(statement.text)
            entry = grouped.get(key)
            if entry is None:
                grouped[key] = entry = {"statement": statement, "calls": 0, "sources": set()}
            entry["calls"] += statement.calls
            entry["sources"] |= statement.sources
        rows = []
        for entry in grouped.values():
            statement = entry["statement"]
            parameters = statement.parameters
            if statement.executemany and parameters:
                parameters = parameters[0]
            row = {
                "where from": ", ".join(sorted(entry["sources"])),
                "statement": short(statement.text),
                "calls": entry["calls"],
                "text": " ".join(statement.text.split()),
            }
            try:
                # Twice, the faster kept: the first may be reading cold pages.
                plans = [await explain(connection, statement.text, parameters) for _ in range(2)]
                plan = min(plans, key=lambda p: p["Planning Time"] + p["Execution Time"])
                row["ms"] = round(plan["Planning Time"] + plan["Execution Time"], 2)
                row["sequential scans of big tables"] = ", ".join(
                    sequential_scans(plan["Plan"], sizes)
                )
                row["top node"] = plan["Plan"]["Node Type"]
                slow_triggers = [
                    f"{constraints.get(t['Trigger Name'], t['Trigger Name'])} {t['Time']:.1f} ms"
                    for t in plan.get("Triggers", [])
                    if t["Time"] >= SLOW_TRIGGER_MS
                ]
                if slow_triggers:
                    row["slow foreign-key triggers"] = ", ".join(slow_triggers)
            except (asyncpg.PostgresError, TypeError, ValueError) as error:
                row["error"] = f"{type(error).__name__}: {error}"[:200]
            rows.append(row)
        return rows
    finally:
        await connection.close()


async def measure(organisations: int, users: int, revision: str = "head") -> dict:
    if not await postgres_available():
        reason = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}"
        return figures.write("explain", "EXPLAIN", COLUMNS, [], status=reason, notes=[reason])
    folder = Path(tempfile.mkdtemp(prefix="ngo-explain-"))
    trace = folder / "bot.pickle"
    async with scratch_database("postgres") as url:
        started = time.monotonic()
        await populate(url, organisations, datetime.now(UTC))
        run, _emulator = await journeys_on(
            url, "polling", "postgres", users, trace=trace, first_serial=60000
        )
        tally = sql_trace.install("bench")
        await in_process_work(url, organisations, tally)
        statements = sql_trace.load(trace) + list(tally.statements.values())
        if revision != "head":
            engine = create_engine(url)
            try:
                await migrate.downgrade(engine, revision)
            finally:
                await engine.dispose()
        rows = await explain_all(url, statements)
        seconds = time.monotonic() - started
    flagged = [r for r in rows if suspect(r)]
    slowest = sorted(
        (r for r in rows if not suspect(r) and "ms" in r),
        key=lambda r: -r["ms"],
    )[:SHOWN]
    updates = len(run.samples)
    bot_calls = sum(s.calls for s in sql_trace.load(trace) if not SKIPPED.search(s.text))
    notes = [
        f"PostgreSQL at revision {revision}; {organisations:,} organisations, "
        f"{organisations * 4:,} people, {organisations * 2:,} applications, "
        f"{users} journeys ({run.completed} completed) through the bot; "
        f"{seconds:.0f} s in all.",
        f"The bot sent {bot_calls:,} statements for {updates:,} updates: "
        f"{bot_calls / max(updates, 1):.1f} a update.",
        f"{len(rows)} distinct statements explained; the table shows the "
        f"{len(flagged)} that read a table of more than {BIG_TABLE:,} rows sequentially "
        f"(or whose foreign-key checks take {SLOW_TRIGGER_MS:g} ms or more), "
        f"then the {len(slowest)} slowest of the rest. Plain INSERTs are left out.",
        "ms: planning + execution of one call under EXPLAIN ANALYZE.",
    ]
    errors = [r for r in rows if "error" in r]
    if errors:
        notes.append(f"{len(errors)} statements could not be explained (see the JSON).")
    return figures.write(
        "explain" if revision == "head" else f"explain-{revision}",
        f"EXPLAIN on PostgreSQL (revision {revision})",
        COLUMNS,
        flagged + slowest,
        notes=notes,
        all_statements=rows,
        statements_per_update=round(bot_calls / max(updates, 1), 2),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--organisations", type=int, default=25000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--revision", default="head", help="explain at this migration")
    args = parser.parse_args(argv)
    figures.show(asyncio.run(measure(args.organisations, args.users, args.revision)))


if __name__ == "__main__":
    main()
