"""The `ngo-bot` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.log_format import configure_logging
from bot.settings import Settings

EXIT_CONFIG = 2


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 2."""


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise CliError(f"{name}: {message}") from None


def _run(args: argparse.Namespace) -> None:
    from bot.runner import StartupError, serve

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    try:
        asyncio.run(serve(settings, apply_migrations=not args.no_migrate))
    except StartupError as exc:
        raise CliError(str(exc)) from None


def _migrate(args: argparse.Namespace) -> None:
    from bot.runner import StartupError, open_database
    from storage import migrate

    settings = load_settings()
    configure_logging(settings.log_level, "text", settings.secrets())

    async def go() -> None:
        engine = await open_database(settings, apply_migrations=args.revision == "head")
        try:
            if args.revision != "head":
                await migrate.upgrade(engine, args.revision)
            print(f"database at revision {await migrate.current_revision(engine)}")
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except StartupError as exc:
        raise CliError(str(exc)) from None


def _emulator(args: argparse.Namespace) -> None:
    from emulator.cli import main as emulator_main

    forwarded = ["--host", args.host, "--port", str(args.port)]
    sys.exit(emulator_main(forwarded + list(args.emulator_args)))


def _sandbox(args: argparse.Namespace) -> None:
    from bot.sandbox import run_sandbox

    sys.exit(asyncio.run(run_sandbox(script=args.script, db=args.db, lang=args.lang)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ngo-bot",
        description="Telegram bot for Kazakhstan's NGOs and the state grant system.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)"
    )
    run.add_argument(
        "--no-migrate",
        action="store_true",
        help="refuse to start if the database needs migrations instead of applying them",
    )
    run.set_defaults(handler=_run)

    mig = commands.add_parser("migrate", help="upgrade the database schema")
    mig.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    mig.set_defaults(handler=_migrate)

    emu = commands.add_parser("emulator", help="run the local Telegram Bot API emulator standalone")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=8081)
    emu.add_argument("emulator_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    emu.set_defaults(handler=_emulator)

    sandbox = commands.add_parser(
        "sandbox", help="try the whole bot in this terminal, with no token and no network"
    )
    sandbox.add_argument("--script", help="run the actions in FILE and print the transcript")
    sandbox.add_argument(
        "--db", help="keep the sandbox database in FILE (default: a temporary one)"
    )
    sandbox.add_argument(
        "--lang",
        choices=("kk", "ru", "en"),
        default="ru",
        help="the simulated users' Telegram language",
    )
    sandbox.set_defaults(handler=_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except CliError as exc:
        print(f"ngo-bot: {exc}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
