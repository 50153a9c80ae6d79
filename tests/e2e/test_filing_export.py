"""/export filings as the office gets it: the Status column reads as the filing screen."""

from __future__ import annotations

import csv
import io

import pytest

from storage.models import Role
from tests import seeding
from tests.e2e.journeys import open_menu, texts
from tests.seeding import in_database, staff

OPERATOR, NGO = 730001, 730002


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_the_filings_export_says_who_sent_it_and_when(world, user_factory, lang, caplog):
    operator = user_factory(OPERATOR, language_code=lang)
    await open_menu(operator, lang)
    now = world.clock.now()

    async def seed(store):
        await staff(store, OPERATOR, Role.OPERATOR, "Operator", lang)
        await seeding.organisation(store, NGO, now, name="Qamqor", owner_name="Aigerim")

    await in_database(world.settings.database_url, seed)

    await operator.send("/export filings csv")
    sent = operator.last_message()
    assert sent.document is not None, sent.text
    content = operator.bot.files[sent.document["file_id"]].content.decode("utf-8-sig")
    headers, row = list(csv.reader(io.StringIO(content)))
    t = texts(lang)
    status = row[headers.index(t.label("export.column.status"))]
    when = now.astimezone(world.clock.zone).strftime("%Y-%m-%d %H:%M")
    # Filed now, after the year's 31 March deadline: late, and it says so.
    assert status == t.label("filing.state.late", when=when, who="Aigerim")
    assert not [r for r in caplog.records if r.name == "core.i18n"]
