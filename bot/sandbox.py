"""`ngo-bot sandbox`: the whole bot in a terminal, with no token and no network.

It starts the local Bot API emulator and the real bot in one process, on a
temporary SQLite database, and lets a person (or a script) chat as one of a
few simulated people. Typed text always reaches the bot as text. Each step
ends when the bot has finished with it (the update handled, nothing being
sent, nothing due in the outbox), never after a pause: a script prints the
same transcript on a slow machine as on a fast one.

A script is written once, in English, and runs in the language given with
--lang: every person's Telegram language is that one, `choose language`
presses it at the language picker, and `[label]` finds the button through the
catalogs, so in Kazakh `[⬅️ Back]` presses "⬅️ Артқа".

Lines (in a script and at the prompt):
    # comment              ignored
    as NAME                act as another person (see PERSONAS)
    [N]                    press the button numbered N in the transcript, on the
                           latest bot message that has buttons
    [Button text]          press the button with this English text (or shown as
                           it is); {year} stands for the current year
    choose language        press the run's language at the language picker
    send FILE [CAPTION]    send a file, relative to the script (.jpg/.png: a photo)
    location LAT LON       share a location
    contact PHONE          share one's own contact (the phone given)
    voice SECONDS          send a voice note
    video note SECONDS     send a round video message
    link PAYLOAD           open t.me/<bot>?start=PAYLOAD (the bot gets /start PAYLOAD)
    wait DURATION          move the bot's clock on (30s, 10m, 2h, 3d) and let it do
                           what falls due meanwhile (reminders too)
    > TEXT                 send TEXT as it is, even if it looks like a command above
    anything else          sent as a message

The transcript shows the person's lines after `>`, the bot's after `<` (`✎`
for an edit), buttons as `[N] text`, and pop-ups after a press: `! toast`,
`!! alert`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

import grants
from bot.local_world import LocalWorld
from bot.log_format import configure_logging
from bot.sandbox_labels import ButtonLabels
from core.i18n import Translator
from core.settings import Settings
from emulator import EmulatorConfig, SimulatedUser
from emulator.config import Faults
from emulator.users import START_PAYLOAD
from storage.models import Role


@dataclass(frozen=True)
class Persona:
    name: str
    user_id: int
    first_name: str
    roles: tuple[Role, ...] = ()
    about: str = ""


PERSONAS: dict[str, Persona] = {
    p.name: p
    for p in (
        Persona("ngo", 700001, "Aigerim", about="NGO staff"),
        Persona("colleague", 700002, "Daniyar", about="a second member of the NGO's staff"),
        Persona("operator", 700101, "Operator", (Role.OPERATOR,)),
        Persona("expert", 700201, "Expert", (Role.EXPERT,)),
        Persona("expert2", 700202, "Second expert", (Role.EXPERT,)),
        Persona("expert3", 700203, "Third expert", (Role.EXPERT,)),
        Persona("admin", 700301, "Admin", (Role.ADMIN,)),
        # No role of their own yet: they chat as anybody does.
        Persona("ministry", 700401, "Ministry", about="staff of the ordering body"),
        Persona("member1", 700501, "Commission member 1", about="competition commission"),
        Persona("member2", 700502, "Commission member 2", about="competition commission"),
        Persona("member3", 700503, "Commission member 3", about="competition commission"),
    )
}
DEFAULT_PERSONA = "ngo"
LONGEST_WAIT = timedelta(days=366)
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}
MIME_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".csv": "text/csv",
}


class ScriptError(Exception):
    """A script asked for something that is not there; the run exits non-zero."""


class SandboxDatabaseError(Exception):
    """`--db FILE` names a file the sandbox cannot keep its database in; one line why."""


def check_database_file(database: Path) -> None:
    """Refuse before anything starts: an SQLite file needs a folder we may write in
    (for its journal too), and a file that is there must be ours to write."""
    folder = database.parent
    if database.is_dir():
        raise SandboxDatabaseError("is a folder; give a file name in it, like sandbox.db")
    if not folder.is_dir():
        raise SandboxDatabaseError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SandboxDatabaseError(f"cannot write in the folder {folder}")
    if database.exists() and not os.access(database, os.R_OK | os.W_OK):
        raise SandboxDatabaseError("cannot write to this file")


class Transcript:
    """Prints what each simulated person sees, as it changes."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._seen: dict[tuple[int, int], tuple] = {}

    def say(self, line: str) -> None:
        print(line, file=self._out, flush=True)

    def show_changes(self, user: SimulatedUser) -> None:
        for message in user.messages():
            key = (user.user_id, message.message_id)
            snapshot = (_body(message), _button_rows(message))
            seen = self._seen.get(key)
            self._seen[key] = snapshot
            if seen == snapshot:
                continue
            if seen is not None and seen[0] == snapshot[0] and not snapshot[1]:
                # Only the old buttons went away (a newer message took over): not news.
                continue
            self._render(message, "✎ " if seen is not None else "")

    def _render(self, message, marker: str) -> None:
        lines = _body(message).splitlines() or [""]
        self.say(f"< {marker}{lines[0]}")
        for line in lines[1:]:
            self.say(f"  {line}")
        number = 1
        for row in _button_rows(message):
            cells = []
            for text in row:
                cells.append(f"[{number}] {text}")
                number += 1
            self.say("    " + "   ".join(cells))


def _body(message) -> str:
    body = message.text or message.caption or ""
    if message.document is not None:
        body = f"📎 {message.document.get('file_name', 'document')}\n{body}".strip()
    if message.photo is not None:
        body = f"🖼 photo\n{body}".strip()
    return body


def _button_rows(message) -> tuple[tuple[str, ...], ...]:
    rows = [tuple(button.text for button in row) for row in (message.buttons or [])]
    rows += [tuple(button.text for button in row) for row in (message.reply_keyboard or [])]
    return tuple(rows)


def parse_duration(text: str) -> timedelta:
    match = DURATION.fullmatch(text.strip())
    if match is None:
        raise ScriptError(f"wait takes a duration such as 30s, 10m, 2h or 3d, not {text!r}")
    return timedelta(seconds=float(match[1]) * UNITS[match[2]])


class Sandbox:
    def __init__(
        self,
        world: LocalWorld,
        lang: str,
        out: TextIO,
        labels: ButtonLabels,
        folder: Path = Path("."),
    ) -> None:
        self.world = world
        self.lang = lang
        self.transcript = Transcript(out)
        self.persona = PERSONAS[DEFAULT_PERSONA]
        self.labels = labels
        # Files named by `send` are relative to the script.
        self.folder = folder

    @property
    def user(self) -> SimulatedUser:
        persona = self.persona
        return self.world.started_emulator.user(
            user_id=persona.user_id, first_name=persona.first_name, language_code=self.lang
        )

    def switch(self, name: str) -> None:
        if name not in PERSONAS:
            raise ScriptError(f"no person named {name!r}; there are: {', '.join(PERSONAS)}")
        self.persona = PERSONAS[name]
        self.transcript.say(f"── as {name} ({self.persona.first_name}) ──")
        # What came to this person meanwhile (a notice, a broadcast).
        self.transcript.show_changes(self.user)

    async def act(self, line: str) -> None:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return
        word, _, rest = stripped.partition(" ")
        rest = rest.strip()
        if stripped.startswith(">"):
            await self.type(stripped[1:].removeprefix(" "))
        elif stripped.startswith("[") and stripped.endswith("]") and len(stripped) > 2:
            await self.press(stripped[1:-1])
        elif word == "as" and rest and " " not in rest:
            self.switch(rest)
        elif stripped == "choose language":
            await self.choose_language()
        elif word == "wait" and rest:
            await self.wait(parse_duration(rest))
        elif word == "send" and rest:
            await self.send_file(rest)
        elif word == "location" and len(rest.split()) == 2:
            await self.share_location(*rest.split())
        elif word == "contact" and re.fullmatch(r"\+?[\d ()-]{5,20}", rest):
            await self._step(f"👤 contact {rest}", self.user.share_contact(rest, wait=False))
        elif word == "voice" and rest.isdigit():
            await self._step(f"🎤 voice {rest} s", self.user.send_voice(int(rest), wait=False))
        elif stripped.startswith("video note ") and stripped.split()[-1].isdigit():
            seconds = int(stripped.split()[-1])
            await self._step(
                f"⏺ video note {seconds} s", self.user.send_video_note(seconds, wait=False)
            )
        elif word == "link" and rest:
            await self.open_link(rest)
        else:
            await self.type(line.rstrip("\n"))

    async def _step(self, shown: str, action) -> dict | None:
        """Show what the person did, do it, and show what changed once the bot is done."""
        self.transcript.say(f"> {shown}")
        pushed = await action
        if pushed is not None:
            await self.world.handled([pushed["update_id"]])
        self.transcript.show_changes(self.user)
        return pushed

    async def type(self, text: str) -> None:
        await self._step(text, self.user.send(text, wait=False))

    async def open_link(self, payload: str) -> None:
        payload = payload.rsplit("?start=", 1)[-1]
        if not START_PAYLOAD.fullmatch(payload):
            raise ScriptError("a link's payload is 1-64 characters: A-Z, a-z, 0-9, _ and -")
        action = self.user.open_link(payload, wait=False)
        bot_username = self.world.started_emulator.config.bot_username
        await self._step(f"🔗 t.me/{bot_username}?start={payload}", action)

    async def share_location(self, latitude: str, longitude: str) -> None:
        try:
            point = float(latitude), float(longitude)
        except ValueError:
            raise ScriptError(
                "location takes a latitude and a longitude, e.g. 43.238 76.946"
            ) from None
        await self._step(
            f"📍 {point[0]:g} {point[1]:g}", self.user.share_location(*point, wait=False)
        )

    async def send_file(self, spec: str) -> None:
        name, _, caption = spec.partition(" ")
        path = (self.folder / name).resolve()
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise ScriptError(f"cannot read {name}: {exc.strerror}") from None
        suffix = path.suffix.lower()
        if suffix in PHOTO_SUFFIXES:
            action = self.user.send_photo(content, caption=caption or None, wait=False)
            await self._step(f"🖼 {path.name} {caption}".rstrip(), action)
            return
        mime = MIME_TYPES.get(suffix, "application/octet-stream")
        action = self.user.send_document(
            path.name, content, mime, caption=caption or None, wait=False
        )
        await self._step(f"📎 {path.name} {caption}".rstrip(), action)

    def _numbered(self) -> list[str]:
        """The buttons as the transcript last numbered them."""
        message = next((m for m in reversed(self.user.messages()) if _button_rows(m)), None)
        return [text for row in _button_rows(message) for text in row] if message else []

    def _pressable(self) -> list[str]:
        """Inline buttons on the latest message that has some, and the reply keyboard."""
        user = self.user
        message = next((m for m in reversed(user.messages()) if m.buttons), None)
        inline = [b.text for row in message.buttons for b in row] if message else []
        keyboard = user.chat.reply_keyboard or {}
        typed = [b["text"] for row in keyboard.get("keyboard", []) for b in row]
        return list(dict.fromkeys(inline + typed))

    def find_button(self, label: str) -> str:
        if label.isdigit():
            buttons = self._numbered()
            number = int(label)
            if not 1 <= number <= len(buttons):
                raise ScriptError(f"there is no button {number}; {_listed(buttons)}")
            return buttons[number - 1]
        buttons = self._pressable()
        label = label.replace("{year}", str(self.world.clock.local_now().year))
        if label in buttons:
            return label
        found = list(dict.fromkeys(b for b in buttons if self.labels.shows(b, label, self.lang)))
        if len(found) == 1:
            return found[0]
        if found:
            raise ScriptError(f"[{label}] could be any of {_listed(found, 'these')}")
        raise ScriptError(f"no button [{label}] on the latest message; {_listed(buttons)}")

    async def press(self, label: str) -> None:
        text = self.find_button(label)
        user = self.user
        shown = f"[{text}]" if label.isdigit() or text == label else f"[{text}] ({label})"
        pushed = await self._step(shown, user.press(text, wait=False))
        self._show_answer(user, pushed)

    def _show_answer(self, user: SimulatedUser, pushed: dict | None) -> None:
        """A toast (`!`) or an alert (`!!`) the press was answered with."""
        query = (pushed or {}).get("callback_query")
        answer = user.last_callback_answer
        if query is None or answer is None or answer.callback_query_id != query["id"]:
            return
        if answer.text:
            self.transcript.say(f"{'!!' if answer.show_alert else '!'} {answer.text}")

    async def choose_language(self) -> None:
        label = self.labels.text_of(f"language.name.{self.lang}", self.lang)
        if label not in self._pressable():
            raise ScriptError(f"no language picker with [{label}]; {_listed(self._pressable())}")
        await self.press(label)

    async def wait(self, delta: timedelta) -> None:
        if not timedelta(0) <= delta <= LONGEST_WAIT:
            raise ScriptError("wait moves the clock by up to a year")
        self.transcript.say(f"… {_human(delta)} later")
        self.world.clock.advance(delta)
        await self.world.run_due_jobs(plan=True)
        await self.world.handled([])
        self.transcript.show_changes(self.user)


def _listed(buttons: list[str], what: str = "there were") -> str:
    return f"{what}: " + (", ".join(f"[{b}]" for b in buttons) or "no buttons")


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


DEMO_TOPICS = Path(grants.__file__).resolve().parent / "demo" / "topics-2016.yaml"


async def seed_sandbox(world: LocalWorld, demo_topics: str) -> None:
    """Roles for the operator, expert and admin personas, and the 2016 topics, open now."""
    from grants.topic_files import import_topics
    from storage.engine import create_engine, create_session_factory
    from storage.store import Store

    engine = create_engine(world.settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            store = Store(session)
            for persona in PERSONAS.values():
                for role in persona.roles:
                    await store.people.grant_role(persona.user_id, role, granted_by=None)
            await import_topics(store, demo_topics, world.clock.now())
            await store.commit()
    finally:
        await engine.dispose()


async def run_script(sandbox: Sandbox, script: Path, lines: list[str]) -> int:
    for number, line in enumerate(lines, start=1):
        try:
            await sandbox.act(line)
        except ScriptError as exc:
            print(f"{script}:{number}: {exc}", file=sys.stderr)
            return 1
    return 0


async def run_interactive(sandbox: Sandbox) -> int:
    say = sandbox.transcript.say
    say("ngo-bot sandbox: you are chatting with the real bot through a local Telegram emulator.")
    say("Type a message; press a button as [N] (its number) or [Button text];")
    say("`as NAME` switches person; Ctrl-D quits. The people:")
    for persona in PERSONAS.values():
        who = persona.about or ", ".join(role.value for role in persona.roles)
        say(f"  {persona.name}: {persona.first_name} ({who})")
    say("Start with /start, then `choose language`.")
    loop = asyncio.get_running_loop()
    while True:
        prompt = f"{sandbox.persona.name}> "
        line = await loop.run_in_executor(None, _read_line, prompt)
        if line is None:
            return 0
        try:
            await sandbox.act(line)
        except ScriptError as exc:
            say(f"? {exc}")


def _report_mistakes(world: LocalWorld) -> int:
    """A script fails when the bot sent what Telegram refuses as a bug (a query answered
    twice, a screen too long or empty), though the person saw nothing wrong."""
    mistakes = world.mistakes()
    for mistake in mistakes:
        print(f"ngo-bot: Telegram would refuse {mistake}", file=sys.stderr)
    return 1 if mistakes else 0


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def run_sandbox(
    script: str | None = None,
    db: str | None = None,
    lang: str = "ru",
    out: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """Files are read here, before the event loop starts; the chat runs in `_run`."""
    script_lines: list[str] | None = None
    if script:
        try:
            script_lines = Path(script).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(f"ngo-bot: cannot read the script {script}: {exc.strerror}", file=sys.stderr)
            return 2
    database = Path(db).resolve() if db else None
    if database is not None:
        check_database_file(database)
    # Files a script sends are found next to it; typed at the prompt, here.
    folder_of_files = Path(script).resolve().parent if script else Path.cwd()
    return asyncio.run(
        _run(
            script,
            script_lines,
            database,
            lang,
            out,
            DEMO_TOPICS.read_text(encoding="utf-8"),
            folder_of_files,
            now,
        )
    )


async def _run(
    script: str | None,
    script_lines: list[str] | None,
    db: Path | None,
    lang: str,
    out: TextIO | None,
    demo_topics: str,
    folder_of_files: Path,
    now: datetime | None,
) -> int:
    configure_logging("WARNING", "text")
    logging.getLogger("aiogram").setLevel(logging.ERROR)
    labels = ButtonLabels(Translator())
    with tempfile.TemporaryDirectory(prefix="ngo-bot-sandbox-") as folder:
        database = db or Path(folder) / "sandbox.db"
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{database}",
            # The sandbox is self-contained whatever the environment says.
            webhook_url=None,
            redis_url=None,
            concurrent_updates=False,
            # A script types faster than any person; flood control would drop it.
            flood_updates_per_minute=100_000,
            # A demo at night would otherwise hold a broadcast until 09:00.
            quiet_hours_start="00:00",
            quiet_hours_end="00:00",
            log_level="WARNING",
        )
        world = LocalWorld(settings, emulator_config=sandbox_emulator_config(), manual_clock=True)
        if now is not None:
            # Deadlines and "overdue" depend on the date: the golden transcripts pin it.
            world.clock.set(now)
        await world.start()
        try:
            await seed_sandbox(world, demo_topics)
            sandbox = Sandbox(world, lang, out or sys.stdout, labels, folder_of_files)
            if script is not None and script_lines is not None:
                status = await run_script(sandbox, Path(script), script_lines)
                return status or _report_mistakes(world)
            return await run_interactive(sandbox)
        finally:
            await world.stop()


def sandbox_emulator_config() -> EmulatorConfig:
    """The emulator as LocalWorld sets it up; NGO_BOT_SANDBOX_LATENCY="0.05,0.3" makes
    every bot request take that long (the tests check a slow Telegram changes nothing)."""
    config = EmulatorConfig(webhook_timeout=60.0, settle_timeout=60.0)
    latency = os.environ.get("NGO_BOT_SANDBOX_LATENCY")
    if latency:
        low, _, high = latency.partition(",")
        config.faults = Faults(seed=15, latency=(float(low), float(high or low)))
    return config
