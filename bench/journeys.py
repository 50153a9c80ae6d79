"""Journeys: N NGO users start, register, browse topics and submit an application, all
through the emulator over real HTTP; the same users also talk to bare echo bots.

    python -m bench.journeys --users 50 200 --modes polling webhook --databases sqlite
    python -m bench.journeys --users 50 200 --modes polling webhook --databases postgres
    python -m bench.journeys --users 1000 --journey short --modes polling --databases sqlite
    python -m bench.journeys --users 200 --journey short --think 5 --no-peers   # paced
    python -m bench.journeys --users 50 --profile bench/results/profile.txt   # pyinstrument

Reports updates a second, update-to-reply latency (p50/p95/p99), the bot process's CPU
seconds per 1000 updates, and that cost as a ratio to an aiogram and a
python-telegram-bot echo bot measured in the same run.

The full journey is about 37 updates a user; the short one (start, register, browse
topics: no application) about 22. With --think 0 (the default) each user acts as soon
as the previous answer is complete, so the bot runs flat out: the figures are its
throughput, and latency is mostly the queue (Little's law: users / updates a second).
With --think T each user pauses T seconds on average before each action, as a person
reads: latency then is what one person waits under that load.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench import figures
from bench.bot_process import BotProcess, our_bot, peer_bot
from bench.databases import postgres_available, scratch_database
from bench.seeding import TOPICS, bins
from bench.world import BenchEmulator, PacedUser, Sample, latencies
from emulator import EmulatorConfig
from grants.eligibility import required_filing_year
from grants.topic_files import import_topics
from storage.engine import create_engine, create_session_factory
from storage.models import Application, MemberRole, Membership, Person
from storage.store import Store
from tests.e2e.journeys import label, register_organisation

ZONE = ZoneInfo("Asia/Almaty")
TOPIC_CODE = "gender-equality"
TOPIC_TITLE = "Содействие гендерному равенству"
FIRST_USER = 8_000_000
ECHO_MESSAGES = 10
WEBHOOK_SECRET = "bench-webhook-secret"
COLUMNS = (
    "bot", "mode", "database", "users", "journey", "think s", "journeys ok", "updates", "updates/s",
    "p50 ms", "p95 ms", "p99 ms", "CPU s/1000 updates", "× aiogram echo", "× PTB echo",
)  # fmt: skip


JOURNEYS = ("full", "short")


@dataclass
class Run:
    bot: str
    mode: str
    database: str
    users: int
    journey: str = "full"
    think: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    completed: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    rss_mb: float = 0.0

    def row(self, emulator: BenchEmulator) -> dict:
        found = latencies(self.samples, emulator, self.mode == "webhook")
        updates = len(self.samples)
        ms = {f"p{p} ms": _ms(figures.percentile(found, p / 100)) for p in (50, 95, 99)}
        return {
            "bot": self.bot,
            "mode": self.mode,
            "database": self.database,
            "users": self.users,
            "journey": self.journey,
            "think s": self.think,
            "journeys ok": self.completed,
            "updates": updates,
            "updates/s": round(updates / self.seconds, 1) if self.seconds else None,
            **ms,
            "CPU s/1000 updates": round(1000 * self.cpu / updates, 2) if updates else None,
            "rss MB": round(self.rss_mb, 1),
            "failures": self.failures[:5],
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def wait_ready(bot: BotProcess, emulator: BenchEmulator, webhook: bool, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not bot.alive():
            raise RuntimeError(f"{bot.name} exited during start-up:\n{bot.log_tail()}")
        if webhook and emulator.bot.webhook is not None:
            return
        if not webhook and emulator.first_poll_at is not None:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{bot.name} did not start within {timeout}s:\n{bot.log_tail()}")


# -- our bot ---------------------------------------------------------------------------


async def seed_topics(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            store = Store(session)
            await import_topics(store, TOPICS.read_text(encoding="utf-8"), datetime.now(UTC))
            await store.commit()
    finally:
        await engine.dispose()


async def file_activity_reports(database_url: str, users: int) -> int:
    """The organisation of each of the first `users` journey users files its activity
    report (straight to the database, as tests/grants/seeding.py does), so it may apply."""
    now = datetime.now(UTC)
    year = required_filing_year(now, ZONE, None)
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            store = Store(session)
            owners = (
                await session.execute(
                    select(Membership.organisation_id, Membership.person_id)
                    .join(Person, Person.id == Membership.person_id)
                    .where(
                        Membership.role == MemberRole.OWNER,
                        Person.telegram_id.between(FIRST_USER, FIRST_USER + users - 1),
                    )
                )
            ).all()
            for organisation_id, person_id in owners:
                report = await store.activity_reports.get_or_create(
                    organisation_id, year, person_id, now
                )
                await store.activity_reports.mark_submitted(report.id, person_id, now)
            await store.commit()
            return len(owners)
    finally:
        await engine.dispose()


async def submitted_applications(database_url: str, users: int) -> int:
    """Applications the journey users submitted."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(
                select(func.count(Application.id))
                .join(Person, Person.id == Application.created_by)
                .where(
                    Application.status == "submitted",
                    Person.telegram_id.between(FIRST_USER, FIRST_USER + users - 1),
                )
            )
    finally:
        await engine.dispose()


async def register(user: PacedUser, bin_: str, number: int) -> None:
    await register_organisation(user, "ru", bin=bin_, name=f"Бенч НКО {number}")


async def topic_button(user: PacedUser, attempts: int = 600) -> str:
    """The topic's button on the list (its text ends with the days left)."""
    for _attempt in range(attempts):
        for message in reversed(user.messages()):
            for row in message.buttons:
                for button in row:
                    if button.text.startswith(TOPIC_TITLE):
                        return button.text
        await asyncio.sleep(0.05)  # the list may still be on its way
    raise LookupError(f"no button for the topic {TOPIC_TITLE!r}")


async def browse(user: PacedUser) -> None:
    await user.send("/grants")
    await user.press(await topic_button(user))


async def apply(user: PacedUser) -> None:
    await browse(user)
    await user.send(f"/apply {TOPIC_CODE}")
    for answer in (
        "Women leaders of Almaty",
        "Few women lead local councils.",
        "Training, mentoring, a forum.",
        "Forty trained leaders.",
        "400",
        "12",
        "5 000 000",
        "500 000",
    ):
        await user.send(answer)
    await user.press(label("ru", "region.almaty"))
    await user.press(label("ru", "common.done"))
    await user.press(label("ru", "language.name.ru"))
    await user.send_document(file_name="budget.pdf", content=b"%PDF-1.4\n")
    await user.press(label("ru", "application.submit"))
    await user.press(label("ru", "application.confirm_submit_yes"))


async def _each(run: Run, users: list[PacedUser], step) -> None:
    async def guarded(index: int, user: PacedUser) -> bool:
        try:
            await step(index, user)
            return True
        except Exception as error:  # one user's failure is a figure, not the end of the run
            run.failures.append(f"user {user.user.user_id}: {type(error).__name__}: {error}")
            return False

    results = await asyncio.gather(*(guarded(i, u) for i, u in enumerate(users)))
    return [u for u, ok in zip(users, results, strict=True) if ok]


async def run_ours(
    mode: str,
    database: str,
    count: int,
    profile: Path | None = None,
    *,
    journey: str = "full",
    think: float = 0.0,
) -> tuple:
    async with scratch_database(database) as url:
        await seed_topics(url)
        return await journeys_on(
            url, mode, database, count, profile=profile, journey=journey, think=think
        )


def profiled(bot: BotProcess, profile: Path) -> None:
    """Run the bot under pyinstrument; the renderer follows the file's suffix
    (.html, .txt, .pstats, .pyisession)."""
    renderer = {".html": "html", ".txt": "text", ".pyisession": "session"}.get(
        profile.suffix, "pstats"
    )
    bot.module = "pyinstrument"
    bot.args = ("-r", renderer, "-o", str(profile), "-m", "bot", "run")


def traced(bot: BotProcess, trace: Path) -> None:
    """Run the bot with every SQL statement counted (bench.sql_trace)."""
    bot.args = (str(trace), bot.module, *bot.args)
    bot.module = "bench.sql_trace"


async def journeys_on(
    url: str,
    mode: str,
    database: str,
    count: int,
    *,
    profile: Path | None = None,
    trace: Path | None = None,
    journey: str = "full",
    think: float = 0.0,
    first_serial: int = 1,
) -> tuple:
    """`count` users run the journey against our bot on the (seeded) database at `url`."""
    run = Run("ours", mode, database, count, journey, think)
    emulator = BenchEmulator(EmulatorConfig(settle_timeout=60))
    await emulator.start()
    extra = {}
    if mode == "webhook":
        from bot.local_world import free_port

        port = free_port()
        extra = {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    bot = our_bot(f"ours-{mode}-{database}", emulator.base_url, emulator.config.token, url)
    bot.env.update(extra)
    if profile is not None:
        profiled(bot, profile)
    if trace is not None:
        traced(bot, trace)
    bot.start()
    try:
        await wait_ready(bot, emulator, mode == "webhook")
        await asyncio.sleep(0.5)  # start-up work (commands, first scheduler ticks) settles
        users = [
            PacedUser(emulator.user(FIRST_USER + i, "Aigerim", "ru"), emulator, run.samples, think)
            for i in range(count)
        ]
        numbers = bins(count, first_serial)
        cpu_before, started = bot.cpu_seconds(), time.monotonic()
        if journey == "short":

            async def register_and_browse(i: int, user: PacedUser) -> None:
                await register(user, numbers[i], i)
                await browse(user)

            run.completed = len(await _each(run, users, register_and_browse))
        else:
            registered = await _each(run, users, lambda i, u: register(u, numbers[i], i))
            await file_activity_reports(url, count)
            applied = await _each(run, registered, lambda _i, u: apply(u))
        run.seconds = time.monotonic() - started
        run.cpu = bot.cpu_seconds() - cpu_before
        run.rss_mb = bot.rss_mb()
        if journey == "full":
            run.completed = min(len(applied), await submitted_applications(url, count))
    finally:
        await bot.stop(timeout=60 if profile or trace else 15)
        await emulator.stop()
    return run, emulator


# -- peers -----------------------------------------------------------------------------

PEERS = {"aiogram echo": "bench.peers.aiogram_echo", "PTB echo": "bench.peers.ptb_echo"}


def peer_missing(name: str) -> str | None:
    """Why a peer cannot run here, or None."""
    if name == "PTB echo" and importlib.util.find_spec("telegram") is None:
        return "python-telegram-bot is not installed (pip install -e '.[bench]')"
    return None


async def run_peer(name: str, count: int, messages: int = ECHO_MESSAGES) -> tuple:
    run = Run(name, "polling", "–", count, "echo")
    emulator = BenchEmulator(EmulatorConfig(settle_timeout=60))
    await emulator.start()
    slug = name.split()[0].lower()
    bot = peer_bot(f"peer-{slug}", PEERS[name], emulator.base_url, emulator.config.token)
    bot.start()
    try:
        await wait_ready(bot, emulator, webhook=False)
        await asyncio.sleep(0.5)
        users = [
            PacedUser(emulator.user(FIRST_USER + i, "Aigerim", "ru"), emulator, run.samples)
            for i in range(count)
        ]

        async def chat(_index: int, user: PacedUser) -> None:
            for number in range(messages):
                await user.send(f"hello {number}")

        cpu_before, started = bot.cpu_seconds(), time.monotonic()
        run.completed = len(await _each(run, users, chat))
        run.seconds = time.monotonic() - started
        run.cpu = bot.cpu_seconds() - cpu_before
        run.rss_mb = bot.rss_mb()
    finally:
        await bot.stop()
        await emulator.stop()
    return run, emulator


# -- the whole benchmark -----------------------------------------------------------------


async def measure(
    users: list[int],
    modes: list[str],
    databases: list[str],
    profile: Path | None = None,
    *,
    journey: str = "full",
    think: float = 0.0,
    peers: bool = True,
) -> dict:
    notes = [
        f"Journey: {journey} ("
        + (
            "start, register, browse topics, fill in and submit an application"
            if journey == "full"
            else "start, register, browse topics"
        )
        + "); "
        + (
            f"each user pauses {think:g} s on average before each action."
            if think
            else "each user acts as soon as the previous answer is complete (flat out)."
        ),
        "Latency: from the bot receiving an update (its getUpdates answer; for a webhook, "
        "the push, POSTed at once) to the bot's first API call in that chat.",
        "CPU: user+system seconds of the bot process only (psutil), during the journeys.",
        "Flood limits lifted on both sides (emulator and bot), LOG_LEVEL=WARNING: "
        "the bot's own cost is measured, not Telegram's ceiling.",
        f"Peers: the same number of users each send {ECHO_MESSAGES} texts to a bare echo bot "
        "(polling, concurrent updates, flat out), run just before ours at each size; "
        "ratio = our CPU per update / the peer's at the same number of users.",
        "journeys ok below users: the rest stopped on a screen the driver did not expect "
        "(see failures in the JSON).",
    ]
    if "postgres" in databases and not await postgres_available():
        databases = [d for d in databases if d != "postgres"]
        notes.append("PostgreSQL was not reachable: its runs were skipped.")
    rows: list[dict] = []
    peer_cost: dict[tuple[str, int], float] = {}
    for name in PEERS:
        reason = peer_missing(name)
        if reason:
            notes.append(f"{name} skipped: {reason}")
    for count in users:
        for name in PEERS if peers else ():
            if peer_missing(name):
                continue
            run, emulator = await run_peer(name, count)
            row = run.row(emulator)
            peer_cost[name, count] = row["CPU s/1000 updates"] or 0
            rows.append(row)
        for database in databases:
            for mode in modes:
                run, emulator = await run_ours(
                    mode, database, count, profile, journey=journey, think=think
                )
                profile = None  # one profile is enough: the first run's
                rows.append(run.row(emulator))
    for row in rows:
        for name, column in (("aiogram echo", "× aiogram echo"), ("PTB echo", "× PTB echo")):
            cost = peer_cost.get((name, row["users"]))
            if cost and row["CPU s/1000 updates"]:
                row[column] = round(row["CPU s/1000 updates"] / cost, 2)
    return figures.write("journeys", "Journeys", COLUMNS, rows, notes=notes)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.journeys", description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--modes", nargs="+", default=["polling", "webhook"])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--journey", choices=JOURNEYS, default="full")
    parser.add_argument("--no-peers", action="store_true", help="skip the echo bots")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a user pauses before each action"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a pyinstrument profile of the first run of our bot "
        "(.html, .txt, .pyisession; anything else: pstats)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    document = measure(
        args.users,
        args.modes,
        args.databases,
        args.profile,
        journey=args.journey,
        think=args.think,
        peers=not args.no_peers,
    )
    figures.show(asyncio.run(document))


if __name__ == "__main__":
    main()
