"""/stats for operators and admins: counts, filing coverage, and two charts as photos."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from console import stats
from console.roles import OPERATOR_ROLES, may
from core.clock import Clock
from core.i18n import Html, Texts
from core.settings import Settings
from storage.repositories.people import PersonView
from storage.store import Store


def _lines(t: Texts, pairs, prefix: str) -> Html:
    return Html(
        "\n".join(t("stats.line", name=t.label(f"{prefix}.{code}"), count=n) for code, n in pairs)
        or t("stats.none")
    )


def summary(t: Texts, found: stats.Statistics) -> str:
    return t(
        "stats.summary",
        organisations=found.organisations,
        filed=found.filed,
        year=found.filing_year,
        percent=f"{found.coverage_percent:.1f}",
        regions=_lines(t, found.by_region, "region"),
        areas=_lines(t, found.by_area, "area"),
        statuses=_lines(t, found.applications_by_status, "application.status"),
    )


def charts(t: Texts, found: stats.Statistics) -> list[tuple[str, bytes]]:
    topics = [c for c in found.per_topic if c.applications] or list(found.per_topic)
    return [
        (
            "applications-per-topic.png",
            stats.bar_chart(
                t.label("stats.chart.topics"),
                [c.title(t.locale) for c in topics],
                [c.applications for c in topics],
            ),
        ),
        (
            "ngos-per-region.png",
            stats.bar_chart(
                t.label("stats.chart.regions"),
                [t.label(f"region.{code}") for code, _n in found.by_region],
                [n for _code, n in found.by_region],
            ),
        ),
    ]


async def on_stats(
    message: Message,
    store: Store,
    person: PersonView | None,
    settings: Settings,
    t: Texts,
    clock: Clock,
) -> None:
    if not may(person, settings.admin_ids, OPERATOR_ROLES):
        await message.answer(t("stats.forbidden"))
        return
    found = await stats.gather(store, clock.now(), clock.zone)
    await message.answer(summary(t, found))
    for name, png in charts(t, found):
        await message.answer_photo(BufferedInputFile(png, filename=name))


def get_router() -> Router:
    router = Router(name="stats")
    router.message.register(on_stats, Command("stats"))
    return router
