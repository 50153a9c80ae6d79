"""Updates of every kind the Bot API documents, as raw JSON a bot would receive.

Built from `tests/bot_api_schema.json` (aiogram's Bot API schema trimmed to
what reaches a bot, see tests/bot_api_vendor.py), with no aiogram import:

- `updates()`: one update per Update field (message, callback_query,
  chat_member, purchased_paid_media...), every object filled in to a depth;
- `messages()`: Message objects, one per Message field and, for a field of an
  abstract type (forward_origin, pinned_message...), one per subtype, each
  holding that field with every value filled in to a depth;
- `raw_updates(malformed_share=...)`: a hypothesis strategy of (update,
  is_malformed); a malformed one lacks a required field, has a value of the
  wrong type, or an empty object where one with required fields is expected
  (`external_reply.story == {}`, a hidden_user origin without
  `sender_user_name`). "Malformed" means exactly what aiogram's eager
  `Update.model_validate` rejects: tests/bot/test_update_corpus.py holds the
  labels to that.

A fuzz against a running bot, for example:

    @settings(max_examples=300, deadline=None)
    @given(raw_updates(malformed_share=0.2))
    def test_any_update(pair):
        raw, malformed = pair
        ...  # push `raw`; a malformed one is dropped, any other gets no apology
"""

from __future__ import annotations

import itertools
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

SCHEMA_FILE = Path(__file__).with_name("bot_api_schema.json")
SCALARS = ("Integer", "Float", "String", "Boolean", "True")
DATE = 1764200000
# How deep optional fields are filled in; below that, required fields only.
DEPTH = 3


@cache
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def _types() -> dict:
    return schema()["types"]


def update_kinds() -> list[str]:
    """Every Update field but update_id: the kinds of update."""
    return [field[0] for field in _types()["Update"]["fields"] if field[0] != "update_id"]


def message_fields() -> list[str]:
    return [field[0] for field in _types()["Message"]["fields"]]


def _options(type_: str) -> list[str]:
    """The types a field of this type may hold, arrays aside."""
    while _is_array(type_):
        type_ = type_.removeprefix("Array of ")
    return [name for name in type_.replace(", ", " or ").replace(" and ", " or ").split(" or ")]


def _is_array(type_: str) -> bool:
    return type_.startswith("Array of ")


@cache
def _cost(name: str) -> int:
    """How deep the smallest value of this type is (required fields only)."""
    return _cost_of(name, frozenset())


def _cost_of(name: str, seen: frozenset) -> int:
    if name in SCALARS:
        return 0
    if name in seen:
        return 1000  # only through a cycle
    entry = _types()[name]
    seen = seen | {name}
    if "one_of" in entry:
        return min(_cost_of(sub, seen) for sub in entry["one_of"])
    required = [f for f in entry["fields"] if f[2]]
    return 1 + max((min(_cost_of(o, seen) for o in _options(f[1])) for f in required), default=0)


def _cheapest(names: list[str]) -> str:
    return min(names, key=_cost)


class _Builder:
    """Builds values of a schema type; `pick` chooses among alternatives and
    `optional` whether an optional field is given. Records every object built,
    with its type, so a value can be spoilt afterwards."""

    def __init__(self, pick, optional, number):
        self.pick, self.optional, self.number = pick, optional, number
        self.objects: list[tuple[dict, str]] = []

    def value(self, type_: str, depth: int, name: str = "") -> Any:
        if _is_array(type_):
            inner = type_.removeprefix("Array of ")
            return [self.value(inner, depth + 1, name)]
        options = _options(type_)
        chosen = self.pick(options) if depth < DEPTH else _cheapest(options)
        return self.single(chosen, depth, name)

    def single(self, type_: str, depth: int, name: str = "") -> Any:
        if type_ == "Integer":
            return DATE + self.number() if "date" in name else self.number()
        if type_ == "Float":
            return self.number() / 4
        if type_ == "String":
            return f"{name or 's'} {self.number()}"
        if type_ in ("Boolean", "True"):
            return True
        entry = _types()[type_]
        if "one_of" in entry:
            subtypes = entry["one_of"]
            chosen = self.pick(subtypes) if depth < DEPTH else _cheapest(subtypes)
            return self.single(chosen, depth, name)
        obj: dict[str, Any] = {}
        for field_name, field_type, required, *const in entry["fields"]:
            if const:
                obj[field_name] = const[0]
            elif required or (depth < DEPTH and self.optional(type_, field_name)):
                obj[field_name] = self.value(field_type, depth + 1, field_name)
        self.objects.append((obj, type_))
        return obj


def _deterministic_builder() -> _Builder:
    counter = itertools.count(1)
    turns = itertools.count()
    return _Builder(
        pick=lambda options: options[next(turns) % len(options)],
        optional=lambda type_, field: True,
        number=lambda: next(counter),
    )


def updates() -> list[dict]:
    """One update per kind, objects filled in to DEPTH."""
    fields = {field[0]: field[1] for field in _types()["Update"]["fields"]}
    out = []
    for update_id, kind in enumerate(update_kinds(), start=1):
        value = _deterministic_builder().value(fields[kind], 0, kind)
        out.append({"update_id": update_id, kind: value})
    return out


def messages() -> list[tuple[str, dict]]:
    """(label, message): one per Message field, and per subtype for the
    abstract ones; each message its required fields and that one field."""
    out = []
    for name, type_, *_ in _types()["Message"]["fields"]:
        subtypes = [
            sub
            for option in _options(type_)
            for sub in _types().get(option, {}).get("one_of", [option])
        ]
        for subtype in dict.fromkeys(subtypes):
            builder = _deterministic_builder()
            message = {
                "message_id": 1,
                "date": DATE,
                "chat": {"id": 1, "type": "private", "first_name": "Ә"},
            }
            value = builder.single(subtype, 1, name)
            message[name] = [value] if _is_array(type_) else value
            label = name if len(subtypes) == 1 else f"{name}[{subtype}]"
            out.append((label, message))
    return out


def _present_fields(obj: dict, type_: str) -> list[list]:
    return [f for f in _types()[type_]["fields"] if f[0] in obj]


def _spoil(rng: random.Random, objects: list[tuple[dict, str]]) -> str | None:
    """Make one of the objects wrong, as aiogram would refuse it; how it was
    spoilt ("Type.field: missing", "...: wrong type", "...: empty object"), or
    None if there was nothing to spoil."""
    defaulted = set(schema()["defaulted"])
    choices = []
    for obj, type_ in objects:
        for name, field_type, required, *const in _present_fields(obj, type_):
            if const or f"{type_}.{name}" in defaulted:
                continue
            if required and not (type_ == "Message" and name == "date"):
                # Message without a date reads as an InaccessibleMessage (date 0).
                choices.append(("missing", obj, type_, name, field_type))
            choices.append(("wrong type", obj, type_, name, field_type))
            if not _is_array(field_type) and all(
                option not in SCALARS and _needs_something(option)
                for option in _options(field_type)
            ):
                choices.append(("empty object", obj, type_, name, field_type))
    if not choices:
        return None
    how, obj, type_, name, field_type = rng.choice(choices)
    if how == "missing":
        del obj[name]
    elif how == "empty object":
        obj[name] = {}
    elif _is_array(field_type) or any(o not in SCALARS for o in _options(field_type)):
        obj[name] = "wrong"
    else:
        obj[name] = ["wrong"]
    return f"{type_}.{name}: {how}"


def _needs_something(type_: str) -> bool:
    """Whether `{}` is no value of this object type."""
    entry = _types()[type_]
    if "one_of" in entry:
        return all(_needs_something(sub) for sub in entry["one_of"])
    return any(f[2] for f in entry["fields"])


def raw_updates(malformed_share: float = 0.3) -> st.SearchStrategy[tuple[dict, bool]]:
    """(raw update, whether aiogram refuses it): any kind of update, about
    `malformed_share` of them malformed.

    Each example is built from one drawn seed, by `random.Random`: fast (about
    a millisecond), and the kinds and the share come out evenly, where
    hypothesis's own draws lean to their first choices. A failing example
    shrinks only to a smaller seed, not to a smaller update.
    """
    return st.integers(0, 2**64 - 1).map(lambda seed: raw_update(seed, malformed_share))


def raw_update(seed: int, malformed_share: float = 0.3) -> tuple[dict, bool]:
    """The update `raw_updates` makes of this seed."""
    update, spoilt = spoilt_update(seed, malformed_share)
    return update, spoilt is not None


def spoilt_update(seed: int, malformed_share: float = 0.3) -> tuple[dict, str | None]:
    """The update `raw_updates` makes of this seed, and how it was spoilt."""
    rng = random.Random(seed)
    kind = rng.choice(update_kinds())
    malformed = rng.random() < malformed_share
    builder = _Builder(
        pick=rng.choice,
        optional=lambda type_, field: rng.random() < 0.3,
        number=lambda: rng.randint(1, 2**31 - 1),
    )
    fields = {field[0]: field[1] for field in _types()["Update"]["fields"]}
    update = {"update_id": rng.randint(1, 2**31 - 1), kind: builder.value(fields[kind], 0, kind)}
    return update, _spoil(rng, builder.objects) if malformed else None
