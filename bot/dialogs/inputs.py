"""Refusals of typed input, in the person's language: one message per kind of number."""

from __future__ import annotations

from core.i18n import Texts
from domain.text_input import InvalidNumber, InvalidText, NumberKind, NumberProblem, TextProblem


def number_refusal(t: Texts, refusal: InvalidNumber) -> str:
    """What to type instead, for the kind of number the field expects.

    An empty answer gets the same words as a non-number: both need an example.
    """
    if refusal.reason is NumberProblem.NEGATIVE:
        return t("input.number.negative")
    reason = NumberProblem.NOT_A_NUMBER if refusal.reason is NumberProblem.EMPTY else refusal.reason
    params = dict(refusal.params)
    if isinstance(params.get("max"), int) and refusal.kind is not NumberKind.YEAR:
        # Grouped as amounts are written in Kazakhstan: 1 000 000 000 000.
        params["max"] = f"{params['max']:,}".replace(",", "\u00a0")
    return t(f"input.number.{refusal.kind}.{reason}", **params)


def text_refusal(t: Texts, refusal: InvalidText) -> str:
    if refusal.reason is TextProblem.TOO_LONG:
        return t("input.too_long", **refusal.params)
    if refusal.reason is TextProblem.NO_LETTERS:
        return t("input.no_letters")
    return t("input.text_expected")
