"""Refusals of typed input, in the person's language: one message per kind of number."""

from __future__ import annotations

from bot.i18n import Texts
from domain.text_input import InvalidNumber, InvalidText, NumberProblem, TextProblem


def number_refusal(t: Texts, refusal: InvalidNumber) -> str:
    """What to type instead, for the kind of number the field expects.

    An empty answer gets the same words as a non-number: both need an example.
    """
    if refusal.reason is NumberProblem.NEGATIVE:
        return t("input.number.negative")
    reason = NumberProblem.NOT_A_NUMBER if refusal.reason is NumberProblem.EMPTY else refusal.reason
    return t(f"input.number.{refusal.kind}.{reason}", **refusal.params)


def text_refusal(t: Texts, refusal: InvalidText) -> str:
    if refusal.reason is TextProblem.TOO_LONG:
        return t("input.too_long", **refusal.params)
    if refusal.reason is TextProblem.NO_LETTERS:
        return t("input.no_letters")
    return t("input.text_expected")
