"""Every repository is reached through `storage.store.Store`: nothing outside
storage/ builds one from a session (tests of a repository itself may)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import storage.repositories
from storage import store

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "domain", "registry", "grants", "console", "delivery", "scheduler", "emulator")


def _repositories() -> frozenset[str]:
    """Every class in storage/repositories/ built from a session alone."""
    found = set()
    for info in pkgutil.iter_modules(storage.repositories.__path__):
        module = importlib.import_module(f"storage.repositories.{info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                params = list(inspect.signature(value.__init__).parameters)
                if params == ["self", "session"]:
                    found.add(name)
    return frozenset(found)


REPOSITORIES = _repositories()


def direct_constructions(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if called and node.func.id in REPOSITORIES:
            found.append(f"{node.lineno}: {node.func.id}(...)")
    return found


def test_every_repository_class_is_on_the_store() -> None:
    held = {type(r).__name__ for name, r in vars(store.Store(None)).items() if name != "session"}
    assert held == REPOSITORIES
    assert len(REPOSITORIES) >= 15  # the discovery above found them


def test_nothing_outside_storage_builds_a_repository() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for package in (*PRODUCT, "bench")
        for path in sorted((ROOT / package).rglob("*.py"))
        if (found := direct_constructions(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "reach the repository through Store(session).<name>"


def test_the_check_sees_a_direct_construction() -> None:
    assert direct_constructions("x = DeliveryRepository(session)\n") == [
        "1: DeliveryRepository(...)"
    ]
