"""Typed access to what aiogram-dialog hands over loosely typed."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import Actionable
from aiogram_dialog.widgets.kbd import ManagedMultiselect


def start_value(manager: DialogManager, key: str) -> Any:
    """`key` of the dialog's start data, which this bot always starts as a dict."""
    data = manager.start_data
    if not isinstance(data, dict):
        raise LookupError(f"the dialog was started without {key!r}")
    return data[key]


def multiselect(manager: DialogManager, widget_id: str) -> ManagedMultiselect[Any]:
    """The dialog's Multiselect `widget_id`, as the window on screen holds it."""
    widget = manager.find(widget_id)
    if not isinstance(widget, ManagedMultiselect):
        raise LookupError(f"no multiselect {widget_id!r} in the current window")
    return widget


def step_name(manager: DialogManager) -> str:
    """The current state's own name: "bin" of "Registration:bin"."""
    state = manager.current_context().state.state
    if state is None:
        raise LookupError("a dialog context without a state")
    return state.split(":", 1)[1]


def widget_id(widget: Actionable) -> str:
    """A widget's id; every button this bot reacts to is given one."""
    if widget.widget_id is None:
        raise LookupError("a widget without an id")
    return widget.widget_id
