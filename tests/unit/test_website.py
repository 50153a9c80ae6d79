from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.website import (
    MAX_WEBSITE_LENGTH,
    InvalidWebsite,
    WebsiteProblem,
    normalize_website,
    optional_website,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("kamkor.kz", "https://kamkor.kz"),
        ("www.kamkor.kz/about", "https://www.kamkor.kz/about"),
        ("http://kamkor.kz", "http://kamkor.kz"),
        ("HTTPS://Kamkor.KZ/Path?q=1", "https://kamkor.kz/Path?q=1"),
        ("https://kamkor.kz:8443/", "https://kamkor.kz:8443/"),
        ("сайт.қаз", "https://сайт.қаз"),
    ],
)
def test_websites_are_normalised(typed: str, stored: str) -> None:
    assert normalize_website(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", WebsiteProblem.EMPTY),
        ("ftp://kamkor.kz", WebsiteProblem.SCHEME),
        ("javascript://alert(1)", WebsiteProblem.SCHEME),
        ("https://kamkor", WebsiteProblem.HOST),
        ("https://", WebsiteProblem.HOST),
        ("https://kamkor.kz:99999", WebsiteProblem.HOST),
        ("kamkor .kz", WebsiteProblem.SPACES),
        ("https://user:secret@kamkor.kz", WebsiteProblem.CREDENTIALS),
        ("https://kamkor.kz/" + "a" * 2100, WebsiteProblem.TOO_LONG),
        ("a[31mb", WebsiteProblem.HOST),  # urlsplit's "Invalid IPv6 URL"
        ("https://[kamkor.kz", WebsiteProblem.HOST),
    ],
)
def test_bad_websites_are_refused(typed: str, reason: WebsiteProblem) -> None:
    with pytest.raises(InvalidWebsite) as refusal:
        normalize_website(typed)
    assert refusal.value.reason is reason


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_the_website_is_optional(blank: str | None) -> None:
    assert optional_website(blank) is None


def test_an_optional_website_is_still_checked() -> None:
    assert optional_website("kamkor.kz") == "https://kamkor.kz"
    with pytest.raises(InvalidWebsite):
        optional_website("kamkor")


@given(st.text(max_size=300))
def test_any_text_is_a_website_or_a_refusal(typed: str) -> None:
    try:
        stored = normalize_website(typed)
    except InvalidWebsite:
        return
    assert stored.startswith(("http://", "https://"))
    assert len(stored) <= MAX_WEBSITE_LENGTH  # what the organisation's column holds
