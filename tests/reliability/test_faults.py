"""A mixed load while Telegram misbehaves about one call in ten: registrations,
filings, grant applications (one confirmed twice at once), an operator's
compliance check, and a broadcast being delivered, all at the same time.

The emulator injects, seeded: 500 and 502 answers, dropped connections (before
and after Telegram executed the call), requests that hang until the client's
own timeout fires, bursts of 429 with retry_after, and slow answers. Counted
at the end: answers lost, applications lost or doubled, unhandled exceptions,
people left without any reply to an update. Each must be 0.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter

import pytest

from bot import runner
from bot.local_world import LocalWorld
from emulator import EmulatorConfig, Faults
from storage.models import Role
from tests.e2e.journeys import register_organisation
from tests.reliability import support
from tests.reliability.support import NOW, OTHER_TOPIC, Watched, in_database

SEED = 20261130
FAULTS = Faults(
    seed=SEED,
    error_rate=0.03,
    error_statuses=(500, 502),
    drop_rate=0.025,
    drop_mode="mixed",
    timeout_rate=0.02,
    timeout_mode="mixed",
    timeout_hold=2.0,
    burst_429_rate=0.01,
    burst_length=2,
    burst_retry_after=1,
    slow_rate=0.015,
    slow_latency=(0.3, 0.8),
    latency=(0.0, 0.01),
)
# The bot's own request timeout, shorter than the emulator's hang: a hanging
# request ends in the client's timeout, as against Telegram (aiogram's is 60 s).
CLIENT_TIMEOUT = 1.0
FAILURE_KINDS = ("error_500", "error_502", "drop_before", "drop_after")
FAILURE_KINDS += ("timeout_before", "timeout_after", "burst_429")
REGISTRANTS = [
    (781001, "ru", "940140000385"),
    (781002, "kk", "990140004654"),
    (781003, "en", "000740001307"),
]
FILERS = [(781101, "kk"), (781102, "ru")]
APPLICANTS = [(781201, "ru", False), (781202, "en", True)]  # (id, language, double press)
OPERATOR = 781301
RECIPIENTS = [781400 + n for n in range(24)]
REGION = "astana"
TEXTS = {"ru": "Форум НКО 1 июня", "kk": "ҮЕҰ форумы 1 маусымда"}
FILING_YEAR = 2025


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={
            "delivery_tick_seconds": 0.5,
            "delivery_retry_base_seconds": 0.2,
            "delivery_retry_max_seconds": 1.0,
            "quiet_hours_start": "00:00",
            "quiet_hours_end": "00:00",
        }
    )


@pytest.fixture
def short_client_timeout(monkeypatch):
    real = runner.create_bot

    def create_bot(settings):
        bot = real(settings)
        bot.session.timeout = CLIENT_TIMEOUT
        return bot

    monkeypatch.setattr(runner, "create_bot", create_bot)


async def _seed(store) -> dict:
    await support.seeding.topics(store, NOW)
    seeded = {"filers": [], "applicants": []}
    for telegram_id, lang in FILERS:
        seeded["filers"].append(
            await support.seed_unfiled(store, telegram_id, locale=lang, name=f"Filer {telegram_id}")
        )
    for telegram_id, lang, _double in APPLICANTS:
        seeded["applicants"].append(
            await support.seed_applicant(
                store, telegram_id, locale=lang, name=f"Applicant {telegram_id}"
            )
        )
    await support.seed_staff(store, OPERATOR, Role.OPERATOR, "Olga", "en")
    for n, telegram_id in enumerate(RECIPIENTS):
        organisation = await support.seed_applicant(
            store,
            telegram_id,
            locale=("kk", "ru", "en")[n % 3],
            name=f"Astana {n}",
            region=REGION,
        )
        if n == 0:
            application = await support.seed_application(
                store, telegram_id, organisation, OTHER_TOPIC, submit=True
            )
            seeded["to_check"] = (await store.applications.get(application)).reference
    return seeded


async def _wait_for_broadcast(database_url: str) -> dict[str, int]:
    deadline = time.monotonic() + 50  # a guard against hanging, not a speed target
    while True:
        counts = await support.delivery_counts(database_url)
        if counts and not counts.get("pending") and not counts.get("sending"):
            return counts
        assert time.monotonic() < deadline, f"the broadcast did not finish: {counts}"
        await asyncio.sleep(0.2)


async def test_a_mixed_load_at_ten_percent_faults_loses_and_doubles_nothing(
    settings, short_client_timeout, caplog, figures
):
    caplog.set_level(logging.WARNING)
    world = LocalWorld(
        settings,
        emulator_config=EmulatorConfig(
            webhook_timeout=60.0, require_user_start=False, settle_timeout=60.0
        ),
    )
    await world.start()
    try:
        world.clock.set(NOW)
        url = world.settings.database_url
        seeded = await in_database(url, _seed)
        emulator = world.emulator
        for telegram_id in RECIPIENTS:
            emulator.user(telegram_id)  # they have a chat with the bot, and stay silent

        def person(telegram_id: int, lang: str) -> Watched:
            return Watched(emulator.user(telegram_id, language_code=lang))

        registrants = [person(uid, lang) for uid, lang, _bin in REGISTRANTS]
        filers = [person(uid, lang) for uid, lang in FILERS]
        applicants = [person(uid, lang) for uid, lang, _double in APPLICANTS]
        operator = person(OPERATOR, "en")

        async def operate() -> None:
            await support.compose_broadcast(operator, REGION, TEXTS)
            await support.mark_complete(operator, OTHER_TOPIC, seeded["to_check"])

        emulator.set_faults(FAULTS)
        await asyncio.gather(
            *(
                register_organisation(user, lang, bin=bin_, name=f"Fund {uid}")
                for user, (uid, lang, bin_) in zip(registrants, REGISTRANTS, strict=True)
            ),
            *(
                support.file_activity(user, lang)
                for user, (_uid, lang) in zip(filers, FILERS, strict=True)
            ),
            *(
                support.apply_for_grant(user, lang, double_press=double)
                for user, (_uid, lang, double) in zip(applicants, APPLICANTS, strict=True)
            ),
            operate(),
        )
        deliveries = await _wait_for_broadcast(url)
        await emulator.wait_idle(timeout=30)
        injected = Counter(record.kind for record in emulator.faults)
        eligible = emulator.fault_injector.eligible_calls
        emulator.set_faults(Faults())  # the reading below is not part of the load
        received = {
            chat: sum(1 for m in emulator.chat_messages(chat) if m.text in TEXTS.values())
            for chat in RECIPIENTS
        }
        # A broadcast message executed but unanswered (dropped or hung after) is sent
        # again by the outbox: the one doubling its at-least-once design allows.
        executed_unanswered = Counter(
            int(call.params["chat_id"])
            for call in emulator.calls
            if call.method == "sendMessage"
            and call.fault in ("drop_after", "timeout_after")
            and call.params.get("text") in TEXTS.values()
        )
        everyone = [*registrants, *filers, *applicants, operator]
        receipts = {
            user.user_id: [m.text for m in user.messages() if "GR-2026-" in (m.text or "")]
            for user in applicants
        }
    finally:
        await world.stop()

    facts = await support.application_facts(url)
    names = await support.names_of_organisations(url)
    registered = [n for n in names if n.startswith("Fund ")]
    filed = await support.submitted_filings(url, FILING_YEAR)
    unanswered = [f"{u.user_id}: {what}" for u in everyone for what in u.unanswered]
    unhandled = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and not r.name.startswith("sqlalchemy.pool")
    ]
    expected_names = sorted(f"Fund {uid}" for uid, _lang, _bin in REGISTRANTS)
    extra_copies = sum(max(n - 1, 0) for n in received.values())
    faults_injected = sum(n for kind, n in injected.items() if kind != "latency")
    figures(
        "faults",
        seed=SEED,
        people=len(everyone),
        updates_sent=sum(u.updates for u in everyone),
        eligible_calls=eligible,
        faults_injected=faults_injected,
        fault_rate=round(faults_injected / eligible, 3),
        faults_by_kind=dict(sorted((k, v) for k, v in injected.items() if k != "latency")),
        people_without_a_reply=len(unanswered),
        organisations_registered=len(registered),
        filings_submitted=len(filed),
        applications=facts.statuses,
        applications_doubled=len(facts.double_submissions),
        bad_transitions=len(facts.bad_transitions),
        rule_breaks=len(facts.rule_breaks),
        broadcast_recipients=len(RECIPIENTS),
        broadcast_reached=sum(1 for n in received.values() if n >= 1),
        broadcast_extra_copies=extra_copies,
        broadcast_executed_unanswered=sum(executed_unanswered.values()),
        deliveries=deliveries,
        unhandled_errors=len(unhandled),
    )
    assert all(injected[kind] > 0 for kind in (*FAILURE_KINDS, "slow")), injected
    assert unhandled == []
    assert unanswered == []
    # Registrations and filings: each saved once.
    assert registered == expected_names
    assert filed == sorted(seeded["filers"])
    # Applications: one submission each, with a receipt; the checked one under review.
    assert facts.bad_transitions == [] and facts.rule_breaks == []
    assert facts.double_submissions == []
    assert facts.statuses == {"submitted": len(APPLICANTS), "under_review": 1}
    for telegram_id, texts in receipts.items():
        assert texts, f"{telegram_id} saw no receipt"
    # The broadcast: everyone once, more only where Telegram executed and never answered.
    assert set(deliveries) == {"sent"}
    for chat, copies in received.items():
        assert 1 <= copies <= 1 + executed_unanswered[chat], (chat, copies)
