"""An NGO looks for a grant topic: browses, filters, pages, reads a card and applies,
or is told why it may not and led to the fix."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import grants
from grants.topic_files import import_topics
from storage.models import TopicStatus
from storage.store import Store
from tests import seeding
from tests.e2e.journeys import has_button, label, open_menu, plain

ALMATY = ZoneInfo("Asia/Almaty")
# 14:00 in Almaty on 20 November 2026: the filing for 2025 is the one required.
NOW = datetime(2026, 11, 20, 14, 0, tzinfo=ALMATY)
FILING_YEAR = 2025
DEMO_TOPICS = (Path(grants.__file__).parent / "demo" / "topics-2016.yaml").read_text()
AIDANA = 740001
BERIK = 740002
CAROL = 740003

GENDER = {
    "kk": "Гендерлік теңдікке жәрдемдесу",
    "ru": "Содействие гендерному равенству",
    "en": "Promoting gender equality",
}
IDENTITY = {
    "kk": "Қазақ бірегейлігін нығайту",
    "ru": "Укрепление казахской идентичности",
    "en": "Strengthening the Kazakh identity",
}
MEDIATION = {"kk": "Медиацияны дамыту", "ru": "Развитие медиации", "en": "Developing mediation"}
SIX_DAYS = {"kk": "6 күн қалды", "ru": "осталось 6 дней", "en": "6 days left"}
TWENTY_FIVE_DAYS = {"kk": "25 күн қалды", "ru": "осталось 25 дней", "en": "25 days left"}
SHORT_TERM = {
    "kk": "қысқа мерзімді (3–12 ай)",
    "ru": "краткосрочный (3–12 месяцев)",
    "en": "short-term (3–12 months)",
}


class Database:
    """The bot's own database, written to directly to set the scene."""

    def __init__(self, world) -> None:
        self.world = world

    async def run(self, action):
        return await seeding.in_database(self.world.settings.database_url, action)

    async def load_topics(self, text: str = DEMO_TOPICS) -> dict[str, int]:
        async def load(store: Store) -> dict[str, int]:
            await import_topics(store, text, self.world.clock.now())
            return {topic.code: topic.id for topic in await store.topics.all()}

        return await self.run(load)

    async def organisation(
        self,
        owner_telegram_id: int,
        *,
        region: str = "almaty",
        areas: tuple[str, ...] = ("gender_equality", "mediation"),
        filed: bool = True,
    ) -> int:
        async def add(store: Store) -> int:
            seeded = await seeding.organisation(
                store, owner_telegram_id, self.world.clock.now(),
                bin_=f"9401400{owner_telegram_id % 100000:05d}", name="«Қамқор» <ҚБ>",
                region=region, areas=areas, filed=FILING_YEAR if filed else None,
                founded_year=2012, public_listing=True, owner_name=None,
            )  # fmt: skip
            return seeded.organisation_id

        return await self.run(add)

    async def close_topic(self, topic_id: int) -> None:
        async def close(store: Store) -> None:
            await store.topics.set_status(topic_id, TopicStatus.CLOSED)

        await self.run(close)

    async def alerts_on(self, telegram_id: int) -> bool:
        return await self.run(lambda store: store.people.notifies_new_topics(telegram_id))


def topic_buttons(user) -> list[str]:
    """The topic buttons of the list: those with a "days left" part."""
    message = next(m for m in reversed(user.messages()) if m.buttons)
    return [b.text for row in message.buttons for b in row if " · " in b.text]


def button(user, text: str):
    message = next(m for m in reversed(user.messages()) if m.buttons)
    return next(b for row in message.buttons for b in row if b.text.startswith(text))


@pytest.fixture
def db(world) -> Database:
    world.clock.set(NOW)
    return Database(world)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_browse_filter_page_read_a_card_and_apply(db, user_factory, lang):
    user = user_factory(AIDANA, language_code=lang)
    await open_menu(user, lang)
    await db.load_topics()
    await db.organisation(AIDANA)

    await user.press(label(lang, "menu.topics"))
    first_page = topic_buttons(user)
    # Seven open topics, soonest deadline first, five a page.
    assert len(first_page) == 5
    assert first_page[0] == f"{IDENTITY[lang]} · {SIX_DAYS[lang]}"
    assert has_button(user, label(lang, "common.page", page=1, pages=2))
    await user.press(label(lang, "common.next_page"))
    assert len(topic_buttons(user)) == 2
    assert has_button(user, label(lang, "common.page", page=2, pages=2))

    # Mediation is only for the south; the organisation is in Almaty.
    await user.press(label(lang, "topics.filter.region"))
    by_region = topic_buttons(user)
    assert has_button(user, label(lang, "common.page", page=1, pages=2))
    await user.press(label(lang, "common.next_page"))
    by_region += topic_buttons(user)
    assert len(by_region) == 6
    assert not any(MEDIATION[lang] in text for text in by_region)

    # Its areas are gender equality and mediation.
    await user.press(label(lang, "topics.filter.areas"))
    by_area = topic_buttons(user)
    assert [text.split(" · ")[0] for text in by_area] == [GENDER[lang], MEDIATION[lang]]
    assert has_button(
        user, label(lang, "topics.filter.chosen", name=label(lang, "topics.filter.areas"))
    )
    assert not has_button(user, label(lang, "common.next_page"))

    await user.press(by_area[0])
    card = user.last_message().text
    assert GENDER[lang] in card
    assert "3 000 000 – 12 000 000 ₸" in card
    assert SHORT_TERM[lang] in card
    # Now plus 25 days, and two days ago, both in Almaty time.
    assert "15.12.2026 14:00" in card and "18.11.2026 14:00" in card
    assert "UTC+5" in card
    assert TWENTY_FIVE_DAYS[lang] in card
    assert label(lang, "topics.language.kk") in card
    assert plain(lang, "topics.status.eligible") in card

    await user.press(label(lang, "topics.apply"))
    # The application form takes over from here.
    assert user.last_message().text != card
    assert not has_button(user, label(lang, "topics.apply"))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_organisation_that_has_not_filed_is_sent_to_the_filing(db, user_factory, lang):
    user = user_factory(BERIK, language_code=lang)
    await open_menu(user, lang)
    await db.load_topics()
    await db.organisation(BERIK, filed=False)

    await user.send("/grants")
    await user.press(button(user, GENDER[lang]).text)
    assert plain(lang, "topics.status.ineligible") in user.last_message().text
    await user.press(label(lang, "topics.apply"))
    refusal = user.last_message().text
    assert plain(lang, "rule.eligibility.no_filing", year=FILING_YEAR) in refusal
    assert not has_button(user, label(lang, "topics.register"))

    await user.press(label(lang, "topics.file"))
    overview = user.last_message().text
    assert overview != refusal
    assert str(FILING_YEAR) in overview


async def test_without_an_organisation_filters_explain_and_apply_leads_to_registration(
    db, user_factory
):
    lang = "ru"
    user = user_factory(CAROL, language_code=lang)
    await open_menu(user, lang)
    await db.load_topics()

    await user.send("/grants")
    await user.press(label(lang, "topics.filter.areas"))
    assert plain(lang, "topics.list.needs_organisation") in user.last_message().text
    assert topic_buttons(user) == []
    await user.press(label(lang, "topics.filter.all"))
    assert len(topic_buttons(user)) == 5

    await user.press(button(user, GENDER[lang]).text)
    assert plain(lang, "topics.status.no_organisation") in user.last_message().text
    await user.press(label(lang, "topics.apply"))
    assert plain(lang, "rule.eligibility.no_organisation") in user.last_message().text
    await user.press(label(lang, "topics.register"))
    assert not has_button(user, label(lang, "topics.register"))


async def test_a_region_topic_refuses_an_organisation_from_elsewhere(db, user_factory):
    lang = "en"
    user = user_factory(AIDANA, language_code=lang)
    await open_menu(user, lang)
    await db.load_topics()
    await db.organisation(AIDANA, region="almaty")

    await user.send("/grants")
    await user.press(label(lang, "topics.filter.areas"))
    await user.press(button(user, MEDIATION["en"]).text)
    card = user.last_message().text
    assert "Shymkent" in card and "Turkistan" in card
    await user.press(label(lang, "topics.apply"))
    refusal = user.last_message().text
    assert "only for organisations from" in refusal and "Almaty" in refusal
    # Nothing to press to fix a region: back to the card or the list only.
    assert not has_button(user, label(lang, "topics.file"))
    assert has_button(user, label(lang, "topics.back_to_card"))


async def test_a_stale_or_forged_topic_gets_the_list_again(db, user_factory):
    lang = "en"
    user = user_factory(AIDANA, language_code=lang)
    await open_menu(user, lang)
    ids = await db.load_topics()

    await user.send("/grants")
    gender = button(user, GENDER[lang])
    forged = gender.callback_data.rsplit(":", 1)[0] + ":999999"
    await user.press_data(forged)
    assert plain(lang, "topics.unavailable") in user.last_message().text
    assert len(topic_buttons(user)) == 5

    await user.press_data(gender.callback_data.rsplit(":", 1)[0] + ":1;drop")
    assert plain(lang, "topics.unavailable") in user.last_message().text
    # The notice is said once, not on every screen after it.
    await user.press(label(lang, "common.next_page"))
    assert plain(lang, "topics.unavailable") not in user.last_message().text
    await user.press(label(lang, "common.prev_page"))

    # Closed while the list was on the screen.
    await db.close_topic(ids["gender-equality"])
    await user.press(gender.text)
    assert plain(lang, "topics.unavailable") in user.last_message().text
    assert not any(GENDER[lang] in text for text in topic_buttons(user))


async def test_a_card_left_open_after_the_topic_closed(db, user_factory):
    lang = "kk"
    user = user_factory(AIDANA, language_code=lang)
    await open_menu(user, lang)
    ids = await db.load_topics()
    await db.organisation(AIDANA)

    await user.send("/grants")
    await user.press(button(user, GENDER[lang]).text)
    await db.close_topic(ids["gender-equality"])
    await user.press(label(lang, "topics.apply"))
    assert plain(lang, "topics.unavailable") in user.last_message().text


async def test_new_topic_alerts_are_switched_on_and_off(db, user_factory, world):
    lang = "ru"
    user = user_factory(BERIK, language_code=lang)
    await open_menu(user, lang)
    await user.send("/grants")
    # No topics at all yet.
    assert plain(lang, "topics.list.empty") in user.last_message().text

    await user.press(label(lang, "topics.alerts.off"))
    assert has_button(user, label(lang, "topics.alerts.on"))
    assert await db.alerts_on(BERIK)
    await user.press(label(lang, "topics.alerts.on"))
    assert has_button(user, label(lang, "topics.alerts.off"))
    assert not await db.alerts_on(BERIK)
