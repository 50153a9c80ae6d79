"""aiogram's Bot API models, built on first use (bot/aiogram_types.py), are the
same models aiogram builds eagerly: every type gives the same JSON schema and
validates the same update."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Prints, for every model aiogram.types exports, its JSON schema (or the error
# building it gives), then whether the models had been built before that.
DUMP = """
import json, sys, warnings
warnings.simplefilter("ignore")  # defaults aiogram's JSON schemas leave out
{setup}
import aiogram.types as types
from pydantic import BaseModel
built_at_import = types.Message.__pydantic_complete__
schemas = {{}}
for name in types.__all__:
    model = getattr(types, name)
    if isinstance(model, type) and issubclass(model, BaseModel):
        try:
            schemas[name] = model.model_json_schema()
        except Exception as error:
            schemas[name] = f"{{type(error).__name__}}: {{error}}"
incomplete = [name for name in schemas if not getattr(types, name).__pydantic_complete__]
update = types.Update.model_validate({{
    "update_id": 7,
    "callback_query": {{
        "id": "q", "chat_instance": "c", "data": "d",
        "from": {{"id": 1, "is_bot": False, "first_name": "Ә"}},
        "message": {{
            "message_id": 3, "date": 1764200000, "text": "hi",
            "chat": {{"id": 1, "type": "private"}},
            "reply_markup": {{"inline_keyboard": [[{{"text": "x", "callback_data": "y"}}]]}},
        }},
    }},
}})
json.dump({{"built_at_import": built_at_import, "schemas": schemas, "incomplete": incomplete,
           "update": update.model_dump(mode="json")}}, sys.stdout)
"""


def _dump(setup: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", DUMP.format(setup=setup)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def eager() -> dict:
    return _dump("")


@pytest.fixture(scope="module")
def deferred() -> dict:
    return _dump("import bot")


def test_importing_the_bot_leaves_aiogram_models_unbuilt(eager, deferred):
    assert eager["built_at_import"] is True
    assert deferred["built_at_import"] is False


def test_every_model_built_on_first_use_matches_the_eager_build(eager, deferred):
    assert len(eager["schemas"]) > 300
    assert deferred["schemas"].keys() == eager["schemas"].keys()
    differ = [
        name for name in eager["schemas"] if deferred["schemas"][name] != eager["schemas"][name]
    ]
    assert differ == []
    # A few hold arbitrary types (InputFile, Exception) JSON schema can't show:
    # the same ones either way, and those models were built all the same.
    failed = [name for name, schema in deferred["schemas"].items() if isinstance(schema, str)]
    assert failed == [name for name, schema in eager["schemas"].items() if isinstance(schema, str)]
    assert len(failed) < len(eager["schemas"]) // 5
    assert deferred["incomplete"] == []


def test_an_update_validates_the_same(eager, deferred):
    assert deferred["update"] == eager["update"]
    assert deferred["update"]["callback_query"]["message"]["reply_markup"]["inline_keyboard"]


def test_nothing_changes_once_aiogram_was_imported():
    from bot.aiogram_types import defer_aiogram_type_builds

    assert "aiogram.types" in sys.modules
    assert defer_aiogram_type_builds() is False
