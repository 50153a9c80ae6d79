"""Callback data of the plain (non-dialog) inline buttons.

Everything in a callback can be forged by a client, so handlers validate it
again on the server; these factories only give it a shape.
"""

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class JoinDecision(CallbackData, prefix="jr"):
    """An owner's answer to a join request; the presser's ownership is re-checked."""

    request_id: int
    approve: bool


class RevivalDecision(CallbackData, prefix="rv"):
    """An operator's answer to a request to revive an archived organisation; the
    presser's operator role is re-checked."""

    request_id: int
    approve: bool


class LeaveAction(CallbackData, prefix="lv"):
    """Leaving an organisation: pick (a successor) | yes | no. The presser's membership
    and the successor's are checked again on the server."""

    action: str
    organisation_id: int
    successor_id: int = 0
