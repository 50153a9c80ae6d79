"""The message every member of an organisation gets when an application's status changes."""

from __future__ import annotations

from aiogram import Bot

from bot.notifications import notify
from core.i18n import Translator
from domain.lookup import found
from storage.store import Store


async def notify_status_change(
    bot: Bot,
    store: Store,
    translator: Translator,
    application_id: int,
    status: str,
    *,
    except_person_id: int | None = None,
    default_locale: str = "ru",
) -> int:
    """Tell every member of the application's organisation, each in their own language.

    `except_person_id` skips the person who made the change (they see it on screen).
    Returns how many were told; the caller commits (a blocked bot is recorded).
    """
    application = await store.applications.get(application_id)
    if application is None:
        return 0
    topic = found(await store.topics.get(application.topic_id), application.topic_id)
    told = 0
    for member in await store.memberships.members(application.organisation_id):
        if member.person_id == except_person_id:
            continue
        locale = member.locale or default_locale
        text = translator.get(
            "application.status_changed",
            locale,
            reference=application.reference or "—",
            title=application.title or topic.title(locale),
            topic=topic.title(locale),
            organisation=application.organisation_name,
            status=translator.get(f"application.status.{status}", locale, escape=False),
        )
        told += await notify(bot, store, member.telegram_id, text)
    return told
