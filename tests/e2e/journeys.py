"""Short journeys other end-to-end tests reuse to reach a state quickly.

Button labels come from the catalogs, so a wording change does not break them.
"""

from __future__ import annotations

from functools import cache

from bot.i18n import Texts, Translator
from emulator import SimulatedUser

LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
BIN_KAMKOR = "940140000385"
BIN_DARYN = "990140004654"


@cache
def texts(lang: str) -> Texts:
    return Translator().for_locale(lang)


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
