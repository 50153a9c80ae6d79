"""Each benchmark at a tiny size, so the commands never rot. Only the shape of the
output is checked, never a timing: timings belong to docs/PERFORMANCE.md."""

from __future__ import annotations

import json

import pytest

from bench import broadcast, data_scale, explain, figures, journeys, startup
from tests import services

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def results_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "RESULTS", tmp_path)
    monkeypatch.setattr("bench.bot_process.RESULTS", tmp_path)
    return tmp_path


def well_formed(document: dict, results, columns) -> None:
    saved = json.loads((results / f"{document['benchmark']}.json").read_text())
    assert saved["rows"], "the benchmark measured nothing"
    for row in saved["rows"]:
        assert set(columns) - {"× aiogram echo", "× PTB echo"} <= set(row)
    markdown = (results / f"{document['benchmark']}.md").read_text()
    assert markdown.startswith("### ") and "| --- |" in markdown


async def test_journeys_against_the_peers(results_in_tmp):
    document = await journeys.measure([1], ["polling", "webhook"], ["sqlite"])
    well_formed(document, results_in_tmp, journeys.COLUMNS)
    ours = [r for r in document["rows"] if r["bot"] == "ours"]
    assert [r["mode"] for r in ours] == ["polling", "webhook"]
    assert all(r["journeys ok"] == 1 for r in ours), ours
    assert any(r["bot"] == "aiogram echo" for r in document["rows"])


def test_the_ptb_peer_runs_or_is_skipped_with_its_reason():
    reason = journeys.peer_missing("PTB echo")
    if reason:
        pytest.skip(reason)
    assert journeys.peer_missing("aiogram echo") is None


async def test_a_short_paced_journey(results_in_tmp):
    document = await journeys.measure(
        [1], ["polling"], ["sqlite"], journey="short", think=0.01, peers=False
    )
    assert [(r["bot"], r["journey"], r["journeys ok"]) for r in document["rows"]] == [
        ("ours", "short", 1)
    ], document["rows"]


async def test_broadcast(results_in_tmp):
    document = await broadcast.measure(
        recipients=30, time_factor=10, fault_recipients=10, paid_recipients=10
    )
    if document.get("status"):
        pytest.skip(document["status"])
    well_formed(document, results_in_tmp, broadcast.COLUMNS)
    assert {r["faults"] for r in document["rows"]} == {"none", "5% 429s"}
    assert [r["kind"] for r in document["rows"]][-1].startswith("paid")


def test_data_scale(results_in_tmp):
    document = data_scale.measure([40, 80], ["sqlite"], bot_users=1)
    well_formed(document, results_in_tmp, data_scale.COLUMNS)
    assert any("logarithmic" in note for note in document["notes"])
    assert all(r["bot rss MB"] for r in document["rows"])


async def test_explain_on_postgres(results_in_tmp):
    services.need("postgres")
    document = await explain.measure(organisations=40, users=1)
    saved = json.loads((results_in_tmp / "explain.json").read_text())
    assert saved["all_statements"], "nothing was explained"
    assert not [r for r in saved["all_statements"] if "error" in r]
    assert document["markdown"].startswith("### ")


async def test_startup(results_in_tmp):
    document = await startup.measure(repeats=1)
    well_formed(document, results_in_tmp, startup.COLUMNS)
