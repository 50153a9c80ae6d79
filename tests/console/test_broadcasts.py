"""Operator broadcasts: segments, languages, pause, resume and cancel (no Telegram)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest
from sqlalchemy import select

from console import broadcasts
from console.roles import Actor, Forbidden
from domain.search import fold_for_search
from storage.models import AuditEntry, BroadcastStatus, Delivery, DeliveryStatus, MemberRole, Role
from storage.store import Store

NOW = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
OPERATOR = Actor(telegram_id=1, person_id=None, role=Role.OPERATOR.value)
EXPERT = Actor(telegram_id=2, person_id=None, role=Role.EXPERT.value)
_BINS = count(940140000900)
TEXTS = {"kk": "Сәлем", "ru": "Привет", "en": "Hello"}


async def organisation(store: Store, region: str, area: str) -> int:
    org = await store.organisations.add(
        areas=(area,), search_text=fold_for_search(region), bin=str(next(_BINS)),
        name=f"NGO {region}", name_alt=None, legal_form="public_association", region=region,
        description="-", phone="+77011234567", email="a@b.kz", website=None,
        founded_year=2012, staff_count=1, volunteer_count=0, public_listing=False,
    )  # fmt: skip
    return org.id


async def member(store: Store, telegram_id: int, org_id: int, locale: str, role=MemberRole.OWNER):
    person = await store.people.add(telegram_id, locale)
    await store.memberships.add(org_id, person.id, role)
    return person


@pytest.fixture
async def world(session_factory):
    async with session_factory() as session:
        store = Store(session)
        almaty = await organisation(store, "almaty", "education")
        astana = await organisation(store, "astana", "ecology")
        await member(store, 10, almaty, "kk")
        await member(store, 11, almaty, "en", MemberRole.MEMBER)
        await member(store, 20, astana, "ru")
        blocked = await member(store, 21, astana, "ru")
        await store.people.mark_blocked(blocked.telegram_id, blocked=True)
        opted = await member(store, 22, astana, "ru")
        await Store(session).deliveries.set_opt_out(opted.id, "announcements", True)
        await store.people.add(30, "en")  # in no organisation
        await store.commit()
    return session_factory


async def ids(session_factory, segment) -> list[int]:
    async with session_factory() as session:
        people = await broadcasts.audience(Store(session), OPERATOR, segment)
    return [telegram_id for telegram_id, _locale in people]


async def test_segments_reach_members_of_matching_organisations(world):
    assert await ids(world, {"kind": "all"}) == [10, 11, 20, 30]
    assert await ids(world, {"kind": "region", "values": ["almaty"]}) == [10, 11]
    assert await ids(world, {"kind": "region", "values": ["almaty", "astana"]}) == [10, 11, 20]
    assert await ids(world, {"kind": "area", "values": ["ecology"]}) == [20]
    assert await ids(world, {"kind": "language", "values": ["en"]}) == [11, 30]
    assert await ids(world, {"kind": "role", "values": ["member"]}) == [11]
    assert await ids(world, {"kind": "not_filed", "values": ["2025"]}) == [10, 11, 20]
    assert await ids(world, {"kind": "draft", "values": ["999"]}) == []


async def test_an_expert_cannot_see_an_audience(world):
    async with world() as session:
        with pytest.raises(Forbidden):
            await broadcasts.audience(Store(session), EXPERT, {"kind": "all"})


def test_a_missing_language_falls_back_to_russian_then_any():
    assert broadcasts.text_for(TEXTS, "kk") == "Сәлем"
    assert broadcasts.text_for({"ru": "Привет", "en": "Hi"}, "kk") == "Привет"
    assert broadcasts.text_for({"en": "Hi"}, "kk") == "Hi"


def test_a_caption_is_limited_to_1024_characters():
    assert broadcasts.too_long({"ru": "x" * 1025}, has_media=True) == "ru"
    assert broadcasts.too_long({"ru": "x" * 1025}, has_media=False) is None
    assert broadcasts.too_long({"en": "x" * 4097}, has_media=False) == "en"


async def rows(session_factory, outbox_id) -> dict[int, tuple[str, str]]:
    async with session_factory() as session:
        found = await session.execute(
            select(Delivery.recipient, Delivery.status, Delivery.text).where(
                Delivery.broadcast_id == outbox_id
            )
        )
        return {recipient: (str(status), text) for recipient, status, text in found}


async def test_each_recipient_gets_their_language_and_pause_resume_cancel_move_rows(world):
    async with world() as session:
        store = Store(session)
        broadcast = await broadcasts.start(
            store, OPERATOR, texts=TEXTS, segment={"kind": "all"}, now=NOW
        )
        await store.commit()
    assert broadcast.recipients == 4
    queued = await rows(world, broadcast.outbox_id)
    assert {r: text for r, (_s, text) in queued.items()} == {
        10: "Сәлем", 11: "Hello", 20: "Привет", 30: "Hello",
    }  # fmt: skip

    async with world() as session:
        store = Store(session)
        assert await broadcasts.pause(store, OPERATOR, broadcast.id, NOW)
        assert not await broadcasts.pause(store, OPERATOR, broadcast.id, NOW)
        await store.commit()
    assert {s for s, _t in (await rows(world, broadcast.outbox_id)).values()} == {"paused"}

    async with world() as session:
        store = Store(session)
        assert await broadcasts.resume(store, OPERATOR, broadcast.id, NOW)
        paused_view = await Store(session).broadcasts.get(broadcast.id)
        assert paused_view.status == BroadcastStatus.RUNNING
        await store.commit()
    assert {s for s, _t in (await rows(world, broadcast.outbox_id)).values()} == {"pending"}

    async with world() as session:
        store = Store(session)
        assert await broadcasts.cancel(store, OPERATOR, broadcast.id, NOW)
        assert not await broadcasts.resume(store, OPERATOR, broadcast.id, NOW)
        view = await Store(session).broadcasts.get(broadcast.id)
        report = await broadcasts.progress(store, view, NOW)
        actions = await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
        await store.commit()
    assert {s for s, _t in (await rows(world, broadcast.outbox_id)).values()} == {"cancelled"}
    assert (report.skipped, report.remaining, report.eta_seconds) == (4, 0, None)
    assert list(actions) == [
        "broadcast.create", "broadcast.confirm", "broadcast.pause", "broadcast.resume",
        "broadcast.cancel",
    ]  # fmt: skip


async def test_a_broadcast_is_done_when_nothing_remains(world):
    async with world() as session:
        store = Store(session)
        segment = {"kind": "region", "values": ["astana"]}
        broadcast = await broadcasts.start(
            store, OPERATOR, texts={"ru": "Привет"}, segment=segment, now=NOW
        )
        running = await broadcasts.progress(store, broadcast, NOW)
        assert (running.remaining, running.eta_seconds) == (1, 1)
        assert not await broadcasts.finish_if_done(store, broadcast, NOW)
        await session.execute(
            Delivery.__table__.update()
            .where(Delivery.broadcast_id == broadcast.outbox_id)
            .values(status=DeliveryStatus.SENT)
        )
        assert await broadcasts.finish_if_done(store, broadcast, NOW)
        done = await Store(session).broadcasts.get(broadcast.id)
        assert done.status == BroadcastStatus.DONE


async def test_a_configured_channel_gets_the_default_language(world):
    async with world() as session:
        store = Store(session)
        broadcast = await broadcasts.start(
            store, OPERATOR, texts=TEXTS, segment={"kind": "language", "values": ["kk"]},
            now=NOW, channel_id=-1001234567890,
        )  # fmt: skip
        await store.commit()
    channel = await ids_texts(world, -1001234567890)
    assert channel == ["Привет"]
    assert broadcast.recipients == 1


async def ids_texts(session_factory, recipient: int) -> list[str]:
    async with session_factory() as session:
        return list(
            await session.scalars(select(Delivery.text).where(Delivery.recipient == recipient))
        )
