"""The `ngo-bot` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from pydantic_settings import SettingsError

from bot.log_format import configure_logging
from core.settings import Settings

EXIT_CONFIG = 2


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """A wrong argument gets one line that names it and where help is, not the usage
    block: the same shape as a wrong setting (argparse's status 2 is kept)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"{self.prog}: {message} (see {self.prog} --help)\n")


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except (ValidationError, SettingsError) as exc:
        raise CliError(settings_problem(exc)) from None


def settings_problem(exc: ValidationError | SettingsError) -> str:
    """One line naming the setting and what is wrong with its value."""
    if isinstance(exc, SettingsError):  # a value that is not the JSON a table or a list needs
        field = str(exc).partition('"')[2].partition('"')[0] or "settings"
        return f"{field.upper()}: not valid JSON"
    first = exc.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "settings"
    message = first["msg"].removeprefix("Value error, ")
    return f"{name}: {message}"


def _run(args: argparse.Namespace) -> None:
    from bot.runner import StartupError, serve

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    try:
        asyncio.run(serve(settings, apply_migrations=not args.no_migrate, freeze_heap=True))
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


def _topics(args: argparse.Namespace) -> None:
    from bot.runner import StartupError, open_database
    from core.clock import Clock
    from grants.topic_files import TopicFileError, dump_topics, import_topics
    from storage.engine import create_session_factory
    from storage.store import Store

    settings = load_settings()
    configure_logging("WARNING", "text", settings.secrets())

    text = None
    if args.action == "import":
        text = sys.stdin.read() if args.file == "-" else _read(args.file)

    async def go() -> str:
        engine = await open_database(settings, apply_migrations=True)
        try:
            async with create_session_factory(engine)() as session:
                store = Store(session)
                if text is not None:
                    now = Clock(settings.timezone).now()
                    result = await import_topics(store, text, now, settings.mci_kzt_by_year)
                    await store.commit()
                    return f"topics imported: {result.created} new, {result.updated} updated"
                return dump_topics(await store.topics.all(), Clock(settings.timezone).zone)
        finally:
            await engine.dispose()

    try:
        outcome = asyncio.run(go())
    except (StartupError, TopicFileError) as exc:
        raise CliError(str(exc)) from None
    if args.action == "export" and args.file != "-":
        try:
            with open(args.file, "w", encoding="utf-8") as out:
                out.write(outcome)
        except OSError as exc:
            raise CliError(f"cannot write {args.file}: {exc.strerror}") from None
        outcome = f"topics exported to {args.file}"
    print(outcome)


def _admin(args: argparse.Namespace) -> None:
    from bot.runner import StartupError, open_database
    from console import roles
    from core.clock import Clock
    from storage.engine import create_session_factory
    from storage.store import Store

    settings = load_settings()
    configure_logging("WARNING", "text", settings.secrets())
    role = roles.parse_role(args.role)
    if role is None:
        raise CliError(f"ROLE must be one of: {', '.join(r.value for r in roles.Role)}")

    async def go() -> str:
        engine = await open_database(settings, apply_migrations=True)
        try:
            async with create_session_factory(engine)() as session:
                store = Store(session)
                change = roles.grant if args.action == "grant" else roles.revoke
                now = Clock(settings.timezone).now()
                changed = await change(store, roles.COMMAND_LINE, args.telegram_id, role, now)
                await store.commit()
        finally:
            await engine.dispose()
        verb = "granted to" if args.action == "grant" else "revoked from"
        if not changed:
            state = "has" if args.action == "grant" else "lacks"
            return f"nothing to do: {args.telegram_id} {state} {role.value}"
        return f"{role.value} {verb} {args.telegram_id}"

    try:
        print(asyncio.run(go()))
    except StartupError as exc:
        raise CliError(str(exc)) from None


def _export(args: argparse.Namespace) -> None:
    from pathlib import Path

    from bot.runner import StartupError, open_database
    from console.exports import ExportError, ExportFilters, ExportFormat, ExportKind, export
    from console.roles import COMMAND_LINE
    from core.clock import Clock
    from core.i18n import Translator
    from storage.engine import create_session_factory
    from storage.store import Store

    settings = load_settings()
    configure_logging("WARNING", "text", settings.secrets())
    clock = Clock(settings.timezone)
    filters = ExportFilters(topic=args.topic, region=args.region, year=args.year)

    async def go() -> str:
        engine = await open_database(settings, apply_migrations=True)
        try:
            async with create_session_factory(engine)() as session:
                store = Store(session)
                made = await export(
                    store,
                    kind=ExportKind(args.kind),
                    fmt=ExportFormat(args.format),
                    filters=filters,
                    t=Translator().for_locale(args.lang),
                    zone=clock.zone,
                    now=clock.now(),
                    actor=COMMAND_LINE,
                )
                try:
                    await asyncio.to_thread(Path(args.out).write_bytes, made.content)
                except OSError as exc:
                    raise CliError(f"cannot write {args.out}: {exc.strerror}") from None
                await store.commit()
                return f"{args.kind}: {made.row_count} rows written to {args.out}"
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(go()))
    except StartupError as exc:
        raise CliError(str(exc)) from None
    except ExportError as exc:
        raise CliError(f"export: {exc.problem.value.replace('_', ' ')}") from None


def _backup(args: argparse.Namespace) -> None:
    from bot.backup import BackupError, backup_sqlite, sqlite_file

    settings = load_settings()
    try:
        made = backup_sqlite(sqlite_file(settings.database_url), args.file)
    except BackupError as exc:
        raise CliError(f"backup: {exc}") from None
    print(f"backup written to {made.path} ({made.size} bytes, integrity ok)")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as source:
            return source.read()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def _emulator(args: argparse.Namespace) -> None:
    from emulator.cli import main as emulator_main

    forwarded = ["--host", args.host, "--port", str(args.port)]
    sys.exit(emulator_main(forwarded + list(args.emulator_args)))


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Almaty"))
    return moment


SANDBOX_HELP = """\
Chat with the real bot through a local Telegram emulator, as one of a few
simulated people, at the prompt or from a script written in English.

Lines:
  TEXT                 sent as a message, whatever it is (a BIN, a year, 0)
  > TEXT               sent as it is, even if it looks like a line below
  [N]                  press the button numbered N in the transcript
  [Button text]        press a button by its English text, in any --lang
  choose language      press the --lang at the language picker
  as NAME              act as ngo, colleague, operator, expert, expert2,
                       expert3, admin, ministry, member1, member2, member3
  send FILE [CAPTION]  send a file (relative to the script); .jpg/.png: a photo
  location LAT LON     share a location
  contact PHONE        share one's own contact
  voice SECONDS        send a voice note
  video note SECONDS   send a round video message
  link PAYLOAD         open t.me/<bot>?start=PAYLOAD
  wait DURATION        move the bot's clock on (30s, 10m, 2h, 3d)
  # comment            ignored

The transcript: `>` what the person did, `<` the bot (`✎` an edit),
`! toast` and `!! alert` for pop-ups. Each step ends when the bot has finished
with it, so a script prints the same transcript on any machine.
"""


def _sandbox(args: argparse.Namespace) -> None:
    from bot.runner import StartupError
    from bot.sandbox import SandboxDatabaseError, run_sandbox

    try:
        status = run_sandbox(script=args.script, db=args.db, lang=args.lang, now=args.now)
    except SandboxDatabaseError as exc:
        raise CliError(f"--db {args.db}: {exc}") from None
    except (ValidationError, SettingsError) as exc:  # the environment's settings apply too
        raise CliError(settings_problem(exc)) from None
    except StartupError as exc:
        if not args.db:
            raise CliError(str(exc)) from None
        # The reason after the URL the sandbox made of --db: "file is not a database".
        reason = str(exc).rpartition(": ")[2]
        raise CliError(f"--db {args.db}: cannot open the database: {reason}") from None
    sys.exit(status)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
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

    topics = commands.add_parser("topics", help="import or export grant topics as YAML")
    topics.add_argument("action", choices=("import", "export"))
    topics.add_argument("file", help="a YAML file, or - for standard input/output")
    topics.set_defaults(handler=_topics)

    admin = commands.add_parser("admin", help="grant or revoke a role: admin, operator, expert")
    admin.add_argument("action", choices=("grant", "revoke"))
    admin.add_argument("telegram_id", type=int, metavar="TELEGRAM_ID")
    admin.add_argument("role", metavar="ROLE", help="admin, operator or expert")
    admin.set_defaults(handler=_admin)

    exp = commands.add_parser(
        "export", help="export organisations, filings, applications or awards as XLSX or CSV"
    )
    exp.add_argument("kind", choices=("organisations", "filings", "applications", "awards"))
    exp.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    exp.add_argument("--out", required=True, help="the file to write")
    exp.add_argument("--topic", help="only this grant topic (its code)")
    exp.add_argument("--region", help="only organisations in this region (its code)")
    exp.add_argument("--year", type=int, help="only this year")
    exp.add_argument(
        "--lang", choices=("kk", "ru", "en"), default="ru", help="the language of the headers"
    )
    exp.set_defaults(handler=_export)

    backup = commands.add_parser(
        "backup", help="copy the SQLite database to FILE while the bot runs (consistent)"
    )
    backup.add_argument("file", metavar="FILE", help="the backup file to create (must not exist)")
    backup.set_defaults(handler=_backup)

    emu = commands.add_parser("emulator", help="run the local Telegram Bot API emulator standalone")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=8081)
    emu.add_argument("emulator_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    emu.set_defaults(handler=_emulator)

    sandbox = commands.add_parser(
        "sandbox",
        help="try the whole bot in this terminal, with no token and no network",
        description=SANDBOX_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sandbox.add_argument("--script", help="run the lines in FILE and print the transcript")
    sandbox.add_argument(
        "--db", help="keep the sandbox database in FILE (default: a temporary one)"
    )
    sandbox.add_argument(
        "--lang",
        choices=("kk", "ru", "en"),
        default="ru",
        help="the language the simulated people speak and choose (default: ru)",
    )
    sandbox.add_argument(
        "--now",
        type=_moment,
        help="pretend the clock shows this moment, e.g. 2026-12-07T15:00+05:00 "
        "(Almaty time if no offset is given); the clock runs on from there",
    )
    sandbox.set_defaults(handler=_sandbox)
    return parser


def _quiet_thread_errors(args: threading.ExceptHookArgs) -> None:
    """A driver's worker thread (aiosqlite) may still report after the loop closed,
    when a start-up check already failed and said why in one line. Say it in one
    line too, instead of a traceback after the real message."""
    if isinstance(args.exc_value, RuntimeError) and "Event loop is closed" in str(args.exc_value):
        return
    print(f"ngo-bot: background error: {args.exc_type.__name__}: {args.exc_value}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> None:
    threading.excepthook = _quiet_thread_errors
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
