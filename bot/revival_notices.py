"""A request to revive an archived organisation, shown to every operator privately
with buttons (answered in bot/handlers/revivals.py)."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import RevivalDecision
from core.i18n import Texts, Translator
from core.settings import Settings
from delivery.notices import tell
from registry.staff import display_name
from storage.models import Role
from storage.repositories.people import PersonView
from storage.store import Store


def revival_keyboard(t: Texts, request_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.label("erasure.revival_approve"),
        callback_data=RevivalDecision(request_id=request_id, approve=True),
    )
    builder.button(
        text=t.label("erasure.revival_decline"),
        callback_data=RevivalDecision(request_id=request_id, approve=False),
    )
    return builder.as_markup()


async def tell_operators(
    store: Store,
    translator: Translator,
    settings: Settings,
    asker: PersonView,
    request_id: int,
    now: datetime,
) -> None:
    """Every operator (and administrator named in the settings) is asked privately, in
    the request's transaction; the notice forgets the asker if they erase their data."""
    request = await store.memberships.revival_request(request_id)
    if request is None:
        return
    operators = set(await store.people.all_telegram_ids_with_role(Role.OPERATOR))
    for telegram_id in sorted(operators | set(settings.admin_ids)):
        operator = await store.people.get(telegram_id)
        t = translator.for_locale((operator and operator.locale) or settings.default_locale)
        params = {
            "organisation": request.organisation_name,
            "bin": request.organisation_bin,
            "person": display_name(asker.full_name, asker.username),
        }
        keyboard = revival_keyboard(t, request_id)
        await tell(
            store,
            telegram_id,
            "erasure.revival_to_operator",
            params,
            now,
            reply_markup=keyboard,
            about=asker.telegram_id,
        )
