"""Typed access to what aiogram-dialog hands over loosely typed."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import DialogManager


def start_value(manager: DialogManager, key: str) -> Any:
    """`key` of the dialog's start data, which this bot always starts as a dict."""
    data = manager.start_data
    if not isinstance(data, dict):
        raise LookupError(f"the dialog was started without {key!r}")
    return data[key]
