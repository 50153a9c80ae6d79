"""Emulator settings: identity of the default bot, rate limits and injected faults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_TOKEN = "123456789:AAEsandboxTOKENsandboxTOKENsandbox0"

# Fault injection leaves these alone unless `Faults.methods` names them: a bot
# that cannot even start or receive updates teaches nothing about reliability.
DEFAULT_FAULT_EXCLUDED = frozenset(
    {"getupdates", "getme", "setwebhook", "deletewebhook", "getwebhookinfo", "logout", "close"}
)


@dataclass
class RateLimits:
    """Telegram's flood limits. `time_factor` speeds every rate up (10 → 300 msg/s global).

    mode "reject" answers 429 like Telegram; "record" lets the call pass. Both
    record a violation, which tests assert on.

    retry_after is an int >= 1 as in Telegram (aiogram parses it as int); with
    a time_factor above 1 that over-states the wait, so `fractional_retry_after`
    lets the emulator send the exact (scaled) float instead, for clients that accept it.
    """

    global_per_second: int = 30
    per_chat_burst: int = 5
    per_chat_refill_per_second: float = 1.0
    group_per_window: int = 20
    group_window_seconds: float = 60.0
    paid_per_second: int = 1000
    time_factor: float = 1.0
    mode: Literal["reject", "record"] = "reject"
    fractional_retry_after: bool = False


# What a scripted fault may be: the seeded kinds, and three only a script gives.
_SCRIPTED_KIND = re.compile(
    r"error_[45]\d\d|html_[45]\d\d|malformed_json|unknown_method|burst_429"
    r"|(drop|timeout)_(before|after)"
)


@dataclass(frozen=True)
class MethodFault:
    """How one method is answered, set by a test rather than drawn from the seed:
    `kind` for the method's next `times` calls, or for every call until lifted (None).

    Kinds, besides the seeded ones (`error_500`, `error_502`: nginx's HTML page,
    any `error_<status>` as JSON, `burst_429`, `drop_before`, `drop_after`,
    `timeout_before`, `timeout_after`):
    `html_<status>`: an HTML error page with that status, as a proxy in front of
    the server sends (never executed);
    `malformed_json`: 200 with the real answer cut off halfway (executed: the
    answer was mangled on its way back);
    `unknown_method`: 404 with `{"description": "Not Found"}` and no `ok`, as a
    Bot API server that does not know the method answers (never executed).
    """

    kind: str
    times: int | None = None

    def __post_init__(self) -> None:
        if not _SCRIPTED_KIND.fullmatch(self.kind):
            raise ValueError(f"not a fault kind: {self.kind!r}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1, or None for every call")


@dataclass
class Faults:
    """Injected failures; every decision comes from `random.Random(seed)`, so a seed
    and the same sequence of eligible calls give the same faults.

    drop_mode: "before" closes the connection without executing, "after" executes
    and then closes, "mixed" chooses "after" with probability drop_after_fraction.
    timeout_rate: a request that hangs: the emulator sits on it for timeout_hold
    seconds and then closes the connection unanswered, so a client whose own
    timeout is shorter sees it time out, and any other sees a dropped connection.
    timeout_mode is drop_mode's twin: "after" executes the call before hanging
    (Telegram did it, the answer never came), "before" never executes it.
    slow_rate: a call answered normally but late, after slow_latency seconds more
    (on top of `latency`, which every eligible call gets).
    methods: lower- or camel-case method names eligible for faults; None means
    every method except DEFAULT_FAULT_EXCLUDED (pass a set with "getUpdates" to include it).
    per_method: scripted faults by method name (any method, getMe included, whatever
    `methods` says), e.g. {"setMyCommands": MethodFault("html_502")} for every call or
    {"getMe": MethodFault("unknown_method", times=2)} for the next two. A scripted
    call takes no random draw, so the seeded faults of the other calls stay as they were.
    """

    seed: int = 0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502)
    latency: tuple[float, float] = (0.0, 0.0)
    drop_rate: float = 0.0
    drop_mode: Literal["before", "after", "mixed"] = "before"
    drop_after_fraction: float = 0.5
    burst_429_rate: float = 0.0
    burst_length: int = 3
    burst_retry_after: int = 1
    timeout_rate: float = 0.0
    timeout_hold: float = 2.0
    timeout_mode: Literal["before", "after", "mixed"] = "before"
    slow_rate: float = 0.0
    slow_latency: tuple[float, float] = (0.5, 1.5)
    methods: frozenset[str] | None = None
    per_method: Mapping[str, MethodFault] = field(default_factory=dict)

    def eligible(self, method: str) -> bool:
        name = method.lower()
        if self.methods is None:
            return name not in DEFAULT_FAULT_EXCLUDED
        return name in {m.lower() for m in self.methods}

    @property
    def active(self) -> bool:
        return bool(
            self.error_rate
            or self.drop_rate
            or self.burst_429_rate
            or self.timeout_rate
            or self.slow_rate
            or max(self.latency) > 0
        )


@dataclass
class EmulatorConfig:
    """Everything configurable; the defaults give a quiet, fast, faithful Telegram."""

    token: str = DEFAULT_TOKEN
    bot_first_name: str = "NGO Sandbox Bot"
    bot_username: str = "ngo_sandbox_bot"
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    supports_inline_queries: bool = False
    rate_limits: RateLimits | None = None
    faults: Faults = field(default_factory=Faults)
    # Telegram refuses to let a bot write first: 403 "bot can't initiate conversation".
    require_user_start: bool = True
    # False: send every kind of update whatever the bot's allowed_updates say, as an
    # older or careless Bot API server may; a bot must survive what it did not ask for.
    honour_allowed_updates: bool = True
    # Webhook delivery retries: short so tests stay fast (Telegram waits far longer).
    webhook_retry_delay: float = 0.05
    webhook_retry_max_delay: float = 1.0
    webhook_timeout: float = 10.0
    # Default waiting for SimulatedUser actions.
    settle_timeout: float = 10.0
    settle_quiet: float = 0.05
