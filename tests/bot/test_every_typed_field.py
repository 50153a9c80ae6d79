"""Every window that takes typed text, fed arbitrary text: a polite answer, never an apology.

The windows are found in the dialogs the app registers (`bot.app.create_dispatcher`), so
a field added later is typed into by itself. Each is opened with a real dialog manager on
a seeded world (a person who owns an organisation and holds every console role), then
given text hypothesis draws: "²", right-to-left overrides, names of invisible
characters, control characters, very long strings, numbers with units. The check: no
exception reaches the error handler ("Sorry, something went wrong"), the bot answers,
and nothing stored carries a bidi override or a control character.

A window that needs more than a plain start (an application to look at, a field to
edit) gets it from SCENES; one that is not there opens with nothing, and if that is not
enough the test says so.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
import time
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiogram.types
import pytest
from aiogram import Bot, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.fsm.state import State
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import Chat, Message, Update, User
from aiogram_dialog import Dialog, ShowMode, StartMode
from aiogram_dialog.api.entities import DialogAction, update_event
from aiogram_dialog.api.entities.update_event import DialogFgEvent, DialogUpdate
from aiogram_dialog.manager import bg_manager
from aiogram_dialog.manager.bg_manager import BgManagerFactoryImpl
from aiogram_dialog.widgets.input import BaseInput
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select

from bot.app import create_dispatcher
from core.clock import Clock
from core.i18n import Translator
from domain.text_input import BIDI_CONTROLS
from grants import applications
from storage.engine import create_engine, create_session_factory
from storage.fsm import SqlStorage
from storage.models import Base, Role
from tests import seeding
from tests.conftest import TEST_TOKEN
from tests.recording_session import RecordingSession

pytestmark = pytest.mark.sqlite_only("each example copies the migrated SQLite template file")

PERSON, OTHER_OWNER = 880001, 880002
EXAMPLES, SLOW_EXAMPLES = 20, 150

# bot/aiogram_types.py skips aiogram's model rebuild at import; aiogram-dialog's
# background-manager models need theirs to be built here.
for _model in (bg_manager.FakeChat, bg_manager.FakeUser, DialogUpdate):
    _model.model_rebuild(_types_namespace={**vars(aiogram.types), **vars(update_event)})


# -- the fields, from the dialogs the app registers -------------------------------------------


@dataclass(frozen=True)
class TypedField:
    state: State

    def __str__(self) -> str:
        return self.state.state


def registered_dialogs(router: Router) -> Iterator[Dialog]:
    if isinstance(router, Dialog):
        yield router
    for child in router.sub_routers:
        yield from registered_dialogs(child)


def _has_input(widget: Any) -> bool:
    if isinstance(widget, BaseInput):
        return True
    return any(_has_input(child) for child in getattr(widget, "widgets", ()) or ())


def typed_fields() -> list[TypedField]:
    """Every window of every registered dialog that takes a message (MessageInput, TextInput)."""
    # Wired as the app wires them; nothing connects to this database.
    sessions = create_session_factory(create_engine("sqlite+aiosqlite:////nonexistent/fields.db"))
    config, translator = _offline_settings(), Translator(("ru",))
    wiring = create_dispatcher(config, translator, sessions, SqlStorage(sessions))
    return [
        TypedField(state)
        for dialog in registered_dialogs(wiring.dispatcher)
        for state, window in dialog.windows.items()
        if _has_input(window.on_message)
    ]


def _offline_settings():
    from core.settings import Settings

    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url="sqlite+aiosqlite:////nonexistent/fields.db",
    )


# -- the world they are typed into -------------------------------------------------------------


@dataclass
class Seeded:
    organisation_id: int
    draft_id: int
    submitted_id: int
    topic_id: int
    extra: dict[str, Any] = field(default_factory=dict)


async def seed(store) -> Seeded:
    await seeding.topics(store, seeding.NOW)
    await seeding.person(store, PERSON, "ru", "Aigerim", consented_at=seeding.NOW)
    own = await seeding.organisation(store, PERSON, seeding.NOW, owner_name=None)
    for role in (Role.OPERATOR, Role.ADMIN, Role.EXPERT):
        await store.people.grant_role(PERSON, role, granted_by=None)
    other = await seeding.submitted(
        store, OTHER_OWNER, bin_="990140004654", name="Darын", locale="ru", title="Лидеры"
    )
    topic = await store.topics.by_code(seeding.TOPIC)
    person = await store.people.get(PERSON)
    draft = await applications.start(
        store, person, own.organisation_id, topic.id, seeding.NOW, seeding.POLICY
    )
    return Seeded(own.organisation_id, draft, other.application_id, topic.id)


Scene = Callable[[Seeded], list[tuple[Any, dict[str, Any]]]]


def _each(*dialog_data: dict[str, Any], start: Any = None) -> Scene:
    return lambda _world: [(start, dict(data)) for data in dialog_data or ({},)]


# What a window needs besides a plain start: (start data, dialog data) for each variant.
SCENES: dict[str, Scene] = {
    "ApplicationForm": lambda w: [({"application_id": w.draft_id}, {})],
    "Filing:number": _each(*({"field": f} for f in ("income_own", "staff_count"))),
    "Filing:project_beneficiaries": _each(
        {
            "field": "project_beneficiaries",
            "project": {"title": "Лагерь", "area": "education", "region": "almaty"},
        }
    ),
    "OrganisationCard": lambda w: [
        (None, {"organisation_id": w.organisation_id, "field": name})
        for name in ("name", "name_alt", "founded_year", "staff_count", "description", "phone")
    ],
    "OperatorCompetition": lambda w: [
        (None, {"topic": w.topic_id, "application": w.submitted_id, "approve": True})
    ],
    "ExpertDesk": lambda w: [(None, {"application": w.submitted_id, "marks": {}})],
    "RolesAdmin": _each({"mode": "grant"}),
    "OperatorTopics:ask": lambda _w: [(None, {"step": step, "values": {}}) for step in range(9)],
    "OperatorTopics:edit_value": lambda w: [
        (None, {"topic": w.topic_id, "field": name})
        for name in ("title_ru", "budget_min", "closes_at")
    ],
    "OperatorTopics:close_reason": lambda w: [(None, {"topic": w.topic_id})],
    "Broadcast:number": _each({"kind": "not_filed"}),
}


def scenes_of(state: State, world: Seeded) -> list[tuple[Any, dict[str, Any]]]:
    scene = SCENES.get(state.state) or SCENES.get(state.group.__name__) or _each()
    return scene(world)


# -- what is typed -----------------------------------------------------------------------------

RLO, LRM, RLM = "\u202e", "\u200e", "\u200f"
TRICKY = [
    "²",
    "³",
    "1²",
    "٢٠١٢",
    "２０１２",
    "150 ₸",
    "150 адам",
    "12 месяцев",
    "12 ай",
    "2012 ж.",
    "4 500 000,00",
    "4 500 000 ₸",
    "-5",
    "9" * 40,
    "9" * 5000,
    f"Support{RLO}etis.zk-knab",
    f"{LRM}{RLM}",
    "\u2060\u2060",
    "\u3164\u3164",
    "\u2800",
    "\u00ad",
    "\x00\x07",
    "a\x1b[31mb",
    "<b>bold</b> & <i>",
    "x" * 4096,
    "Қамқор\n\nбірлестігі",
    "01.01.2027 10:00",
    "01.01.2027",
    "👩\u200d👩\u200d👧",
    "null",
    "1e6",
    "NaN",
]
# Telegram never delivers an empty text, and no message is longer than 4096 characters.
TYPED = st.one_of(
    st.sampled_from(TRICKY),
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Cf", "Zs", "Cc"]), min_size=1),
    st.builds(
        lambda n, unit: f"{n} {unit}",
        st.integers(-10, 10**13),
        st.sampled_from(["₸", "тг", "адам", "человек", "ай", "месяцев", "ж.", "г.", "$", "%"]),
    ),
).filter(lambda text: 0 < len(text) <= 4096)


# -- the harness -------------------------------------------------------------------------------


class Apologies(logging.Handler):
    """The error handler logs each failed update with its exception: kept for the report."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Harness:
    loop: asyncio.AbstractEventLoop
    world: Seeded
    bot: Bot
    session: RecordingSession
    dispatcher: Any
    database_url: str
    apology_texts: set[str]
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    @asynccontextmanager
    async def dialog_manager(self) -> AsyncIterator[Any]:
        """A real DialogManager inside a real update (aiogram-dialog's `bg().fg()`), with
        an update id of its own: every background update has id 0, which the bot's
        deduplication would take as one update sent twice."""
        bg = BgManagerFactoryImpl(self.dispatcher).bg(self.bot, PERSON, PERSON)
        loop = asyncio.get_running_loop()
        event = DialogFgEvent(
            data=None,
            action=DialogAction.FG,
            entered=loop.create_future(),
            exited=loop.create_future(),
            **bg._base_event_params(),
        )
        update = DialogUpdate(aiogd_update=event.as_(self.bot)).as_(self.bot)
        update = update.model_copy(update={"update_id": 10**9 + next(self._ids)})
        task = bg._updater.notify_task(bot=self.bot, update=update)
        manager = await asyncio.wait_for(event.entered, 10)
        try:
            yield manager
        except Exception as error:
            event.exited.set_exception(error)
            raise
        else:
            event.exited.set_result(None)
        await task

    async def open(self, state: State, start_data: Any, dialog_data: dict[str, Any]) -> None:
        async with self.dialog_manager() as manager:
            # Shown once its scene is in place: a window may not render without it.
            await manager.start(
                state, data=start_data, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE
            )
            manager.dialog_data.update(dialog_data)
            manager.show_mode = ShowMode.SEND
            await manager.show()

    async def type(self, text: str) -> list[str]:
        self.session.clear()
        number = next(self._ids)
        await self.dispatcher.feed_update(
            self.bot,
            Update(
                update_id=number,
                message=Message(
                    message_id=number,
                    date=int(time.time()),
                    chat=Chat(id=PERSON, type="private"),
                    from_user=User(id=PERSON, is_bot=False, first_name="Aigerim"),
                    text=text,
                ),
            ),
        )
        return [
            r.text for r in self.session.requests if isinstance(r, SendMessage | EditMessageText)
        ]

    async def stored_texts(self) -> Iterator[tuple[str, str]]:
        """Every text column of every row, as (table.column, value)."""
        engine = create_engine(self.database_url)
        found = []
        try:
            async with engine.connect() as connection:
                for table in Base.metadata.sorted_tables:
                    columns = [c for c in table.columns if isinstance(c.type, String | Text)]
                    if not columns or table.name in UNCHECKED_TABLES:
                        continue
                    for row in await connection.execute(select(*columns)):
                        found += [
                            (f"{table.name}.{c.name}", value)
                            for c, value in zip(columns, row, strict=True)
                            if isinstance(value, str)
                        ]
        finally:
            await engine.dispose()
        return found


# The dialog stacks keep what the dialogs keep, as JSON; the outbox and the audit log
# hold rendered messages and what the people concerned wrote before cleaning.
UNCHECKED_TABLES = frozenset({"fsm_records", "update_claims"})


@pytest.fixture(scope="module")
def harness(tmp_path_factory, migrated_template) -> Iterator[Harness]:
    path = tmp_path_factory.mktemp("typed") / "bot.db"
    shutil.copyfile(migrated_template, path)
    database_url = f"sqlite+aiosqlite:///{path}"
    loop = asyncio.new_event_loop()
    world = loop.run_until_complete(seeding.in_database(database_url, seed))
    from core.settings import Settings

    config = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=database_url,
        default_locale="ru",
        concurrent_updates=False,
        flood_updates_per_minute=10**9,
        rate_per_chat_per_second=10**6,
        rate_per_chat_burst=10**6,
    )
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    clock = Clock(config.timezone)
    clock.set(seeding.NOW)
    translator = Translator()
    wiring = create_dispatcher(config, translator, sessions, SqlStorage(sessions), clock=clock)
    session = RecordingSession()
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    loop.run_until_complete(wiring.dispatcher.emit_startup(bot=bot))
    apologies = {translator.get("errors.generic", lang) for lang in ("kk", "ru", "en")}
    try:
        yield Harness(loop, world, bot, session, wiring.dispatcher, database_url, apologies)
    finally:
        loop.run_until_complete(wiring.dispatcher.emit_shutdown(bot=bot))
        loop.run_until_complete(engine.dispose())
        loop.close()


@pytest.fixture
def apologies() -> Iterator[Apologies]:
    handler = Apologies()
    logging.getLogger("bot.handlers.errors").addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger("bot.handlers.errors").removeHandler(handler)


FIELDS = typed_fields()


def test_the_registry_lists_the_fields_people_type_into() -> None:
    names = {str(f) for f in FIELDS}
    # A few that must be there; the list grows with the dialogs.
    assert {
        "ApplicationForm:beneficiaries",
        "ApplicationForm:duration",
        "Registration:name",
        "Registration:founded_year",
        "OperatorCompetition:amount",
        "RolesAdmin:person",
        "SupportInbox:question",
    } <= names
    assert len(FIELDS) >= 40


def _is_sane(value: str) -> bool:
    return not any(
        ord(char) in BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and char not in "\n")
        for char in value
    )


def _check_field(harness: Harness, apologies: Apologies, typed_field: TypedField, examples: int):
    scenes = scenes_of(typed_field.state, harness.world)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(text=TYPED, variant=st.integers(0, len(scenes) - 1))
    def typed_into(text: str, variant: int) -> None:
        start_data, dialog_data = scenes[variant]
        apologies.records.clear()
        harness.run(harness.open(typed_field.state, start_data, dialog_data))
        assert not apologies.records, (
            f"{typed_field} does not open with its scene {scenes[variant]}: add one to SCENES"
        )
        answers = harness.run(harness.type(text))
        failures = [r.exc_info[1] for r in apologies.records if r.exc_info]
        assert not failures, f"{typed_field} raised {failures[0]!r} for {text[:80]!r}"
        assert not harness.apology_texts & set(answers), f"{typed_field} apologised"
        assert answers, f"{typed_field} said nothing to {text[:80]!r}"

    typed_into()
    stored = harness.run(harness.stored_texts())
    unclean = [(where, value[:60]) for where, value in stored if not _is_sane(value)]
    assert not unclean, f"stored with hidden characters after {typed_field}: {unclean[:3]}"


@pytest.mark.parametrize("typed_field", FIELDS, ids=str)
def test_any_text_in_any_field_gets_an_answer_not_an_apology(harness, apologies, typed_field):
    _check_field(harness, apologies, typed_field, EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("typed_field", FIELDS, ids=str)
def test_many_texts_in_every_field(harness, apologies, typed_field):
    _check_field(harness, apologies, typed_field, SLOW_EXAMPLES)
