"""Imports point down the layers (docs/ARCHITECTURE.md, "Layers"), and aiogram
stays where the code talks to Telegram.

Every import counts, at the top of a module or inside a function, type-only or
not: a layer that may not import another may not even name it for mypy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GROUND = {"domain", "locales", "core"}
# What each product package may import besides itself, from the ground up.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "locales": set(),
    "core": {"domain", "locales"},
    "storage": GROUND,
    # The use cases, in an order: each may use those before it, never after. The
    # outbox comes first: every use case queues its notices there (delivery/notices.py).
    "delivery": GROUND | {"storage"},
    "registry": GROUND | {"storage", "delivery"},
    "grants": GROUND | {"storage", "delivery", "registry"},
    "console": GROUND | {"storage", "registry", "grants", "delivery"},
    # The drivers: the clock's jobs, then the bot, which composes everything.
    "scheduler": GROUND | {"storage", "registry", "grants", "delivery", "console"},
    "bot": GROUND | {"storage", "registry", "grants", "delivery", "console", "scheduler"},
}
PRODUCT = set(ALLOWED)
OUTSIDE = {"emulator", "bench"}  # beside the product: they use it, it does not use them
# The sandbox is the one part of the product that runs the emulator.
MAY_USE_THE_EMULATOR = {"bot/sandbox.py", "bot/local_world.py", "bot/cli.py"}
# aiogram only where the code talks to Telegram.
MAY_USE_AIOGRAM = {
    "storage/fsm.py",  # aiogram's FSM storage, on our database
    "delivery/sender.py",  # the outbox's sends
    "delivery/rate_limit.py",  # the flood control, a client-session middleware
    "delivery/flush.py",  # sends a use case's queued notices at once
}
TELEGRAM_LIBRARIES = {"aiogram", "aiogram_dialog"}
# The pure rules take no infrastructure at all.
NOT_IN_DOMAIN = {"sqlalchemy", "aiohttp", "redis", "apscheduler", "pydantic_settings"}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def product_files():
    for package in sorted(PRODUCT | OUTSIDE):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield package, path


def broken_rules() -> list[str]:
    broken = []
    for package, path in product_files():
        name = path.relative_to(ROOT).as_posix()
        for line, module in imports(path):
            top = module.split(".")[0]
            where = f"{name}:{line} imports {module}"
            if package in PRODUCT:
                if top in PRODUCT and top != package and top not in ALLOWED[package]:
                    broken.append(f"{where}: {package} may not import {top} (a layer above)")
                if top in OUTSIDE and not (top == "emulator" and name in MAY_USE_THE_EMULATOR):
                    broken.append(f"{where}: the product does not import {top}")
                if (
                    top in TELEGRAM_LIBRARIES
                    and package != "bot"
                    and (top == "aiogram_dialog" or name not in MAY_USE_AIOGRAM)
                ):
                    broken.append(f"{where}: {top} only where the code talks to Telegram")
                if package == "domain" and top in NOT_IN_DOMAIN:
                    broken.append(f"{where}: the domain's rules take no infrastructure")
            if name.startswith("bot/dialogs/") and module.startswith("bot.handlers"):
                broken.append(f"{where}: a dialog does not import a handler module")
    return broken


def test_imports_point_down_the_layers():
    assert broken_rules() == []


def test_every_product_package_has_a_place():
    """A new top-level package is given its layer here before it is used."""
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "examples", "docs"}
    }
    assert packages <= PRODUCT | OUTSIDE, packages - (PRODUCT | OUTSIDE)


@pytest.mark.parametrize(
    ("package", "source", "rule"),
    [
        ("delivery", "from bot.i18n import Texts\n", "a layer above"),
        ("domain", "def f():\n    from storage.models import Person\n", "a layer above"),
        ("console", "import aiogram\n", "talks to Telegram"),
        ("grants", "from emulator import Emulator\n", "does not import emulator"),
        ("domain", "import sqlalchemy\n", "no infrastructure"),
    ],
)
def test_the_guard_sees_a_broken_rule(tmp_path, monkeypatch, package, source, rule):
    """The guard itself: an import that breaks a rule is reported."""
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "bad.py").write_text(source)
    for other in PRODUCT | OUTSIDE:
        (tmp_path / other).mkdir(exist_ok=True)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    broken = broken_rules()
    assert len(broken) == 1 and rule in broken[0], broken


def test_the_guard_sees_a_dialog_importing_a_handler(tmp_path, monkeypatch):
    """Handlers may start dialogs; a dialog takes nothing from a handler module."""
    for other in PRODUCT | OUTSIDE:
        (tmp_path / other).mkdir()
    (tmp_path / "bot" / "dialogs").mkdir()
    (tmp_path / "bot" / "handlers").mkdir()
    (tmp_path / "bot" / "handlers" / "staff.py").write_text("from bot.dialogs.staff import X\n")
    (tmp_path / "bot" / "dialogs" / "staff.py").write_text("from bot.handlers.staff import Y\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    broken = broken_rules()
    assert len(broken) == 1, broken
    assert broken[0].startswith("bot/dialogs/staff.py:1 imports bot.handlers.staff"), broken
