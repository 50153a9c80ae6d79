"""Each major defect of the December 2026 translation review
(/work/shared/reviews/translations-2026-12.md, §3.1, §3.3 A–B, §4.2, §5), checked as the
property the fix gives the text, not as its exact wording."""

from __future__ import annotations

import re

import pytest

from core.i18n import Translator
from tests.locales.compiled import LOCALES, texts, translator


def kk(key: str) -> str:
    return " / ".join(texts("kk")[key])


def said(key: str, locale: str, count: int | None = None, **params) -> str:
    t: Translator = translator()
    if count is not None:
        return t.plural(key, count, locale, **params)
    return t.get(key, locale, **params)


# §3.3 A: "draft" was «жоба», the word for "project": the draft strings read as
# "save the project", "delete the project", "the project's project".
@pytest.mark.parametrize(
    "key",
    [
        "application.close",
        "application.draft_kept",
        "application.deadline_passed",
        "application.status.draft",
        "my_applications.delete",
        "my_applications.confirm_delete",
        "my_applications.deleted",
    ],
)
def test_the_application_draft_is_a_nobai(key):
    text = kk(key)
    assert "нобай" in text.lower()
    assert not re.search(r"\b[Жж]оба(ны|сы|да)?\b", text), text
    assert "Жоба жобасы" not in text


def test_confirm_delete_is_not_a_calque():
    text = kk("my_applications.confirm_delete")
    assert "Мұны қайтару" not in text
    assert "кері қайтару мүмкін емес" in text


def test_the_topic_deadline_reminder_says_the_application_is_a_draft():
    text = kk("delivery.topic_deadline")
    assert "нобай" in text
    assert "жобада" not in text
    assert "мерзімінен бұрын" not in text  # "ahead of schedule"
    assert not re.search(r"\{deadline\} (жабылады|дейін)", text)


def test_the_draft_segment_is_ngos_with_a_draft_application_not_grantees():
    text = kk("broadcast.segment.draft")
    assert "нобай" in text and "өтінім" in text.lower()
    assert "жобасы бар" not in text


# §3.3 B: meaning errors.
@pytest.mark.parametrize("key", ["application.status.withdrawn", "my_applications.withdrawn"])
def test_withdrawn_by_the_applicant_is_not_returned_by_the_operator(key):
    text = kk(key).lower()
    assert "кері қайтарып алынды" in text
    assert "кері қайтарылды" not in text


def test_a_paused_broadcast_is_not_a_cancelled_one():
    assert kk("broadcast.status.paused") != kk("broadcast.status.cancelled")
    assert "уақытша" in kk("broadcast.status.paused")
    assert "уақытша" in kk("broadcast.did.pause")


@pytest.mark.parametrize(
    ("locale", "name", "wrong"),
    [
        ("kk", "ҮЕҰ-ға арналған сыйлықақы", "мемлекеттік сыйлық"),
        ("ru", "Премия для НПО", "Государственная премия"),
        ("en", "The NGO award", "Government award"),
    ],
)
def test_the_award_has_its_glossary_name(locale, name, wrong):
    text = " ".join(texts(locale)["awards.rounds"])
    assert name in text
    assert wrong.lower() not in text.lower()


@pytest.mark.parametrize(
    ("locale", "state_language"),
    [("kk", "мемлекеттік тіл"), ("ru", "государственн"), ("en", "state language")],
)
def test_the_other_name_does_not_make_russian_a_state_language(locale, state_language):
    text = " ".join(texts(locale)["field.ask.name_alt"])
    assert state_language not in text.lower()
    assert {"kk": "екінші тіл", "ru": "втором языке", "en": "other language"}[locale] in text


# §3.2: suffixes glued to numbers that the code actually sends.
@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("application.number_range", {"minimum": 1, "maximum": 10_000_000}),
        ("application.number_expected", {"minimum": 1, "maximum": 10_000_000}),
        ("rule.organisation.negative_count", {"max": 100_000}),
    ],
)
def test_a_range_carries_no_suffix_that_depends_on_its_numbers(key, params):
    text = said(key, "kk", **params)
    numbers = [str(value) for value in params.values()]
    for number in numbers:
        assert not re.search(rf"{number}(-\w+| (мен|бен|пен)\b)", text), text
    assert "–".join(numbers[-2:]) in text or f"0–{numbers[-1]}" in text


def test_too_many_projects_is_right_for_thirty_and_counts_through_a_plural():
    from registry.activity import MAX_PROJECTS

    text = said("filing.error.filing.too_many_projects", "kk", count=MAX_PROJECTS)
    assert f"{MAX_PROJECTS}-" not in text
    assert str(MAX_PROJECTS) in text
    assert said("filing.error.filing.too_many_projects", "ru", count=21).endswith("21 проекта.")
    assert said("filing.error.filing.too_many_projects", "en", count=1).endswith(
        "1 project can be listed."
    )


# §4.2 / §5: plurals hard-coded after a count ("1 fields are", "1001 символов").
@pytest.mark.parametrize(
    ("key", "locale", "count", "expected"),
    [
        ("filing.error.filing.incomplete", "en", 1, "1 field is not filled in"),
        ("filing.error.filing.incomplete", "ru", 2, "не заполнены 2 поля"),
        ("export.ready", "en", 1, "1 row."),
        ("export.ready", "ru", 21, "21 строка."),
        ("input.too_long", "ru", 1001, "1001 символ,"),
        ("input.too_long", "ru", 302, "302 символа,"),
        ("console.reason_too_long", "ru", 1001, "1001 символ,"),
        ("console.comment_too_long", "en", 1, "1 character,"),
        ("topic_admin.too_long", "ru", 302, "302 символа,"),
        ("console.needs_experts", "en", 1, "at least 1 expert."),
    ],
)
def test_a_count_takes_its_plural_form(key, locale, count, expected):
    assert expected in said(key, locale, count=count, limit=150)
    # A refusal carries `count`; rendered as a plain message it still picks its form.
    assert expected in translator().get(key, locale, count=count, limit=150)


def test_every_locale_has_the_plural_forms():
    for key in ("input.too_long", "export.ready", "filing.error.filing.incomplete"):
        assert len(texts("ru")[key]) == 3
        assert len(texts("en")[key]) == 2
        assert len(texts("kk")[key]) == 2
    assert set(LOCALES) == {"kk", "ru", "en"}
