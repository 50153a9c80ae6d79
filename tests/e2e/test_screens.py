"""Screens at the largest sizes the forms allow: every one fits in a Telegram message.

Telegram refuses a text over 4096 characters; a dialog whose edit is refused used
to leave the person with "Sorry, something went wrong". The harness already fails
a journey on any refused screen (`LocalWorld.mistakes`); these journeys fill the
forms to their limits, in each language, and look at what the person sees.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.screen_fit import MAX_TEXT, visible_length
from console import awards, support, topics_admin
from domain.areas import AREAS
from domain.money import MAX_AMOUNT_KZT
from domain.organisation import MAX_PEOPLE_COUNT
from domain.regions import REGIONS
from domain.text_limits import APPLICATION_TITLE_LIMIT, ORGANISATION_DESCRIPTION_LIMIT
from domain.website import MAX_WEBSITE_LENGTH
from grants import applications
from grants.application_form import TEXT_LIMITS
from registry import activity
from registry.forms import NAME_LIMIT
from storage.models import Role
from storage.repositories.activity_reports import REPORT_NUMBER_FIELDS
from tests import seeding
from tests.e2e.journeys import label, open_menu, texts
from tests.e2e.test_filing import seed_organisation
from tests.seeding import APPLICATION_ANSWERS, NOW, POLICY, TOPIC

ALMATY = ZoneInfo("Asia/Almaty")
IN_FEBRUARY = datetime(2026, 2, 10, 10, 0, tzinfo=ALMATY)
IN_MARCH = datetime(2026, 3, 2, 10, 0, tzinfo=ALMATY)
AFTER_CLOSING = datetime(2026, 4, 2, 10, 0, tzinfo=ALMATY)
ZHANAR, OPERATOR = 760001, 700201
SCREEN_METHODS = {"sendMessage", "editMessageText", "editMessageCaption", "sendDocument"}


def longest(text: str, limit: int) -> str:
    """`text` repeated to `limit` characters: markup to escape, letters outside
    Latin, an emoji Telegram counts twice."""
    return (text * (limit // len(text) + 1))[:limit].strip()


def longest_label(lang: str, prefix: str, codes) -> str:
    return max(codes, key=lambda code: len(label(lang, f"{prefix}.{code}")))


def button_with(user, part: str) -> str:
    return next(b.text for row in user.last_message().buttons for b in row if part in b.text)


def screens_sent(world) -> list:
    return [call for call in world.emulator.calls if call.method in SCREEN_METHODS]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_filing_with_thirty_long_projects_fits_and_counts_the_rest(
    world, user_factory, lang
):
    t = texts(lang)
    world.clock.set(IN_FEBRUARY)
    user = user_factory(ZHANAR, language_code=lang)
    await open_menu(user, lang)
    name = longest("«Қамқор & <Жас ұрпақ>» 😀 ", NAME_LIMIT)
    organisation_id = await seed_organisation(world, name, owner_telegram_id=ZHANAR)
    area = longest_label(lang, "area", AREAS)
    region = longest_label(lang, "region", REGIONS)
    title = longest("Жазғы лагерь & <мектеп> 😀 ", activity.PROJECT_TITLE_LIMIT)

    async def fill(store):
        person = await store.people.get(ZHANAR)
        now, zone = world.clock.now(), world.clock.zone
        for field in REPORT_NUMBER_FIELDS:
            cap = MAX_AMOUNT_KZT if field in activity.AMOUNT_FIELDS else 100_000
            if field == "total_beneficiaries":
                cap = activity.MAX_BENEFICIARIES
            await activity.set_number(store, person, organisation_id, 2025, field, cap, now, zone)
        for _ in range(activity.MAX_PROJECTS - 1):
            await activity.add_project(
                store, person, organisation_id, 2025, title=title, area=area, region=region,
                beneficiaries=activity.MAX_BENEFICIARIES, now=now, zone=zone,
            )  # fmt: skip

    await seeding.in_database(world.settings.database_url, fill)

    # The thirtieth project, typed: the overview is edited after the last answer.
    await user.send("/filing")
    await user.press(label(lang, "filing.add_project"))
    await user.send(title)
    await user.press(label(lang, f"area.{area}"))
    await user.press(label(lang, f"region.{region}"))
    await user.send(str(activity.MAX_BENEFICIARIES))

    overview = user.last_message()
    assert name.split("&")[0] in overview.text
    more = [t.plural("screens.more", n) for n in range(1, activity.MAX_PROJECTS + 1)]
    assert any(line in overview.text for line in more)
    assert visible_length(overview.html) <= MAX_TEXT
    assert all(call.ok for call in screens_sent(world))
    assert t("errors.generic") not in [m.text for m in user.messages()]


LONG_WEBSITE = "https://ngo.kz/" + "жоба-" * 400
LONG_EMAIL = ("a" * 64) + "@" + ".".join(["b" * 60] * 3) + ".kz"


async def seed_largest_organisation(world, owner: int, name: str) -> int:
    """An organisation with every free-text answer at the forms' limits."""

    async def add(store):
        seeded = await seeding.organisation(
            store, owner, world.clock.now(), bin_="940140000385", name=name,
            name_alt=longest("Жас ұрпақ & <қор> 👍🏽 ", NAME_LIMIT), areas=tuple(AREAS),
            description=longest("Балаларға <көмек> & қолдау 😀 ", ORGANISATION_DESCRIPTION_LIMIT),
            website=LONG_WEBSITE[:MAX_WEBSITE_LENGTH], email=LONG_EMAIL, public_listing=True,
            staff_count=MAX_PEOPLE_COUNT, volunteer_count=MAX_PEOPLE_COUNT, owner_locale=None,
        )  # fmt: skip
        return seeded.organisation_id

    return await seeding.in_database(world.settings.database_url, add)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_the_largest_organisation_card_fits_for_its_owner_and_in_the_directory(
    world, user_factory, lang, caplog
):
    t = texts(lang)
    name = longest("«Қамқор & <Жас ұрпақ>» 😀 ", NAME_LIMIT)
    owner = user_factory(ZHANAR, language_code=lang)
    await open_menu(owner, lang)
    await seed_largest_organisation(world, ZHANAR, name)
    await owner.send("/start")
    await owner.press(label(lang, "menu.organisation"))
    card = owner.last_message()
    assert name[:40] in card.text
    assert visible_length(card.html) <= MAX_TEXT

    reader = user_factory(ZHANAR + 1, language_code=lang)
    await open_menu(reader, lang)
    await reader.press(label(lang, "menu.directory"))
    found = next(b for row in reader.last_message().buttons for b in row if name[:20] in b.text)
    await reader.press(found.text)
    assert name[:40] in reader.last_message().text
    assert all(call.ok for call in screens_sent(world))
    for user in (owner, reader):
        assert t("errors.generic") not in [m.text for m in user.messages()]
    # Whole: the website is shown shortened, so nothing after it is cut off.
    assert "was cut" not in caplog.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_application_with_the_longest_answers_fits_in_my_applications(
    world, user_factory, lang
):
    t = texts(lang)
    world.clock.set(NOW)
    owner = user_factory(ZHANAR, language_code=lang)
    await open_menu(owner, lang)
    title = longest("Әйелдер <көшбасшылары> & 😀 ", APPLICATION_TITLE_LIMIT)

    async def add(store):
        await seeding.topics(store, NOW)
        seeded = await seeding.organisation(store, ZHANAR, NOW, name="«Қамқор» <ҚБ>")
        applicant = await store.people.get(ZHANAR)
        topic = await store.topics.by_code(TOPIC)
        draft = await applications.start(
            store, applicant, seeded.organisation_id, topic.id, NOW, POLICY
        )
        answers = {
            **APPLICATION_ANSWERS,
            **{
                field: longest("Мәселе <шешу> & жол 😀 ", limit)
                for field, limit in TEXT_LIMITS.items()
            },
            "title": title,
        }
        await applications.save(store, applicant, draft, NOW, POLICY, **answers)

    await seeding.in_database(world.settings.database_url, add)
    await owner.send("/start")
    await owner.press(label(lang, "menu.applications"))
    chosen = next(b for row in owner.last_message().buttons for b in row if title[:10] in b.text)
    await owner.press(chosen.text)
    details = owner.last_message()
    assert title[:10] in details.text
    assert visible_length(details.html) <= MAX_TEXT
    assert all(call.ok for call in screens_sent(world))
    assert t("errors.generic") not in [m.text for m in owner.messages()]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_award_application_with_the_longest_answers_fits_both_sides(
    world, user_factory, lang, caplog
):
    world.clock.set(IN_MARCH)
    ngo = user_factory(ZHANAR, language_code=lang)
    operator = user_factory(OPERATOR, language_code="ru")  # the seeded operator's language
    await open_menu(ngo, lang)
    await open_menu(operator, "ru")
    await seed_organisation(
        world, longest("«Қамқор» <ҚБ> & 😀 ", NAME_LIMIT), owner_telegram_id=ZHANAR
    )
    await seeding.in_database(
        world.settings.database_url,
        lambda store: seeding.staff(store, OPERATOR, Role.OPERATOR, "Op"),
    )
    titles = [
        longest(f"{word} <жоба> & 😀 ", awards.TITLE_LIMIT) for word in ("Үздік", "Лучший", "Best")
    ]

    await operator.send("/award_rounds")
    await operator.press(label("ru", "awards.op.new_round"))
    for title in titles:
        await operator.send(title)
    await operator.press(label("ru", "area.education"))
    await operator.press(label("ru", "common.done"))
    await operator.send("01.03.2026")
    await operator.send("31.03.2026")
    await operator.press(label("ru", "awards.op.open"))

    await ngo.send("/menu")
    await ngo.press(label(lang, "menu.awards"))
    await ngo.press(button_with(ngo, "<жоба>"))
    await ngo.press(label(lang, "awards.apply"))
    await ngo.press(label(lang, "area.education"))
    await ngo.send(longest("Ауыл <мектептері> & робот 😀 ", awards.DESCRIPTION_LIMIT))
    await ngo.send(longest("12 мектеп & <340> оқушы 😀 ", awards.RESULTS_LIMIT))
    await ngo.send(LONG_WEBSITE[:MAX_WEBSITE_LENGTH])
    assert visible_length(ngo.last_message().html) <= MAX_TEXT
    await ngo.press(label(lang, "awards.submit"))
    assert texts(lang)("awards.saved").split("<")[0].strip() in ngo.last_message().html

    world.clock.set(AFTER_CLOSING)
    await operator.send("/award_rounds")
    round_button = next(
        b for row in operator.last_message().buttons for b in row if "<жоба>" in b.text
    )
    await operator.press(round_button.text)
    await operator.press(operator.last_message().buttons[0][0].text)
    assert "Ауыл" in operator.last_message().text
    assert all(call.ok for call in screens_sent(world))
    assert "was cut" not in caplog.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_topic_with_the_longest_texts_previews_and_shows_on_both_sides(
    world, user_factory, lang, caplog
):
    world.clock.set(IN_FEBRUARY)
    await seeding.in_database(
        world.settings.database_url,
        lambda store: seeding.staff(store, OPERATOR, Role.OPERATOR, "Op"),
    )
    operator = user_factory(OPERATOR, language_code="ru")
    await operator.send("/operator")
    await operator.press(label("ru", "console.menu.topics"))
    await operator.press(label("ru", "topic_admin.new"))
    await operator.send("longest-topic")
    limits = topics_admin.LIMITS
    titles = [
        longest(f"{w} <тақырып> & 😀 ", limits["title"]) for w in ("Жастар", "Молодёжь", "Youth")
    ]
    for title in titles:
        await operator.send(title)
    for word in ("Сипаттама", "Описание", "About"):
        await operator.send(longest(f"{word} <мәтін> & 👍🏽 ", limits["description"]))
    await operator.press(label("ru", "area.education"))
    await operator.press(label("ru", "topics.grant_type.long_term"))
    for answer in ("3000000", "12000000", "01.02.2026", "31.12.2026"):
        await operator.send(answer)
    assert visible_length(operator.last_message().html) <= MAX_TEXT
    await operator.press(label("ru", "topic_admin.create"))
    await operator.press(label("ru", "topic_admin.open"))

    reader = user_factory(ZHANAR, language_code=lang)
    await open_menu(reader, lang)
    await reader.press(label(lang, "menu.topics"))
    await reader.press(button_with(reader, "<тақырып>"))
    assert "<мәтін>" in reader.last_message().text
    assert all(call.ok for call in screens_sent(world))
    assert "was cut" not in caplog.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_support_inbox_of_long_questions_and_many_answers_fits(
    world, user_factory, lang, caplog
):
    t = texts(lang)
    person = user_factory(ZHANAR, language_code=lang)
    await open_menu(person, lang)

    async def ask_and_answer(store):
        asker = await store.people.get(ZHANAR)
        for _ in range(support.RECENT_THREADS):
            thread = await support.ask(
                store, asker, longest("Сұрақ <неге> & 😀 ", support.QUESTION_LIMIT), NOW
            )
            for _ in range(5):
                await support.answer(
                    store, thread_id=thread.id, answered_by=None, in_operator_chat=True,
                    raw_answer=longest("Жауап <осы> & 👍🏽 ", support.ANSWER_LIMIT),
                    admin_ids=(), now=NOW,
                )  # fmt: skip

    await seeding.in_database(world.settings.database_url, ask_and_answer)
    await person.press(label(lang, "menu.support"))
    # The answers' notices may come meanwhile: the inbox is the screen, with buttons.
    inbox = next(m for m in reversed(person.messages()) if m.buttons)
    assert "<неге>" in inbox.text
    more = [t.plural("screens.more", n) for n in range(1, support.RECENT_THREADS + 1)]
    assert any(line in inbox.text for line in more)
    assert all(call.ok for call in screens_sent(world))
    assert "was cut" not in caplog.text
