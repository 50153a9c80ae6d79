from __future__ import annotations

import pytest

from domain.email_address import EmailProblem, InvalidEmail, normalize_email


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("info@kamkor.kz", "info@kamkor.kz"),
        ("  Aigerim.N@Mail.RU ", "Aigerim.N@mail.ru"),
        ("grants+2026@ngo.org.kz", "grants+2026@ngo.org.kz"),
        ("office@сайт.қаз", "office@сайт.қаз"),
    ],
)
def test_sane_addresses_are_accepted(typed: str, stored: str) -> None:
    assert normalize_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", EmailProblem.EMPTY),
        ("info.kamkor.kz", EmailProblem.NO_AT_SIGN),
        ("@kamkor.kz", EmailProblem.LOCAL_PART),
        (".info@kamkor.kz", EmailProblem.LOCAL_PART),
        ("in..fo@kamkor.kz", EmailProblem.LOCAL_PART),
        ("in fo@kamkor.kz", EmailProblem.LOCAL_PART),
        ("info@kamkor", EmailProblem.DOMAIN),
        ("info@", EmailProblem.DOMAIN),
        ("info@kamkor..kz", EmailProblem.DOMAIN),
        ("info@-kamkor.kz", EmailProblem.DOMAIN),
        ("info@kamkor.kz.", EmailProblem.DOMAIN),
        ("info@kamkor.k", EmailProblem.DOMAIN),
        ("a" * 65 + "@kamkor.kz", EmailProblem.LOCAL_PART),
        ("a@" + "b" * 250 + ".kz", EmailProblem.TOO_LONG),
    ],
)
def test_typos_are_refused(typed: str, reason: EmailProblem) -> None:
    with pytest.raises(InvalidEmail) as refusal:
        normalize_email(typed)
    assert refusal.value.reason is reason
