"""Staff of an organisation, end to end: invite links, join requests, forged decisions.

Organisations are set up directly through the registry on the bot's own database,
so these journeys do not depend on the registration dialog.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.callbacks import JoinDecision
from registry import staff
from storage.models import MemberRole
from tests import seeding
from tests.e2e.journeys import has_button, label, texts

OWNER = 740001
NEWCOMER = 740002
LATECOMER = 740003
STRANGER = 740004
ORGANISATION_NAME = "«Қамқор» & Co"
TODAY = date(2026, 11, 20)
WELCOME = {"kk": "Қош келдіңіз", "ru": "Добро пожаловать", "en": "Welcome"}
USED = {"kk": "бұрын қолданылған", "ru": "уже использована", "en": "already been used"}
EXPIRED = {"kk": "мерзімі өтіп кетті", "ru": "Срок этой ссылки", "en": "has expired"}
REVOKED = {"kk": "кері қайтарып алды", "ru": "отозвал", "en": "revoked"}
APPROVED = {"kk": "қабылдады", "ru": "одобрил ваш запрос", "en": "approved your join request"}
NOT_A_MEMBER = {"kk": "қызметкері емессіз", "ru": "не сотрудник", "en": "not a staff member"}
NEW_MEMBER_TOLD = {"kk": "қосылды", "ru": "присоединился", "en": "joined"}


def database(world):
    """The bot's own database, opened beside it."""
    return seeding.database(world.settings.database_url)


async def seed_person(world, telegram_id: int, locale: str, name: str, consent: bool = True):
    async with database(world) as store:
        if consent:
            await seeding.person(store, telegram_id, locale, name, consented_at=datetime.now(UTC))
        else:
            await seeding.person(store, telegram_id, locale, name=None)
        await store.commit()


async def seed_organisation(world, locale: str) -> int:
    """An organisation owned by OWNER, who speaks `locale`."""
    await seed_person(world, OWNER, locale, "Жанар Owner")
    async with database(world) as store:
        owner = await store.people.get(OWNER)
        organisation = await seeding.registered(store, owner, TODAY, name=ORGANISATION_NAME)
        await store.commit()
        return organisation.id


async def seed_invite(world, organisation_id: int) -> str:
    async with database(world) as store:
        owner = await store.people.get(OWNER)
        invite = await staff.create_invite(store, owner, organisation_id, world.clock.now())
        await store.commit()
        return staff.invite_payload(invite)


async def role_of(world, organisation_id: int, telegram_id: int) -> MemberRole | None:
    async with database(world) as store:
        person = await store.people.get(telegram_id)
        return await store.memberships.role_of(organisation_id, person.id) if person else None


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_an_invite_link_works_once(world, user_factory, locale):
    organisation_id = await seed_organisation(world, locale)
    payload = await seed_invite(world, organisation_id)
    owner = user_factory(OWNER, language_code=locale)
    await owner.send("/help")  # the owner's chat exists, as after registration
    newcomer = user_factory(NEWCOMER, language_code=locale)
    await seed_person(world, NEWCOMER, locale, "Болат")

    await newcomer.send(f"/start {payload}")
    texts = [m.text for m in newcomer.messages()]
    assert any(WELCOME[locale] in t and ORGANISATION_NAME in t for t in texts)
    assert await role_of(world, organisation_id, NEWCOMER) == MemberRole.MEMBER
    assert any(NEW_MEMBER_TOLD[locale] in m.text for m in owner.messages())

    latecomer = user_factory(LATECOMER, language_code=locale)
    await seed_person(world, LATECOMER, locale, "Асель")
    await latecomer.send(f"/start {payload}")
    assert USED[locale] in latecomer.last_message().text
    assert await role_of(world, organisation_id, LATECOMER) is None


async def test_an_invite_expires_and_can_be_revoked(world, user_factory):
    organisation_id = await seed_organisation(world, "en")
    expiring = await seed_invite(world, organisation_id)
    revoked = await seed_invite(world, organisation_id)
    async with database(world) as store:
        owner = await store.people.get(OWNER)
        token = revoked.removeprefix("join_")
        invite = await store.memberships.invite_by_token(token)
        await staff.revoke_invite(store, owner, organisation_id, invite.id, world.clock.now())
        await store.commit()
    newcomer = user_factory(NEWCOMER, language_code="en")
    await seed_person(world, NEWCOMER, "en", "Bolat")

    await newcomer.send(f"/start {revoked}")
    assert REVOKED["en"] in newcomer.last_message().text
    world.clock.advance(timedelta(days=8))
    await newcomer.send(f"/start {expiring}")
    assert EXPIRED["en"] in newcomer.last_message().text
    assert await role_of(world, organisation_id, NEWCOMER) is None


async def test_a_newcomer_without_a_language_picks_one_first(world, user_factory):
    organisation_id = await seed_organisation(world, "ru")
    payload = await seed_invite(world, organisation_id)
    newcomer = user_factory(NEWCOMER, language_code="en")
    await newcomer.send(f"/start {payload}")
    assert "Қазақша" in [b.text for row in newcomer.last_message().buttons for b in row]
    assert await role_of(world, organisation_id, NEWCOMER) is None


async def test_a_newcomer_without_consent_is_asked_for_it_first(world, user_factory):
    organisation_id = await seed_organisation(world, "en")
    payload = await seed_invite(world, organisation_id)
    newcomer = user_factory(NEWCOMER, language_code="en")
    await seed_person(world, NEWCOMER, "en", "Bolat", consent=False)
    await newcomer.send(f"/start {payload}")
    text = newcomer.last_message().text
    assert "invited to" in text and ORGANISATION_NAME in text
    assert await role_of(world, organisation_id, NEWCOMER) is None


async def seed_join_request(world, organisation_id: int, locale: str) -> int:
    await seed_person(world, NEWCOMER, locale, "Болат")
    async with database(world) as store:
        requester = await store.people.get(NEWCOMER)
        request_id = await staff.request_to_join(
            store, requester, organisation_id, world.clock.now()
        )
        await store.commit()
        return request_id


@pytest.mark.parametrize(
    ("owner_locale", "requester_locale"), [("kk", "ru"), ("ru", "en"), ("en", "kk")]
)
async def test_the_owner_approves_a_join_request(
    world, user_factory, owner_locale, requester_locale
):
    organisation_id = await seed_organisation(world, owner_locale)
    request_id = await seed_join_request(world, organisation_id, requester_locale)
    owner = user_factory(OWNER, language_code=owner_locale)
    requester = user_factory(NEWCOMER, language_code=requester_locale)
    await owner.send("/help")  # both chats exist, as after registration
    await requester.send("/help")

    await owner.press_data(JoinDecision(request_id=request_id, approve=True).pack())
    assert "Болат" in owner.last_message().text
    assert await role_of(world, organisation_id, NEWCOMER) == MemberRole.MEMBER
    told = requester.last_message().text
    assert APPROVED[requester_locale] in told and ORGANISATION_NAME in told

    # Pressing again changes nothing.
    await owner.press_data(JoinDecision(request_id=request_id, approve=False).pack())
    assert await role_of(world, organisation_id, NEWCOMER) == MemberRole.MEMBER


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_a_forged_decision_from_a_non_owner_is_refused(world, user_factory, locale):
    organisation_id = await seed_organisation(world, "ru")
    request_id = await seed_join_request(world, organisation_id, "ru")
    await seed_person(world, STRANGER, locale, "Mallory")
    stranger = user_factory(STRANGER, language_code=locale)
    await stranger.send("/help")

    await stranger.press_data(JoinDecision(request_id=request_id, approve=True).pack())
    assert NOT_A_MEMBER[locale] in stranger.last_callback_answer.text
    assert await role_of(world, organisation_id, NEWCOMER) is None
    # The requester may even try to approve themselves: refused too.
    requester = user_factory(NEWCOMER, language_code="ru")
    await requester.send("/help")
    await requester.press_data(JoinDecision(request_id=request_id, approve=True).pack())
    assert await role_of(world, organisation_id, NEWCOMER) is None


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
async def test_a_member_forging_the_owners_invites_window_is_told_it_is_the_owners(
    world, user_factory, locale
):
    organisation_id = await seed_organisation(world, "ru")
    payload = await seed_invite(world, organisation_id)
    await user_factory(OWNER, language_code="ru").send("/help")
    await seed_person(world, NEWCOMER, locale, "Болат")
    member = user_factory(NEWCOMER, language_code=locale)
    await member.send(f"/start {payload}")
    await member.send("/start")
    await member.press(label(locale, "menu.organisation"))
    await member.press(label(locale, "organisation.staff"))
    staff_list = member.last_message()
    assert not has_button(member, label(locale, "staff.invites_button"))

    # The owner's button, pressed on the member's own staff list.
    intent = staff_list.buttons[0][0].callback_data.split("\x1d")[0]
    await member.press_data(f"{intent}\x1dto_invites", message=staff_list)
    assert texts(locale)("staff.not_the_owner") in member.last_message().html
    assert not has_button(member, label(locale, "staff.create_invite"))
    assert await role_of(world, organisation_id, NEWCOMER) == MemberRole.MEMBER
