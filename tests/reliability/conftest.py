"""Reliability suites: each records its figures, written to one JSON file and printed.

docs/RELIABILITY.md quotes the figures of a run; `pytest tests/reliability -s`
prints them, and the JSON lands in pytest's base temporary directory.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.local_world import LocalWorld

_FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="session")
def figures(tmp_path_factory):
    """figures("suite", key=value, ...) records numbers for the report."""

    def record(suite: str, **values) -> None:
        _FIGURES.setdefault(suite, {}).update(values)

    yield record
    if _FIGURES:
        path = tmp_path_factory.getbasetemp() / "reliability-figures.json"
        path.write_text(json.dumps(_FIGURES, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nreliability figures ({path}):\n{json.dumps(_FIGURES, indent=2)}")


@pytest.fixture
async def polling_world(settings) -> AsyncIterator[LocalWorld]:
    """One world, long-polling: the hostile-input suites need no webhook twin."""
    world = LocalWorld(settings)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()
