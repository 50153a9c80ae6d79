"""Finding grant topics: the open ones, filtered for an organisation, a page at a time,
and what a topic's card says about whether the organisation may apply.

Only topics that take applications right now are shown: the scheduler closes a
topic at its deadline, but between its runs the clock is the judge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.deadlines import days_left
from grants.eligibility import Refusal, check, required_filing_year, topic_accepts
from storage.repositories.organisations import OrganisationView
from storage.repositories.people import PersonView
from storage.repositories.topics import TopicView
from storage.store import Store

PAGE_SIZE = 5


class TopicFilter(StrEnum):
    ALL = "all"
    MY_AREAS = "areas"
    MY_REGION = "region"

    @property
    def needs_organisation(self) -> bool:
        return self is not TopicFilter.ALL


class NoOrganisation(Exception):
    """A filter by areas or region asked for by someone who acts for no organisation."""


@dataclass(frozen=True, slots=True)
class TopicPage:
    topics: tuple[TopicView, ...]
    page: int  # from 0
    pages: int  # at least 1, so "page 1 of 1" reads right for an empty list
    total: int

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page < self.pages - 1


@dataclass(frozen=True, slots=True)
class TopicCard:
    topic: TopicView
    organisation_id: int | None
    days_left: int
    filing_year: int
    # Empty when the organisation may apply; every failed condition otherwise.
    refusals: tuple[Refusal, ...]

    @property
    def eligible(self) -> bool:
        return not self.refusals


def parse_topic_id(raw: object) -> int | None:
    """A topic id from callback data, which anyone can forge: None unless a plain number."""
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def matches(
    topic: TopicView, topic_filter: TopicFilter, organisation: OrganisationView | None
) -> bool:
    if topic_filter is TopicFilter.ALL:
        return True
    if organisation is None:
        return False
    if topic_filter is TopicFilter.MY_AREAS:
        return topic.area in organisation.areas
    return topic.region_is_eligible(organisation.region)


def paginate(topics: Sequence[TopicView], page: int, size: int = PAGE_SIZE) -> TopicPage:
    """One page; a page beyond the end (the list shrank meanwhile) gives the last one."""
    pages = max(1, math.ceil(len(topics) / size))
    page = min(max(page, 0), pages - 1)
    return TopicPage(
        topics=tuple(topics[page * size : (page + 1) * size]),
        page=page,
        pages=pages,
        total=len(topics),
    )


async def open_topics(store: Store, now: datetime) -> list[TopicView]:
    """Topics taking applications now, soonest deadline first."""
    return [topic for topic in await store.topics.open_topics() if topic_accepts(topic, now)]


async def browse(
    store: Store,
    now: datetime,
    *,
    topic_filter: TopicFilter = TopicFilter.ALL,
    organisation_id: int | None = None,
    page: int = 0,
) -> TopicPage:
    """Raises NoOrganisation when the filter needs an organisation and there is none."""
    organisation = await store.organisations.get(organisation_id) if organisation_id else None
    if topic_filter.needs_organisation and organisation is None:
        raise NoOrganisation
    topics = [t for t in await open_topics(store, now) if matches(t, topic_filter, organisation)]
    return paginate(topics, page)


async def available_topic(store: Store, topic_id: int | None, now: datetime) -> TopicView | None:
    """The topic if it exists and takes applications now; None for a stale or forged id."""
    topic = await store.topics.get(topic_id) if topic_id is not None else None
    return topic if topic is not None and topic_accepts(topic, now) else None


async def topic_card(
    store: Store,
    topic_id: int | None,
    organisation_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    filing_year: int | None = None,
) -> TopicCard | None:
    """The card of an open topic with the organisation's eligibility, or None when the
    topic is not (or no longer) open. The same check runs again when they press Apply."""
    topic = await available_topic(store, topic_id, now)
    if topic is None:
        return None
    refusals = await check(store, organisation_id, topic, now, zone, filing_year)
    return TopicCard(
        topic=topic,
        organisation_id=organisation_id,
        days_left=max(days_left(now, topic.closes_at, zone), 0),
        filing_year=required_filing_year(now, zone, filing_year),
        refusals=tuple(refusals),
    )


async def set_new_topic_alerts(store: Store, person: PersonView, enabled: bool) -> None:
    """Switch the alerts on or off as asked: done twice (an update handled again
    after a crash) it stays as asked, where a toggle would undo itself. The caller commits."""
    await store.people.set_notify_new_topics(person.telegram_id, enabled)
