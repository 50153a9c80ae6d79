"""The boundaries of an application's answers: budget, institutional part, duration."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.grants import GRANT_TERMS, MCI_KZT_BY_YEAR, GrantType, max_institutional_amount
from grants import application_form as form
from grants.application_form import FormProblem
from storage.models import TopicStatus
from storage.repositories.topics import TopicView

BUDGET_MIN = 3_000_000
BUDGET_MAX = 12_000_000
MCI_2026 = 4_325
ALMATY = ZoneInfo("Asia/Almaty")


def topic(grant_type: str = "short_term", **changes) -> TopicView:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    fields = dict(
        id=1,
        code="gender-equality",
        title_kk="т",
        title_ru="т",
        title_en="t",
        description_kk="",
        description_ru="",
        description_en="",
        area="gender_equality",
        regions=("almaty", "astana"),
        grant_type=grant_type,
        budget_min=BUDGET_MIN,
        budget_max=BUDGET_MAX,
        opens_at=moment,
        closes_at=moment,
        status=TopicStatus.OPEN,
        published=True,
        max_applications_per_ngo=1,
        application_languages=("kk", "ru"),
    )
    return TopicView(**{**fields, **changes})


@pytest.mark.parametrize("total", [BUDGET_MIN, BUDGET_MAX])
def test_a_budget_at_the_topics_bounds_is_accepted(total):
    form.check_total(total, topic(), MCI_2026)


@pytest.mark.parametrize("total", [BUDGET_MIN - 1, BUDGET_MAX + 1])
def test_a_budget_one_tenge_outside_is_refused_with_the_range(total):
    with pytest.raises(FormProblem) as refused:
        form.check_total(total, topic(), MCI_2026)
    assert refused.value.code == "application.budget_range"
    assert refused.value.params == {"min": "3\u00a0000\u00a0000", "max": "12\u00a0000\u00a0000"}


def test_the_topics_year_sets_the_grant_types_bounds_in_tenge():
    # A short-term grant is 500 to 3,000 MCI: 1,966,000 to 11,796,000 tenge at 2025's
    # MCI (3,932), 2,162,500 to 12,975,000 at 2026's (4,325).
    wide = {"budget_min": 1_000_000, "budget_max": 20_000_000}
    in_2025 = topic(opens_at=datetime(2025, 3, 1, tzinfo=UTC), **wide)
    in_2026 = topic(**wide)
    assert form.topic_mci(in_2025, ALMATY, MCI_KZT_BY_YEAR) == 3_932
    assert form.topic_mci(in_2026, ALMATY, MCI_KZT_BY_YEAR) == 4_325
    assert form.budget_bounds(in_2025, 3_932) == (1_966_000, 11_796_000)
    assert form.budget_bounds(in_2026, 4_325) == (2_162_500, 12_975_000)
    form.check_total(12_000_000, in_2026, 4_325)
    with pytest.raises(FormProblem) as refused:
        form.check_total(12_000_000, in_2025, 3_932)
    assert refused.value.params == {"min": "1\u00a0966\u00a0000", "max": "11\u00a0796\u00a0000"}


def test_the_year_is_almatys_a_topic_opening_on_new_years_night_belongs_to_the_new_year():
    # 31 December 2025 20:00 UTC is 1 January 2026 01:00 in Almaty (UTC+5).
    new_year = topic(opens_at=datetime(2025, 12, 31, 20, tzinfo=UTC))
    assert form.topic_mci(new_year, ALMATY, MCI_KZT_BY_YEAR) == 4_325


def test_a_long_term_topic_has_no_ceiling_but_its_own():
    long_term = topic("long_term", budget_min=1_000_000, budget_max=90_000_000)
    assert form.budget_bounds(long_term, MCI_2026) == (43_250_000, 90_000_000)


def test_exactly_ten_percent_is_accepted_and_one_tenge_more_is_refused():
    form.check_institutional_part(500_000, 5_000_000, 10)
    with pytest.raises(FormProblem) as refused:
        form.check_institutional_part(500_001, 5_000_000, 10)
    assert refused.value.code == "application.institutional_cap"
    assert refused.value.params["max"] == "500\u00a0000"


@given(total=st.integers(1, 10**10), percent=st.integers(0, 100))
def test_the_stated_cap_is_accepted_and_a_tenge_above_is_not(total, percent):
    cap = max_institutional_amount(total, percent)
    form.check_institutional_part(cap, total, percent)
    with pytest.raises(FormProblem):
        form.check_institutional_part(cap + 1, total, percent)


@pytest.mark.parametrize("grant_type", list(GrantType))
def test_duration_edges_of_each_grant_type(grant_type):
    terms = GRANT_TERMS[grant_type]
    current = topic(grant_type.value)
    assert form.parse_duration(str(terms.min_months), current) == terms.min_months
    assert form.parse_duration(str(terms.max_months), current) == terms.max_months
    for outside in (terms.min_months - 1, terms.max_months + 1):
        with pytest.raises(FormProblem) as refused:
            form.parse_duration(str(outside), current)
        assert refused.value.code == "application.duration_range"
        assert refused.value.params == {"min": terms.min_months, "count": terms.max_months}


@pytest.mark.parametrize("raw", ["twelve", "", "6.5", "-3"])
def test_a_duration_that_is_not_a_whole_number_states_the_range(raw):
    with pytest.raises(FormProblem) as refused:
        form.parse_duration(raw, topic())
    assert refused.value.params == {"min": 3, "count": 12}


def test_money_as_people_type_it():
    assert form.parse_money("1 500 000 ₸") == 1_500_000
    with pytest.raises(FormProblem) as refused:
        form.parse_money("полтора миллиона")
    assert refused.value.code == "application.amount_expected"


def test_overlong_text_states_the_limit():
    with pytest.raises(FormProblem) as refused:
        form.parse_text("title", "x" * 151)
    assert refused.value.code == "input.too_long"
    assert refused.value.params["limit"] == 150
    assert form.parse_text("title", "  " + "x" * 150 + "\n") == "x" * 150


def test_regions_must_belong_to_the_topic():
    form.check_regions(("almaty",), topic())
    with pytest.raises(FormProblem):
        form.check_regions(("shymkent",), topic())
    with pytest.raises(FormProblem):
        form.check_regions((), topic())
    assert form.eligible_regions(topic()) == ("astana", "almaty")


def test_language_as_the_topic_allows():
    form.check_language("kk", topic())
    with pytest.raises(FormProblem):
        form.check_language("kk", topic(application_languages=("ru",)))


@pytest.mark.parametrize(
    ("name", "mime", "size", "accepted"),
    [
        ("budget.pdf", "application/pdf", 1000, True),
        (
            "budget.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            1000,
            True,
        ),
        ("budget.xlsx", "application/vnd.ms-excel", 1000, False),
        ("budget.pdf", "application/pdf", form.MAX_ATTACHMENT_BYTES + 1, False),
        ("budget.exe", "application/pdf", 1000, False),
    ],
)
def test_attachments_by_type_and_size(name, mime, size, accepted):
    attachment = form.Attachment("file-id", name, size, mime)
    if accepted:
        form.check_attachment(attachment)
    else:
        with pytest.raises(FormProblem):
            form.check_attachment(attachment)
