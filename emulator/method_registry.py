"""The table of Bot API methods the emulator answers, keyed by lower-case name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.errors import bad_request
from emulator.params import Upload

if TYPE_CHECKING:
    from emulator.emulator import Emulator
    from emulator.state import BotState


@dataclass
class MethodContext:
    """One call: who is calling, with what."""

    emulator: Emulator
    bot: BotState
    method: str
    params: dict[str, Any]
    files: dict[str, Upload]

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def require(self, name: str, missing: str | None = None) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            raise bad_request(missing or f"{name} is empty")
        return value


Handler = Callable[[MethodContext], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its canonical camelCase name."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


def canonical_name(method: str) -> str:
    entry = METHODS.get(method.lower())
    return entry[0] if entry else method
