"""The privacy notice: what we keep and why, who to contact, and the person's rights as
buttons (bot/handlers/privacy.py answers them). Sent on /privacy and from the menu."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InaccessibleMessage, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import Texts
from storage.repositories.people import PersonView


class PrivacyAction(CallbackData, prefix="pv"):
    """agree | export | erase (asks) | successor (an owner's choice) | erase_yes | erase_no"""

    action: str
    organisation_id: int = 0
    person_id: int = 0


def rights_button(builder: InlineKeyboardBuilder, t: Texts, key: str, action: str) -> None:
    builder.button(text=t.label(key), callback_data=PrivacyAction(action=action))


def rights_keyboard(t: Texts, *, consented: bool) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    if not consented:
        # Staff and people who never registered an organisation give it here; an
        # expert's name is shown to the operators only with it.
        rights_button(builder, t, "consent.agree", "agree")
    rights_button(builder, t, "privacy.my_data_button", "export")
    rights_button(builder, t, "privacy.delete_button", "erase")
    builder.adjust(*((1,) if not consented else ()), 2)
    return builder


async def send_privacy_notice(
    message: Message | InaccessibleMessage, t: Texts, person: PersonView | None
) -> None:
    """The consent text, who to contact, and the rights as buttons (and "I agree",
    for someone who has not agreed yet)."""
    consented = person is not None and person.consented
    await message.answer(
        f"{t('consent.text')}\n\n{t('privacy.contact')}",
        reply_markup=rights_keyboard(t, consented=consented).as_markup(),
    )
