"""Reading an applicant's answers: each field's text becomes a checked value.

The same checks run when a value is typed and again when the application is
submitted, so a value that became wrong (the topic's budget changed) is caught.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.errors import RuleViolation
from domain.grants import (
    GRANT_TERMS,
    GrantType,
    check_budget,
    check_duration,
    check_grant_amount,
    check_institutional,
    grant_amount_range,
    max_institutional_amount,
    mci_for_year,
)
from domain.regions import REGIONS, is_region
from domain.text_input import (
    InvalidNumber,
    NumberKind,
    NumberProblem,
    read_money,
    read_months,
    read_name,
    read_number,
    read_text,
)
from domain.text_limits import (
    ACTIVITIES_LIMIT,
    APPLICATION_TITLE_LIMIT,
    EXPECTED_RESULTS_LIMIT,
    PROBLEM_LIMIT,
)
from storage.repositories.topics import TopicView

TEXT_LIMITS = {
    "title": APPLICATION_TITLE_LIMIT,
    "problem": PROBLEM_LIMIT,
    "activities": ACTIVITIES_LIMIT,
    "results": EXPECTED_RESULTS_LIMIT,
}
MAX_BENEFICIARIES = 10_000_000
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


# Refusals of `domain` rules, as this feature's message keys.
_RULE_MESSAGES = {
    "text.too_long": "input.too_long",
    "text.empty": "input.text_expected",
    "text.no_letters": "input.no_letters",
}


class FormProblem(Exception):
    """An answer that cannot be taken; `code` is a message key, `params` fill it."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _refusal(exc: RuleViolation, **extra) -> FormProblem:
    return FormProblem(_RULE_MESSAGES.get(exc.code, "input.text_expected"), **exc.params, **extra)


def format_tenge(amount: int) -> str:
    """1500000 → "1 500 000" with no-break spaces, as amounts are written in Kazakhstan."""
    return f"{amount:,}".replace(",", "\u00a0")


@dataclass(frozen=True, slots=True)
class Attachment:
    file_id: str
    name: str
    size: int
    mime: str


def parse_text(field: str, raw: str) -> str:
    try:
        if field == "title":
            return read_name(raw, TEXT_LIMITS[field])
        return read_text(raw, TEXT_LIMITS[field])
    except RuleViolation as exc:
        raise _refusal(exc) from None


def _number_refusal(exc: InvalidNumber, key: str, **params) -> FormProblem:
    """The field's own message; a unit of another kind ("150 ₸" for people) says what is asked."""
    if exc.reason is NumberProblem.WRONG_UNIT:
        return FormProblem(f"input.number.{exc.kind}.wrong_unit")
    return FormProblem(key, **params)


def parse_whole_number(
    raw: str, *, minimum: int, maximum: int, kind: NumberKind = NumberKind.COUNT
) -> int:
    try:
        value = read_number(raw, kind)
    except InvalidNumber as exc:
        raise _number_refusal(
            exc, "application.number_expected", minimum=minimum, maximum=maximum
        ) from None
    if not minimum <= value <= maximum:
        raise FormProblem("application.number_range", minimum=minimum, maximum=maximum)
    return value


def parse_beneficiaries(raw: str) -> int:
    return parse_whole_number(raw, minimum=1, maximum=MAX_BENEFICIARIES)


def parse_duration(raw: str, topic: TopicView) -> int:
    low, high = duration_range(topic)
    try:
        months = read_months(raw)
    except InvalidNumber as exc:
        raise _number_refusal(exc, "application.duration_range", min=low, count=high) from None
    if not low <= months <= high:
        raise FormProblem("application.duration_range", min=low, count=high)
    return months


def check_duration_for(months: int, topic: TopicView) -> None:
    try:
        check_duration(months, GrantType(topic.grant_type))
    except RuleViolation as exc:
        raise FormProblem(
            "application.duration_range", min=exc.params["min"], count=exc.params["max"]
        ) from None


def duration_range(topic: TopicView) -> tuple[int, int]:
    terms = GRANT_TERMS[GrantType(topic.grant_type)]
    return terms.min_months, terms.max_months


def parse_money(raw: str) -> int:
    try:
        return read_money(raw)
    except InvalidNumber as exc:
        if exc.reason is NumberProblem.FRACTION:
            raise FormProblem("application.amount_fraction", example="1 500 000") from None
        raise _number_refusal(exc, "application.amount_expected", example="1 500 000") from None


def topic_mci(topic: TopicView, zone: ZoneInfo, mci_by_year: Mapping[int, int]) -> int:
    """The MCI of the topic's year (the local year it opens in): the competition's
    grant type is worth that year's tenge, whenever the application is written."""
    return mci_for_year(topic.opens_at.astimezone(zone).year, mci_by_year)


def budget_bounds(topic: TopicView, mci: int) -> tuple[int, int]:
    """The totals a topic takes: its own bounds, inside its grant type's in tenge."""
    low, high = grant_amount_range(GrantType(topic.grant_type), mci)
    return max(low, topic.budget_min), topic.budget_max if high is None else min(
        high, topic.budget_max
    )


def check_total(total: int, topic: TopicView, mci: int) -> None:
    """The topic's bounds, and its grant type's at ``mci`` (see `topic_mci`)."""
    try:
        check_budget(total, topic.budget_min, topic.budget_max)
        check_grant_amount(total, GrantType(topic.grant_type), mci)
    except RuleViolation as exc:
        low, high = budget_bounds(topic, mci)
        raise FormProblem(
            "application.budget_range", min=format_tenge(low), max=format_tenge(high)
        ) from exc


def check_institutional_part(amount: int, total: int, percent: int) -> None:
    try:
        check_institutional(amount, total, percent)
    except RuleViolation as exc:
        cap = max_institutional_amount(total, percent)
        raise FormProblem(
            "application.institutional_cap", max=format_tenge(cap), percent=percent
        ) from exc


def check_regions(regions: tuple[str, ...], topic: TopicView) -> None:
    if not regions:
        raise FormProblem("application.regions_required")
    if any(not is_region(r) or not topic.region_is_eligible(r) for r in regions):
        raise FormProblem("application.region_not_eligible")


def check_language(language: str, topic: TopicView) -> None:
    if language not in topic.application_languages:
        raise FormProblem("application.language_not_accepted")


def check_attachment(attachment: Attachment) -> None:
    extension = ATTACHMENT_TYPES.get(attachment.mime)
    if extension is None or not attachment.name.lower().endswith(extension):
        raise FormProblem("application.attachment_type")
    if attachment.size > MAX_ATTACHMENT_BYTES:
        raise FormProblem(
            "application.attachment_size", limit_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)
        )


def eligible_regions(topic: TopicView) -> tuple[str, ...]:
    """The regions an application on this topic may name, in the country's order."""
    return tuple(code for code in REGIONS if topic.region_is_eligible(code))
