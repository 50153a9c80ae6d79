"""Builds aiogram's Bot API models when they are first used, not all at import.

aiogram declares its ~330 Bot API types with pydantic's `defer_build`, then
rebuilds every one of them at the end of `aiogram/types/__init__.py`, so
importing aiogram builds a validator for every type the Bot API has: 1.3 s and
about 75 MB here, most of it for types this bot never sees (payments, stickers,
business accounts, gifts...). Upstream: aiogram issue #1513, open.

The eager rebuild exists only to give each model the names its annotations
refer to (they are imported under TYPE_CHECKING in each type's module). Here
that namespace goes into each type's module instead, and the rebuild is
skipped; pydantic then builds a model on its first validation, resolving the
names from its module, as it does for any deferred model.
`tests/bot/test_aiogram_types.py` checks that every type gives the same JSON
schema built this way as built eagerly.
"""

from __future__ import annotations

import sys

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
        return None

    BaseModel.model_rebuild = classmethod(rebuild)
    try:
        import aiogram.types  # noqa: F401
    finally:
        BaseModel.model_rebuild = eager
    return True
