"""Answers typed as people write them: a social-network page for the website, a year
and a head-count with their words, and money signs where people are counted."""

from __future__ import annotations

import pytest

from tests.e2e.journeys import BIN_KAMKOR, agree_if_asked, label, open_menu, texts
from tests.e2e.test_registration import last_text, told

AIGERIM = 720101
ANSWERS = {
    "kk": {"year": "2012 ж.", "money": "150 теңге", "staff": "7 адам"},
    "ru": {"year": "в 2012 году", "money": "150 тг", "staff": "7 человек"},
    "en": {"year": "since 2012", "money": "150 KZT", "staff": "7 people"},
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_an_instagram_name_a_worded_year_and_counts_without_money(user_factory, lang):
    said = ANSWERS[lang]
    user = user_factory(AIGERIM, language_code=lang)
    await open_menu(user, lang)
    await user.press(label(lang, "menu.register"))
    await agree_if_asked(user, lang)
    await user.send(BIN_KAMKOR)
    await user.send("Qamqor")
    await user.press(label(lang, "common.skip"))
    await user.press(label(lang, "legal_form.public_foundation"))
    await user.press(label(lang, "region.almaty"))
    await user.press(label(lang, "area.education"))
    await user.press(label(lang, "common.done"))
    await user.send("We help children learn.")
    await user.send("+7 701 123 45 67")
    await user.send("info@qamqor.kz")

    # The e-mail again where the site is asked: told so, with examples of a page.
    await user.send("info@qamqor.kz")
    assert told(user, lang, "rule.website.email")
    refusal = user.messages()[-2].text or ""
    assert "пароль" not in refusal and "password" not in refusal and "құпиясөз" not in refusal
    await user.send("@qamqor_almaty")
    assert label(lang, "common.step", step=11, total=14) in last_text(user)

    await user.send(said["year"])
    assert label(lang, "common.step", step=12, total=14) in last_text(user)
    await user.send(said["money"])
    assert told(user, lang, "input.number.count.wrong_unit")
    assert "₸" not in texts(lang)("input.number.count.wrong_unit")
    await user.send(said["staff"])
    await user.send("35")
    await user.press(label(lang, "common.no"))

    summary = last_text(user)
    assert "https://instagram.com/qamqor_almaty" in summary
    assert "2012" in summary and "7" in summary
