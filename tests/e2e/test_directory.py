"""Anyone browses the public NGO directory: folded search, filters, pages, cards."""

from __future__ import annotations

import pytest

from tests.e2e.journeys import has_button, label, open_menu, texts
from tests.e2e.test_filing import seed_organisation

ASEL = 740001
KAMKOR = "«Қамқор» қоғамдық бірлестігі"
HIDDEN = "Қамқор жасырын қоры"


def screen(user):
    """The directory's message: the latest one with buttons (the menu is edited in place)."""
    return next(m for m in reversed(user.messages()) if m.from_bot and m.buttons)


def result_buttons(user) -> list:
    return [b for row in screen(user).buttons for b in row if "(" in b.text]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_search_filters_pages_and_cards(world, user_factory, lang):
    t = texts(lang)
    kamkor = await seed_organisation(world, KAMKOR, region="almaty", areas=("children_and_youth",))
    hidden = await seed_organisation(world, HIDDEN, public=False)
    for number in range(6):
        await seed_organisation(world, f"Astana NGO {number}", region="astana", areas=("sport",))
    user = user_factory(ASEL, language_code=lang)
    await open_menu(user, lang)
    await user.press(label(lang, "menu.directory"))
    assert t("directory.found", total=7, page=1, pages=2).strip() in screen(user).text
    assert any(
        b.text == label(lang, "common.next_page") for row in screen(user).buttons for b in row
    )

    for query in ("қамқор", "ҚАМҚОР"):
        await user.send(query)
        names = [b.text for b in result_buttons(user)]
        assert names == [f"{KAMKOR} ({label(lang, 'region.almaty')})"], query
        assert HIDDEN not in screen(user).text

    # A forged button for the unlisted organisation is refused.
    data = result_buttons(user)[0].callback_data
    await user.press_data(data.removesuffix(str(kamkor)) + str(hidden))
    assert t("directory.not_listed") in user.last_callback_answer.text

    await user.press(result_buttons(user)[0].text)
    card = screen(user).text
    assert KAMKOR in card and "+77011234567" in card and "<b>көрсетеміз</b>" in card
    assert t("directory.card_no_filing").strip() in card
    await user.press(label(lang, "directory.back_to_results"))

    await user.send("no such organisation")
    assert t("directory.empty").strip() in screen(user).text
    await user.press(label(lang, "directory.clear"))

    await user.press(label(lang, "directory.filter_region", region=label(lang, "directory.all")))
    await user.press(label(lang, "region.astana"))
    assert len(result_buttons(user)) == 5
    await user.press(label(lang, "common.next_page"))
    assert len(result_buttons(user)) == 1
    assert not has_button(user, label(lang, "common.next_page"))
    await user.press(label(lang, "common.prev_page"))

    await user.press(label(lang, "directory.filter_area", area=label(lang, "directory.all")))
    await user.press(label(lang, "area.children_and_youth"))
    assert t("directory.empty").strip() in screen(user).text
