"""Who may apply for a topic. Checked before an application starts and again at submission."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.application_status import ApplicationStatus
from domain.deadlines import activity_report_deadline
from domain.statuses import ReportStatus, TopicStatus
from storage.repositories.topics import TopicView
from storage.store import Store

# Applications that count against a topic's per-NGO limit.
COUNTED_STATUSES = frozenset(ApplicationStatus) - {ApplicationStatus.WITHDRAWN}


class Ineligible(enum.StrEnum):
    """Why an organisation may not apply; each has its own message and a way to fix it."""

    NO_ORGANISATION = "no_organisation"
    NO_FILING = "no_filing"
    REGION = "region"
    TOPIC_NOT_OPEN = "topic_not_open"
    LIMIT_REACHED = "limit_reached"


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: Ineligible
    params: dict

    @property
    def code(self) -> str:
        return f"eligibility.{self.reason.value}"


def required_filing_year(now: datetime, zone: ZoneInfo, configured: int | None) -> int:
    """The latest year whose filing deadline has passed, unless a setting fixes it."""
    if configured is not None:
        return configured
    year = now.astimezone(zone).year - 1
    return year if now > activity_report_deadline(year + 1, zone) else year - 1


def topic_accepts(topic: TopicView, now: datetime) -> bool:
    """Open by status and by the clock: the server's word at submit time."""
    return topic.status == TopicStatus.OPEN and topic.opens_at <= now <= topic.closes_at


async def check(
    store: Store,
    organisation_id: int | None,
    topic: TopicView,
    now: datetime,
    zone: ZoneInfo,
    filing_year: int | None = None,
    *,
    counting_application: int | None = None,
) -> list[Refusal]:
    """Every condition that fails, in the order a person would fix them.

    `counting_application` is left out of the per-NGO limit (the one being submitted).
    """
    refusals: list[Refusal] = []
    if not topic_accepts(topic, now):
        refusals.append(Refusal(Ineligible.TOPIC_NOT_OPEN, {}))
    organisation = await store.organisations.get(organisation_id) if organisation_id else None
    if organisation_id is None or organisation is None:
        refusals.append(Refusal(Ineligible.NO_ORGANISATION, {}))
        return refusals
    year = required_filing_year(now, zone, filing_year)
    report = await store.activity_reports.get(organisation_id, year)
    if report is None or report.status != ReportStatus.SUBMITTED:
        refusals.append(Refusal(Ineligible.NO_FILING, {"year": year}))
    if not topic.region_is_eligible(organisation.region):
        refusals.append(Refusal(Ineligible.REGION, {}))
    used = await store.applications.count_for_topic(organisation_id, topic.id, COUNTED_STATUSES)
    if counting_application is not None:
        used -= 1
    if used >= topic.max_applications_per_ngo:
        refusals.append(
            Refusal(Ineligible.LIMIT_REACHED, {"count": topic.max_applications_per_ngo})
        )
    return refusals
