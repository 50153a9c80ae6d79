"""Nothing a person typed is lost, and no text promises what the bot does not do:
a registration left half-way is offered again, Back shows the earlier answer, /ask
offers a question typed before it, late filing says it locks, /privacy and the topic
list have their buttons and a way back, /help and the command menu follow the roles."""

from __future__ import annotations

import html
import re

import pytest

from bot.commands import COMMANDS, STAFF_COMMANDS
from registry.forms import FIELDS
from storage.models import Role
from tests import seeding
from tests.e2e.journeys import BIN_KAMKOR, has_button, label, open_menu, texts
from tests.e2e.test_filing import AFTER_DEADLINE, IN_FEBRUARY, seed_organisation
from tests.e2e.test_staff_menus import chat_menu

AIGERIM, BOLAT, DANA = 760001, 760002, 760003
OPERATOR, EXPERT, ADMIN = 760101, 760102, 760103
OPERATOR_CHAT = -1001234567891
TAG = re.compile(r"<[^>]+>")
NAME = "Қамқор <b>& Co</b>"


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={"operator_chat_id": OPERATOR_CHAT, "admin_ids": frozenset({ADMIN})}
    )


def plain(lang: str, key: str, **params) -> str:
    """A catalog text as the person sees it: tags applied, entities decoded."""
    return html.unescape(TAG.sub("", texts(lang)(key, **params)))


def screen(user) -> str:
    """The text of the screen the person is on: the latest message with buttons."""
    return next(m for m in reversed(user.messages()) if m.buttons).text


def step(lang: str, field: str) -> str:
    return label(lang, "common.step", step=FIELDS.index(field) + 1, total=len(FIELDS))


def your_answer(lang: str, answer: str) -> str:
    return plain(lang, "drafts.registration.your_answer", answer=answer).strip().splitlines()[0]


async def start_registration(user, lang: str) -> None:
    """From the menu to the region step: BIN, name, no other name, legal form."""
    await open_menu(user, lang)
    await user.press(label(lang, "menu.register"))
    await user.press(label(lang, "consent.agree"))
    await user.send(BIN_KAMKOR)
    await user.send(NAME)
    await user.press(label(lang, "common.skip"))
    await user.press(label(lang, "legal_form.public_association"))
    assert step(lang, "region") in screen(user)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_cancel_then_start_offers_to_continue_with_every_answer(world, user_factory, lang):
    user = user_factory(AIGERIM, language_code=lang)
    await start_registration(user, lang)

    await user.press(label(lang, "common.cancel"))
    assert user.last_callback_answer.text == plain(lang, "drafts.registration.kept")

    await user.send("/start")
    assert not has_button(user, label(lang, "menu.register"))
    menu = screen(user)
    assert plain(lang, "drafts.menu.unfinished", answered=4, total=len(FIELDS)) in menu
    await user.press(label(lang, "drafts.menu.continue_registration"))
    resume = screen(user)
    assert NAME in resume and has_button(user, label(lang, "drafts.registration.start_over"))
    await user.press(label(lang, "drafts.registration.continue"))
    assert step(lang, "region") in screen(user)  # where they left off

    # Another command in between: still kept.
    await user.send("/grants")
    await user.send("/menu")
    await user.press(label(lang, "drafts.menu.continue_registration"))
    await user.press(label(lang, "drafts.registration.continue"))

    # Back shows the earlier answer, kept with one tap.
    await user.press(label(lang, "common.back"))
    legal_form = label(lang, "legal_form.public_association")
    assert step(lang, "legal_form") in screen(user)
    assert your_answer(lang, legal_form) in screen(user)
    await user.press(label(lang, "common.back"))
    await user.press(label(lang, "common.back"))
    assert step(lang, "name") in screen(user) and your_answer(lang, NAME) in screen(user)
    await user.press(label(lang, "drafts.registration.keep"))
    assert step(lang, "name_alt") in screen(user)
    await user.press(label(lang, "drafts.registration.keep"))
    await user.press(label(lang, "drafts.registration.keep"))
    assert step(lang, "region") in screen(user)

    # The rest, and the organisation is saved with the answers given before Cancel.
    await user.press(label(lang, "region.almaty"))
    await user.press(label(lang, "area.education"))
    await user.press(label(lang, "common.done"))
    await user.send("We help children and young people learn.")
    await user.send("+7 701 123 45 67")
    await user.send("info@ngo.kz")
    await user.press(label(lang, "common.skip"))
    await user.send("2012")
    await user.send("5")
    await user.send("20")
    await user.press(label(lang, "common.yes"))
    await user.press(label(lang, "registration.save"))
    assert any(NAME in (m.text or "") and BIN_KAMKOR in (m.text or "") for m in user.messages())

    async def draft(store):
        return await store.registration_drafts.get(AIGERIM)

    assert await seeding.in_database(world.settings.database_url, draft) is None
    await user.send("/menu")
    assert not has_button(user, label(lang, "drafts.menu.continue_registration"))


async def test_start_over_forgets_the_answers(world, user_factory):
    user = user_factory(BOLAT, language_code="en")
    await start_registration(user, "en")
    await user.send("/menu")
    await user.press(label("en", "drafts.menu.continue_registration"))
    await user.press(label("en", "drafts.registration.start_over"))
    assert step("en", "bin") in screen(user)
    assert not has_button(user, label("en", "drafts.registration.keep"))
    await user.send("/menu")
    assert has_button(user, label("en", "menu.register"))


async def test_ask_offers_the_text_typed_before_it(world, user_factory):
    asker = user_factory(DANA, language_code="ru")
    group = world.emulator.group(chat_id=OPERATOR_CHAT, title="Operators")
    await open_menu(asker, "ru")
    question = "Когда можно подать <b>заявку</b>?"
    await asker.send(question)  # on the menu, which takes buttons only
    await asker.send("/ask")
    offer = screen(asker)
    assert plain("ru", "drafts.support.earlier", earlier=question).strip() in offer
    await asker.press(label("ru", "drafts.support.send_earlier"))
    assert texts("ru")("support.sent") in asker.last_message().text
    relayed = [m for m in group.messages() if m.from_bot][-1]
    assert question in relayed.text

    # Sent once: not offered again. Typed on the inbox before pressing "Ask": offered there.
    await asker.send("/ask")
    assert not has_button(asker, label("ru", "drafts.support.send_earlier"))
    await asker.send("И какие документы нужны?")
    await asker.press(label("ru", "support.ask"))
    assert "И какие документы нужны?" in screen(asker)
    await asker.press(label("ru", "drafts.support.send_earlier"))
    assert "И какие документы нужны?" in [m for m in group.messages() if m.from_bot][-1].text


async def fill_filing(user, lang: str) -> None:
    """Every number and one project: ends on the overview, ready to submit."""
    for field, answer in [
        ("total_beneficiaries", "100"),
        ("income_state_order", "0"),
        ("income_own", "0"),
        ("income_state_grants", "0"),
        ("income_international", "0"),
        ("income_donations", "250 000"),
        ("staff_count", "5"),
        ("volunteer_count", "40"),
    ]:
        await user.press(label(lang, f"filing.field.{field}"))
        await user.send(answer)
    await user.press(label(lang, "filing.add_project"))
    await user.send("Жазғы лагерь")
    await user.press(label(lang, "area.children_and_youth"))
    await user.press(label(lang, "region.shymkent"))
    await user.send("150")


def closing_line(lang: str, key: str) -> str:
    """The last line of a confirmation: what happens to the filing after it."""
    params = {"year": 2025, "name": "Қамқор", "total_income": "0", "deadline": "31.03.2026"}
    return plain(lang, key, **params).splitlines()[-1]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_late_filing_says_it_locks_and_does(world, user_factory, lang):
    world.clock.set(AFTER_DEADLINE)
    user = user_factory(DANA, language_code=lang)
    await open_menu(user, lang)
    await seed_organisation(world, "Қамқор", owner_telegram_id=DANA)
    await user.send("/filing")
    await fill_filing(user, lang)
    await user.press(label(lang, "filing.submit"))

    confirm = screen(user)
    assert closing_line(lang, "drafts.filing.confirm_late") in confirm
    assert closing_line(lang, "drafts.filing.confirm_in_time") not in confirm
    await user.press(label(lang, "common.yes"))
    assert plain(lang, "drafts.filing.receipt_locked") in screen(user)

    await user.send("/filing")
    assert plain(lang, "filing.state.locked") in screen(user)
    assert not has_button(user, label(lang, "filing.submit"))


async def test_a_filing_in_time_says_until_when_it_can_be_corrected(world, user_factory):
    world.clock.set(IN_FEBRUARY)
    user = user_factory(DANA, language_code="en")
    await open_menu(user, "en")
    await seed_organisation(world, "Қамқор", owner_telegram_id=DANA)
    await user.send("/filing")
    await fill_filing(user, "en")
    await user.press(label("en", "filing.submit"))
    confirm = screen(user)
    assert closing_line("en", "drafts.filing.confirm_in_time") in confirm
    assert closing_line("en", "drafts.filing.confirm_late") not in confirm
    await user.press(label("en", "common.yes"))
    assert plain("en", "drafts.filing.receipt_locked") not in screen(user)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_privacy_shows_its_buttons_and_a_way_back(world, user_factory, lang):
    user = user_factory(AIGERIM, language_code=lang)
    await open_menu(user, lang)
    await user.send("/privacy")
    question = plain(lang, "consent.text").splitlines()[-1]
    assert question in user.last_message().text
    assert has_button(user, label(lang, "consent.agree"))

    await user.press(label(lang, "consent.agree"))
    await user.send("/privacy")
    notice = user.last_message()
    assert question not in notice.text
    assert plain(lang, "drafts.privacy.agreed", when="")[:8] in notice.text
    shown = [b.text for row in notice.buttons for b in row]
    assert shown == [
        label(lang, "privacy.my_data_button"),
        label(lang, "privacy.delete_button"),
        label(lang, "common.menu"),
    ]
    await user.press(label(lang, "common.menu"))
    assert plain(lang, "menu.title").splitlines()[0] in screen(user)


async def test_the_topic_list_has_a_way_back(world, user_factory):
    user = user_factory(BOLAT, language_code="kk")
    await open_menu(user, "kk")
    await user.send("/grants")
    assert has_button(user, label("kk", "common.menu"))
    await user.press(label("kk", "common.menu"))
    assert has_button(user, label("kk", "menu.topics"))


async def test_help_and_the_command_menu_follow_the_roles(world, user_factory):
    async def seed(store):
        await seeding.staff(store, OPERATOR, Role.OPERATOR, "Olga", locale="en")
        await seeding.staff(store, EXPERT, Role.EXPERT, "Erlan", locale="kk")

    # Granted while the bot runs, as `ngo-bot admin grant` does.
    await seeding.in_database(world.settings.database_url, seed)
    operator = user_factory(OPERATOR, language_code="en")
    expert = user_factory(EXPERT, language_code="kk")
    admin = user_factory(ADMIN, language_code="ru")
    public = user_factory(DANA, language_code="ru")
    for user, lang in ((operator, "en"), (expert, "kk"), (admin, "ru"), (public, "ru")):
        await open_menu(user, lang)
        await user.send("/help")

    def commands_in(user) -> set[str]:
        return set(re.findall(r"/([a-z_]+)", user.last_message().text))

    assert {"operator", "stats", "export", "broadcast", "award_rounds"} <= commands_in(operator)
    assert "roles" not in commands_in(operator)
    assert "expert" in commands_in(expert) and "stats" not in commands_in(expert)
    assert {"roles", "operator", "expert"} <= commands_in(admin)
    assert not {"operator", "stats", "export", "expert", "roles"} & commands_in(public)
    assert texts("kk").label("commands.expert") in expert.last_message().text

    assert list(chat_menu(world, OPERATOR)) == [*COMMANDS, *STAFF_COMMANDS["operator"]]
    assert list(chat_menu(world, EXPERT)) == [*COMMANDS, *STAFF_COMMANDS["expert"]]
    assert chat_menu(world, DANA) is None
