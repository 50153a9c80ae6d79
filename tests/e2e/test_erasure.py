"""Erasure through the emulator: what the confirmation says, an owner choosing who takes
over, the last member archiving the organisation and a colleague reviving it with the
operator's confirmation, an expert kept as "Expert #N", and logs without personal data."""

from __future__ import annotations

import html
import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from bot.log_format import PERSONAL_DATA_LOGGERS, configure_logging
from storage.models import AuditEntry, MemberRole, Person, Role
from tests import seeding
from tests.e2e.journeys import (
    BIN_DARYN,
    agree_if_asked,
    answer_fields,
    label,
    open_menu,
    texts,
)
from tests.e2e.journeys import register_organisation as register
from tests.e2e.test_staff import OWNER, database, seed_organisation, seed_person

BOLAT, ASEL, COLLEAGUE, OPERATOR, EXPERT = 741001, 741002, 741003, 741004, 741005
TAG = re.compile(r"<[^>]+>")


def plain(lang: str, key: str, count: int | None = None, **params) -> str:
    """A catalog text as the person sees it: tags applied, entities decoded."""
    t = texts(lang)
    text = t.plural(key, count, **params) if count is not None else t(key, **params)
    return html.unescape(TAG.sub("", text))


def buttons(message) -> list[str]:
    return [b.text for row in message.buttons for b in row]


async def add_colleague(
    world, organisation_id: int, telegram_id: int, name: str, lang: str = "ru"
) -> None:
    await seed_person(world, telegram_id, lang, name)
    async with database(world) as store:
        person = await store.people.get(telegram_id)
        await store.memberships.add(organisation_id, person.id, MemberRole.MEMBER)
        await store.commit()


async def role_of(world, organisation_id: int, telegram_id: int) -> MemberRole | None:
    async with database(world) as store:
        person = await store.people.get(telegram_id)
        return await store.memberships.role_of(organisation_id, person.id)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_owner_chooses_who_takes_over_before_erasure(world, user_factory, lang):
    organisation_id = await seed_organisation(world, lang)
    await add_colleague(world, organisation_id, BOLAT, "Болат")  # the longest-serving
    await add_colleague(world, organisation_id, ASEL, "Асель")
    owner = user_factory(OWNER, language_code=lang)

    await owner.send("/delete_me")
    asked = owner.last_message()
    assert asked.text == plain(lang, "erasure.choose_successor", organisation="«Қамқор» & Co")
    assert buttons(asked) == ["Болат", "Асель", label(lang, "privacy.erase_keep_button")]
    # Nothing is erased by choosing: the confirmation comes next and says what happens.
    await owner.press("Асель")
    summary = owner.last_message().text
    handover = plain(
        lang, "erasure.removed.handover", organisation="«Қамқор» & Co", successor="Асель"
    )
    assert handover in summary
    assert plain(lang, "erasure.removed.identity") in summary
    assert plain(lang, "erasure.kept.organisations") in summary
    assert await role_of(world, organisation_id, ASEL) == MemberRole.MEMBER

    await owner.press(label(lang, "privacy.erase_confirm_button"))
    assert owner.last_message().text == plain(lang, "privacy.erased")
    assert await role_of(world, organisation_id, ASEL) == MemberRole.OWNER
    assert await role_of(world, organisation_id, BOLAT) == MemberRole.MEMBER


async def test_keeping_the_data_after_choosing_a_successor_changes_nothing(world, user_factory):
    organisation_id = await seed_organisation(world, "ru")
    await add_colleague(world, organisation_id, BOLAT, "Болат")
    owner = user_factory(OWNER, language_code="ru")
    await owner.send("/delete_me")
    await owner.press("Болат")
    await owner.press(label("ru", "privacy.erase_keep_button"))
    assert owner.last_message().text == plain("ru", "privacy.erase_kept")
    assert await role_of(world, organisation_id, OWNER) == MemberRole.OWNER
    assert await role_of(world, organisation_id, BOLAT) == MemberRole.MEMBER
    # Asked again, the choice is asked again too.
    await owner.send("/delete_me")
    assert buttons(owner.last_message())[0] == "Болат"


async def test_a_successor_who_left_meanwhile_is_asked_for_again(world, user_factory):
    organisation_id = await seed_organisation(world, "ru")
    await add_colleague(world, organisation_id, BOLAT, "Болат")
    await add_colleague(world, organisation_id, ASEL, "Асель")
    owner = user_factory(OWNER, language_code="ru")
    await owner.send("/delete_me")
    await owner.press("Болат")
    async with database(world) as store:  # Болат leaves before the owner confirms
        bolat = await store.people.get(BOLAT)
        await store.memberships.remove(organisation_id, bolat.id)
        await store.commit()
    await owner.press(label("ru", "privacy.erase_confirm_button"))
    assert owner.last_callback_answer.text == texts("ru")("erasure.successor_gone")
    assert buttons(owner.last_message())[0] == "Асель"
    assert await role_of(world, organisation_id, OWNER) == MemberRole.OWNER


@pytest.mark.parametrize(
    ("owner_lang", "lang", "operator_lang"), [("kk", "ru", "en"), ("ru", "en", "kk")]
)
async def test_the_last_member_archives_it_and_a_colleague_revives_it(
    world, user_factory, owner_lang, lang, operator_lang
):
    operator = user_factory(OPERATOR, language_code=operator_lang)
    await open_menu(operator, operator_lang)
    async with database(world) as store:
        await seeding.staff(store, OPERATOR, Role.OPERATOR, "Olga", operator_lang)
        await store.commit()
    owner = user_factory(OWNER, language_code=owner_lang, first_name="Жанар")
    await register(owner, owner_lang, bin=BIN_DARYN, name="Дарын")
    async with database(world) as store:
        organisation = await store.organisations.get_by_bin(BIN_DARYN)

    await owner.send("/delete_me")
    summary = owner.last_message().text
    assert plain(owner_lang, "erasure.removed.archive", organisation="Дарын") in summary
    await owner.press(label(owner_lang, "privacy.erase_confirm_button"))
    async with database(world) as store:
        archived = await store.organisations.get(organisation.id)
        assert archived.archived_at is not None

    colleague = user_factory(COLLEAGUE, language_code=lang, first_name="Гүлнар")
    await open_menu(colleague, lang)
    await colleague.press(label(lang, "menu.register"))
    await agree_if_asked(colleague, lang)
    await colleague.send(BIN_DARYN)
    assert colleague.last_message().text == plain(lang, "erasure.bin_archived", name="Дарын")
    assert label(lang, "registration.send_join_request") not in buttons(colleague.last_message())
    await colleague.press(label(lang, "erasure.revive_button"))
    assert any(
        m.text == plain(lang, "erasure.revival_sent", name="Дарын")
        for m in colleague.messages()[-3:]
    )

    asked = operator.last_message()
    approve = next(b.callback_data for row in asked.buttons for b in row)
    assert asked.text == plain(
        operator_lang,
        "erasure.revival_to_operator",
        organisation="Дарын",
        bin=BIN_DARYN,
        person="Гүлнар",
    )
    await operator.press(label(operator_lang, "erasure.revival_approve"))
    assert operator.last_message().text == plain(
        operator_lang, "erasure.revival_done_approved", organisation="Дарын"
    )
    assert colleague.last_message().text == plain(
        lang, "erasure.revival_approved", organisation="Дарын"
    )
    assert await role_of(world, organisation.id, COLLEAGUE) == MemberRole.OWNER
    async with database(world) as store:
        assert (await store.organisations.get(organisation.id)).archived_at is None
        audit = await store.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "organisation.revive")
        )
        assert [a.actor for a in audit] == [OPERATOR]
    # Pressed again (or by a second operator): already answered.
    await operator.press_data(approve)
    assert operator.last_callback_answer.text == texts(operator_lang)("erasure.revival_decided")


async def test_a_revival_confirmed_by_someone_not_an_operator_is_refused(world, user_factory):
    from bot.callbacks import RevivalDecision

    organisation_id = await seed_organisation(world, "ru")
    owner = user_factory(OWNER, language_code="ru")
    await owner.send("/delete_me")
    await owner.press(label("ru", "privacy.erase_confirm_button"))
    await seed_person(world, COLLEAGUE, "ru", "Гүлнар")
    async with database(world) as store:
        from registry.organisations import request_revival

        colleague_person = await store.people.get(COLLEAGUE)
        request_id = await request_revival(store, colleague_person, organisation_id)
        await store.commit()
    colleague = user_factory(COLLEAGUE, language_code="ru")
    await colleague.send("/help")
    forged = RevivalDecision(request_id=request_id, approve=True).pack()
    await colleague.press_data(forged)
    assert colleague.last_callback_answer.text == texts("ru")("console.forbidden")
    assert await role_of(world, organisation_id, COLLEAGUE) is None


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_expert_is_told_their_scores_stay_under_a_pseudonym(world, user_factory, lang):
    async with database(world) as store:
        await seeding.person(store, EXPERT, lang, "Ерлан Сарапшы", consented_at=world.clock.now())
        await store.people.grant_role(EXPERT, Role.EXPERT, granted_by=None)
        expert_id = (await store.people.get(EXPERT)).id
        await store.commit()
    expert = user_factory(EXPERT, language_code=lang)
    await expert.send("/delete_me")
    pseudonym = label(lang, "erasure.pseudonym.expert", number=expert_id)
    assert plain(lang, "erasure.kept.pseudonym", pseudonym=pseudonym) in expert.last_message().text
    await expert.press(label(lang, "privacy.erase_confirm_button"))
    async with database(world) as store:
        kept = await store.session.get(Person, expert_id)
        assert kept.telegram_id == -expert_id and kept.full_name is None
        assert await store.people.get(EXPERT) is None


async def open_staff(user, lang: str) -> None:
    await user.send("/start")
    await user.press(label(lang, "menu.organisation"))
    await user.press(label(lang, "organisation.staff"))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_owner_leaving_names_a_successor_and_the_last_one_archives(
    world, user_factory, lang
):
    organisation_id = await seed_organisation(world, lang)
    await add_colleague(world, organisation_id, BOLAT, "Болат", lang)
    owner = user_factory(OWNER, language_code=lang)
    await open_staff(owner, lang)
    await owner.press(label(lang, "erasure.leave_button"))
    asked = owner.last_message()
    assert asked.text == plain(lang, "erasure.choose_successor", organisation="«Қамқор» & Co")
    await owner.press("Болат")
    assert owner.last_message().text == plain(
        lang, "erasure.leave_question_handover", organisation="«Қамқор» & Co", successor="Болат"
    )
    await owner.press(label(lang, "erasure.leave_yes"))
    assert owner.last_message().text == plain(lang, "erasure.left", organisation="«Қамқор» & Co")
    assert await role_of(world, organisation_id, OWNER) is None
    assert await role_of(world, organisation_id, BOLAT) == MemberRole.OWNER

    bolat = user_factory(BOLAT, language_code=lang)
    await open_staff(bolat, lang)
    await bolat.press(label(lang, "erasure.leave_button"))
    assert bolat.last_message().text == plain(
        lang, "erasure.leave_question_last", organisation="«Қамқор» & Co"
    )
    await bolat.press(label(lang, "erasure.leave_yes"))
    assert bolat.last_message().text == plain(
        lang, "erasure.left_archived", organisation="«Қамқор» & Co"
    )
    async with database(world) as store:
        assert (await store.organisations.get(organisation_id)).archived_at is not None


async def test_a_forged_successor_is_refused(world, user_factory):
    from bot.callbacks import LeaveAction

    organisation_id = await seed_organisation(world, "ru")
    await add_colleague(world, organisation_id, BOLAT, "Болат")
    owner = user_factory(OWNER, language_code="ru")
    await owner.send("/help")
    forged = LeaveAction(action="yes", organisation_id=organisation_id, successor_id=0).pack()
    await owner.press_data(forged)
    assert owner.last_callback_answer.text == texts("ru")("staff.successor_required")
    assert await role_of(world, organisation_id, OWNER) == MemberRole.OWNER


async def test_my_data_holds_their_questions_and_the_applications_they_wrote(world, user_factory):
    user = user_factory(BOLAT, language_code="en")
    await register(user, "en", bin=BIN_DARYN, name="Дарын")
    async with database(world) as store:
        await seeding.topics(store, world.clock.now())
        person = await store.people.get(BOLAT)
        organisation = await store.organisations.get_by_bin(BIN_DARYN)
        topic = await store.topics.by_code(seeding.TOPIC)
        draft = await store.applications.add_draft(organisation.id, topic.id, person.id)
        await store.applications.set_fields(
            draft, person.id, world.clock.now(), title="Clean water for Taraz"
        )
        await store.commit()
    await user.send("/menu")
    await user.press(label("en", "menu.support"))
    await user.press(label("en", "support.ask"))
    await user.send("When does the competition open?")

    await user.send("/my_data")
    document = user.last_message().document
    exported = json.loads(world.emulator.bot.files[document["file_id"]].content)
    assert [q["question"] for q in exported["questions_to_operator"]] == [
        "When does the competition open?"
    ]
    assert [a["title"] for a in exported["applications_written"]] == ["Clean water for Taraz"]


SECRET_NAME = "Zhuldyzkhan Qwertyuly"
SECRET_PHONE = "+7 701 987 65 43"
SECRET_QUESTION = "Kogda grant? Moi IIN 850505300777"


@pytest.fixture
def product_logs():
    """The bot's own logging set up as in production, at DEBUG, into a buffer; the
    root logger and the loggers it quiets are put back afterwards."""
    root = logging.getLogger()
    quieted = [logging.getLogger(name) for name in (*PERSONAL_DATA_LOGGERS, "aiogram.event")]
    saved = (list(root.handlers), root.level, [logger.level for logger in quieted])
    buffer = io.StringIO()
    configure_logging("DEBUG", "json", stream=buffer)
    try:
        yield buffer
    finally:
        handlers, level, levels = saved
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for logger, old in zip(quieted, levels, strict=True):
            logger.setLevel(old)


async def test_logs_carry_no_name_phone_or_typed_text(world, user_factory, product_logs):
    user = world.emulator.user(user_id=BOLAT, first_name=SECRET_NAME, language_code="ru")
    await open_menu(user, "ru")
    await user.press(label("ru", "menu.register"))
    await agree_if_asked(user, "ru")
    await user.send(BIN_DARYN)
    await answer_fields(user, "ru", name="Дарын", phone=SECRET_PHONE)
    await user.press(label("ru", "registration.save"))
    await user.send("/menu")
    await user.press(label("ru", "menu.support"))
    await user.press(label("ru", "support.ask"))
    await user.send(SECRET_QUESTION)
    await user.send("/my_data")
    await user.send("/delete_me")
    await user.press(label("ru", "privacy.erase_confirm_button"))
    assert user.last_message().text == plain("ru", "privacy.erased")

    lines = [
        line
        for line in product_logs.getvalue().splitlines()
        if not json.loads(line)["logger"].startswith("emulator")
    ]
    assert lines, "the journey logged nothing: is the capture working?"
    secrets = [SECRET_NAME, "Zhuldyzkhan", "Qwertyuly", "987 65 43", "9876543", "850505300777"]
    leaks = [line[:300] for line in lines if any(secret in line for secret in secrets)]
    assert leaks == []
