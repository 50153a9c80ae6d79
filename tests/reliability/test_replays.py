"""A press handled twice changes nothing more than once.

After a crash Telegram re-sends the updates the dead process had not
confirmed, and the de-duplication takes over a claim left "processing": an
update whose handler had already committed its work is handled again. So
each handler must be safe to repeat. The crash suite found one that was not:
ticking a region on an application was a toggle, and the replay unticked it.
The switches in /settings and the new-topic alerts were toggles too. Each
button now says what it does ("tick Almaty", "turn announcements off").
"""

from __future__ import annotations

from sqlalchemy import select

from bot.local_world import LocalWorld
from storage.models import Application
from tests.e2e.journeys import label, open_menu
from tests.reliability import support
from tests.reliability.support import NOW, TOPIC, in_database

APPLICANT = 795001
LANG = "en"


async def test_a_region_press_handled_twice_stays_ticked(settings):
    world = LocalWorld(settings)
    await world.start()
    try:
        world.clock.set(NOW)

        async def seed(store):
            await support.seeding.topics(store, NOW)
            await support.seed_applicant(store, APPLICANT, locale=LANG, name="Replay Fund")

        await in_database(world.settings.database_url, seed)
        user = world.emulator.user(APPLICANT, language_code=LANG)
        await open_menu(user, LANG)
        await user.send(f"/apply {TOPIC}")
        for answer in ("Title", "Problem", "Activities", "Results", "400", "12"):
            await user.send(answer)
        await user.send("5 000 000")
        await user.send("500 000")
        pressed = await user.press(label(LANG, "region.almaty"))
        # The same press once more, as the successor of a killed process handles it.
        await user.press_data(pressed["callback_query"]["data"])

        async def regions(store):
            return await store.session.scalar(select(Application.regions))

        saved = await in_database(world.settings.database_url, regions)
        shown = support.buttons(user)
    finally:
        await world.stop()
    assert saved == "almaty"
    assert "✅ " + label(LANG, "region.almaty") in shown


async def test_a_settings_press_handled_twice_is_still_what_was_pressed(settings):
    world = LocalWorld(settings)
    await world.start()
    try:
        user = world.emulator.user(APPLICANT, language_code=LANG)
        await open_menu(user, LANG)
        await user.send("/settings")
        on = label(LANG, "settings.state_on", name=label(LANG, "settings.announcements"))
        off = label(LANG, "settings.state_off", name=label(LANG, "settings.announcements"))
        pressed = await user.press(on)  # turn announcements off
        await user.press_data(pressed["callback_query"]["data"])
        await user.send("/settings")
        shown = support.buttons(user)
        await user.send("/grants")
        pressed = await user.press(label(LANG, "topics.alerts.off"))  # turn alerts on
        await user.press_data(pressed["callback_query"]["data"])
        alerts = support.buttons(user)
    finally:
        await world.stop()
    assert off in shown and on not in shown
    assert label(LANG, "topics.alerts.on") in alerts
