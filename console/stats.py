"""Statistics for the operator: counts by region, area and status, the share of NGOs
that filed this year, and two charts rendered as PNG with matplotlib (Agg)."""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select

from domain.application_status import ApplicationStatus
from domain.statuses import ReportStatus
from registry.activity import current_year
from storage.models import (
    ActivityReport,
    Application,
    GrantTopic,
    Organisation,
    OrganisationArea,
)
from storage.store import Store

LABEL_WIDTH = 28
FONT = "DejaVu Sans"


@dataclass(frozen=True, slots=True)
class TopicCount:
    code: str
    titles: dict[str, str]
    applications: int

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("ru") or self.code


@dataclass(frozen=True, slots=True)
class Statistics:
    organisations: int
    by_region: tuple[tuple[str, int], ...]
    by_area: tuple[tuple[str, int], ...]
    applications_by_status: tuple[tuple[str, int], ...]
    per_topic: tuple[TopicCount, ...]
    filing_year: int
    filed: int

    @property
    def coverage_percent(self) -> float:
        return round(100 * self.filed / self.organisations, 1) if self.organisations else 0.0


async def gather(store: Store, now: datetime, zone: ZoneInfo) -> Statistics:
    session = store.session
    total = await session.scalar(select(func.count(Organisation.id))) or 0
    by_region = await session.execute(
        select(Organisation.region, func.count(Organisation.id))
        .group_by(Organisation.region)
        .order_by(func.count(Organisation.id).desc(), Organisation.region)
    )
    by_area = await session.execute(
        select(OrganisationArea.area, func.count(OrganisationArea.organisation_id))
        .group_by(OrganisationArea.area)
        .order_by(func.count(OrganisationArea.organisation_id).desc(), OrganisationArea.area)
    )
    by_status = await session.execute(
        select(Application.status, func.count(Application.id))
        .group_by(Application.status)
        .order_by(Application.status)
    )
    per_topic = await session.execute(
        select(GrantTopic, func.count(Application.id))
        .outerjoin(
            Application,
            (Application.topic_id == GrantTopic.id)
            & (Application.status != ApplicationStatus.DRAFT),
        )
        .group_by(GrantTopic.id)
        .order_by(func.count(Application.id).desc(), GrantTopic.code)
    )
    # The information filed this year is on the year before (it is due by 31 March).
    year = current_year(now, zone)
    filed = await session.scalar(
        select(func.count(distinct(ActivityReport.organisation_id))).where(
            ActivityReport.year == year, ActivityReport.status == ReportStatus.SUBMITTED
        )
    )
    return Statistics(
        organisations=total,
        by_region=tuple((region, count) for region, count in by_region),
        by_area=tuple((area, count) for area, count in by_area),
        applications_by_status=tuple((status, count) for status, count in by_status),
        per_topic=tuple(
            TopicCount(
                topic.code,
                {"kk": topic.title_kk, "ru": topic.title_ru, "en": topic.title_en},
                count,
            )
            for topic, count in per_topic
        ),
        filing_year=year,
        filed=filed or 0,
    )


@functools.cache
def _pyplot():
    """matplotlib's pyplot, imported on the first chart, not at start-up: the import
    costs about half a second and 20 MB that a bot nobody asks for charts never needs."""
    import matplotlib

    # No display on a server: the file-only backend, chosen before pyplot is imported.
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int]) -> bytes:
    """Horizontal bars, long labels wrapped: Kazakh and Russian names stay readable."""
    pyplot = _pyplot()
    wrapped = ["\n".join(textwrap.wrap(label, LABEL_WIDTH)) or "—" for label in labels]
    if not wrapped:
        wrapped, values = ["—"], [0]
    lines = sum(label.count("\n") + 1 for label in wrapped)
    height = max(3.5, 0.9 + 0.32 * lines + 0.15 * len(wrapped))
    figure, axes = pyplot.subplots(figsize=(9, height), dpi=100)
    try:
        positions = range(len(wrapped))
        bars = axes.barh(positions, values, color="#2f6db5")
        axes.set_yticks(list(positions), labels=wrapped, fontfamily=FONT, fontsize=9)
        axes.invert_yaxis()
        axes.set_title(title, fontfamily=FONT, fontsize=12)
        axes.bar_label(bars, padding=3, fontsize=9)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlim(0, max(max(values, default=0), 1) * 1.15)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        pyplot.close(figure)
