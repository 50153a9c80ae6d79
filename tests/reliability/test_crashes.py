"""SIGKILL the bot process at seeded points of a journey, restart it, go on.

Four journeys: a registration, a grant application typed step by step, the
submission of finished applications (killed between the press and the
receipt), and a broadcast being delivered. After the kills: nothing a person
was shown as saved is lost, the dialog goes on (or restarts with the localised
"this button has expired" and the menu), each submission happens exactly once,
the broadcast resumes and reaches everyone, and the same update re-sent after
a restart is handled once. The bot's log must hold no error.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from emulator import ButtonNotFound, Emulator, EmulatorConfig
from storage.models import Application, ApplicationEvent, Delivery, Organisation, Role
from tests.e2e.journeys import BIN_KAMKOR, has_button, label, open_menu, register_organisation
from tests.e2e.journeys import texts as texts_of
from tests.reliability import support
from tests.reliability.process import BotProcess
from tests.reliability.support import TOPIC, Watched, in_database

pytestmark = pytest.mark.slow

CRASHES = 3
LANG = "en"
# A claim of a killed process is sent again after this lease (the default is a minute).
FAST_LEASE = {
    "DELIVERY_LEASE_SECONDS": "2",
    "QUIET_HOURS_START": "00:00",
    "QUIET_HOURS_END": "00:00",
}


def L(key: str, **params) -> str:
    return label(LANG, key, **params)


async def _emulator(**config) -> Emulator:
    emulator = Emulator(EmulatorConfig(webhook_timeout=60.0, settle_timeout=30.0, **config))
    return await emulator.start(host="127.0.0.1", port=0)


def _redelivered(emulator: Emulator) -> int:
    """Updates Telegram handed out more than once (to a process killed before
    confirming them, then to its successor)."""
    seen: dict[int, int] = {}
    for call in emulator.calls_of("getUpdates"):
        for update in call.result or []:
            seen[update["update_id"]] = seen.get(update["update_id"], 0) + 1
    return sum(1 for n in seen.values() if n > 1)


async def _act(user, kind: str, arg: str, wait: bool) -> bool:
    """One scripted update; False when the screen was not the one the script expected."""
    try:
        if kind == "send":
            await user.send(arg, wait=wait)
        else:  # "press" a button by its catalogue key, or a "raw" label
            await user.press(L(arg) if kind == "press" else arg, wait=wait)
    except ButtonNotFound:
        return False
    return True


async def _kill_and_restart(
    bot: BotProcess, emulator: Emulator, rng: random.Random, at_kill=None
) -> None:
    """SIGKILL soon after the last update (often mid-update), then start again.
    `at_kill` runs between the two: what the person saw when the process died."""
    await asyncio.sleep(rng.uniform(0.0, 0.06))
    bot.kill()
    await emulator.settle(timeout=10, quiet=0.1)  # requests already on their way land
    if at_kill is not None:
        at_kill()
    await bot.start()
    await emulator.wait_idle(timeout=30)


def _expired_notices(emulator: Emulator) -> int:
    """Times the bot said "this button has expired" (a dialog restarted politely)."""
    expired = {texts_of(lang)("errors.button_expired") for lang in ("kk", "ru", "en")}
    return sum(
        1
        for c in emulator.calls
        if c.ok and c.method == "answerCallbackQuery" and c.params.get("text") in expired
    )


# -- a registration ----------------------------------------------------------------------

REGISTRATION = [
    ("send", "/start"),
    ("raw", "English"),
    ("press", "menu.register"),
    ("press?", "consent.agree"),
    ("send", BIN_KAMKOR),
    ("send", "Crash Fund"),
    ("press", "common.skip"),
    ("press", "legal_form.public_association"),
    ("press", "region.almaty"),
    ("press", "area.education"),
    ("press", "common.done"),
    ("send", "We help children and young people learn."),
    ("send", "+7 701 123 45 67"),
    ("send", "info@ngo.kz"),
    ("press", "common.skip"),
    ("send", "2012"),
    ("send", "5"),
    ("send", "20"),
    ("press", "common.yes"),
    ("press", "registration.save"),
]


async def test_a_registration_killed_three_times_saves_the_organisation_once(
    database_url, tmp_path, figures
):
    rng = random.Random(8)
    kill_at = sorted(rng.sample(range(2, len(REGISTRATION)), CRASHES))
    emulator = await _emulator()
    bot = BotProcess(emulator, database_url, tmp_path)
    off_script = 0
    try:
        await bot.start()
        user = Watched(emulator.user(800001, language_code=LANG))
        for index, (kind, arg) in enumerate(REGISTRATION):
            crash = index in kill_at
            kind = "press" if kind == "press?" else kind
            if not await _act(user, kind, arg, wait=not crash) and arg != "consent.agree":
                off_script += 1  # the journey is finished below from /start
            if crash:
                await _kill_and_restart(bot, emulator, rng)
        await open_menu(user, LANG)
        if has_button(user, L("menu.register")):
            await register_organisation(user, LANG, name="Crash Fund")
        await user.send("/menu")
        polite = _expired_notices(emulator)
        redelivered = _redelivered(emulator)
    finally:
        bot.stop()
        await emulator.stop()

    async def saved(store):
        rows = await store.session.execute(
            select(Organisation.name).where(Organisation.bin == BIN_KAMKOR)
        )
        return [name for (name,) in rows]

    names = await in_database(database_url, saved)
    figures(
        "crashes.registration",
        seed=8,
        sigkills=CRASHES,
        kill_steps=kill_at,
        journey_steps=len(REGISTRATION),
        organisations_saved=len(names),
        lost=int(not names),
        doubled=max(len(names) - 1, 0),
        steps_off_script=off_script,
        restarted_politely=polite,
        updates_redelivered=redelivered,
        updates_without_a_reply=len(user.unanswered),
    )
    assert names == ["Crash Fund"]
    assert user.unanswered == []
    assert bot.errors() == []


# -- an application typed step by step ---------------------------------------------------

STEP_ANSWERS = {  # step number on the screen → what the person does there
    1: ("send", "Women leaders of Almaty"),
    2: ("send", "Few women lead local councils."),
    3: ("send", "Training, mentoring, a forum."),
    4: ("send", "Forty trained leaders."),
    5: ("send", "400"),
    6: ("send", "12"),
    7: ("send", "5 000 000"),
    8: ("send", "500 000"),
    9: ("regions", ""),
    10: ("press", "language.name.ru"),
    11: ("press", "common.skip"),
}
FIELD_OF_STEP = {
    1: ("title", "Women leaders of Almaty"),
    2: ("problem", "Few women lead local councils."),
    3: ("activities", "Training, mentoring, a forum."),
    4: ("results", "Forty trained leaders."),
    5: ("beneficiaries", 400),
    6: ("duration_months", 12),
    7: ("budget_total", 5_000_000),
    8: ("institutional_amount", 500_000),
    9: ("regions", "almaty"),
    10: ("language", "ru"),
}


def _screen(user) -> str:
    message = next((m for m in reversed(user.messages()) if m.buttons), None)
    return message.text or "" if message is not None else ""


def _step_on_screen(user) -> int | None:
    screen = _screen(user)
    return next((n for n in range(11, 0, -1) if L("common.step", step=n, total=11) in screen), None)


async def _do_step(user, step: int) -> None:
    kind, value = STEP_ANSWERS[step]
    if kind == "send":
        await user.send(value)
    elif kind == "press":
        await user.press(L(value))
    else:  # regions: tick Almaty unless it is ticked already, then done
        if not any("✅" in b and L("region.almaty") in b for b in support.buttons(user)):
            await user.press(L("region.almaty"))
        await user.press(L("common.done"))


async def finish_application(user) -> None:
    """From whatever screen the crashes left, to the receipt: answer what is asked."""
    for _ in range(40):
        if any("GR-" in (m.text or "") for m in user.messages()[-2:]):
            return
        try:
            if has_button(user, L("application.confirm_submit_yes")):
                await user.press(L("application.confirm_submit_yes"))
            elif has_button(user, L("application.submit")):
                await user.press(L("application.submit"))
            elif (step := _step_on_screen(user)) is not None:
                await _do_step(user, step)
            else:
                await user.send(f"/apply {TOPIC}")
        except ButtonNotFound:
            await user.send(f"/apply {TOPIC}")
    raise AssertionError(f"no receipt; the screen: {_screen(user)!r}")


async def _saved_application(database_url: str) -> Application | None:
    async def read(store):
        return await store.session.scalar(select(Application))

    return await in_database(database_url, read)


async def test_an_application_typed_through_three_kills_keeps_every_confirmed_answer(
    database_url, tmp_path, figures
):
    rng = random.Random(12)
    now = datetime.now(support.seeding.ZONE)
    applicant = 800101

    async def seed(store):
        await support.seeding.topics(store, now)
        await support.seed_applicant(store, applicant, locale=LANG, name="Typist Fund", now=now)

    await in_database(database_url, seed)
    script = [("send", f"/apply {TOPIC}"), *[STEP_ANSWERS[n] for n in range(1, 12)]]
    script = [(k, v) for k, v in script if k != "regions"]
    region_at = 1 + 8  # the regions step: two presses instead of one entry
    script[region_at:region_at] = [("press", "region.almaty"), ("press", "common.done")]
    script += [("press", "application.submit"), ("press", "application.confirm_submit_yes")]
    kill_at = sorted(rng.sample(range(2, len(script)), CRASHES))
    emulator = await _emulator()
    bot = BotProcess(emulator, database_url, tmp_path)
    off_script = 0
    lost = []
    try:
        await bot.start()
        user = Watched(emulator.user(applicant, language_code=LANG))
        await open_menu(user, LANG)
        for index, (kind, arg) in enumerate(script):
            crash = index in kill_at
            if not await _act(user, kind, arg, wait=not crash):
                off_script += 1
            if crash:
                seen: dict = {}

                def remember(seen: dict = seen) -> None:
                    seen["step"] = _step_on_screen(user) or 0
                    seen["ticked"] = "✅ " + L("region.almaty") in support.buttons(user)

                await _kill_and_restart(bot, emulator, rng, at_kill=remember)
                # Every answer the person saw accepted before the kill is in the
                # database after it: those of the steps before the screen shown,
                # and a region shown ticked.
                saved = await _saved_application(database_url)
                for step in range(1, seen["step"]):
                    field, value = FIELD_OF_STEP.get(step, (None, None))
                    stored = getattr(saved, field, None) if saved else None
                    if stored != value:
                        lost.append(f"after kill at {index}: step {step} {field}={stored!r}")
                if seen["step"] == 9 and seen["ticked"] and saved.regions != "almaty":
                    lost.append(f"after kill at {index}: Almaty ticked, saved {saved.regions}")
        await finish_application(user)
        polite = _expired_notices(emulator)
        redelivered = _redelivered(emulator)
    finally:
        bot.stop()
        await emulator.stop()
    facts = await support.application_facts(database_url)
    figures(
        "crashes.application",
        seed=12,
        sigkills=CRASHES,
        kill_steps=kill_at,
        journey_steps=len(script),
        confirmed_answers_lost=len(lost),
        applications=facts.statuses,
        submissions_doubled=len(facts.double_submissions),
        steps_off_script=off_script,
        restarted_politely=polite,
        updates_redelivered=redelivered,
        updates_without_a_reply=len(user.unanswered),
    )
    assert lost == []
    assert facts.statuses == {"submitted": 1}
    assert facts.bad_transitions == [] and facts.rule_breaks == []
    assert facts.double_submissions == []
    assert user.unanswered == []
    assert bot.errors() == []


# -- submissions killed between the press and the receipt --------------------------------

SUBMITTERS = [800201, 800202, 800203]


async def test_a_submission_killed_mid_way_happens_exactly_once(database_url, tmp_path, figures):
    rng = random.Random(21)
    now = datetime.now(support.seeding.ZONE)

    async def seed(store):
        await support.seeding.topics(store, now)
        for n, telegram_id in enumerate(SUBMITTERS):
            organisation = await support.seed_applicant(
                store, telegram_id, locale=LANG, name=f"Submitter {n}", now=now
            )
            await support.seed_application(
                store, telegram_id, organisation, TOPIC, submit=False, now=now
            )

    await in_database(database_url, seed)
    emulator = await _emulator()
    bot = BotProcess(emulator, database_url, tmp_path)
    pressed_again = 0
    try:
        await bot.start()
        people = []
        for telegram_id in SUBMITTERS:
            user = Watched(emulator.user(telegram_id, language_code=LANG))
            people.append(user)
            await open_menu(user, LANG)
            await user.send(f"/apply {TOPIC}")  # a complete draft opens on its summary
            await user.press(L("application.submit"))
            confirm = next(m for m in reversed(user.messages()) if m.buttons)
            pushed = await user.press(L("application.confirm_submit_yes"), wait=False)
            # The same update_id once more, as Telegram re-sends what it thinks is lost.
            await emulator.send_update(pushed, wait=False)
            await _kill_and_restart(bot, emulator, rng)
            # No receipt yet? The person presses again, on the same screen.
            if not any("GR-" in (m.text or "") for m in user.messages()):
                pressed_again += 1
                with contextlib.suppress(ButtonNotFound):
                    await user.press(L("application.confirm_submit_yes"), message=confirm)
            await finish_application(user)
        redelivered = _redelivered(emulator)
        receipts = {
            user.user_id: set(
                re.findall(r"GR-\d{4}-\d{6}", " ".join(m.text or "" for m in user.messages()))
            )
            for user in people
        }
    finally:
        bot.stop()
        await emulator.stop()

    async def read(store):
        rows = await store.session.execute(select(Application.id, Application.reference))
        events = await store.session.scalars(
            select(ApplicationEvent.application_id).where(ApplicationEvent.to_status == "submitted")
        )
        return dict(rows.all()), list(events)

    references, submitted_events = await in_database(database_url, read)
    facts = await support.application_facts(database_url)
    figures(
        "crashes.submission",
        seed=21,
        sigkills=len(SUBMITTERS),
        submissions_expected=len(SUBMITTERS),
        submission_events=len(submitted_events),
        pressed_again_after_the_kill=pressed_again,
        # Each confirmation was pushed twice with one update_id; after a kill an
        # unconfirmed one is handed out again.
        update_ids_handed_out_twice=redelivered,
        doubled=len(submitted_events) - len(set(submitted_events)),
        lost=len(SUBMITTERS) - len(set(submitted_events)),
    )
    assert sorted(submitted_events) == sorted(references)  # each application once
    assert facts.statuses == {"submitted": len(SUBMITTERS)}
    assert facts.double_submissions == [] and facts.rule_breaks == []
    assert all(len(found) == 1 for found in receipts.values()), receipts
    assert {r for found in receipts.values() for r in found} == set(references.values())
    assert all(not user.unanswered for user in people)
    assert bot.errors() == []


# -- a broadcast being delivered ---------------------------------------------------------

OPERATOR = 800301
RECIPIENTS = [800400 + n for n in range(40)]
BROADCAST = {"ru": "Форум НКО: приходите", "kk": "ҮЕҰ форумы: келіңіздер"}


async def _broadcast_rows(database_url: str) -> dict[int, str]:
    async def read(store):
        rows = await store.session.execute(
            select(Delivery.recipient, Delivery.status).where(Delivery.kind == "broadcast")
        )
        return {recipient: str(status) for recipient, status in rows}

    return await in_database(database_url, read)


async def test_a_broadcast_killed_three_times_resumes_and_reaches_everyone(
    database_url, tmp_path, figures
):
    rng = random.Random(34)
    now = datetime.now(support.seeding.ZONE)

    async def seed(store):
        await support.seed_staff(store, OPERATOR, Role.OPERATOR, "Olga", LANG)
        for n, telegram_id in enumerate(RECIPIENTS):
            await support.seed_applicant(
                store, telegram_id, locale=("kk", "ru")[n % 2], name=f"Astana {n}",
                region="astana", now=now,
            )  # fmt: skip

    await in_database(database_url, seed)
    emulator = await _emulator(require_user_start=False)  # they wrote to the bot long ago
    for telegram_id in RECIPIENTS:
        emulator.user(telegram_id)
    # Slow enough to be killed mid-way: about ten messages a second for the outbox.
    bot = BotProcess(emulator, database_url, tmp_path, RATE_GLOBAL_PER_SECOND="12", **FAST_LEASE)
    kill_after = sorted(rng.sample(range(3, len(RECIPIENTS) - 3), CRASHES))
    # At each kill: the recipients Telegram was asked to message (it did) whose row
    # was still "sending", not yet recorded. Only they may be messaged again.
    windows: list[set[int]] = []
    confirmed: dict[int, int] = {}  # rows recorded as sent at a kill: copies shown by then

    def copies_of(chat: int) -> int:
        return sum(1 for m in emulator.chat_messages(chat) if m.text in BROADCAST.values())

    def delivered() -> int:
        return sum(copies_of(chat) for chat in RECIPIENTS)

    try:
        await bot.start()
        operator = Watched(emulator.user(OPERATOR, language_code=LANG))
        await open_menu(operator, LANG)
        await support.compose_broadcast(operator, "astana", BROADCAST)
        before = dict.fromkeys(RECIPIENTS, 0)
        for threshold in kill_after:
            deadline = time.monotonic() + 30  # a guard against a hang
            while delivered() < threshold:
                assert time.monotonic() < deadline, f"stuck at {delivered()} sent"
                await asyncio.sleep(0.01)
            bot.kill()
            await emulator.settle(timeout=10, quiet=0.2)  # requests already on their way land
            rows = await _broadcast_rows(database_url)
            now_shown = {chat: copies_of(chat) for chat in RECIPIENTS}
            windows.append(
                {c for c in RECIPIENTS if rows[c] == "sending" and now_shown[c] > before[c]}
            )
            for chat, status in rows.items():
                if status == "sent" and chat not in confirmed:
                    confirmed[chat] = now_shown[chat]
            before = now_shown
            await bot.start()
        deadline = time.monotonic() + 40
        while (rows := await _broadcast_rows(database_url)) and set(rows.values()) != {"sent"}:
            assert time.monotonic() < deadline, f"the broadcast did not finish: {rows}"
            await asyncio.sleep(0.2)
        await emulator.wait_idle(timeout=30)
        copies = {chat: copies_of(chat) for chat in RECIPIENTS}
    finally:
        bot.stop()
        await emulator.stop()
    repeats = {chat: sum(chat in window for window in windows) for chat in RECIPIENTS}
    figures(
        "crashes.broadcast",
        seed=34,
        sigkills=CRASHES,
        killed_after_messages=kill_after,
        recipients=len(RECIPIENTS),
        reached=sum(1 for n in copies.values() if n >= 1),
        exactly_once=sum(1 for n in copies.values() if n == 1),
        twice_or_more=sum(1 for n in copies.values() if n > 1),
        sent_not_yet_recorded_at_each_kill=[len(w) for w in windows],
        recorded_before_a_kill=len(confirmed),
    )
    assert all(n >= 1 for n in copies.values()), copies  # resumed: nobody missed
    # A send recorded before a kill is never repeated after it.
    assert {chat: copies[chat] for chat in confirmed} == confirmed
    # Every extra copy is one Telegram carried out while the killed process had not
    # yet recorded it: nothing else is ever sent twice.
    assert copies == {chat: 1 + repeats[chat] for chat in RECIPIENTS}
    # Outcomes are committed as Telegram answers: at a kill, only what was answered
    # during the last commit is unrecorded (a whole group of 16 before the fix).
    assert max(len(window) for window in windows) <= 3, windows
    assert operator.unanswered == []
    assert bot.errors() == []
