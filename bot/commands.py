"""The command menu and bot descriptions, one per language (setMyCommands takes a
two-letter language_code), and their publication, retried in the background when
the server refuses it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Hashable, Iterator
from dataclasses import dataclass
from functools import partial
from html import escape

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.api_failures import API_FAILURES, describe, retried_by_caller
from console.roles import roles_of
from core.i18n import Html, Texts, Translator
from core.settings import Settings
from storage.models import Role
from storage.repositories.people import PersonView
from storage.store import Store

log = logging.getLogger(__name__)

# The public command menu, in order. Staff commands are published per chat to
# the people who hold a role (see STAFF_COMMANDS).
COMMANDS: tuple[str, ...] = (
    "start",
    "menu",
    "grants",
    "applications",
    "org",
    "filing",
    "ngos",
    "awards",
    "ask",
    "settings",
    "language",
    "privacy",
    "my_data",
    "delete_me",
    "help",
    "cancel",
)
STAFF_COMMANDS: dict[str, tuple[str, ...]] = {
    "admin": ("operator", "roles", "stats", "export", "award_rounds", "broadcast", "expert"),
    "operator": ("operator", "stats", "export", "award_rounds", "broadcast"),
    "expert": ("expert",),
}


def command_menu(
    translator: Translator, locale: str, extra: tuple[str, ...] = ()
) -> list[BotCommand]:
    return [
        BotCommand(
            command=name, description=translator.get(f"commands.{name}", locale, escape=False)
        )
        for name in (*COMMANDS, *extra)
    ]


def staff_commands(roles: set[str]) -> tuple[str, ...]:
    names: list[str] = []
    for role in ("admin", "operator", "expert"):
        if role in roles:
            names += [n for n in STAFF_COMMANDS[role] if n not in names]
    return tuple(names)


def help_text(t: Texts, roles: set[str]) -> str:
    """/help: the public commands, then the commands of the person's own roles."""
    text = t("help.text")
    extra = staff_commands(roles)
    if not extra:
        return text
    lines = [f"/{name} — {escape(t.label(f'commands.{name}'))}" for name in extra]
    return text + t("drafts.help.staff", commands=Html("\n".join(lines)))


def menu_of(
    person: PersonView | None, telegram_id: int, settings: Settings
) -> tuple[str, set[str]]:
    """The locale and the role names a person's chat menu is made of (ADMIN_IDS count
    even for someone the bot has not met yet)."""
    held = {role.value for role in roles_of(person, settings.admin_ids)}
    if telegram_id in settings.admin_ids:
        held.add(Role.ADMIN.value)
    locale = (person.locale if person else None) or settings.default_locale
    return locale, held


async def refresh_person_commands(
    menus: CommandMenus, bot: Bot, store: Store, settings: Settings, telegram_id: int
) -> None:
    """After a role was granted or revoked in the bot, or the person erased their data
    or changed language. Never raises: a refusal is retried in the background."""
    person = await store.people.get(telegram_id)
    locale, held = menu_of(person, telegram_id, settings)
    await menus.refresh_chat(bot, telegram_id, locale, held)


@dataclass(frozen=True)
class RetryPolicy:
    """After a failed attempt, wait `first` seconds, doubling up to `longest`,
    `attempts` tries in all (about four minutes at the defaults)."""

    first: float = 1.0
    longest: float = 60.0
    attempts: int = 10


MENU_RETRY = RetryPolicy()
# Each attempt's own limit: a server that never answers must not hold a
# publication for aiogram's minute.
CALL_TIMEOUT = 10


@dataclass(frozen=True)
class Publication:
    key: Hashable  # what it sets: a newer publication of the same key replaces it
    what: str  # for the log
    bot: Bot
    send: Callable[[], Awaitable[object]]


class CommandMenus:
    """Publishes the command menus, the descriptions and the staff chats' menus, and
    keeps trying what the server refused.

    None of it is essential: a bot with yesterday's menu still answers. So nothing
    here blocks start-up or raises into a handler. A failed attempt (any refusal, an
    HTML page, malformed JSON, a timeout, a dropped connection) is logged as one
    warning and tried again in the background, with backoff (`RetryPolicy`), until
    it succeeds, a newer publication of the same menu replaces it, the attempts run
    out, or the bot stops.
    """

    def __init__(self, translator: Translator, retry: RetryPolicy | None = None) -> None:
        self.translator = translator
        self._retry_policy = retry
        self._versions: dict[Hashable, int] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._retries: dict[Hashable, asyncio.Task] = {}
        self._rounds: set[asyncio.Task] = set()
        self._stopping = False

    def publish_at_start_up(
        self, bot: Bot, default_locale: str, staff: list[tuple[int, str, set[str]]]
    ) -> asyncio.Task:
        """The public menus and descriptions, then, for each (telegram id, locale,
        roles), that chat's menu: role holders get theirs, people who lost every role
        (an empty set; `ngo-bot admin revoke`) lose it. In the background: the bot
        answers meanwhile. The task ends once each was tried once."""
        planned = [*self._public(bot, default_locale)]
        planned += [self._chat(bot, *member) for member in staff]
        versions = [self._plan(publication.key) for publication in planned]
        first_round = asyncio.create_task(self._first_round(planned, versions))
        self._rounds.add(first_round)
        first_round.add_done_callback(self._rounds.discard)
        return first_round

    async def refresh_chat(
        self, bot: Bot, telegram_id: int, locale: str, roles: Collection[str]
    ) -> None:
        """One person's chat: the public menu plus their staff commands; with no role
        left, the chat's own menu goes and the public one (in their language) shows
        again. Tried at once, so a role change shows at once; retried if refused."""
        publication = self._chat(bot, telegram_id, locale, roles)
        await self._try(publication, self._plan(publication.key))

    @property
    def retry(self) -> RetryPolicy:
        # Read when used, so a test may shorten MENU_RETRY for a bot already built.
        return self._retry_policy or MENU_RETRY

    async def stop(self) -> None:
        self._stopping = True
        pending = [*self._rounds, *self._retries.values()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _public(self, bot: Bot, default_locale: str) -> Iterator[Publication]:
        targets: list[tuple[str | None, str]] = [(None, default_locale)]
        targets += [(locale, locale) for locale in self.translator.locales]
        text = self.translator.get
        for code, locale in targets:
            name = code or "default"
            yield Publication(
                ("commands", code),
                f"the {name} command menu",
                bot,
                partial(
                    bot.set_my_commands,
                    command_menu(self.translator, locale),
                    language_code=code,
                    request_timeout=CALL_TIMEOUT,
                ),
            )
            yield Publication(
                ("description", code),
                f"the {name} description",
                bot,
                partial(
                    bot.set_my_description,
                    text("bot.description", locale, escape=False),
                    language_code=code,
                    request_timeout=CALL_TIMEOUT,
                ),
            )
            yield Publication(
                ("short_description", code),
                f"the {name} short description",
                bot,
                partial(
                    bot.set_my_short_description,
                    text("bot.short_description", locale, escape=False),
                    language_code=code,
                    request_timeout=CALL_TIMEOUT,
                ),
            )

    def _chat(self, bot: Bot, telegram_id: int, locale: str, roles: Collection[str]) -> Publication:
        extra = staff_commands(set(roles))
        scope = BotCommandScopeChat(chat_id=telegram_id)
        if extra:
            menu = command_menu(self.translator, locale, extra)
            send = partial(bot.set_my_commands, menu, scope=scope, request_timeout=CALL_TIMEOUT)
        else:
            send = partial(bot.delete_my_commands, scope=scope, request_timeout=CALL_TIMEOUT)
        return Publication(("chat", telegram_id), f"the staff menu of {telegram_id}", bot, send)

    def _plan(self, key: Hashable) -> int:
        """A new version of `key`'s menu: the retries of an older one stop."""
        version = self._versions[key] = self._versions.get(key, 0) + 1
        older = self._retries.pop(key, None)
        if older is not None:
            older.cancel()
        return version

    async def _first_round(self, planned: list[Publication], versions: list[int]) -> None:
        for publication, version in zip(planned, versions, strict=True):
            await self._try(publication, version)

    async def _try(self, publication: Publication, version: int) -> None:
        if await self._attempt(publication, version, 1):
            return
        if self._stopping:
            log.warning("%s is not tried again: the bot is stopping", publication.what)
            return
        retry = asyncio.create_task(self._retry(publication, version))
        self._retries[publication.key] = retry
        retry.add_done_callback(partial(self._forget, publication.key))

    async def _retry(self, publication: Publication, version: int) -> None:
        delay = self.retry.first
        for attempt in range(2, self.retry.attempts + 1):
            await asyncio.sleep(delay)
            if await self._attempt(publication, version, attempt):
                return
            delay = min(delay * 2, self.retry.longest)
        log.warning(
            "gave up publishing %s after %d attempts; the next start tries again",
            publication.what,
            self.retry.attempts,
        )

    async def _attempt(self, publication: Publication, version: int, attempt: int) -> bool:
        """True once done, or when a newer version replaced this one."""
        # One call per menu at a time, so an older version never lands after a newer.
        lock = self._locks.setdefault(publication.key, asyncio.Lock())
        async with lock:
            if self._versions.get(publication.key) != version:
                return True
            try:
                with retried_by_caller():
                    await publication.send()
            except API_FAILURES as failure:
                log.warning(
                    "could not publish %s (attempt %d of %d): %s",
                    publication.what,
                    attempt,
                    self.retry.attempts,
                    describe(failure, [publication.bot.token]),
                )
                return False
        if attempt > 1:
            log.info("published %s at attempt %d", publication.what, attempt)
        return True

    def _forget(self, key: Hashable, task: asyncio.Task) -> None:
        if self._retries.get(key) is task:
            del self._retries[key]
