"""`ngo-bot sandbox`: the whole bot in a terminal, with no token and no network.

It starts the local Bot API emulator and the real bot in one process, on a
temporary SQLite database, and lets a person (or a script) chat as one of a
few simulated users.

Script lines:
    # comment            ignored
    as NAME              switch the acting user
    [Button text]        press the button with that exact text on the latest
                         bot message that has one
    wait SECONDS         let the bot work for a while (the outbox sends every
                         second), then show what the acting user got meanwhile
    anything else        sent as a message
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import grants
from bot.local_world import LocalWorld
from bot.log_format import configure_logging
from bot.settings import Settings
from emulator import ButtonNotFound, SimulatedUser
from storage.models import Role


@dataclass(frozen=True)
class Persona:
    name: str
    user_id: int
    first_name: str
    roles: tuple[Role, ...] = ()


PERSONAS: dict[str, Persona] = {
    p.name: p
    for p in (
        Persona("ngo", 700001, "Aigerim"),
        Persona("colleague", 700002, "Daniyar"),
        Persona("operator", 700101, "Operator", (Role.OPERATOR,)),
        Persona("expert", 700201, "Expert", (Role.EXPERT,)),
        Persona("expert2", 700202, "Second expert", (Role.EXPERT,)),
        Persona("admin", 700301, "Admin", (Role.ADMIN,)),
    )
}
DEFAULT_PERSONA = "ngo"


class ScriptError(Exception):
    """A script asked for something that is not there; the run exits non-zero."""


class Transcript:
    """Prints what each simulated user sees, as it changes."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._seen: dict[tuple[int, int], tuple] = {}

    def say(self, line: str) -> None:
        print(line, file=self._out, flush=True)

    def show_changes(self, user: SimulatedUser) -> None:
        for message in user.messages():
            key = (user.user_id, message.message_id)
            snapshot = (message.text, _button_rows(message))
            seen = self._seen.get(key)
            self._seen[key] = snapshot
            if seen == snapshot:
                continue
            if seen is not None and seen[0] == snapshot[0] and not snapshot[1]:
                # Only the old buttons went away (a newer message took over): not news.
                continue
            self._render(message, "✎ " if seen is not None else "")

    def _render(self, message, marker: str) -> None:
        body = message.text or message.caption or ""
        if message.document is not None:
            body = f"📎 {message.document.get('file_name', 'document')}\n{body}".strip()
        if message.photo is not None:
            body = f"🖼 photo\n{body}".strip()
        lines = body.splitlines() or [""]
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


def _button_rows(message) -> tuple[tuple[str, ...], ...]:
    rows = [tuple(button.text for button in row) for row in (message.buttons or [])]
    rows += [tuple(button.text for button in row) for row in (message.reply_keyboard or [])]
    return tuple(rows)


class Sandbox:
    def __init__(self, world: LocalWorld, lang: str, out: TextIO) -> None:
        self.world = world
        self.lang = lang
        self.transcript = Transcript(out)
        self.persona = PERSONAS[DEFAULT_PERSONA]

    @property
    def user(self) -> SimulatedUser:
        persona = self.persona
        emulator = self.world.emulator
        if emulator is None:
            raise RuntimeError("the sandbox's world is not started")
        return emulator.user(
            user_id=persona.user_id, first_name=persona.first_name, language_code=self.lang
        )

    def switch(self, name: str) -> None:
        if name not in PERSONAS:
            raise ScriptError(f"no user named {name!r}; there are: {', '.join(PERSONAS)}")
        self.persona = PERSONAS[name]
        self.transcript.say(f"── as {name} ({self.persona.first_name}) ──")

    async def act(self, line: str) -> None:
        line = line.rstrip("\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return
        if stripped.startswith("as ") and len(stripped.split()) == 2:
            self.switch(stripped.split()[1])
            return
        if stripped.startswith("[") and stripped.endswith("]"):
            await self.press(stripped[1:-1])
            return
        if stripped.startswith("wait ") and len(stripped.split()) == 2:
            await self.wait(stripped.split()[1])
            return
        self.transcript.say(f"> {line}")
        await self.user.send(line)
        self.transcript.show_changes(self.user)

    async def press(self, text: str) -> None:
        self.transcript.say(f"> [{text}]")
        try:
            await self.user.press(text)
        except ButtonNotFound as exc:
            there = ", ".join(f"[{b}]" for b in exc.available) or "no buttons"
            raise ScriptError(
                f"no button [{text}] on the latest message; there were: {there}"
            ) from None
        self.transcript.show_changes(self.user)

    async def wait(self, seconds: str) -> None:
        try:
            delay = float(seconds)
        except ValueError:
            raise ScriptError(f"wait takes a number of seconds, not {seconds!r}") from None
        self.transcript.say(f"… {delay:g} s")
        await asyncio.sleep(min(max(delay, 0), 60))
        self.transcript.show_changes(self.user)

    async def press_number(self, number: int) -> None:
        message = next((m for m in reversed(self.user.messages()) if _button_rows(m)), None)
        labels = [text for row in _button_rows(message) for text in row] if message else []
        if not 1 <= number <= len(labels):
            self.transcript.say(f"! there is no button {number}")
            return
        await self.press(labels[number - 1])


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
    say("Type a message, [Button text] or a button's number; `as NAME` switches user")
    say(f"({', '.join(PERSONAS)}); Ctrl-D quits. Start with /start.")
    loop = asyncio.get_running_loop()
    while True:
        prompt = f"{sandbox.persona.name}> "
        line = await loop.run_in_executor(None, _read_line, prompt)
        if line is None:
            return 0
        try:
            if line.strip().isdigit():
                await sandbox.press_number(int(line.strip()))
            else:
                await sandbox.act(line)
        except ScriptError as exc:
            say(f"! {exc}")


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def run_sandbox(
    script: str | None = None, db: str | None = None, lang: str = "ru", out: TextIO | None = None
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
    return asyncio.run(
        _run(script, script_lines, database, lang, out, DEMO_TOPICS.read_text(encoding="utf-8"))
    )


async def _run(
    script: str | None,
    script_lines: list[str] | None,
    db: Path | None,
    lang: str,
    out: TextIO | None,
    demo_topics: str,
) -> int:
    configure_logging("WARNING", "text")
    logging.getLogger("aiogram").setLevel(logging.ERROR)
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
        world = LocalWorld(settings)
        await world.start()
        try:
            await seed_sandbox(world, demo_topics)
            sandbox = Sandbox(world, lang, out or sys.stdout)
            if script is not None and script_lines is not None:
                return await run_script(sandbox, Path(script), script_lines)
            return await run_interactive(sandbox)
        finally:
            await world.stop()
