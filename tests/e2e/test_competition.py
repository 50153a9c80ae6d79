"""A competition from the operator's desk to the NGOs' phones: two NGOs submit; the
operator marks one incomplete and the other complete; an expert declares a conflict
and the application is reassigned; two experts score it; it is approved; each NGO
hears its outcome in its own language (one Kazakh, one Russian)."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from grants.application_form import format_tenge
from storage.models import AuditEntry, Role
from tests import seeding
from tests.e2e.journeys import BIN_DARYN, BIN_KAMKOR, label, open_menu, plain
from tests.seeding import NOW, TOPIC, in_database, staff, submitted

AIGERIM, BOLAT = 760001, 760002  # NGO owners: Kazakh and Russian
OPERATOR, ASEL, BERIK, DANA = 760101, 760201, 760202, 760203  # operator and three experts


def heard(user, lang: str, key: str, **params) -> bool:
    return any(plain(lang, key, **params) in (m.text or "") for m in user.messages())


@pytest.fixture
async def competition_world(world):
    world.clock.set(NOW)

    async def seed(store):
        await seeding.topics(store, NOW)
        kk = await submitted(
            store, AIGERIM, bin_=BIN_KAMKOR, name="Qamqor", locale="kk", title="Әйел көшбасшылар"
        )
        ru = await submitted(
            store, BOLAT, bin_=BIN_DARYN, name="Darын", locale="ru", title="Женщины-лидеры"
        )
        await staff(store, OPERATOR, Role.OPERATOR, "Operator Olga")
        await staff(store, ASEL, Role.EXPERT, "Asel")
        await staff(store, BERIK, Role.EXPERT, "Berik")
        await staff(store, DANA, Role.EXPERT, "Dana")
        return kk, ru

    return await in_database(world.settings.database_url, seed)


def status(lang: str, value: str) -> str:
    return label(lang, f"application.status.{value}")


async def open_application(operator, reference: str, current: str, organisation: str) -> None:
    await operator.press(f"{status('ru', current)} · {reference} · {organisation}")


async def score(expert, reference: str, marks: tuple[int, ...], comment: str) -> None:
    await expert.send("/expert")
    await expert.press(f"⏳ {reference} · Әйел көшбасшылар")
    await expert.press(label("ru", "expert.score"))
    for mark in marks:
        await expert.press(str(mark))
    await expert.send(comment)
    await expert.press(label("ru", "expert.submit_score"))


@pytest.mark.both_modes
async def test_a_competition_end_to_end(world, competition_world, user_factory):
    kk_app, ru_app = competition_world
    aigerim = user_factory(AIGERIM, "kk")
    bolat = user_factory(BOLAT, "ru")
    operator = user_factory(OPERATOR, "ru")
    asel, berik, dana = (user_factory(uid, "ru") for uid in (ASEL, BERIK, DANA))
    for user, lang in ((aigerim, "kk"), (bolat, "ru"), (asel, "ru"), (berik, "ru"), (dana, "ru")):
        await open_menu(user, lang)

    # 1. The compliance check: one complete, one incomplete with a reason.
    await operator.send("/operator")
    await operator.press(label("ru", "console.menu.competition"))
    await operator.press(f"{TOPIC} (2)")
    await open_application(operator, kk_app.reference, "submitted", "Qamqor")
    await operator.press(label("ru", "console.complete"))
    await operator.press(label("ru", "common.back"))
    await open_application(operator, ru_app.reference, "submitted", "Darын")
    await operator.press(label("ru", "console.incomplete"))
    await operator.send_sticker()
    assert heard(operator, "ru", "input.text_expected")
    await operator.send("Нет <бюджета> по статьям")
    assert heard(
        bolat,
        "ru",
        "console.notice.incomplete",
        reference=ru_app.reference,
        title="Женщины-лидеры",
        topic=_title("ru"),
        reason="Нет <бюджета> по статьям",
        organisation="Darын",
    )

    # Complete, but not yet with the experts: the NGO is told just that.
    about = {
        "reference": kk_app.reference,
        "title": "Әйел көшбасшылар",
        "topic": _title("kk"),
        "organisation": "Qamqor",
    }
    assert heard(aigerim, "kk", "rules.notice.complete_awaiting_experts", **about)
    assert not heard(aigerim, "kk", "console.notice.complete", **about)

    # 2. Assignment: two experts.
    await operator.press(label("ru", "common.back"))
    await open_application(operator, kk_app.reference, "under_review", "Qamqor")
    for name in ("Asel", "Berik"):
        await operator.press(label("ru", "console.assign"))
        await operator.press(name)
    assert "Asel" in operator.last_message().text and "Berik" in operator.last_message().text
    # Now it has gone to the experts, and the NGO hears so once.
    gone_text = plain("kk", "console.notice.complete", **about)
    gone = [m for m in aigerim.messages() if gone_text in (m.text or "")]
    assert len(gone) == 1

    # 3. Asel has a conflict of interest: the application goes back for reassignment.
    await asel.send("/expert")
    await asel.press(f"⏳ {kk_app.reference} · Әйел көшбасшылар")
    await asel.press(label("ru", "expert.conflict"))
    await asel.press(label("ru", "expert.conflict_confirm"))
    await asel.send("/expert")
    assert heard(asel, "ru", "expert.nothing")

    await operator.send("/operator")
    await operator.press(label("ru", "console.menu.competition"))
    await operator.press(f"{TOPIC} (2)")
    await open_application(operator, kk_app.reference, "under_review", "Qamqor")
    assert heard(operator, "ru", "console.needs_experts", count=2)
    await operator.press(label("ru", "console.assign"))
    names = [b.text for row in operator.last_message().buttons for b in row]
    assert "Asel" not in names  # conflicted: cannot be assigned again
    await operator.press("Dana")

    # 4. Scoring by the two experts now assigned.
    await score(berik, kk_app.reference, (5, 4, 4, 5, 4), "Сильная команда.")
    await score(dana, kk_app.reference, (4, 4, 3, 4, 5), "Реалистичный план.")

    # 5. The summary and the decision.
    await operator.press(label("ru", "common.back"))
    await operator.press(label("ru", "console.summary"))
    summary = operator.last_message().text
    assert kk_app.reference in summary and "4.20" in summary and "0.40" in summary
    await operator.press(label("ru", "common.back"))
    await open_application(operator, kk_app.reference, "under_review", "Qamqor")
    await operator.press(label("ru", "console.approve"))
    await operator.send("6 000 000")
    assert heard(operator, "ru", "console.amount_above_request", requested=format_tenge(5_000_000))
    await operator.send("4 500 000")
    await operator.press(label("ru", "console.reveal_now"))
    # The confirmation repeats what the NGO will receive, in its language, and the amount.
    confirmation = operator.last_message().text
    assert plain(
        "kk",
        "console.notice.approved",
        reference=kk_app.reference,
        title="Әйел көшбасшылар",
        topic=_title("kk"),
        amount=format_tenge(4_500_000),
        organisation="Qamqor",
    ) in html.unescape(confirmation)
    assert f"{format_tenge(4_500_000)} ₸" in confirmation
    assert not heard(aigerim, "kk", "console.notice.approved", **_approved(kk_app, 4_500_000))
    await operator.press(label("ru", "rules.confirm_decision"))

    assert heard(
        aigerim,
        "kk",
        "console.notice.approved",
        reference=kk_app.reference,
        title="Әйел көшбасшылар",
        topic=_title("kk"),
        amount=format_tenge(4_500_000),
        organisation="Qamqor",
    )
    assert heard(
        aigerim,
        "kk",
        "console.notice.complete",
        reference=kk_app.reference,
        title="Әйел көшбасшылар",
        topic=_title("kk"),
        organisation="Qamqor",
    )

    async def audit(store):
        return list(await store.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))

    actions = await in_database(world.settings.database_url, audit)
    assert actions == [
        "application.mark_complete",
        "application.mark_incomplete",
        "application.assign_expert",
        "application.assign_expert",
        "application.declare_conflict",
        "application.assign_expert",
        "application.score",
        "application.score",
        "application.decide",
    ]


def _approved(app, amount: int) -> dict:
    return {
        "reference": app.reference,
        "title": "Әйел көшбасшылар",
        "topic": _title("kk"),
        "amount": format_tenge(amount),
        "organisation": "Qamqor",
    }


def _title(lang: str) -> str:
    from pathlib import Path

    import yaml

    demo = Path(__file__).parents[2] / "grants" / "demo" / "topics-2016.yaml"
    topics = yaml.safe_load(demo.read_text(encoding="utf-8"))["topics"]
    return next(t["title"][lang] for t in topics if t["code"] == TOPIC)


async def test_an_expert_who_never_consented_is_listed_by_a_number_of_ours(
    world, competition_world, user_factory
):
    """No name is kept without consent, and a Telegram id is not a name either."""
    kk_app, _ru_app = competition_world
    shy = 760204

    async def seed(store):
        await staff(store, shy, Role.EXPERT, name=None)
        return (await store.people.get(shy)).id

    number = await in_database(world.settings.database_url, seed)
    unnamed = label("ru", "console.expert_unnamed", number=number)
    operator = user_factory(OPERATOR, "ru")
    await operator.send("/operator")
    await operator.press(label("ru", "console.menu.competition"))
    await operator.press(f"{TOPIC} (2)")
    await open_application(operator, kk_app.reference, "submitted", "Qamqor")
    await operator.press(label("ru", "console.complete"))
    await operator.press(label("ru", "console.assign"))
    names = [b.text for row in operator.last_message().buttons for b in row]
    assert unnamed in names and "Asel" in names

    await operator.press(unnamed)
    assert f"{unnamed}:" in operator.last_message().text
    shown = [m.text or "" for m in operator.messages()]
    shown += [b.text for m in operator.messages() for row in m.buttons for b in row]
    assert not any(str(shy) in text for text in shown)
