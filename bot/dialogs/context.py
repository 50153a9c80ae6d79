"""What a dialog's getters and handlers reach for, typed: the person writing, the
store, their translator, the clock and the settings.

aiogram hands them to the dialog manager as an untyped dictionary (the
dispatcher's workflow data and what the middlewares add); this is the one module
that reads it: `ctx(manager)` reads it once, into a typed frozen `Ctx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Chat
from aiogram_dialog import DialogManager

from bot.commands import CommandMenus
from core.clock import Clock
from core.i18n import Texts, Translator
from core.local_time import local_date, local_date_time
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store


@dataclass(frozen=True, slots=True)
class Ctx:
    store: Store
    t: Texts
    clock: Clock
    settings: Settings
    translator: Translator
    bot: Bot
    menus: CommandMenus
    # None only for an update with no user behind it, which no dialog sees.
    maybe_person: PersonView | None
    chat: Chat | None
    # aiogram's FSM context of the chat (plain FSM data beside the dialogs' stacks).
    fsm: FSMContext | None = None

    @property
    def person(self) -> PersonView:
        """The person writing (PersonMiddleware finds or adds them before any dialog)."""
        if self.maybe_person is None:
            raise LookupError("a dialog event without a person")
        return self.maybe_person

    @property
    def chat_id(self) -> int:
        if self.chat is None:
            raise LookupError("a dialog event without a chat")
        return self.chat.id

    def date(self, moment: datetime) -> str:
        """The day of an instant where the bot's people live: 31.03.2027."""
        return local_date(moment, self.clock.zone)

    def date_time(self, moment: datetime | None) -> str:
        """An instant where the bot's people live, to the minute; "" for none."""
        return "" if moment is None else local_date_time(moment, self.clock.zone)


def ctx(manager: DialogManager) -> Ctx:
    data = manager.middleware_data
    return Ctx(
        store=data["store"],
        t=data["t"],
        clock=data["clock"],
        settings=data["settings"],
        translator=data["translator"],
        bot=data["bot"],
        menus=data["menus"],
        maybe_person=data.get("person"),
        chat=data.get("event_chat"),
        fsm=data.get("state"),
    )


def texts_of(manager: DialogManager) -> Texts:
    """The translator alone: a window's text may render with nothing else at hand."""
    return manager.middleware_data["t"]
