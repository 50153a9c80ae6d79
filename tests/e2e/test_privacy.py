"""A person's rights over their data, end to end: /privacy, /my_data, /delete_me."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, text

from storage.models import MemberRole
from tests.e2e.test_staff import OWNER, database, seed_invite, seed_organisation, seed_person

COLLEAGUE = 740010
OWNER_NAME = "Жанар Owner"
LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
MY_DATA = {"kk": "📦 Менің деректерім", "ru": "📦 Мои данные", "en": "📦 My data"}
CONFIRM = {"kk": "Иә, бәрін өшіру", "ru": "Да, удалить всё", "en": "Yes, delete everything"}
KEEP = {"kk": "Жоқ, сақтау", "ru": "Нет, оставить", "en": "No, keep it"}
ERASED = {"kk": "өшірілді", "ru": "данные удалены", "en": "has been deleted"}


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
    await owner.press(KEEP[locale])
    assert await rows_mentioning(world, OWNER, OWNER_NAME)

    await owner.send("/delete_me")
    await owner.press(CONFIRM[locale])
    assert ERASED[locale] in owner.last_message().text
    assert await rows_mentioning(world, OWNER, OWNER_NAME) == []
    async with database(world) as store:
        organisation = await store.organisations.get(organisation_id)
        assert organisation is not None
        colleague = await store.people.get(COLLEAGUE)
        assert await store.memberships.role_of(organisation_id, colleague.id) == MemberRole.OWNER
