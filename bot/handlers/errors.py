"""The last line: log the failure with its update id, and apologise in the user's language."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update, User
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent

from bot.callback_answers import answer_once
from bot.dialogs.states import MainMenu
from core.i18n import Texts, Translator
from core.locale_codes import choose_locale

log = logging.getLogger(__name__)


def _user_and_chat(update: Update) -> tuple[User | None, int | None, bool]:
    """Who to apologise to, in which chat, and whether it is a private chat."""
    if update.message is not None:
        chat = update.message.chat
        return update.message.from_user, chat.id, chat.type == ChatType.PRIVATE
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is not None:
            return query.from_user, message.chat.id, message.chat.type == ChatType.PRIVATE
        return query.from_user, query.from_user.id, True
    return None, None, False


def _texts(data: dict, user: User | None, translator: Translator, default: str) -> Texts:
    # Error handlers may run before the middleware that sets `t` (aiogram #1381).
    texts = data.get("t")
    if isinstance(texts, Texts):
        return texts
    person = data.get("person")
    saved = person.locale if person is not None else None
    code = user.language_code if user else None
    return translator.for_locale(choose_locale(saved, code, default))


class ErrorReplies:
    def __init__(self, translator: Translator, default_locale: str) -> None:
        self._translator = translator
        self._default = default_locale

    async def on_expired_dialog(self, event: ErrorEvent, dialog_manager: DialogManager, **data):
        """A button from a dialog the bot no longer has: restart politely."""
        user, _chat_id, private = _user_and_chat(event.update)
        t = _texts(data, user, self._translator, self._default)
        # The exception says which intent was missing or outdated: kept for diagnosis.
        log.warning(
            "dialog context lost: %r",
            event.exception,
            extra={"update_id": event.update.update_id},
        )
        if event.update.callback_query is not None:
            await answer_once(event.update.callback_query, t("errors.button_expired"))
        if private:
            await dialog_manager.start(
                MainMenu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
            )

    async def on_any_error(self, event: ErrorEvent, bot: Bot, **data) -> None:
        update = event.update
        log.error(
            "update %s failed",
            update.update_id,
            exc_info=event.exception,
            extra={"update_id": update.update_id, "event_type": update.event_type},
        )
        user, chat_id, private = _user_and_chat(update)
        if chat_id is None or not private:
            return
        t = _texts(data, user, self._translator, self._default)
        try:
            if update.callback_query is not None:
                await answer_once(update.callback_query)
            await bot.send_message(chat_id, t("errors.generic"))
        except Exception:  # the apology itself failed: the log above has the cause
            log.warning("could not send the apology for update %s", update.update_id)


def get_router(translator: Translator, default_locale: str) -> Router:
    replies = ErrorReplies(translator, default_locale)
    router = Router(name="errors")
    router.errors.register(
        replies.on_expired_dialog, ExceptionTypeFilter(UnknownIntent, OutdatedIntent)
    )
    router.errors.register(replies.on_any_error)
    return router
