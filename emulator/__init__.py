"""A local stand-in for the Telegram Bot API server, with simulated users.

Used by `ngo-bot sandbox`, by end-to-end tests that drive the real aiogram bot
over real HTTP, and by reliability work (faults, rate limits, load).
"""

from emulator.config import DEFAULT_TOKEN, EmulatorConfig, Faults, MethodFault, RateLimits
from emulator.emulator import Emulator
from emulator.errors import ApiError
from emulator.html_entities import EntityParseError, escape_html, parse_html
from emulator.keyboards import InlineButton, ReplyButton
from emulator.records import Call, CallbackAnswer, Delivery, FaultRecord, Violation, VisibleMessage
from emulator.users import ButtonNotFound, SimulatedGroup, SimulatedUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ButtonNotFound",
    "Call",
    "CallbackAnswer",
    "Delivery",
    "Emulator",
    "EmulatorConfig",
    "EntityParseError",
    "FaultRecord",
    "Faults",
    "InlineButton",
    "MethodFault",
    "RateLimits",
    "ReplyButton",
    "SimulatedGroup",
    "SimulatedUser",
    "Violation",
    "VisibleMessage",
    "escape_html",
    "parse_html",
]
