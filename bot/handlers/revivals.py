"""An operator's answer to a request to revive an archived organisation (asked by
bot/revival_notices.py): whoever presses is checked for the operator role again."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from bot.callback_answers import answer_once
from bot.callbacks import RevivalDecision
from bot.events import pressed_on
from console.revivals import RevivalDecided, decide_revival
from console.roles import OPERATOR_ROLES, Forbidden, acting_as
from core.clock import Clock
from core.i18n import Texts, Translator
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store


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
