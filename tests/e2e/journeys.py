"""Short journeys other end-to-end tests reuse to reach a state quickly.

Button labels come from the catalogs, so a wording change does not break them.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

from bot.app import create_bot
from core.i18n import Texts, Translator
from delivery.sender import DeliveryEngine
from emulator import SimulatedUser
from storage.engine import create_engine, create_session_factory

LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
TAG = re.compile(r"<[^>]+>")
BIN_KAMKOR = "940140000385"
BIN_DARYN = "990140004654"


@cache
def texts(lang: str) -> Texts:
    return Translator().for_locale(lang)


def plain(lang: str, key: str, **params) -> str:
    """A catalog text as the person reads it: tags applied, entities decoded."""
    return html.unescape(TAG.sub("", texts(lang)(key, **params)))


def label(lang: str, key: str, **params) -> str:
    return texts(lang).label(key, **params)


def has_button(user: SimulatedUser, text: str) -> bool:
    """Whether the latest message with buttons (the one `press` uses) has this one."""
    message = next((m for m in reversed(user.messages()) if m.buttons), None)
    return message is not None and any(b.text == text for row in message.buttons for b in row)


async def open_menu(user: SimulatedUser, lang: str) -> None:
    """/start, choosing the language on first contact: ends on the main menu."""
    await user.send("/start")
    if has_button(user, LANGUAGE_BUTTON[lang]):
        await user.press(LANGUAGE_BUTTON[lang])


async def agree_if_asked(user: SimulatedUser, lang: str) -> None:
    if has_button(user, label(lang, "consent.agree")):
        await user.press(label(lang, "consent.agree"))


async def answer_fields(
    user: SimulatedUser, lang: str, *, name: str, phone: str = "+7 701 123 45 67"
) -> None:
    """Every step after the BIN, with typical answers; ends on the summary."""
    await user.send(name)
    await user.press(label(lang, "common.skip"))
    await user.press(label(lang, "legal_form.public_association"))
    await user.press(label(lang, "region.almaty"))
    await user.press(label(lang, "area.education"))
    await user.press(label(lang, "common.done"))
    await user.send("We help children and young people learn.")
    await user.send(phone)
    await user.send("info@ngo.kz")
    await user.press(label(lang, "common.skip"))
    await user.send("2012")
    await user.send("5")
    await user.send("20")
    await user.press(label(lang, "common.yes"))


async def register_organisation(
    user: SimulatedUser, lang: str = "ru", bin: str = BIN_KAMKOR, name: str = "Камкор"
) -> None:
    """From anywhere to a registered organisation with `user` as owner; ends on its card."""
    await open_menu(user, lang)
    await user.press(label(lang, "menu.register"))
    await agree_if_asked(user, lang)
    await user.send(bin)
    await answer_fields(user, lang, name=name)
    await user.press(label(lang, "registration.save"))


def outbox_by_hand(settings):
    """Settings for a test that drives the outbox itself with `outbox`: the bot's own
    tick never comes, and no quiet hours, so it passes at any hour in Almaty."""
    return settings.model_copy(
        update={
            "delivery_tick_seconds": 3600,
            "quiet_hours_start": "00:00",
            "quiet_hours_end": "00:00",
        }
    )


@asynccontextmanager
async def outbox(world) -> AsyncIterator[DeliveryEngine]:
    """The outbox driven by hand, on the bot's database and the emulator (with the
    settings of `outbox_by_hand`)."""
    engine = create_engine(world.settings.database_url)
    bot = create_bot(world.settings)
    try:
        yield DeliveryEngine(
            bot,
            create_session_factory(engine),
            Translator(),
            world.settings,
            world.clock,
            rng=random.Random(1),
        )
    finally:
        await bot.session.close()
        await engine.dispose()
