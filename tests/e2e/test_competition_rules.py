"""The competition's integrity, as rules the server keeps whoever asks: a decision
needs enough sent scores, an amount within the topic's range and a confirmation that
repeats what the NGO will be told; an expert on the applicant's staff (now or in the
past year) is never offered and is refused if forced; a topic closed before its
deadline needs a reason and a confirmation, tells the NGOs holding drafts, and can be
undone until somebody is refused by it."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from console import competition, roles, topics_admin
from console.competition import ConsoleError
from console.roles import acting_as
from domain.statuses import TopicStatus
from grants import applications
from grants.application_form import format_tenge
from storage.models import AuditEntry, Delivery, MemberRole, Role
from tests import seeding
from tests.e2e.journeys import BIN_DARYN, BIN_KAMKOR, label, open_menu, texts
from tests.e2e.test_competition import _title, heard, open_application, plain, score
from tests.seeding import APPLICATION_ANSWERS, NOW, POLICY, TOPIC, in_database, staff, submitted

AIGERIM, BOLAT = 770001, 770002  # owner of Qamqor (applied); owner of Darын (a draft)
OPERATOR = 770101
ASEL, BERIK, DANA, ERLAN = 770201, 770202, 770203, 770204
# Asel left Qamqor's staff 400 days ago (free to score); Berik is on it now; Dana left
# 200 days ago (still too close); Erlan never worked there.
EXPERTS = {ASEL: "Asel", BERIK: "Berik", DANA: "Dana", ERLAN: "Erlan"}


@pytest.fixture
async def rules_world(world):
    world.clock.set(NOW)

    async def seed(store):
        await seeding.topics(store, NOW)
        app = await submitted(
            store, AIGERIM, bin_=BIN_KAMKOR, name="Qamqor", locale="kk", title="Әйел көшбасшылар"
        )
        darin = await seeding.organisation(
            store, BOLAT, NOW, bin_=BIN_DARYN, name="Darын", owner_locale="ru"
        )
        bolat = await store.people.get(BOLAT)
        topic = await store.topics.by_code(TOPIC)
        draft = await applications.start(store, bolat, darin.organisation_id, topic.id, NOW, POLICY)
        # Complete but not sent: Darын holds a draft on the topic.
        answers = {**APPLICATION_ANSWERS, "title": "Женщины-лидеры"}
        await applications.save(store, bolat, draft, NOW, POLICY, **answers)
        await staff(store, OPERATOR, Role.OPERATOR, "Operator Olga")
        for telegram_id, name in EXPERTS.items():
            await staff(store, telegram_id, Role.EXPERT, name)
        people = {t: (await store.people.get(t)).id for t in EXPERTS}
        for telegram_id in (ASEL, BERIK, DANA):
            await store.memberships.add(app.organisation_id, people[telegram_id], MemberRole.MEMBER)
        await store.memberships.remove(app.organisation_id, people[ASEL], NOW - timedelta(400))
        await store.memberships.remove(app.organisation_id, people[DANA], NOW - timedelta(200))
        return app, draft, people

    return await in_database(world.settings.database_url, seed)


async def operator_actor(store):
    return acting_as(await store.people.get(OPERATOR), (), roles.OPERATOR_ROLES)


async def audit_entries(world) -> list[tuple[str, dict | None]]:
    async def read(store):
        rows = await store.session.execute(
            select(AuditEntry.action, AuditEntry.after).order_by(AuditEntry.id)
        )
        return [(action, json.loads(after) if after else None) for action, after in rows]

    return await in_database(world.settings.database_url, read)


async def to_the_application(operator, app, current: str) -> None:
    await operator.send("/operator")
    await operator.press(label("ru", "console.menu.competition"))
    await operator.press(f"{TOPIC} (1)")
    await open_application(operator, app.reference, current, "Qamqor")


def buttons(user) -> list[str]:
    return [b.text for row in user.last_message().buttons for b in row]


async def test_a_decision_needs_sent_scores_an_amount_in_range_and_a_confirmation(
    world, rules_world, user_factory
):
    app, _draft, _people = rules_world
    aigerim = user_factory(AIGERIM, "kk")
    await open_menu(aigerim, "kk")
    operator = user_factory(OPERATOR, "ru")
    asel, erlan = user_factory(ASEL, "ru"), user_factory(ERLAN, "ru")
    await to_the_application(operator, app, "submitted")
    await operator.press(label("ru", "console.complete"))

    # No expert yet: a decision is refused with the reason, on the server.
    await operator.press(label("ru", "console.approve"))
    assert operator.last_callback_answer.text == plain(
        "ru", "rules.too_few_scores", sent=0, required=2
    )
    for name in ("Asel", "Erlan"):
        await operator.press(label("ru", "console.assign"))
        await operator.press(name)
    await score(asel, app.reference, (5, 4, 4, 5, 4), "Сильная команда.")
    await to_the_application(operator, app, "under_review")
    await operator.press(label("ru", "console.reject"))
    assert operator.last_callback_answer.text == plain(
        "ru", "rules.too_few_scores", sent=1, required=2
    )
    await score(erlan, app.reference, (4, 4, 3, 4, 5), "Реалистичный план.")

    # The amount lies within the topic's range (3 000 000 – 12 000 000 ₸).
    await to_the_application(operator, app, "under_review")
    await operator.press(label("ru", "console.approve"))
    await operator.send("100")
    range_ = {"low": format_tenge(3_000_000), "high": format_tenge(12_000_000)}
    assert heard(operator, "ru", "rules.amount_below_topic", **range_)
    await operator.send("4 000 000")

    # The confirmation repeats the NGO's notice (in Kazakh, its language) and the amount;
    # cancelling decides nothing.
    await operator.press(label("ru", "console.reveal_now"))
    notice = plain(
        "kk",
        "console.notice.approved",
        reference=app.reference,
        title="Әйел көшбасшылар",
        topic=_title("kk"),
        amount=format_tenge(4_000_000),
        organisation="Qamqor",
    )
    assert notice in html.unescape(operator.last_message().text)
    assert f"{format_tenge(4_000_000)} ₸" in operator.last_message().text
    assert buttons(operator)[0] == label("ru", "common.cancel")  # a double tap cancels
    await operator.press(label("ru", "common.cancel"))
    assert not any(notice in (m.text or "") for m in aigerim.messages())

    # Rejected instead: the confirmation shows the reason as the NGO will read it.
    await operator.press(label("ru", "console.reject"))
    await operator.send("Бюджет <не обоснован>")
    await operator.press(label("ru", "console.reveal_now"))
    rejected = {
        "reference": app.reference,
        "title": "Әйел көшбасшылар",
        "topic": _title("kk"),
        "organisation": "Qamqor",
        "reason": "Бюджет <не обоснован>",
    }
    assert plain("kk", "console.notice.rejected", **rejected) in html.unescape(
        operator.last_message().text
    )
    await operator.press(label("ru", "rules.confirm_decision"))
    assert heard(aigerim, "kk", "console.notice.rejected", **rejected)
    assert not any(notice in (m.text or "") for m in aigerim.messages())

    async def forced(store):
        """The rules hold on every path: straight through the use case too."""
        try:
            await competition.decide(
                store,
                await operator_actor(store),
                app.application_id,
                approve=True,
                amount=100,
                reason=None,
                reveal_at=None,
                required_scores=2,
                now=NOW,
            )
        except ConsoleError as refusal:
            return refusal.code
        return None

    assert await in_database(world.settings.database_url, forced) == "console.not_under_review"
    decisions = [after for action, after in await audit_entries(world) if action.endswith("decide")]
    assert decisions == [
        {"outcome": "reject", "amount": None, "reason": "Бюджет <не обоснован>",
         "reveal_at": decisions[0]["reveal_at"]}
    ]  # fmt: skip


async def test_the_amount_and_scores_are_refused_through_the_use_case_and_audited(
    world, rules_world
):
    app, _draft, _people = rules_world

    async def attempt(store):
        operator = await operator_actor(store)
        await competition.mark_complete(store, operator, app.application_id, NOW)
        codes = []
        for amount in (100, 50_000_000):
            try:
                await competition.decide(
                    store,
                    operator,
                    app.application_id,
                    approve=True,
                    amount=amount,
                    reason=None,
                    reveal_at=None,
                    required_scores=0,
                    now=NOW,
                )
            except ConsoleError as refusal:
                codes.append(refusal.code)
        return codes

    codes = await in_database(world.settings.database_url, attempt)
    assert codes == ["rules.amount_below_topic", "rules.amount_above_topic"]
    refused = [after for action, after in await audit_entries(world) if action.endswith("refused")]
    assert [r["reason"] for r in refused] == codes


async def test_an_expert_on_the_applicants_staff_is_never_offered_and_refused_if_forced(
    world, rules_world, user_factory
):
    app, _draft, people = rules_world
    aigerim = user_factory(AIGERIM, "kk")
    await open_menu(aigerim, "kk")
    operator = user_factory(OPERATOR, "ru")
    await to_the_application(operator, app, "submitted")
    await operator.press(label("ru", "console.complete"))
    about = {
        "reference": app.reference,
        "title": "Әйел көшбасшылар",
        "topic": _title("kk"),
        "organisation": "Qamqor",
    }
    # Complete is not "gone to the experts": that is said when one is assigned.
    assert heard(aigerim, "kk", "rules.notice.complete_awaiting_experts", **about)
    assert not heard(aigerim, "kk", "console.notice.complete", **about)

    await operator.press(label("ru", "console.assign"))
    offered = buttons(operator)
    assert "Asel" in offered and "Erlan" in offered  # left 400 days ago; never there
    assert "Berik" not in offered and "Dana" not in offered  # on the staff; left 200 days ago
    await operator.press("Erlan")
    assert heard(aigerim, "kk", "console.notice.complete", **about)

    async def force(store):
        operator = await operator_actor(store)
        codes = []
        for expert in (BERIK, DANA):
            try:
                await competition.assign(store, operator, app.application_id, people[expert], NOW)
            except ConsoleError as refusal:
                codes.append((refusal.code, refusal.params))
        return codes

    codes = await in_database(world.settings.database_url, force)
    assert codes == [("rules.expert_was_staff", {"organisation": "Qamqor"})] * 2
    assert "Qamqor" in texts("kk")(codes[0][0], **codes[0][1])
    refused = [a for a in await audit_entries(world) if a[0] == "application.assign_refused"]
    assert [r[1]["expert"] for r in refused] == [people[BERIK], people[DANA]]


async def test_a_removed_member_stays_in_the_history_for_the_conflict_rule(world, rules_world):
    app, _draft, people = rules_world

    async def spells(store):
        return await store.memberships.staff_spells(people[DANA], app.organisation_id)

    (spell,) = await in_database(world.settings.database_url, spells)
    assert spell.left_at == NOW - timedelta(200)


async def open_card(operator, status: str, code: str = TOPIC) -> None:
    await operator.send("/operator")
    await operator.press(label("ru", "console.menu.topics"))
    await operator.press(f"{label('ru', f'topic_admin.status.{status}')} · {code}")


async def topic_now(world, code: str = TOPIC):
    return await in_database(world.settings.database_url, lambda store: store.topics.by_code(code))


async def test_closing_a_topic_early_asks_a_reason_tells_drafts_and_can_be_undone(
    world, rules_world, user_factory
):
    _app, _draft, _people = rules_world
    bolat = user_factory(BOLAT, "ru")
    await open_menu(bolat, "ru")
    operator = user_factory(OPERATOR, "ru")
    planned = (await topic_now(world)).closes_at

    topic_id = (await topic_now(world)).id

    # The server refuses a plain close before the deadline, whatever the path.
    async def plain_close(store):
        try:
            await topics_admin.change_status(
                store, await operator_actor(store), topic_id, TopicStatus.CLOSED, NOW
            )
        except ConsoleError as refusal:
            return refusal.code
        return None

    assert (
        await in_database(world.settings.database_url, plain_close)
        == "rules.close_early_needs_reason"
    )

    # A double tap on Close lands on the reason screen's Back: the topic stays open.
    await open_card(operator, "open")
    close = label("ru", "topic_admin.close")
    await operator.press(close)
    assert heard(operator, "ru", "rules.ask_close_reason", limit=competition.REASON_LIMIT)
    assert buttons(operator) == [label("ru", "common.back")]
    await operator.press(label("ru", "common.back"))
    assert (await topic_now(world)).status == TopicStatus.OPEN

    # Close early: a reason, a confirmation saying who will be told, then the notices.
    await operator.press(close)
    await operator.send("Бюджет темы <перераспределён>")
    confirmation = html.unescape(operator.last_message().text)
    assert "Бюджет темы <перераспределён>" in confirmation
    assert buttons(operator)[0] == label("ru", "common.cancel")
    await operator.press(label("ru", "rules.close_early"))
    closed = await topic_now(world)
    assert closed.status == TopicStatus.CLOSED
    assert NOW <= closed.closes_at <= world.clock.now() < planned  # ended when closed
    notice = {"topic": _title("ru"), "reason": "Бюджет темы <перераспределён>"}
    assert heard(bolat, "ru", "rules.notice.topic_closed_early", **notice)
    (entry,) = [a for a in await audit_entries(world) if a[0] == "topic.close_early"]
    assert entry[1]["reason"] == "Бюджет темы <перераспределён>"
    assert entry[1]["drafts_told"] == 1

    # Undone: open again with the deadline it had, and the drafts hear it.
    shown = planned.astimezone(world.clock.zone).strftime("%d.%m.%Y %H:%M")
    assert heard(
        operator, "ru", "rules.closed_early_note", close_reason=notice["reason"], planned=shown
    )
    await operator.press(label("ru", "rules.undo_close"))
    assert buttons(operator)[0] == label("ru", "common.cancel")
    await operator.press(label("ru", "rules.undo_close"))
    reopened = await topic_now(world)
    assert reopened.status == TopicStatus.OPEN and reopened.closes_at == planned
    assert heard(bolat, "ru", "rules.notice.topic_reopened", topic=_title("ru"), deadline=shown)
    assert [a[0] for a in await audit_entries(world) if a[0].startswith("topic.")] == [
        "topic.close_early",
        "topic.reopen",
    ]

    # Closed early again, and an NGO is refused by it: now it cannot be undone.
    await operator.press(close)
    await operator.send("Бюджет исчерпан")
    await operator.press(label("ru", "rules.close_early"))

    await bolat.send("/applications")
    await bolat.press(next(b for b in buttons(bolat) if "Женщины-лидеры" in b))
    await bolat.press(label("ru", "my_applications.continue"))
    await bolat.press(label("ru", "application.submit"))
    await bolat.press(label("ru", "application.confirm_submit_yes"))
    assert heard(bolat, "ru", "application.deadline_passed")
    await operator.press(label("ru", "rules.undo_close"))
    await operator.press(label("ru", "rules.undo_close"))
    assert operator.last_callback_answer.text == plain("ru", "rules.refused_since")
    assert (await topic_now(world)).status == TopicStatus.CLOSED

    async def queued(store):
        return list(await store.session.scalars(select(Delivery.message_key).order_by(Delivery.id)))

    keys = await in_database(world.settings.database_url, queued)
    assert keys.count("rules.notice.topic_closed_early") == 2


async def test_a_double_tap_on_open_never_closes_the_topic(world, rules_world, user_factory):
    async def new_draft(store):
        topic = await store.topics.by_code(TOPIC)
        values = {name: getattr(topic, name) for name in topics_admin.FIELDS}
        values["code"] = "double-tap"
        return await topics_admin.create(store, await operator_actor(store), values, NOW)

    await in_database(world.settings.database_url, new_draft)
    operator = user_factory(OPERATOR, "ru")
    await open_card(operator, "draft", "double-tap")
    opening = label("ru", "topic_admin.open")
    (row,) = [i for i, r in enumerate(operator.last_message().buttons) if r[0].text == opening]
    await operator.press(opening)
    # The second tap, on the same spot of the card now showing Close, and a third.
    await operator.press(operator.last_message().buttons[row][0].text)
    await operator.press(operator.last_message().buttons[row][0].text)
    assert (await topic_now(world, "double-tap")).status == TopicStatus.OPEN
