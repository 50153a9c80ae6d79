"""Simulated people: they write, press buttons, share contacts and files, block the bot."""

from __future__ import annotations

import copy
import itertools
import re
from typing import TYPE_CHECKING, Any

from emulator.html_entities import utf16_len
from emulator.methods_files import document_dict, photo_sizes
from emulator.records import CallbackAnswer, VisibleMessage
from emulator.state import BotState, ChatState, now

if TYPE_CHECKING:
    from emulator.emulator import Emulator

COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_callback_ids = itertools.count(1)


class ButtonNotFound(LookupError):
    """press() found no button with that text; `available` lists the ones there were."""

    def __init__(self, text: str, available: list[str]) -> None:
        shown = ", ".join(f"[{b}]" for b in available) or "no buttons"
        super().__init__(f"no button [{text}]; there were: {shown}")
        self.text = text
        self.available = available


class SimulatedGroup:
    """A group chat in which simulated users can write to the bot."""

    def __init__(self, bot: BotState, chat_id: int, title: str) -> None:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        self.chat_id = chat_id
        self.title = title
        self.state = bot.ensure_chat({"id": chat_id, "type": kind, "title": title})

    def messages(self) -> list[VisibleMessage]:
        return self.state.visible()


class SimulatedUser:
    """One Telegram user talking to one bot. Actions wait until the bot has settled
    (see Emulator.settle) unless called with wait=False."""

    def __init__(
        self,
        emulator: Emulator,
        bot: BotState,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
        last_name: str | None,
    ) -> None:
        self.emulator = emulator
        self.bot = bot
        self.user_id = user_id
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            self.user["last_name"] = last_name
        if username:
            self.user["username"] = username
        if language_code:
            self.user["language_code"] = language_code
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            chat["last_name"] = last_name
        if username:
            chat["username"] = username
        self.chat = bot.ensure_chat(chat)

    # -- what the user sees --------------------------------------------------------------

    def messages(self) -> list[VisibleMessage]:
        """The bot's visible messages in the private chat, in order, edits applied."""
        return [m for m in self.chat.visible() if m.from_bot]

    def last_message(self) -> VisibleMessage | None:
        messages = self.messages()
        return messages[-1] if messages else None

    def transcript(self) -> list[VisibleMessage]:
        """Both sides of the private chat, in order."""
        return self.chat.visible()

    @property
    def last_callback_answer(self) -> CallbackAnswer | None:
        return self.emulator.callback_answers.get((self.bot.bot_id, self.user_id))

    @property
    def blocked(self) -> bool:
        return self.chat.blocked

    # -- acting --------------------------------------------------------------------------

    async def _push(self, update: dict[str, Any], wait: bool, timeout: float | None) -> dict:
        return await self.emulator.send_update(update, self.bot.token, wait, timeout)

    def _chat_state(self, chat: SimulatedGroup | None) -> ChatState:
        if chat is not None:
            return chat.state
        if self.chat.blocked:
            # Writing to a bot you blocked means pressing "Restart": it unblocks first.
            self.unblock()
        self.chat.started = True
        return self.chat

    def _new_message(self, chat: ChatState, content: dict[str, Any]) -> dict[str, Any]:
        message_id = chat.take_message_id()
        raw = {
            "message_id": message_id,
            "from": dict(self.user),
            "chat": dict(chat.chat),
            "date": now(),
            **content,
        }
        chat.messages[message_id] = VisibleMessage(
            message_id=message_id,
            chat_id=chat.chat_id,
            from_bot=False,
            sender_id=self.user_id,
            date=raw["date"],
            raw=raw,
            raw_text=content.get("text"),
        )
        return raw

    async def send(
        self,
        text: str,
        chat: SimulatedGroup | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a text message; a leading /command gets its bot_command entity."""
        state = self._chat_state(chat)
        content: dict[str, Any] = {"text": text}
        match = COMMAND.match(text)
        if match:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
            ]
        return await self._push({"message": self._new_message(state, content)}, wait, timeout)

    async def share_contact(
        self, phone_number: str = "+77011234567", wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """Share the user's own contact, as the request_contact button does."""
        contact = {
            "phone_number": phone_number,
            "first_name": self.user["first_name"],
            "user_id": self.user_id,
        }
        if "last_name" in self.user:
            contact["last_name"] = self.user["last_name"]
        message = self._new_message(self._chat_state(None), {"contact": contact})
        return await self._push({"message": message}, wait, timeout)

    async def send_document(
        self,
        file_name: str = "document.pdf",
        content: bytes = b"%PDF-1.4\n",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        stored = self.bot.store_file(content, "documents", file_name, mime_type)
        body: dict[str, Any] = {"document": document_dict(stored)}
        if caption:
            body["caption"] = caption
        message = self._new_message(self._chat_state(None), body)
        return await self._push({"message": message}, wait, timeout)

    async def send_photo(
        self,
        content: bytes = b"\x89PNG\r\n\x1a\n",
        caption: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        stored = self.bot.store_file(content, "photos", None, "image/jpeg")
        body: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption:
            body["caption"] = caption
        message = self._new_message(self._chat_state(None), body)
        return await self._push({"message": message}, wait, timeout)

    async def send_sticker(
        self, emoji: str = "👍", wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        stored = self.bot.store_file(b"RIFF0000WEBP", "stickers", "sticker.webp", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        message = self._new_message(self._chat_state(None), {"sticker": sticker})
        return await self._push({"message": message}, wait, timeout)

    async def share_location(
        self, latitude: float, longitude: float, wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """Share a point on the map (the attachment menu's Location)."""
        location = {"latitude": latitude, "longitude": longitude}
        message = self._new_message(self._chat_state(None), {"location": location})
        return await self._push({"message": message}, wait, timeout)

    async def send_voice(
        self, duration: int = 3, wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """A voice note of `duration` seconds (OGG/Opus, as Telegram's clients record)."""
        stored = self.bot.store_file(b"OggS" + bytes(60), "voice", None, "audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        message = self._new_message(self._chat_state(None), {"voice": voice})
        return await self._push({"message": message}, wait, timeout)

    async def send_video_note(
        self, duration: int = 5, length: int = 384, wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """A round video message of `duration` seconds, `length` pixels across."""
        stored = self.bot.store_file(bytes(64), "video_notes", None, "video/mp4")
        video_note = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "length": length,
            "duration": duration,
            "file_size": stored.size,
        }
        message = self._new_message(self._chat_state(None), {"video_note": video_note})
        return await self._push({"message": message}, wait, timeout)

    async def open_link(
        self, payload: str, wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """Open t.me/<bot>?start=<payload>: Telegram sends "/start <payload>", the
        command entity covering "/start" only."""
        if not START_PAYLOAD.fullmatch(payload):
            raise ValueError("a start payload is 1-64 characters: A-Z, a-z, 0-9, _ and -")
        return await self.send(f"/start {payload}", wait=wait, timeout=timeout)

    async def edit_last(
        self, text: str, wait: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """Edit the user's latest text message: an edited_message update."""
        mine = [m for m in self.chat.visible() if not m.from_bot and "text" in m.raw]
        if not mine:
            raise LookupError("the user has sent no text message to edit")
        message = mine[-1]
        message.edits.append(message.snapshot())
        message.raw["text"] = text
        message.raw.pop("entities", None)
        message.raw["edit_date"] = now()
        message.raw_text = text
        return await self._push({"edited_message": copy.deepcopy(message.raw)}, wait, timeout)

    # -- buttons -------------------------------------------------------------------------

    def _latest_with_buttons(self, chat: ChatState) -> VisibleMessage | None:
        return next((m for m in reversed(chat.visible()) if m.from_bot and m.buttons), None)

    async def press(
        self,
        text: str,
        message: VisibleMessage | None = None,
        chat: SimulatedGroup | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any] | None:
        """Press the button with exactly this text: inline on the latest bot message that
        has inline buttons (or on `message`), else on the reply keyboard shown."""
        state = chat.state if chat else self.chat
        target = message or self._latest_with_buttons(state)
        available: list[str] = []
        if target is not None:
            for row in target.buttons:
                for button in row:
                    available.append(button.text)
                    if button.text != text:
                        continue
                    if button.callback_data is None:
                        return None  # a URL or web-app button: the client opens it, no update
                    return await self._callback(state, target, button.callback_data, wait, timeout)
        if message is None and state.reply_keyboard:
            for row in state.reply_keyboard["keyboard"]:
                for button in row:
                    available.append(button["text"])
                    if button["text"] != text:
                        continue
                    if button.get("request_contact"):
                        return await self.share_contact(wait=wait, timeout=timeout)
                    return await self.send(text, chat=chat, wait=wait, timeout=timeout)
        raise ButtonNotFound(text, available)

    async def press_data(
        self,
        data: str,
        message: VisibleMessage | None = None,
        chat: SimulatedGroup | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """A callback_query with arbitrary data: what a forged client could send."""
        state = chat.state if chat else self.chat
        target = message or self._latest_with_buttons(state)
        if target is None:
            target = next((m for m in reversed(state.visible()) if m.from_bot), None)
        if target is None:
            raise LookupError("there is no bot message to attach a callback to")
        return await self._callback(state, target, data, wait, timeout)

    async def _callback(
        self,
        state: ChatState,
        message: VisibleMessage,
        data: str,
        wait: bool,
        timeout: float | None,
    ) -> dict[str, Any]:
        query_id = f"{self.user_id}{next(_callback_ids):08d}"
        self.bot.callback_queries[query_id] = (self.user_id, False)
        query = {
            "id": query_id,
            "from": dict(self.user),
            "message": copy.deepcopy(message.raw),
            "chat_instance": state.chat_instance,
            "data": data,
        }
        return await self._push({"callback_query": query}, wait, timeout)

    # -- blocking ------------------------------------------------------------------------

    def _member_update(self, old: str, new: str) -> None:
        bot_user = dict(self.bot.user)
        new_member: dict[str, Any] = {"status": new, "user": bot_user}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot_user}
        if old == "kicked":
            old_member["until_date"] = 0
        self.bot.push_update(
            {
                "my_chat_member": {
                    "chat": dict(self.chat.chat),
                    "from": dict(self.user),
                    "date": now(),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def block(self) -> None:
        """Block the bot: later sends get 403, and the bot gets a my_chat_member update."""
        if not self.chat.blocked:
            self.chat.blocked = True
            self._member_update("member", "kicked")

    def unblock(self) -> None:
        if self.chat.blocked:
            self.chat.blocked = False
            self._member_update("kicked", "member")
