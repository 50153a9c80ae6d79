"""Reviving an archived organisation: the request goes to the operators privately,
with buttons; whoever presses one is checked for the operator role again."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_answers import answer_once
from bot.callbacks import RevivalDecision
from bot.events import pressed_on
from bot.handlers.staff import display_name
from bot.notifications import notify
from console.revivals import RevivalDecided, decide_revival
from console.roles import OPERATOR_ROLES, Forbidden, acting_as
from core.clock import Clock
from core.i18n import Texts, Translator
from core.settings import Settings
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
    bot: Bot,
    store: Store,
    translator: Translator,
    settings: Settings,
    asker: PersonView,
    request_id: int,
) -> None:
    """Every operator (and administrator named in the settings) is asked privately."""
    request = await store.memberships.revival_request(request_id)
    if request is None:
        return
    operators = set(await store.people.all_telegram_ids_with_role(Role.OPERATOR))
    for telegram_id in sorted(operators | set(settings.admin_ids)):
        operator = await store.people.get(telegram_id)
        t = translator.for_locale((operator and operator.locale) or settings.default_locale)
        text = t(
            "erasure.revival_to_operator",
            organisation=request.organisation_name,
            bin=request.organisation_bin,
            person=display_name(asker.full_name, asker.username),
        )
        await notify(bot, store, telegram_id, text, revival_keyboard(t, request_id))


async def on_revival_decision(
    callback: CallbackQuery,
    callback_data: RevivalDecision,
    store: Store,
    person: PersonView | None,
    t: Texts,
    clock: Clock,
    bot: Bot,
    translator: Translator,
    settings: Settings,
) -> None:
    try:
        actor = acting_as(person, settings.admin_ids, OPERATOR_ROLES)
        request = await decide_revival(
            store, actor, callback_data.request_id, callback_data.approve, clock.now()
        )
    except Forbidden:
        await answer_once(callback, t("console.forbidden"), alert=True)
        return
    except RevivalDecided:
        await store.rollback()
        await answer_once(callback, t("erasure.revival_decided"), alert=True)
        return
    asker = translator.for_locale(request.locale or settings.default_locale)
    key = "erasure.revival_approved" if callback_data.approve else "erasure.revival_declined"
    await notify(
        bot,
        store,
        request.telegram_id,
        asker(key, organisation=request.organisation_name),
        clock=clock,
    )
    await store.commit()
    message = pressed_on(callback)
    if message is not None:
        done = (
            "erasure.revival_done_approved"
            if callback_data.approve
            else "erasure.revival_done_declined"
        )
        await message.edit_text(t(done, organisation=request.organisation_name))
    await answer_once(callback)


def get_router() -> Router:
    router = Router(name="revivals")
    router.callback_query.register(on_revival_decision, RevivalDecision.filter())
    return router
