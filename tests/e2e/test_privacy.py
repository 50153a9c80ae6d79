"""A person's rights over their data, end to end: /privacy, /my_data, /delete_me."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from delivery.outbox import Kind, enqueue_broadcast, enqueue_message
from storage.models import Delivery, DeliveryStatus, MemberRole
from tests.e2e.journeys import outbox, outbox_by_hand
from tests.e2e.test_staff import OWNER, database, seed_invite, seed_organisation, seed_person

COLLEAGUE = 740010
OWNER_NAME = "Жанар Owner"
LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
MY_DATA = {"kk": "📦 Менің деректерім", "ru": "📦 Мои данные", "en": "📦 My data"}
CONFIRM = {"kk": "Иә, бәрін өшіру", "ru": "Да, удалить всё", "en": "Yes, delete everything"}
KEEP = {"kk": "Жоқ, сақтау", "ru": "Нет, оставить", "en": "No, keep it"}
ERASED = {"kk": "өшірілді", "ru": "данные удалены", "en": "has been deleted"}
FORUM = "Форум НКО 1 июня"
REMINDER = {"year": 2025, "deadline": "31.03.2026", "days": 7}


@pytest.fixture
def settings(settings):
    return outbox_by_hand(settings)


async def rows_mentioning(world, *needles) -> list[tuple[str, tuple]]:
    """Every row of every table holding a needle (equal, or inside a text)."""
    async with database(world) as store:
        connection = await store.session.connection()
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        found = []
        for table in tables:
            for row in await store.session.execute(text(f'SELECT * FROM "{table}"')):
                if any(
                    v is not None and (v == n or str(n) in str(v)) for v in row for n in needles
                ):
                    found.append((table, tuple(row)))
        return found


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_my_data_is_a_json_document(world, user_factory, locale):
    organisation_id = await seed_organisation(world, locale)
    await seed_invite(world, organisation_id)
    owner = user_factory(OWNER, language_code=locale)
    await owner.send("/privacy")
    assert owner.last_message().buttons[0][0].text == MY_DATA[locale]
    await owner.press(MY_DATA[locale])

    document = owner.last_message().document
    assert document["file_name"] == "my-data.json"
    content = world.emulator.bot.files[document["file_id"]].content
    exported = json.loads(content.decode("utf-8"))
    assert exported["telegram_id"] == OWNER
    assert exported["full_name"] == OWNER_NAME
    assert exported["organisations"][0]["role"] == MemberRole.OWNER
    assert len(exported["invites_created"]) == 1
    assert "Жанар" in content.decode("utf-8")  # UTF-8, not \u escapes

    await owner.send("/my_data")
    assert owner.last_message().document["file_name"] == "my-data.json"


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_delete_me_leaves_no_personal_data(world, user_factory, locale):
    owner = user_factory(OWNER, language_code=locale, first_name="Жанар")
    await owner.send("/start")
    await owner.press(LANGUAGE_BUTTON[locale])  # a dialog is open now: the main menu
    organisation_id = await seed_organisation(world, locale)
    await seed_person(world, COLLEAGUE, "ru", "Болат")
    async with database(world) as store:
        colleague = await store.people.get(COLLEAGUE)
        await store.memberships.add(organisation_id, colleague.id, MemberRole.MEMBER)
        await store.commit()
    await seed_invite(world, organisation_id)
    assert await rows_mentioning(world, OWNER, OWNER_NAME)

    await owner.send("/delete_me")
    await owner.press("Болат")  # the only owner names who takes over first
    await owner.press(KEEP[locale])
    assert await rows_mentioning(world, OWNER, OWNER_NAME)

    await owner.send("/delete_me")
    await owner.press("Болат")
    await owner.press(CONFIRM[locale])
    assert ERASED[locale] in owner.last_message().text
    assert await rows_mentioning(world, OWNER, OWNER_NAME) == []
    async with database(world) as store:
        organisation = await store.organisations.get(organisation_id)
        assert organisation is not None
        colleague = await store.people.get(COLLEAGUE)
        assert await store.memberships.role_of(organisation_id, colleague.id) == MemberRole.OWNER


async def queue_for(world, *people: int) -> int:
    """Tomorrow's reminder for each, and a paused broadcast to them all; its outbox id."""
    now = world.clock.now()
    async with database(world) as store:
        for telegram_id in people:
            await enqueue_message(
                store.session, telegram_id, "delivery.activity_due", REMINDER,
                kind=Kind.REMINDER, now=now, not_before=now + timedelta(days=1),
                dedupe_key=f"activity:2025:2026-03-24:{telegram_id}",
            )  # fmt: skip
        outbox_id = await enqueue_broadcast(store.session, people, now=now, text=FORUM)
        await store.broadcasts.move_rows(outbox_id, DeliveryStatus.PENDING, DeliveryStatus.PAUSED)
        await store.commit()
    return outbox_id


async def deliveries(world) -> list[tuple[int, str, str | None]]:
    async with database(world) as store:
        rows = await store.session.execute(
            select(Delivery.recipient, Delivery.status, Delivery.dedupe_key).order_by(Delivery.id)
        )
        return [tuple(row) for row in rows]


async def test_delete_me_cancels_what_was_queued_for_them(world, user_factory):
    owner = user_factory(OWNER)
    colleague = user_factory(COLLEAGUE)
    for user in (owner, colleague):
        await user.send("/start")
        await user.press(LANGUAGE_BUTTON["ru"])
    outbox_id = await queue_for(world, OWNER, COLLEAGUE)

    await owner.send("/delete_me")
    await owner.press(CONFIRM["ru"])
    assert ERASED["ru"] in owner.last_message().text

    left = await deliveries(world)
    assert {(recipient, status) for recipient, status, _key in left} == {
        (0, DeliveryStatus.CANCELLED),  # the owner's two rows, naming nobody now
        (COLLEAGUE, DeliveryStatus.PENDING),
        (COLLEAGUE, DeliveryStatus.PAUSED),
    }
    assert sum(recipient == 0 for recipient, _s, _k in left) == 2
    assert await rows_mentioning(world, OWNER) == []

    # The broadcast goes on and the reminder's day comes: only the colleague hears.
    async with database(world) as store:
        await store.broadcasts.move_rows(outbox_id, DeliveryStatus.PAUSED, DeliveryStatus.PENDING)
        await store.commit()
    world.clock.advance(timedelta(days=1, hours=1))
    async with outbox(world) as engine:
        report = await engine.drain_once()
    await world.emulator.wait_idle()
    assert report.sent == 2
    assert any(m.text == FORUM for m in colleague.messages())
    assert not any(m.text == FORUM or "2025" in (m.text or "") for m in owner.messages())


EXPERT = 740020
AGREE = {"kk": "✅ Келісемін", "ru": "✅ Согласен(на)", "en": "✅ I agree"}


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_someone_who_never_registered_can_consent_from_privacy(world, locale):
    """An expert is given a role, not a registration: /privacy is where they agree,
    and only then is their name kept (and shown to the operators)."""
    from storage.models import Role
    from tests import seeding

    async with database(world) as store:
        await seeding.staff(store, EXPERT, Role.EXPERT, None, locale)
        await store.commit()
    expert = world.emulator.user(
        EXPERT, first_name="Ерлан", last_name="<b>Expert</b>", language_code=locale
    )
    await expert.send("/privacy")
    assert AGREE[locale] in [b.text for row in expert.last_message().buttons for b in row]
    await expert.press(AGREE[locale])
    shown = expert.last_message()
    assert shown.text.startswith("✅")
    assert AGREE[locale] not in [b.text for row in shown.buttons for b in row]
    assert next(b.text for row in shown.buttons for b in row) == MY_DATA[locale]
    async with database(world) as store:
        person = await store.people.get(EXPERT)
        assert person.consented and person.full_name == "Ерлан <b>Expert</b>"
    # Asked again, the notice no longer asks.
    await expert.send("/privacy")
    assert AGREE[locale] not in [b.text for row in expert.last_message().buttons for b in row]
