"""One answer for each callback query, as Telegram allows.

Telegram takes one answer per query; a second gets 400 "query is too old and
response timeout expired or query ID is invalid". aiogram-dialog answers every
callback itself once its handler ran (`Dialog._callback_handler` calls
`answer_callback`), so a handler that showed a toast had it answered twice.
Every answer the bot gives goes through `answer_once`, which remembers the query
for the rest of the update (a context variable: one update is one task); the
dialogs' message manager (`bot/dialogs/message_manager.py`) and the error
handlers leave an answered query alone.
"""

from __future__ import annotations

from contextvars import ContextVar

from aiogram.types import CallbackQuery

_answered: ContextVar[str | None] = ContextVar("answered_callback_query", default=None)


def already_answered(query: CallbackQuery) -> bool:
    return _answered.get() == query.id


async def answer_once(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer the query, with a toast or an alert when there is text; once only.

    A second call for the same query is skipped: the person already saw the first.
    """
    if already_answered(query):
        return
    mark_answered(query)
    await query.answer(text, show_alert=alert)


def mark_answered(query: CallbackQuery) -> None:
    """Marked before the call is made: a second try after a failed one would be
    refused all the same."""
    _answered.set(query.id)
