"""`python -m emulator` / `ngo-bot emulator`: the emulator as a standalone server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from emulator.config import EmulatorConfig, Faults, MethodFault, RateLimits
from emulator.emulator import Emulator


def method_fault(text: str) -> tuple[str, MethodFault]:
    method, _, fault = text.partition("=")
    kind, _, times = fault.partition(":")
    return method, MethodFault(kind, int(times) if times else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emulator", description="Local Telegram Bot API emulator (never calls Telegram)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="the default bot token")
    parser.add_argument("--bot-username", default=None)
    parser.add_argument(
        "--rate-limits",
        choices=("off", "reject", "record"),
        default="off",
        help="enforce Telegram's flood limits, answering 429 (reject) or only recording",
    )
    parser.add_argument("--time-factor", type=float, default=1.0, help="scale every rate")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="fraction answered 5xx")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="fraction of dropped calls")
    parser.add_argument("--burst-429-rate", type=float, default=0.0)
    parser.add_argument("--latency", default="0,0", help="MIN,MAX seconds added per call")
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument(
        "--fail-method",
        action="append",
        default=[],
        type=method_fault,
        metavar="METHOD=KIND[:TIMES]",
        help="answer METHOD with a scripted fault, e.g. setMyCommands=html_502 or "
        "getMe=unknown_method:2 (kinds: html_<status>, malformed_json, unknown_method, "
        "error_<status>, burst_429, drop_before/after, timeout_before/after)",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    config = EmulatorConfig()
    if args.token:
        config.token = args.token
    if args.bot_username:
        config.bot_username = args.bot_username
    if args.rate_limits != "off":
        config.rate_limits = RateLimits(mode=args.rate_limits, time_factor=args.time_factor)
    low, high = (float(x) for x in args.latency.split(","))
    config.faults = Faults(
        seed=args.fault_seed,
        error_rate=args.fault_rate,
        drop_rate=args.drop_rate,
        burst_429_rate=args.burst_429_rate,
        latency=(low, high),
        per_method=dict(args.fail_method),
    )
    return config


async def run_standalone(
    config: EmulatorConfig,
    host: str = "127.0.0.1",
    port: int = 8081,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until `stop` is set (or forever); prints where to point the bot."""
    emu = Emulator(config)
    await emu.start(host=host, port=port)
    print(f"Telegram Bot API emulator at {emu.base_url}", flush=True)
    print(f"  TELEGRAM_API_URL={emu.base_url}  BOT_TOKEN={config.token}", flush=True)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await emu.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_standalone(config_from_args(args), args.host, args.port))
    return 0
