"""Builds aiogram's Bot API models when they are first used, not all at import.

aiogram declares its ~330 Bot API types with pydantic's `defer_build`, then
rebuilds every one of them at the end of `aiogram/types/__init__.py`, so
importing aiogram builds a validator for every type the Bot API has: 1.3 s and
about 75 MB here, most of it for types this bot never sees (payments, stickers,
business accounts, gifts...). Upstream: aiogram issue #1513, open.

The eager rebuild does two things: it resolves each model's field annotations
(the names are imported under TYPE_CHECKING in each type's module, so they are
forward references until then), and it builds the model's validator. Here the
first is done at import, cheaply, and the second is left to pydantic, which
builds a deferred model on its first validation:

- the names the annotations refer to go into each type's module, so pydantic
  can resolve them there when it builds the model;
- each type's fields are resolved at once. This matters for models derived
  outside `aiogram.types` (aiogram-dialog's `ReplyCallbackQuery`, our own):
  pydantic copies the parent's fields into a subclass as they stand and, if
  they are still forward references, resolves them later in the *subclass's*
  module, where `User` or `MaybeInaccessibleMessageUnion` are not defined
  ("ReplyCallbackQuery is not fully defined"). Resolved fields are copied
  resolved, as after aiogram's eager rebuild.

Resolving the fields uses pydantic's internal `rebuild_model_fields` (the
function `model_rebuild` itself calls first); should a pydantic release change
it, the type is rebuilt eagerly instead: slower to start, never wrong.
`tests/bot/test_aiogram_types.py` checks that every model derived from
aiogram's types, in aiogram, aiogram-dialog and ours, builds and gives the same
JSON schema built this way as built eagerly; `tests/bot/test_update_corpus.py`
that updates of every kind validate the same.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import BaseModel


def defer_aiogram_type_builds() -> bool:
    """Import aiogram.types with its models left to build on first use.

    Must run before anything imports aiogram; returns False (and changes
    nothing) if aiogram.types was already imported.
    """
    if "aiogram.types" in sys.modules:
        return False
    eager = BaseModel.__dict__["model_rebuild"]

    def rebuild(cls, *args, _types_namespace=None, **kwargs):
        if _types_namespace is None or not cls.__module__.startswith("aiogram.types."):
            return eager.__func__(cls, *args, _types_namespace=_types_namespace, **kwargs)
        module = vars(sys.modules[cls.__module__])
        for name, value in _types_namespace.items():
            module.setdefault(name, value)
        if not _resolve_fields(cls):
            return eager.__func__(cls, *args, _types_namespace=_types_namespace, **kwargs)
        return None

    # A patch for the import below only, undone after it.
    BaseModel.model_rebuild = classmethod(rebuild)  # type: ignore[method-assign, assignment]  # patched on purpose
    try:
        import aiogram.types  # noqa: F401
    finally:
        BaseModel.model_rebuild = eager  # type: ignore[method-assign]  # the original back
    return True


def _resolve_fields(cls: Any) -> bool:
    """Resolve the model's field annotations in its module, leaving its validator
    unbuilt; False if that could not be done (the caller then builds it all)."""
    if cls.__pydantic_fields_complete__:
        return True
    try:
        from pydantic._internal._config import ConfigWrapper
        from pydantic._internal._fields import rebuild_model_fields
        from pydantic._internal._namespace_utils import NsResolver

        fields, extra_info = rebuild_model_fields(
            cls,
            config_wrapper=ConfigWrapper(cls.model_config, check=False),
            ns_resolver=NsResolver(),
            typevars_map={},
        )
    except Exception:  # any change in pydantic's internals: build it eagerly
        return False
    cls.__pydantic_fields__ = fields
    cls.__pydantic_extra_info__ = extra_info
    return bool(cls.__pydantic_fields_complete__)
