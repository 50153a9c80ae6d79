from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.website import (
    MAX_WEBSITE_LENGTH,
    SOCIAL_HOSTS,
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


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("@qamqor_almaty", "https://instagram.com/qamqor_almaty"),
        ("@qamqor.kz", "https://instagram.com/qamqor.kz"),
        ("instagram.com/qamqor", "https://instagram.com/qamqor"),
        (
            "https://www.instagram.com/qamqor/?igsh=MWx0ZXk&utm_source=qr",
            "https://instagram.com/qamqor",
        ),
        ("http://m.facebook.com/qamqor/", "https://facebook.com/qamqor"),
        (
            "https://www.facebook.com/profile.php?id=100064&mibextid=ZbWKwL",
            "https://facebook.com/profile.php?id=100064",
        ),
        ("fb.com/qamqor", "https://facebook.com/qamqor"),
        ("t.me/qamqor", "https://t.me/qamqor"),
        ("https://telegram.me/qamqor", "https://t.me/qamqor"),
        ("vk.com/qamqor", "https://vk.com/qamqor"),
        ("https://www.tiktok.com/@qamqor?_t=8k", "https://tiktok.com/@qamqor?_t=8k"),
        ("twitter.com/qamqor?s=21", "https://x.com/qamqor"),
    ],
)
def test_social_network_pages_are_taken_as_people_paste_them(typed: str, stored: str) -> None:
    assert normalize_website(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("info@qamqor.kz", WebsiteProblem.EMAIL),
        ("@", WebsiteProblem.HANDLE),
        ("@қамқор", WebsiteProblem.HANDLE),
        ("@qamqor/", WebsiteProblem.HANDLE),
        ("@qamqor almaty", WebsiteProblem.SPACES),
        ("instagram.com", WebsiteProblem.PAGE),
        ("https://www.instagram.com/?igsh=x", WebsiteProblem.PAGE),
        ("fb.com/" + "a" * 292, WebsiteProblem.TOO_LONG),
    ],
)
def test_what_is_no_page_is_refused_with_its_own_reason(typed: str, reason: WebsiteProblem) -> None:
    with pytest.raises(InvalidWebsite) as refusal:
        normalize_website(typed)
    assert refusal.value.reason is reason


@given(st.from_regex(r"[A-Za-z0-9._]{1,30}", fullmatch=True))
def test_every_instagram_name_is_its_page(name: str) -> None:
    assert normalize_website(f"@{name}") == f"https://instagram.com/{name}"
    assert normalize_website(f"instagram.com/{name}/?igsh=abc") == f"https://instagram.com/{name}"


@given(st.sampled_from(sorted(SOCIAL_HOSTS)), st.text(max_size=300))
def test_a_page_on_a_network_is_stored_on_its_own_host_or_refused(host: str, rest: str) -> None:
    try:
        stored = normalize_website(f"{host}/{rest}")
    except InvalidWebsite:
        return
    assert stored.startswith(f"https://{SOCIAL_HOSTS[host]}/")
    assert len(stored) <= MAX_WEBSITE_LENGTH
    kept = {name for name, _ in parse_qsl(urlsplit(stored).query, keep_blank_values=True)}
    assert not {name for name in kept if name.startswith("utm_")} | ({"igsh", "fbclid"} & kept)
