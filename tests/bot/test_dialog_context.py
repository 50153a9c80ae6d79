"""Dialogs reach what aiogram hands them through one typed `Ctx`, and show dates one way."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.dialogs.context import ctx
from core.clock import Clock

ROOT = Path(__file__).resolve().parents[2]


def attribute_uses(package: str, attribute: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == attribute:
                found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    return found


def test_only_the_context_module_reads_middleware_data():
    uses = attribute_uses("bot/dialogs", "middleware_data")
    assert uses and all(use.startswith("bot/dialogs/context.py:") for use in uses), uses


@pytest.mark.parametrize("package", ["bot", "delivery"])
def test_dates_shown_to_people_are_formatted_in_one_place(package):
    assert attribute_uses(package, "strftime") == []


def manager_with(**data):
    base = {
        "store": object(),
        "t": object(),
        "clock": Clock("Asia/Almaty"),
        "settings": object(),
        "translator": object(),
        "bot": object(),
        "menus": object(),
    }
    return SimpleNamespace(middleware_data={**base, **data})


def test_the_context_carries_what_the_middlewares_put_there():
    person, chat = SimpleNamespace(telegram_id=7), SimpleNamespace(id=70)
    manager = manager_with(person=person, event_chat=chat)
    context = ctx(manager)
    assert context.person is person
    assert context.chat_id == 70
    assert context.store is manager.middleware_data["store"]


def test_a_context_without_a_person_says_so_rather_than_hand_out_none():
    context = ctx(manager_with(person=None))
    assert context.maybe_person is None
    with pytest.raises(LookupError):
        _ = context.person
    with pytest.raises(LookupError):
        _ = context.chat_id


def test_the_context_shows_instants_in_the_clocks_zone():
    context = ctx(manager_with())
    moment = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)
    assert context.date(moment) == "01.01.2027"
    assert context.date_time(moment) == "01.01.2027 01:30"
    assert context.date_time(None) == ""
