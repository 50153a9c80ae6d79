"""aiogram's Bot API models, built on first use (bot/aiogram_types.py), are the
same models aiogram builds eagerly: every model aiogram, aiogram-dialog and this
bot define on top of pydantic's BaseModel builds, gives the same JSON schema and
validates the same update; one derived outside aiogram.types (aiogram-dialog's
ReplyCallbackQuery) can be made."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Imports every module of aiogram, aiogram-dialog and the bot's packages, then
# prints, for every pydantic model defined in them (aiogram's types and all
# that derive from them, wherever they are), its JSON schema or the error
# building it gives, whether the models had been built before that, and one
# update validated.
DUMP = """
import importlib, json, pkgutil, sys, warnings
warnings.simplefilter("ignore")  # defaults aiogram's JSON schemas leave out
{setup}
import aiogram.types as types
from pydantic import BaseModel
built_at_import = [
    name for name in types.__all__
    if isinstance(getattr(types, name), type) and issubclass(getattr(types, name), BaseModel)
    and getattr(types, name).__pydantic_complete__
]
import bot.app

PACKAGES = ("aiogram", "aiogram_dialog", "bot", "console", "delivery", "domain", "grants",
            "registry", "scheduler", "storage")
for name in PACKAGES:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # optional extras (redis, mongo, aiohttp server...)
            pass

def every_model(base):
    for model in base.__subclasses__():
        yield model
        yield from every_model(model)

models = {{}}
for model in every_model(BaseModel):
    if model.__module__.split(".")[0] in PACKAGES:
        models.setdefault(f"{{model.__module__}}.{{model.__qualname__}}", model)
schemas = {{}}
for key, model in sorted(models.items()):
    try:
        schemas[key] = model.model_json_schema()
    except Exception as error:
        schemas[key] = f"{{type(error).__name__}}: {{error}}"
incomplete = sorted(key for key, model in models.items() if not model.__pydantic_complete__)
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
from aiogram_dialog.api.internal import ReplyCallbackQuery
query = ReplyCallbackQuery(
    id="", chat_instance="1", data="w", from_user=update.callback_query.from_user,
    message=update.callback_query.message, original_message=update.callback_query.message,
)
derived = sorted(
    key for key, model in models.items()
    if issubclass(model, types.base.TelegramObject)
    and not model.__module__.startswith("aiogram.types")
)
json.dump({{"built_at_import": built_at_import, "schemas": schemas, "incomplete": incomplete,
           "derived": derived, "update": update.model_dump(mode="json"),
           "query": query.model_dump(mode="json")}}, sys.stdout)
"""


def _dump(setup: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", DUMP.format(setup=setup)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def eager() -> dict:
    # aiogram imported first: `import bot` then leaves its eager build alone.
    return _dump("import aiogram.types")


@pytest.fixture(scope="module")
def deferred() -> dict:
    return _dump("import bot")


def test_importing_the_bot_leaves_aiogram_models_unbuilt(eager, deferred):
    assert len(eager["built_at_import"]) > 300
    # None fell back to an eager build (bot/aiogram_types.py does when it cannot
    # resolve a type's fields).
    assert deferred["built_at_import"] == []


def test_every_model_built_on_first_use_matches_the_eager_build(eager, deferred):
    # aiogram's ~330 types and ~170 methods, aiogram-dialog's and ours.
    assert len(eager["schemas"]) > 500
    assert deferred["schemas"].keys() == eager["schemas"].keys()
    differ = [key for key in eager["schemas"] if deferred["schemas"][key] != eager["schemas"][key]]
    assert differ == []
    # A few hold arbitrary types (InputFile, Exception) JSON schema can't show:
    # the same ones either way, and those models were built all the same.
    failed = [key for key, schema in deferred["schemas"].items() if isinstance(schema, str)]
    assert failed == [key for key, schema in eager["schemas"].items() if isinstance(schema, str)]
    assert len(failed) < len(eager["schemas"]) // 5
    assert deferred["incomplete"] == eager["incomplete"] == []


def test_models_derived_outside_aiogram_types_are_checked_too(deferred):
    derived = deferred["derived"]
    assert "aiogram_dialog.api.internal.fake_data.ReplyCallbackQuery" in derived
    assert "aiogram_dialog.api.internal.fake_data.FakeUser" in derived
    assert all(key in deferred["schemas"] for key in derived)


def test_an_update_and_a_derived_model_validate_the_same(eager, deferred):
    assert deferred["update"] == eager["update"]
    assert deferred["update"]["callback_query"]["message"]["reply_markup"]["inline_keyboard"]
    assert deferred["query"] == eager["query"]
    assert deferred["query"]["original_message"]["text"] == "hi"


def test_nothing_changes_once_aiogram_was_imported():
    from bot.aiogram_types import defer_aiogram_type_builds

    assert "aiogram.types" in sys.modules
    assert defer_aiogram_type_builds() is False


def test_without_pydantic_s_field_resolver_the_types_are_built_eagerly():
    # Should a pydantic release move `rebuild_model_fields`, start-up is slower, not wrong.
    script = """
from pydantic import BaseModel  # pydantic itself has it bound already
import pydantic._internal._fields as fields
del fields.rebuild_model_fields
import bot
import aiogram.types as types
from aiogram_dialog.api.internal import ReplyCallbackQuery
assert types.Message.__pydantic_complete__
chat = {"id": 1, "type": "private"}
message = types.Message(message_id=1, date=1, chat=chat, text="x")
user = {"id": 1, "is_bot": False, "first_name": "a"}
ReplyCallbackQuery(id="", chat_instance="1", from_user=user, message=message,
                   original_message=message, data="w")
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr[-3000:]
