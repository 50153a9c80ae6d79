"""The bot dies right after it committed a change that someone else must hear of, before
anything was sent: after the restart the outbox tells them, once.

The notice is queued by the use case in the transaction of the change it reports, so
there is no moment when the change is kept and its notice is not.
"""

from __future__ import annotations

import contextvars
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.callbacks import JoinDecision
from bot.middlewares.database import DatabaseSessionMiddleware
from core.i18n import Translator
from delivery.flush import DeliveryFlushMiddleware
from grants import applications
from grants.applications import Policy
from grants.eligibility import required_filing_year
from registry import staff
from storage.models import MemberRole
from storage.store import Store
from tests import seeding
from tests.e2e.journeys import (
    BIN_KAMKOR,
    agree_if_asked,
    label,
    open_menu,
    outbox,
    outbox_by_hand,
    texts,
)
from tests.seeding import APPLICATION_ANSWERS, NOW, TOPIC

AIGERIM, BOLAT = 760001, 760002
OPERATOR_CHAT = -1001234567891
ORGANISATION = "Қамқор & Co"
TAG = re.compile(r"<[^>]+>")

# Set while an update is being handled: only the update's commit kills the bot, not
# one of the clock's jobs committing meanwhile.
IN_UPDATE: contextvars.ContextVar[bool] = contextvars.ContextVar("in_update", default=False)


class ProcessDied(Exception):
    """The bot process ends here: what was committed stays, nothing after it happens."""


@pytest.fixture
def settings(settings):
    return outbox_by_hand(settings).model_copy(update={"operator_chat_id": OPERATOR_CHAT})


@pytest.fixture
def now(world):
    world.clock.set(NOW)
    return NOW


@contextmanager
def dies_after_the_next_commit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The next commit an update makes is its last act: the update stops there, and
    the notices it queued are not sent at once (the process is gone)."""
    commit, flush = Store.commit, DeliveryFlushMiddleware._flush
    session_call = DatabaseSessionMiddleware.__call__
    armed = True

    async def commit_then_die(store: Store) -> None:
        nonlocal armed
        await commit(store)
        if armed and IN_UPDATE.get():
            armed = False
            raise ProcessDied

    async def in_update(self, handler, event, data):
        token = IN_UPDATE.set(True)
        try:
            return await session_call(self, handler, event, data)
        finally:
            IN_UPDATE.reset(token)

    async def nothing_sent_after_death(self, bot, ids):
        if armed:
            await flush(self, bot, ids)

    with monkeypatch.context() as patch:
        patch.setattr(Store, "commit", commit_then_die)
        patch.setattr(DatabaseSessionMiddleware, "__call__", in_update)
        patch.setattr(DeliveryFlushMiddleware, "_flush", nothing_sent_after_death)
        yield
    assert not armed, "the update never committed"


async def restart_and_run_the_outbox(world) -> None:
    await world.restart_bot()
    async with outbox(world) as engine:
        while (await engine.drain_once()).claimed:
            pass
    await world.emulator.wait_idle()


def plain(text: str) -> str:
    """A message as the person sees it: tags applied, entities decoded."""
    return html.unescape(TAG.sub("", text))


def received(user, text: str) -> int:
    return sum(message.text == text for message in user.messages())


async def seed(world, action):
    return await seeding.in_database(world.settings.database_url, action)


async def test_a_submission_reaches_the_colleague_after_a_crash(
    world, now, user_factory, monkeypatch
):
    aigerim = user_factory(AIGERIM, language_code="ru")
    bolat = user_factory(BOLAT, language_code="en", first_name="Bolat")
    await open_menu(aigerim, "ru")
    await open_menu(bolat, "en")

    async def complete_draft(store: Store) -> int:
        await seeding.topics(store, NOW)
        seeded = await seeding.organisation(store, AIGERIM, NOW, name=ORGANISATION)
        colleague = await seeding.person(store, BOLAT, "en", name="Bolat")
        await store.memberships.add(seeded.organisation_id, colleague.id, MemberRole.MEMBER)
        person = await store.people.get(AIGERIM)
        topic = await store.topics.by_code(TOPIC)
        policy = Policy(seeding.ZONE, 10, required_filing_year(NOW, seeding.ZONE, None))
        draft = await applications.start(
            store, person, seeded.organisation_id, topic.id, NOW, policy
        )
        await applications.save(store, person, draft, NOW, policy, **APPLICATION_ANSWERS)
        await store.commit()
        return draft

    draft = await seed(world, complete_draft)
    await aigerim.send(f"/apply {TOPIC}")  # a complete draft opens on its summary
    await aigerim.press(label("ru", "application.submit"))
    with dies_after_the_next_commit(monkeypatch):
        await aigerim.press(label("ru", "application.confirm_submit_yes"))

    async def submitted(store: Store):
        application = await store.applications.get(draft)
        return application, await store.topics.get(application.topic_id)

    application, topic = await seed(world, submitted)
    assert application.status == "submitted"  # the change was kept
    translator = Translator()
    notice = plain(
        translator.get(
            "application.status_changed",
            "en",
            reference=application.reference,
            title=application.title,
            topic=topic.title("en"),
            organisation=ORGANISATION,
            status=translator.get("application.status.submitted", "en", escape=False),
        )
    )
    assert received(bolat, notice) == 0

    await restart_and_run_the_outbox(world)
    assert received(bolat, notice) == 1
    assert received(aigerim, notice) == 0  # she submitted it: she saw it on screen


async def test_a_join_request_reaches_the_owner_after_a_crash(
    world, now, user_factory, monkeypatch
):
    owner = user_factory(AIGERIM, language_code="kk")
    await owner.send("/help")  # the owner's chat exists, as after registration

    async def organisation(store: Store) -> None:
        await seeding.organisation(
            store, AIGERIM, NOW, bin_=BIN_KAMKOR, name=ORGANISATION, owner_locale="kk"
        )
        await store.commit()

    await seed(world, organisation)
    requester = user_factory(BOLAT, language_code="ru", first_name="Bolat")
    await open_menu(requester, "ru")
    await requester.press(label("ru", "menu.register"))
    await agree_if_asked(requester, "ru")
    await requester.send(BIN_KAMKOR)
    with dies_after_the_next_commit(monkeypatch):
        await requester.press(label("ru", "registration.send_join_request"))

    notice = plain(
        texts("kk")("staff.join_request_notice", person="Bolat", organisation=ORGANISATION)
    )
    assert received(owner, notice) == 0

    await restart_and_run_the_outbox(world)
    assert received(owner, notice) == 1
    told = next(m for m in owner.messages() if m.text == notice)
    buttons = [b for row in told.buttons for b in row]
    assert [b.text for b in buttons] == [label("kk", "staff.approve"), label("kk", "staff.decline")]

    # The owner answers the notice that came after the restart: it works.
    await owner.press(label("kk", "staff.approve"), message=told)
    approved = plain(texts("ru")("staff.request_approved", organisation=ORGANISATION))
    assert received(requester, approved) == 1


@pytest.mark.parametrize("approve", [True, False])
async def test_a_decision_reaches_the_requester_after_a_crash(
    world, now, user_factory, monkeypatch, approve
):
    owner = user_factory(AIGERIM, language_code="en")
    requester = user_factory(BOLAT, language_code="kk", first_name="Bolat")
    await owner.send("/help")
    await requester.send("/help")

    async def join_request(store: Store) -> int:
        seeded = await seeding.organisation(
            store, AIGERIM, NOW, name=ORGANISATION, owner_locale="en"
        )
        person = await seeding.person(store, BOLAT, "kk", name="Bolat")
        request_id = await store.memberships.add_join_request(seeded.organisation_id, person.id)
        await store.commit()
        return request_id

    request_id = await seed(world, join_request)
    with dies_after_the_next_commit(monkeypatch):
        await owner.press_data(JoinDecision(request_id=request_id, approve=approve).pack())

    key = "staff.request_approved" if approve else "staff.request_declined"
    notice = plain(texts("kk")(key, organisation=ORGANISATION))
    assert received(requester, notice) == 0

    await restart_and_run_the_outbox(world)
    assert received(requester, notice) == 1


async def reply_in_group(user, group, to_message, text: str) -> None:
    """The emulator's users cannot reply yet: the reply update is written by hand."""
    raw = user._new_message(group.state, {"text": text, "reply_to_message": to_message.raw})
    await user._push({"message": raw}, wait=True, timeout=None)


async def test_an_operators_answer_reaches_the_asker_after_a_crash(
    world, now, user_factory, monkeypatch
):
    asker = user_factory(AIGERIM, language_code="kk")
    operator = user_factory(BOLAT, language_code="ru")
    group = world.emulator.group(chat_id=OPERATOR_CHAT, title="Operators")
    await open_menu(asker, "kk")
    await asker.press(label("kk", "menu.support"))
    await asker.press(label("kk", "support.ask"))
    await asker.send("Грант өтінімін қашан беруге болады?")
    relayed = [m for m in group.messages() if m.from_bot][-1]
    await operator.send("/help")  # known to the bot: their first contact commits first

    with dies_after_the_next_commit(monkeypatch):
        await reply_in_group(operator, group, relayed, "С 1 марта.")

    def answers() -> int:
        return sum("С 1 марта." in (m.text or "") for m in asker.messages())

    assert answers() == 0
    await restart_and_run_the_outbox(world)
    assert answers() == 1


async def test_a_new_member_reaches_the_owner_after_a_crash(world, now, user_factory, monkeypatch):
    owner = user_factory(AIGERIM, language_code="ru")
    await owner.send("/help")
    newcomer = user_factory(BOLAT, language_code="en", first_name="Bolat")

    async def invite(store: Store) -> str:
        seeded = await seeding.organisation(
            store, AIGERIM, NOW, name=ORGANISATION, owner_locale="ru"
        )
        await seeding.person(store, BOLAT, "en", name="Bolat", consented_at=NOW)
        owner_view = await store.people.get(AIGERIM)
        created = await staff.create_invite(store, owner_view, seeded.organisation_id, NOW)
        return staff.invite_payload(created)

    payload = await seed(world, invite)
    with dies_after_the_next_commit(monkeypatch):
        await newcomer.send(f"/start {payload}")

    notice = plain(
        texts("ru")("staff.owner_told_new_member", name="Bolat", organisation=ORGANISATION)
    )
    assert received(owner, notice) == 0
    await restart_and_run_the_outbox(world)
    assert received(owner, notice) == 1
