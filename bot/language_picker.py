"""The language picker: three buttons, one a language, under a prompt in all three.

Sent on first contact, on /language and from the menu; bot/handlers/language.py
answers the buttons.
"""

from __future__ import annotations

from aiogram.types import InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import LanguageChoice
from core.i18n import Texts
from core.locale_codes import SUPPORTED_LOCALES


def language_keyboard(t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in SUPPORTED_LOCALES:
        builder.button(
            text=t.label(f"language.name.{code}"), callback_data=LanguageChoice(code=code)
        )
    builder.adjust(len(SUPPORTED_LOCALES))
    return builder.as_markup()


async def send_language_picker(message: Message | InaccessibleMessage, t: Texts) -> None:
    await message.answer(t("language.prompt"), reply_markup=language_keyboard(t))
