"""Per-bot state: identity, chats and their messages, files, the update queue, settings."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from emulator.records import VisibleMessage

# With an empty allowed_updates Telegram sends everything except these.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class ChatState:
    """A chat between the bot and a user (private) or a group."""

    chat: dict[str, Any]
    messages: dict[int, VisibleMessage] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    started: bool = False  # the user has written to the bot at least once
    reply_keyboard: dict | None = None  # the keyboard currently shown, if any

    @property
    def chat_id(self) -> int:
        return self.chat["id"]

    @property
    def chat_instance(self) -> str:
        digest = hashlib.sha1(str(self.chat_id).encode()).hexdigest()
        return str(int(digest[:15], 16))

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def visible(self) -> list[VisibleMessage]:
        return [m for _, m in sorted(self.messages.items()) if not m.deleted]


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


class BotState:
    """Everything Telegram keeps for one bot token."""

    def __init__(
        self, token: str, user: dict[str, Any], honour_allowed_updates: bool = True
    ) -> None:
        self.token = token
        self.user = user
        self.honour_allowed_updates = honour_allowed_updates
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: list[str] | None = None
        self.webhook: Webhook | None = None
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict] = {}
        self.callback_queries: dict[str, tuple[int, bool]] = {}  # id -> (user id, answered)
        self.waiters: set[asyncio.Event] = set()  # long polls and webhook workers
        self.poll_generation = 0  # bumped by each getUpdates; older polls see the conflict
        self.delivering: set[int] = set()  # update ids in an unfinished webhook POST
        self._file_counter = itertools.count(1)

    @property
    def bot_id(self) -> int:
        return self.user["id"]

    # -- updates -------------------------------------------------------------------------

    def wants(self, update: dict[str, Any]) -> bool:
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        kind = update_type(update)
        if not self.honour_allowed_updates:
            return True
        if not allowed:
            return kind not in OPT_IN_UPDATES
        return kind in allowed

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        if "update_id" not in update:
            update = {"update_id": self.next_update_id, **update}
        self.next_update_id = max(self.next_update_id, update["update_id"] + 1)
        self.pending.append(update)
        self.notify()
        return update

    def notify(self) -> None:
        """Wake every long poll and webhook worker of this bot."""
        for waiter in self.waiters:
            waiter.set()

    def acknowledge_below(self, offset: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def acknowledge(self, update_id: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] != update_id]

    def is_acknowledged(self, update_id: int) -> bool:
        return all(u["update_id"] != update_id for u in self.pending)

    def drop_unwanted(self) -> None:
        self.pending = [u for u in self.pending if self.wants(u)]

    # -- chats and files -----------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatState | None:
        return self.chats.get(chat_id)

    def ensure_chat(self, chat: dict[str, Any]) -> ChatState:
        state = self.chats.get(chat["id"])
        if state is None:
            state = self.chats[chat["id"]] = ChatState(chat=chat)
        return state

    def store_file(
        self, content: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_counter)
        unique = hashlib.sha1(f"{self.bot_id}:{number}".encode()).hexdigest()[:16]
        file_id = f"{kind[:3].upper()}{self.bot_id}x{number}x{unique}"
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photos":
            extension = ".jpg"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"U{unique}",
            content=content,
            file_path=f"{kind}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)


def now() -> int:
    return int(time.time())
