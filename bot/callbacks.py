"""Callback data of the plain (non-dialog) inline buttons.

Everything in a callback can be forged by a client, so handlers validate it
again on the server; these factories only give it a shape.
"""

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang"):
    code: str
