"""Writes tests/bot_api_schema.json, the part of the Bot API that reaches a bot
in an update, for tests/bot_api_corpus.py; run again after upgrading aiogram:

    git -C <aiogram checkout> show HEAD:.butcher/schema/schema.json > /tmp/schema.json
    python -m tests.bot_api_vendor /tmp/schema.json

The source is aiogram's own Bot API schema (its `.butcher/schema/schema.json`),
trimmed to the types reachable from Update and to what a generator needs: each
type's fields as [name, type, required] (a fourth item is the one value a
discriminator field takes), each abstract type's subtypes. The installed aiogram
may be ahead of its schema: fields and types it has and the schema lacks are
added from its models, and listed under "from_aiogram". Fields the Bot API
requires but aiogram fills in by default are listed under "defaulted".
"""

from __future__ import annotations

import json
import re
import sys
import types as pytypes
import typing
from datetime import datetime
from enum import Enum
from pathlib import Path

VENDORED = Path(__file__).with_name("bot_api_schema.json")
SCALARS = {"Integer", "Float", "String", "Boolean", "True"}
ALWAYS = re.compile(r"""always [“"'‘]([^”"'’]+)[”"'’]""")


def members(type_: str) -> list[str]:
    """The type names a field's type string mentions."""
    type_ = type_.removeprefix("Array of ").removeprefix("Array of ")
    return [name for name in re.split(r", | or | and ", type_) if name]


def api_type(annotation) -> str:
    """An installed model's field annotation, spelt as the Bot API does."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return api_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, pytypes.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        names = [api_type(a) for a in options]
        if "Integer" in names and any(n not in SCALARS for n in names):  # DateTimeUnion
            return "Integer"
        return " or ".join(dict.fromkeys(names))
    if origin is list:
        return "Array of " + api_type(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return "String" if isinstance(typing.get_args(annotation)[0], str) else "Integer"
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "Boolean"
        if issubclass(annotation, int) or issubclass(annotation, datetime):
            return "Integer"
        if issubclass(annotation, float):
            return "Float"
        if issubclass(annotation, (str, Enum)):
            return "String"
        return annotation.__name__
    raise ValueError(f"no Bot API type for {annotation!r}")


def vendor(schema: dict) -> dict:
    import aiogram
    import aiogram.types as installed

    documented = {
        item["name"]: item
        for section in schema["items"]
        for item in section["children"]
        if item.get("category") == "types"
    }
    out: dict[str, dict] = {}
    from_aiogram: list[str] = []
    defaulted: list[str] = []
    todo = ["Update"]
    while todo:
        name = todo.pop()
        if name in out or name in SCALARS:
            continue
        item = documented.get(name)
        model = getattr(installed, name, None)
        model_fields = {
            (info.alias or field): info
            for field, info in getattr(model, "model_fields", {}).items()
        }
        subtypes = re.findall(r"^ - (\w+)$", item["description"], re.M) if item else []
        if subtypes and not item["annotations"]:
            out[name] = {"one_of": subtypes}
            todo.extend(subtypes)
            continue
        fields = []
        for note in item["annotations"] if item else []:
            field = [note["name"], note["type"], int(note["required"])]
            if note["type"] == "String" and (const := ALWAYS.search(note["description"])):
                field.append(const.group(1))
            elif note["type"] == "Integer" and note["description"].startswith("Always 0"):
                field.append(0)
            fields.append(field)
            info = model_fields.get(note["name"])
            if note["required"] and info is not None and not info.is_required():
                defaulted.append(f"{name}.{note['name']}")
        known = {field[0] for field in fields}
        for alias, info in model_fields.items():
            if alias not in known:
                fields.append([alias, api_type(info.annotation), int(info.is_required())])
                from_aiogram.append(f"{name}.{alias}")
        if item is None:
            from_aiogram.append(name)
        out[name] = {"fields": fields}
        for field in fields:
            todo.extend(members(field[1]))
    return {
        "bot_api": schema["api"]["version"],
        "aiogram": aiogram.__version__,
        "from_aiogram": sorted(from_aiogram),
        "defaulted": sorted(defaulted),
        "types": dict(sorted(out.items())),
    }


def main(path: str) -> None:
    vendored = vendor(json.loads(Path(path).read_text()))
    text = json.dumps(vendored, ensure_ascii=False, separators=(",", ":"))
    # One type a line: small diffs when the Bot API changes.
    text = text.replace('},"', '},\n"')
    VENDORED.write_text(text + "\n")
    print(f"{len(vendored['types'])} types, {len(text)} characters -> {VENDORED}")


if __name__ == "__main__":
    main(sys.argv[1])
