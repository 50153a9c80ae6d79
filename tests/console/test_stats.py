"""Statistics and their charts: counts, filing coverage, and PNGs worth sending."""

from __future__ import annotations

import io

from PIL import Image

from bot.handlers.stats import charts, summary
from console import stats
from core.i18n import Translator
from storage.store import Store
from tests import seeding
from tests.seeding import NOW, submitted

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_readable_png(content: bytes) -> None:
    assert content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(content)).convert("RGB")
    assert image.width > 300 and image.height > 300
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 10, "the chart is a blank picture"


async def test_counts_coverage_and_charts_in_kazakh(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await seeding.topics(store, NOW)
        await submitted(store, 820001, bin_="940140000385", name="Қамқор", locale="kk", title="A")
        await seeding.organisation(store, 820002, NOW, bin_="990140004654", name="Daryn",
                                   region="shymkent", filed=False)  # fmt: skip
        found = await stats.gather(store, NOW, seeding.ZONE)

    assert found.organisations == 2 and found.filed == 1 and found.coverage_percent == 50.0
    assert dict(found.by_region) == {"almaty": 1, "shymkent": 1}
    assert dict(found.applications_by_status) == {"submitted": 1}
    assert sum(c.applications for c in found.per_topic) == 1

    t = Translator().for_locale("kk")
    text = summary(t, found)
    assert "50.0%" in text and t.label("region.shymkent") in text
    rendered = charts(t, found)
    assert [name for name, _png in rendered] == [
        "applications-per-topic.png",
        "ngos-per-region.png",
    ]
    for _name, png in rendered:
        assert_readable_png(png)


def test_a_chart_of_nothing_is_still_a_picture():
    assert_readable_png(stats.bar_chart("Бос", [], []))
    long_labels = ["Балалар мен жастар, олардың құқықтарын қорғау " * 2, "Ұлттық диалог"]
    assert_readable_png(stats.bar_chart("Өтінімдер", long_labels, [12, 3]))
