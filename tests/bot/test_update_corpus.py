"""Updates of every kind the Bot API documents (tests/bot_api_corpus.py) validate
through the models the bot builds on first use exactly as through aiogram's
eagerly built ones; the fuzz strategy's "malformed" is what aiogram refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings

from tests import bot_api_corpus as corpus

# Validates each update read from stdin as aiogram.types.Update; prints, for
# each, its JSON dump or the places and kinds of the errors.
VALIDATE = """
import json, sys
{setup}
import aiogram.types as types
from pydantic import ValidationError
lazy = not types.Message.__pydantic_complete__
results = []
for raw in json.load(sys.stdin):
    try:
        update = types.Update.model_validate(raw)
        results.append({{"ok": update.model_dump(mode="json", exclude_unset=True)}})
    except ValidationError as error:
        results.append({{"errors": sorted(f"{{e['loc']}} {{e['type']}}" for e in error.errors())}})
json.dump({{"lazy": lazy, "results": results}}, sys.stdout)
"""
EAGER, LAZY = "import aiogram.types", "import bot"


def validate(setup: str, raws: list[dict]) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-c", VALIDATE.format(setup=setup)],
        input=json.dumps(raws),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["lazy"] is (setup == LAZY)
    return out["results"]


def test_the_corpus_covers_every_update_kind_and_message_field():
    from aiogram.types import Message, Update

    aliases = lambda model: {info.alias or name for name, info in model.model_fields.items()}  # noqa: E731
    kinds = {kind for update in corpus.updates() for kind in update if kind != "update_id"}
    assert kinds == aliases(Update) - {"update_id"}
    assert len(kinds) >= 27  # message ... purchased_paid_media, managed_bot, subscription
    covered = {field for _, message in corpus.messages() for field in message}
    assert covered == aliases(Message)
    assert len(covered) >= 125


def message_update(message: dict) -> dict:
    return {"update_id": 1, "message": message}


def fuzzed() -> tuple[list[dict], list[bool], Counter]:
    """300 updates as the strategy draws them, and a sweep of 1,500 seeds half
    of them spoilt, to see each way of spoiling; whether each is malformed,
    and how many were spoilt which way."""
    drawn: list[tuple[dict, bool]] = []

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(corpus.raw_updates(malformed_share=0.3))
    def draw(pair):
        drawn.append(pair)

    draw()
    assert 0.2 * len(drawn) < sum(malformed for _, malformed in drawn) < 0.4 * len(drawn)
    swept = [corpus.spoilt_update(seed, malformed_share=0.5) for seed in range(1500)]
    raws = [raw for raw, _ in drawn] + [raw for raw, _ in swept]
    labels = [malformed for _, malformed in drawn] + [spoilt is not None for _, spoilt in swept]
    ways = Counter(spoilt.rsplit(": ", 1)[1] for _, spoilt in swept if spoilt)
    return raws, labels, ways


def examples() -> list[dict]:
    message = {"message_id": 1, "date": corpus.DATE, "chat": {"id": 1, "type": "private"}}
    hidden = {"type": "hidden_user", "date": corpus.DATE}
    named = {"sender_user_name": "Ә"}
    return [
        message_update(message | {"external_reply": {"origin": hidden | named, "story": {}}}),
        message_update(message | {"forward_origin": hidden}),
        message_update(message | {"forward_origin": hidden | named}),
    ]


@pytest.fixture(scope="module")
def validated() -> dict[str, Any]:
    """Each batch's (updates, as validated eagerly, as validated lazily): one
    interpreter each way for all of them; and the fuzz's labels and ways."""
    fuzz, labels, ways = fuzzed()
    batches = {
        "documented": corpus.updates() + [message_update(m) for _, m in corpus.messages()],
        "fuzz": fuzz,
        "examples": examples(),
    }
    everything = [raw for raws in batches.values() for raw in raws]
    eager, lazy = validate(EAGER, everything), validate(LAZY, everything)
    out, start = {}, 0
    for name, raws in batches.items():
        end = start + len(raws)
        out[name] = (raws, eager[start:end], lazy[start:end])
        start = end
    return out | {"labels": labels, "ways": ways}


def test_documented_updates_validate_the_same_built_lazily_as_eagerly(validated):
    raws, eager, lazy = validated["documented"]
    assert lazy == eager
    refused = [(raw, result) for raw, result in zip(raws, eager, strict=True) if "ok" not in result]
    assert refused == []  # every update the Bot API documents is one aiogram takes
    # The values came through: each kind's object, each message's own field.
    for raw, result in zip(raws, eager, strict=True):
        kind = next(key for key in raw if key != "update_id")
        assert result["ok"][kind] is not None


def test_fuzzed_updates_validate_the_same_and_malformed_is_what_aiogram_refuses(validated):
    raws, eager, lazy = validated["fuzz"]
    labels, ways = validated["labels"], validated["ways"]
    assert lazy == eager
    wrong = [
        (raw, malformed, result)
        for raw, malformed, result in zip(raws, labels, eager, strict=True)
        if malformed == ("ok" in result)
    ]
    assert wrong == []
    kinds = {next(k for k in raw if k != "update_id") for raw in raws}
    assert kinds == set(corpus.update_kinds())
    assert ways.keys() == {"missing", "wrong type", "empty object"}
    assert min(ways.values()) > 50


def test_the_examples_of_malformed_are_refused(validated):
    _, eager, lazy = validated["examples"]
    assert lazy == eager
    # external_reply.story == {}; a hidden_user origin without its name; with it.
    assert ["ok" in result for result in eager] == [False, False, True]
