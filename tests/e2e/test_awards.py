"""An award round: the operator opens it, an NGO applies, the operator records the
winner once it closes, and every member hears of it in their own language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.models import Role
from tests.e2e.journeys import has_button, label, open_menu, texts
from tests.e2e.test_filing import seed_organisation
from tests.seeding import in_database, staff

ALMATY = ZoneInfo("Asia/Almaty")
IN_MARCH = datetime(2026, 3, 2, 10, 0, tzinfo=ALMATY)
AFTER_CLOSING = datetime(2026, 4, 2, 10, 0, tzinfo=ALMATY)
NGO, OPERATOR = 860001, 700101


async def test_a_round_is_opened_applied_to_and_its_winner_told(world, user_factory):
    world.clock.set(IN_MARCH)
    ngo = user_factory(NGO, language_code="kk")
    operator = user_factory(OPERATOR, language_code="ru")
    await open_menu(ngo, "kk")
    await open_menu(operator, "ru")
    await seed_organisation(world, "«Қамқор» <ҚБ>", owner_telegram_id=NGO)
    await in_database(world.settings.database_url,
                      lambda store: staff(store, OPERATOR, Role.OPERATOR, "Operator"))  # fmt: skip

    # Without the role the console refuses.
    await ngo.send("/award_rounds")
    assert texts("kk")("awards.forbidden") in ngo.last_message().text

    await operator.send("/award_rounds")
    await operator.press(label("ru", "awards.op.new_round"))
    for title in ("Үздік жоба 2026", "Лучший проект 2026", "Best project 2026"):
        await operator.send(title)
    await operator.press(label("ru", "area.education"))
    await operator.press(label("ru", "common.done"))
    await operator.send("1 марта")
    assert texts("ru")("awards.op.date_expected") in operator.messages()[-2].text
    await operator.send("01.03.2026")
    await operator.send("31.03.2026")
    assert "31.03.2026 23:59" in operator.last_message().text
    await operator.press(label("ru", "awards.op.open"))
    assert "Лучший проект 2026" in operator.last_message().text

    await ngo.send("/menu")
    await ngo.press(label("kk", "menu.awards"))
    await ngo.press("Үздік жоба 2026")
    await ngo.press(label("kk", "awards.apply"))
    await ngo.press(label("kk", "area.education"))
    await ngo.send("Ауыл мектептеріндегі робототехника үйірмелері")
    await ngo.send("12 мектеп, 340 оқушы")
    await ngo.send("бұл сілтеме емес")
    assert texts("kk")("rule.website.spaces") in ngo.messages()[-2].text
    await ngo.send("ngo.kz/report")
    assert "https://ngo.kz/report" in ngo.last_message().text
    await ngo.press(label("kk", "awards.submit"))
    assert texts("kk")("awards.saved") in ngo.last_message().text
    assert has_button(ngo, label("kk", "awards.edit"))

    world.clock.set(AFTER_CLOSING)
    await operator.send("/award_rounds")
    await operator.press("Лучший проект 2026")
    await operator.press("«Қамқор» <ҚБ>")
    assert "340" in operator.last_message().text
    await operator.press(label("ru", "awards.op.mark_winner"))
    assert has_button(operator, label("ru", "common.back"))
    assert not has_button(operator, label("ru", "awards.op.mark_winner"))

    won = ngo.last_message().text
    assert "Құттықтаймыз" in won and "Үздік жоба 2026" in won and "«Қамқор» <ҚБ>" in won


async def test_the_office_gets_statistics_and_exports_and_ngos_do_not(world, user_factory):
    world.clock.set(IN_MARCH)
    ngo = user_factory(NGO, language_code="kk")
    operator = user_factory(OPERATOR, language_code="kk")
    await open_menu(ngo, "kk")
    await open_menu(operator, "kk")
    await seed_organisation(world, "«Қамқор» <ҚБ>", owner_telegram_id=NGO, region="shymkent")
    await in_database(
        world.settings.database_url,
        lambda store: staff(store, OPERATOR, Role.OPERATOR, "Operator", "kk"),
    )

    for command, refusal in (("/stats", "stats.forbidden"), ("/export", "export.forbidden")):
        await ngo.send(command)
        assert texts("kk")(refusal) in ngo.last_message().text
    # A forged button press is refused on the server too.
    await ngo.press_data("exp:organisations:xlsx")
    assert ngo.last_callback_answer.text == label("kk", "export.forbidden")

    await operator.send("/stats")
    summary, *photos = operator.messages()[-3:]
    assert label("kk", "region.shymkent") in summary.text
    assert len(photos) == 2 and all(p.photo for p in photos)

    await operator.send("/export")
    await operator.press(f"{label('kk', 'export.kind.organisations')} · CSV")
    sent = operator.last_message()
    assert sent.document["file_name"].startswith("organisations-") and "1" in sent.caption
