"""The privacy notice: what we keep and why, who to contact, and the person's rights as
buttons (bot/handlers/privacy.py answers them). Sent on /privacy and from the menu."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InaccessibleMessage, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.clock import Clock
from core.i18n import Texts
from core.local_time import local_date
from storage.repositories.people import PersonView


class PrivacyAction(CallbackData, prefix="pv"):
    """agree | export | erase (asks) | successor (an owner's choice) | erase_yes | erase_no
    | menu"""

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
    # A way back from the notice, wherever it was opened from.
    rights_button(builder, t, "common.menu", "menu")
    builder.adjust(*((1,) if not consented else ()), 2, 1)
    return builder


async def send_privacy_notice(
    message: Message | InaccessibleMessage, t: Texts, person: PersonView | None, clock: Clock
) -> None:
    """What is kept and why, who to contact, and the rights as buttons. Someone who has
    not agreed yet is asked, with an "I agree" button; someone who has is told when."""
    if person is not None and person.consented and person.consented_at is not None:
        when = local_date(person.consented_at, clock.zone)
        notice = f"{t('drafts.privacy.terms')}\n\n{t('drafts.privacy.agreed', when=when)}"
        consented = True
    else:
        notice, consented = t("consent.text"), False
    await message.answer(
        f"{notice}\n\n{t('privacy.contact')}",
        reply_markup=rights_keyboard(t, consented=consented).as_markup(),
    )
