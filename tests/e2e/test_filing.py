"""An NGO files its yearly activity information: interrupted, restarted, submitted, locked."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from tests import seeding
from tests.e2e.journeys import has_button, label, open_menu, texts

ALMATY = ZoneInfo("Asia/Almaty")
IN_FEBRUARY = datetime(2026, 2, 10, 10, 0, tzinfo=ALMATY)
AFTER_DEADLINE = datetime(2026, 4, 1, 9, 0, tzinfo=ALMATY)
DANA = 730001
_BINS = count(940140000500)


async def seed_organisation(
    world,
    name: str,
    *,
    owner_telegram_id: int | None = None,
    region: str = "almaty",
    areas: tuple[str, ...] = ("education",),
    public: bool = True,
) -> int:
    """An organisation written straight into the bot's database, the person as its owner."""

    async def add(store):
        seeded = await seeding.organisation(
            store, owner_telegram_id, world.clock.now(), bin_=str(next(_BINS)), name=name,
            region=region, areas=areas, filed=False, owner_name=None, public_listing=public,
            description="Балаларға көмек <b>көрсетеміз</b>", email="info@ngo.kz",
            website="https://ngo.kz", founded_year=2012, volunteer_count=20,
        )  # fmt: skip
        return seeded.organisation_id

    return await seeding.in_database(world.settings.database_url, add)


async def enter(user, lang: str, field: str, answer: str) -> None:
    await user.press(label(lang, f"filing.field.{field}"))
    await user.send(answer)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_filing_survives_a_restart_is_submitted_and_locks_after_the_deadline(
    world, user_factory, lang
):
    t = texts(lang)
    world.clock.set(IN_FEBRUARY)
    user = user_factory(DANA, language_code=lang)
    await open_menu(user, lang)
    await seed_organisation(world, "«Қамқор» <ҚБ>", owner_telegram_id=DANA)

    await user.send("/filing")
    overview = user.last_message().text
    assert "«Қамқор» <ҚБ>" in overview and "2025" in overview and "31.03.2026" in overview

    await enter(user, lang, "total_beneficiaries", "1 200")
    await enter(user, lang, "income_state_order", "1 500 000 ₸")
    # Refusals keep the person on the step, in their language.
    await user.press(label(lang, "filing.field.income_own"))
    await user.send("-5")
    assert t("filing.error.filing.negative") in user.messages()[-2].text
    await user.send("12,5")
    assert "1 500 000" in user.messages()[-2].text
    await user.send_photo(content=b"\x89PNG\r\n\x1a\nfake")
    assert t("input.text_expected") in user.messages()[-2].text
    await user.send("300000 тг")

    await user.press(label(lang, "filing.add_project"))
    await user.send("Жазғы лагерь")
    await user.press(label(lang, "area.children_and_youth"))
    await user.press(label(lang, "region.shymkent"))

    # The bot crashes half-way through the project; nothing typed so far is lost.
    await world.restart_bot()
    await user.send("150")
    overview = user.last_message().text
    assert "1 200" in overview and "1 500 000 ₸" in overview and "300 000 ₸" in overview
    assert "Жазғы лагерь" in overview and label(lang, "region.shymkent") in overview

    await user.press(label(lang, "filing.submit"))
    assert label(lang, "filing.field.income_donations") in user.messages()[-2].text
    for field, answer in [
        ("income_state_grants", "0"),
        ("income_international", "0"),
        ("income_donations", "250 000"),
        ("staff_count", "5"),
        ("volunteer_count", "40"),
    ]:
        await enter(user, lang, field, answer)
    await user.press(label(lang, "filing.submit"))
    await user.press(label(lang, "common.yes"))
    receipt = user.last_message().text
    assert "«Қамқор» <ҚБ>" in receipt and "10.02.2026 10:00" in receipt
    assert "2 050 000" in receipt and "1 200" in receipt

    world.clock.set(AFTER_DEADLINE)
    await user.send("/filing")
    locked = user.last_message()
    assert t.label("filing.state.locked") in locked.text
    assert not has_button(user, label(lang, "filing.submit"))
    assert not has_button(user, label(lang, "filing.field.income_own"))


async def test_filing_without_an_organisation_offers_registration(user_factory):
    user = user_factory(DANA + 1, language_code="en")
    await open_menu(user, "en")
    await user.send("/filing")
    assert "register yours first" in user.last_message().text
    assert has_button(user, label("en", "menu.register"))
