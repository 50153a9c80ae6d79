"""Screens at the largest sizes the forms allow: every one fits in a Telegram message.

Telegram refuses a text over 4096 characters; a dialog whose edit is refused used
to leave the person with "Sorry, something went wrong". The harness already fails
a journey on any refused screen (`LocalWorld.mistakes`); these journeys fill the
forms to their limits, in each language, and look at what the person sees.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.screen_fit import MAX_TEXT, visible_length
from domain.areas import AREAS
from domain.money import MAX_AMOUNT_KZT
from domain.regions import REGIONS
from registry import activity
from registry.forms import NAME_LIMIT
from storage.repositories.activity_reports import REPORT_NUMBER_FIELDS
from tests import seeding
from tests.e2e.journeys import label, open_menu, texts
from tests.e2e.test_filing import seed_organisation

ALMATY = ZoneInfo("Asia/Almaty")
IN_FEBRUARY = datetime(2026, 2, 10, 10, 0, tzinfo=ALMATY)
ZHANAR = 760001
SCREEN_METHODS = {"sendMessage", "editMessageText", "editMessageCaption", "sendDocument"}


def longest(text: str, limit: int) -> str:
    """`text` repeated to `limit` characters: markup to escape, letters outside
    Latin, an emoji Telegram counts twice."""
    return (text * (limit // len(text) + 1))[:limit].strip()


def longest_label(lang: str, prefix: str, codes) -> str:
    return max(codes, key=lambda code: len(label(lang, f"{prefix}.{code}")))


def screens_sent(world) -> list:
    return [call for call in world.emulator.calls if call.method in SCREEN_METHODS]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_filing_with_thirty_long_projects_fits_and_counts_the_rest(
    world, user_factory, lang
):
    t = texts(lang)
    world.clock.set(IN_FEBRUARY)
    user = user_factory(ZHANAR, language_code=lang)
    await open_menu(user, lang)
    name = longest("«Қамқор & <Жас ұрпақ>» 😀 ", NAME_LIMIT)
    organisation_id = await seed_organisation(world, name, owner_telegram_id=ZHANAR)
    area = longest_label(lang, "area", AREAS)
    region = longest_label(lang, "region", REGIONS)
    title = longest("Жазғы лагерь & <мектеп> 😀 ", activity.PROJECT_TITLE_LIMIT)

    async def fill(store):
        person = await store.people.get(ZHANAR)
        now, zone = world.clock.now(), world.clock.zone
        for field in REPORT_NUMBER_FIELDS:
            cap = MAX_AMOUNT_KZT if field in activity.AMOUNT_FIELDS else 100_000
            if field in activity.BENEFICIARY_FIELDS:
                cap = activity.MAX_BENEFICIARIES
            await activity.set_number(store, person, organisation_id, 2025, field, cap, now, zone)
        for _ in range(activity.MAX_PROJECTS - 1):
            await activity.add_project(
                store, person, organisation_id, 2025, title=title, area=area, region=region,
                beneficiaries=activity.MAX_BENEFICIARIES, now=now, zone=zone,
            )  # fmt: skip

    await seeding.in_database(world.settings.database_url, fill)

    # The thirtieth project, typed: the overview is edited after the last answer.
    await user.send("/filing")
    await user.press(label(lang, "filing.add_project"))
    await user.send(title)
    await user.press(label(lang, f"area.{area}"))
    await user.press(label(lang, f"region.{region}"))
    await user.send(str(activity.MAX_BENEFICIARIES))

    overview = user.last_message()
    assert name.split("&")[0] in overview.text
    more = [t.plural("screens.more", n) for n in range(1, activity.MAX_PROJECTS + 1)]
    assert any(line in overview.text for line in more)
    assert visible_length(overview.html) <= MAX_TEXT
    assert all(call.ok for call in screens_sent(world))
    assert t("errors.generic") not in [m.text for m in user.messages()]
