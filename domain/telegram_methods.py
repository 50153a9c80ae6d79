"""The Bot API methods Telegram's flood control counts: those that send a message.

One list for the bot's rate limiter (delivery/rate_limit.py), its metrics and the
shared budget (through bot/app.py), and the emulator's flood control
(emulator/rate_limits.py). Lower case: aiogram's method names and the HTTP
path's are compared case-insensitively, as Telegram does.
"""

from __future__ import annotations

SENDING_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendaudio", "sendvideo", "sendanimation",
        "sendvoice", "sendvideonote", "sendmediagroup", "sendlocation", "sendvenue",
        "sendcontact", "sendpoll", "senddice", "sendsticker", "copymessage", "copymessages",
        "forwardmessage", "forwardmessages", "sendpaidmedia", "sendinvoice",
    }
)  # fmt: skip
