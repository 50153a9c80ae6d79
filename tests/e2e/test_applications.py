"""An NGO writes a grant application through the bot: fills it in (with mistakes),
edits it on the summary, submits it and gets a receipt; a colleague continues the
draft; a restart loses nothing; a double press submits once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grants import applications
from grants.application_form import format_tenge as tenge
from grants.applications import Policy
from grants.eligibility import required_filing_year
from storage.models import Application, ApplicationEvent, MemberRole
from storage.store import Store
from tests import seeding
from tests.e2e.journeys import label, open_menu, plain
from tests.seeding import APPLICATION_ANSWERS, NOW, TOPIC

AIGERIM, BOLAT = 750001, 750002
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def organisation_of(world, owner: int, member: int | None = None) -> int:
    """The topics, and an organisation that filed on time, owned by `owner`."""

    async def seed(store: Store) -> int:
        await seeding.topics(store, NOW)
        seeded = await seeding.organisation(store, owner, NOW)
        if member is not None:
            colleague = await seeding.person(store, member, name="Bolat")
            await store.memberships.add(seeded.organisation_id, colleague.id, MemberRole.MEMBER)
        return seeded.organisation_id

    return await seeding.in_database(world.settings.database_url, seed)


def said(user, lang: str, key: str, **params) -> bool:
    expected = plain(lang, key, **params)
    return any(expected in (m.text or "") for m in user.messages())


@pytest.fixture
def now(world):
    world.clock.set(NOW)
    return NOW


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_fill_in_edit_and_submit(world, now, user_factory, lang):
    user = user_factory(AIGERIM, language_code=lang)
    await open_menu(user, lang)
    await organisation_of(world, AIGERIM)
    await user.send(f"/apply {TOPIC}")
    assert label(lang, "common.step", step=1, total=11) in user.last_message().text

    await user.send_sticker()
    assert said(user, lang, "input.text_expected")
    await user.send("x" * 151)
    assert said(user, lang, "input.too_long", count=151, limit=150)
    await user.send("Women <leaders> & mentors")
    await user.send("Few women lead local councils.")
    await user.send("Training, mentoring, a forum.")
    await user.send("Forty trained leaders.")
    await user.send("many")
    assert said(user, lang, "application.number_expected", minimum=1, maximum=10_000_000)
    await user.send("²")  # passes str.isdigit(), and once crashed int()
    assert user.messages()[-2].text == plain(
        lang, "application.number_expected", minimum=1, maximum=10_000_000
    )
    await user.send("400 ₸")
    assert said(user, lang, "input.number.count.wrong_unit")
    await user.send({"kk": "400 адам", "ru": "400 человек", "en": "400 people"}[lang])
    await user.send("13")
    assert said(user, lang, "application.duration_range", min=3, count=12)
    await user.send("³")
    assert user.messages()[-2].text == plain(lang, "application.duration_range", min=3, count=12)
    # Years are read as a duration (24 months), not refused as no number.
    await user.send({"kk": "2 жыл", "ru": "на 2 года", "en": "2 years"}[lang])
    assert said(user, lang, "application.duration_range", min=3, count=12)
    await user.send({"kk": "12 ай", "ru": "12 месяцев", "en": "12 months"}[lang])
    await user.send("2 999 999")
    assert said(user, lang, "application.budget_range", min=tenge(3_000_000), max=tenge(12_000_000))
    await user.send("5 000 000,00 ₸")
    assert tenge(500_000) in user.last_message().text  # the largest allowed amount is stated
    await user.send("500 001")
    assert said(user, lang, "application.institutional_cap", max=tenge(500_000), percent=10)
    await user.send("500 000")
    await user.press(label(lang, "region.almaty"))
    await user.press(label(lang, "common.done"))
    await user.press(label(lang, "language.name.ru"))
    await user.send_document(file_name="budget.xlsx", content=b"PK", mime_type=XLSX)
    assert said(user, lang, "application.attachment_type", limit_mb=10)
    await user.send_document(file_name="budget.pdf", content=b"%PDF-1.4\n", mime_type=PDF)

    summary = user.last_message().text
    assert "Women <leaders> & mentors" in summary
    assert "budget.pdf" in summary
    await user.press(label(lang, "application.field.title"))
    await user.send("Women leaders of Almaty")
    assert "Women leaders of Almaty" in user.last_message().text

    await user.press(label(lang, "application.submit"))
    await user.press(label(lang, "application.confirm_submit_yes"))
    receipt = user.last_message().text
    assert re.search(r"GR-2026-\d{6}", receipt)
    assert "20.11.2026" in receipt and tenge(5_000_000) in receipt


async def test_a_colleague_continues_the_draft(world, now, user_factory):
    aigerim = user_factory(AIGERIM, language_code="ru")
    bolat = user_factory(BOLAT, language_code="en", first_name="Bolat")
    await open_menu(aigerim, "ru")
    await open_menu(bolat, "en")
    await organisation_of(world, AIGERIM, member=BOLAT)
    await aigerim.send(f"/apply {TOPIC}")
    await aigerim.send("Women leaders of Almaty")
    await aigerim.press(label("ru", "common.cancel"))
    assert said(aigerim, "ru", "application.draft_kept")

    await bolat.send("/applications")
    await bolat.press(
        next(
            b.text for row in bolat.last_message().buttons for b in row if "Women leaders" in b.text
        )
    )
    assert "Women leaders of Almaty" in bolat.last_message().text
    await bolat.press(label("en", "my_applications.continue"))
    assert label("en", "common.step", step=2, total=11) in bolat.last_message().text
    await bolat.send("Few women lead local councils.")
    await bolat.press(label("en", "common.back"))
    await bolat.press(label("en", "common.back"))
    assert "Women leaders of Almaty" in bolat.last_message().text  # Aigerim's answer


async def test_a_restart_mid_application_loses_nothing(world, now, user_factory):
    user = user_factory(AIGERIM, language_code="en")
    await open_menu(user, "en")
    await organisation_of(world, AIGERIM)
    await user.send(f"/apply {TOPIC}")
    await user.send("Women leaders of Almaty")
    await user.send("Few women lead local councils.")
    await world.restart_bot()
    await user.send("Training, mentoring, a forum.")
    assert label("en", "common.step", step=4, total=11) in user.last_message().text
    await user.send("/applications")
    await user.press(
        next(
            b.text for row in user.last_message().buttons for b in row if "Women leaders" in b.text
        )
    )
    details = user.last_message().text
    for answer in ("Women leaders of Almaty", "Few women lead", "Training, mentoring"):
        assert answer in details


async def test_a_double_press_submits_once(world, now, user_factory):
    user = user_factory(AIGERIM, language_code="ru")
    await open_menu(user, "ru")
    organisation_id = await organisation_of(world, AIGERIM)

    async def fill(store: Store) -> int:
        person = await store.people.get(AIGERIM)
        topic = await store.topics.by_code(TOPIC)
        policy = Policy(seeding.ZONE, 10, required_filing_year(NOW, seeding.ZONE, None))
        draft = await applications.start(store, person, organisation_id, topic.id, NOW, policy)
        await applications.save(store, person, draft, NOW, policy, **APPLICATION_ANSWERS)
        return draft

    draft = await seeding.in_database(world.settings.database_url, fill)
    await user.send(f"/apply {TOPIC}")  # a complete draft opens on its summary
    await user.press(label("ru", "application.submit"))
    confirm = user.last_message()
    await user.press(label("ru", "application.confirm_submit_yes"), message=confirm, wait=False)
    await user.press(label("ru", "application.confirm_submit_yes"), message=confirm, wait=False)
    await world.emulator.wait_idle()

    async def outcome(store: Store):
        references = await store.session.scalars(
            select(Application.reference).where(Application.id == draft)
        )
        submitted = await store.session.scalar(
            select(func.count(ApplicationEvent.id)).where(
                ApplicationEvent.application_id == draft, ApplicationEvent.to_status == "submitted"
            )
        )
        return list(references), submitted

    references, submitted = await outcome_of(world, outcome)
    assert submitted == 1
    assert re.fullmatch(r"GR-2026-\d{6}", references[0])
    receipts = {
        m for m in re.findall(r"GR-2026-\d{6}", " ".join(x.text or "" for x in user.messages()))
    }
    assert receipts == {references[0]}


async def outcome_of(world, action):
    return await seeding.in_database(world.settings.database_url, action)
