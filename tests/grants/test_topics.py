"""Finding open grant topics (order, filters, pages) and who may apply for one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from grants import topics
from grants.eligibility import Ineligible, check, required_filing_year
from grants.topic_files import TopicFileError, import_topics, load_topics, parse_topic
from grants.topics import PAGE_SIZE, NoOrganisation, TopicFilter
from storage.store import Store
from tests import seeding

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")
FILING_YEAR = 2025  # the latest year whose 31 March deadline has passed on NOW
OWNER_ID = 830001


def entry(code: str, *, area="education", regions="all", closes="now+20d", **extra) -> dict:
    return {
        "code": code,
        "title": {"kk": f"{code} kk", "ru": f"{code} ru", "en": f"{code} en"},
        "description": {"kk": "Сипаттама", "ru": "Описание", "en": "Description"},
        "area": area,
        "regions": regions,
        "grant_type": "short_term",
        "budget_min": 3_000_000,
        "budget_max": 12_000_000,
        "opens_at": "now-2d",
        "closes_at": closes,
        "status": "open",
        **extra,
    }


async def load(store: Store, *entries: dict) -> dict[str, int]:
    await import_topics(store, yaml.safe_dump({"topics": list(entries)}), NOW)
    return {t.code: t.id for t in await store.topics.all()}


@pytest.fixture
async def owner(store):
    await store.people.add(OWNER_ID, locale="ru")
    return await store.people.get(OWNER_ID)


async def add_organisation(
    store: Store, owner, *, region="almaty", areas=("education",), filed: int | None = FILING_YEAR
) -> int:
    bin_ = "940140000385" if region == "almaty" else "990140004654"
    seeded = await seeding.organisation(
        store, owner.telegram_id, NOW, bin_=bin_, name="Қамқор", region=region, areas=areas,
        filed=filed, owner_name=None, public_listing=True,
    )  # fmt: skip
    return seeded.organisation_id


# The list


async def test_open_topics_soonest_deadline_first_and_only_those_taking_applications(store):
    await load(
        store,
        entry("later", closes="now+30d"),
        entry("sooner", closes="now+5d"),
        entry("draft", status="draft"),
        entry("closed", status="closed"),
        # Open by status, but the scheduler has not caught up with the clock yet.
        entry("overdue", opens_at="now-10d", closes="now-1h"),
        entry("not-yet", opens_at="now+1d", closes="now+9d"),
    )
    page = await topics.browse(store, NOW)
    assert [t.code for t in page.topics] == ["sooner", "later"]
    assert (page.page, page.pages, page.total) == (0, 1, 2)


async def test_my_areas_and_my_region_use_the_organisation(store, owner):
    await load(
        store,
        entry("education-everywhere", area="education"),
        entry("health-south", area="health", regions=["shymkent", "turkistan"]),
        entry("education-south", area="education", regions=["shymkent"], closes="now+25d"),
    )
    almaty = await add_organisation(store, owner, region="almaty", areas=("education",))

    by_area = await topics.browse(
        store, NOW, topic_filter=TopicFilter.MY_AREAS, organisation_id=almaty
    )
    assert [t.code for t in by_area.topics] == ["education-everywhere", "education-south"]

    by_region = await topics.browse(
        store, NOW, topic_filter=TopicFilter.MY_REGION, organisation_id=almaty
    )
    assert [t.code for t in by_region.topics] == ["education-everywhere"]

    everything = await topics.browse(
        store, NOW, topic_filter=TopicFilter.ALL, organisation_id=almaty
    )
    assert everything.total == 3


@pytest.mark.parametrize("topic_filter", [TopicFilter.MY_AREAS, TopicFilter.MY_REGION])
async def test_filters_by_organisation_need_one(store, topic_filter):
    await load(store, entry("any"))
    with pytest.raises(NoOrganisation):
        await topics.browse(store, NOW, topic_filter=topic_filter, organisation_id=None)
    assert (await topics.browse(store, NOW, topic_filter=TopicFilter.ALL)).total == 1


async def test_pages_of_five(store):
    await load(store, *(entry(f"topic-{n:02d}", closes=f"now+{n + 1}d") for n in range(12)))
    first = await topics.browse(store, NOW, page=0)
    last = await topics.browse(store, NOW, page=2)
    assert len(first.topics) == PAGE_SIZE and first.pages == 3
    assert first.has_next and not first.has_previous
    assert [t.code for t in last.topics] == ["topic-10", "topic-11"]
    assert last.has_previous and not last.has_next
    # A page that no longer exists (topics closed meanwhile) shows the last one.
    assert (await topics.browse(store, NOW, page=7)).page == 2
    assert (await topics.browse(store, NOW, page=-3)).page == 0


def test_an_empty_list_is_one_empty_page():
    page = topics.paginate([], 0)
    assert (page.topics, page.page, page.pages, page.total) == ((), 0, 1, 0)
    assert not page.has_next and not page.has_previous


@pytest.mark.parametrize("raw", ["12", 12])
def test_topic_ids_from_buttons(raw):
    assert topics.parse_topic_id(raw) == 12


@pytest.mark.parametrize("raw", ["", "-1", "1e3", "١٢", "12; DROP", "9" * 40, None])
def test_forged_topic_ids_are_refused(raw):
    assert topics.parse_topic_id(raw) is None


async def test_only_open_topics_are_available(store):
    ids = await load(store, entry("open"), entry("closed", status="closed"))
    assert (await topics.available_topic(store, ids["open"], NOW)).code == "open"
    assert await topics.available_topic(store, ids["closed"], NOW) is None
    assert await topics.available_topic(store, 999_999, NOW) is None
    assert await topics.available_topic(store, None, NOW) is None


# The card and eligibility


async def test_the_card_counts_calendar_days_in_almaty(store, owner):
    # 20 Nov 09:00 UTC is 14:00 in Almaty; closing on 25 Nov 01:00 Almaty is 5 days away.
    closes = datetime(2026, 11, 24, 20, 0, tzinfo=UTC).isoformat()
    ids = await load(store, entry("soon", closes=closes))
    organisation_id = await add_organisation(store, owner)
    card = await topics.topic_card(store, ids["soon"], organisation_id, NOW, ALMATY)
    assert card.days_left == 5
    assert card.filing_year == FILING_YEAR
    assert card.eligible and card.refusals == ()


async def test_a_card_for_a_closed_topic_is_none(store):
    ids = await load(store, entry("closed", status="closed"))
    assert await topics.topic_card(store, ids["closed"], None, NOW, ALMATY) is None


async def test_eligible_organisation_has_no_refusals(store, owner):
    ids = await load(store, entry("open"))
    organisation_id = await add_organisation(store, owner)
    topic = await store.topics.get(ids["open"])
    assert await check(store, organisation_id, topic, NOW, ALMATY) == []


async def test_no_organisation(store):
    ids = await load(store, entry("open"))
    topic = await store.topics.get(ids["open"])
    for organisation_id in (None, 424242):  # nobody, or an organisation since deleted
        refusals = await check(store, organisation_id, topic, NOW, ALMATY)
        assert [r.code for r in refusals] == ["eligibility.no_organisation"]


async def test_no_filing_names_the_year(store, owner):
    ids = await load(store, entry("open"))
    organisation_id = await add_organisation(store, owner, filed=FILING_YEAR - 1)
    topic = await store.topics.get(ids["open"])
    refusals = await check(store, organisation_id, topic, NOW, ALMATY)
    assert [(r.reason, r.params) for r in refusals] == [
        (Ineligible.NO_FILING, {"year": FILING_YEAR})
    ]


async def test_a_draft_filing_is_not_a_filing(store, owner):
    ids = await load(store, entry("open"))
    organisation_id = await add_organisation(store, owner, filed=None)
    await store.activity_reports.get_or_create(organisation_id, FILING_YEAR, owner.id, NOW)
    topic = await store.topics.get(ids["open"])
    refusals = await check(store, organisation_id, topic, NOW, ALMATY)
    assert [r.reason for r in refusals] == [Ineligible.NO_FILING]


async def test_region(store, owner):
    ids = await load(store, entry("south", regions=["shymkent", "turkistan"]))
    organisation_id = await add_organisation(store, owner, region="almaty")
    topic = await store.topics.get(ids["south"])
    refusals = await check(store, organisation_id, topic, NOW, ALMATY)
    assert [r.reason for r in refusals] == [Ineligible.REGION]


async def test_topic_not_open(store, owner):
    ids = await load(store, entry("closed", status="closed"))
    organisation_id = await add_organisation(store, owner)
    topic = await store.topics.get(ids["closed"])
    refusals = await check(store, organisation_id, topic, NOW, ALMATY)
    assert [r.reason for r in refusals] == [Ineligible.TOPIC_NOT_OPEN]
    # The clock decides too: open by status, but after its closing time.
    ids = await load(store, entry("open"))
    topic = await store.topics.get(ids["open"])
    late = await check(store, organisation_id, topic, NOW + timedelta(days=21), ALMATY)
    assert Ineligible.TOPIC_NOT_OPEN in [r.reason for r in late]


async def test_limit_reached_names_the_limit(store, owner):
    ids = await load(store, entry("two", max_applications_per_ngo=2))
    organisation_id = await add_organisation(store, owner)
    topic = await store.topics.get(ids["two"])
    first = await store.applications.add_draft(organisation_id, topic.id, owner.id)
    assert await check(store, organisation_id, topic, NOW, ALMATY) == []
    await store.applications.add_draft(organisation_id, topic.id, owner.id)
    refusals = await check(store, organisation_id, topic, NOW, ALMATY)
    assert [(r.reason, r.params) for r in refusals] == [(Ineligible.LIMIT_REACHED, {"count": 2})]
    # Submitting one of the two does not count it twice.
    assert await check(store, organisation_id, topic, NOW, ALMATY, counting_application=first) == []


async def test_every_failed_condition_is_listed(store, owner):
    ids = await load(store, entry("south", regions=["shymkent"], status="closed"))
    organisation_id = await add_organisation(store, owner, region="almaty", filed=None)
    topic = await store.topics.get(ids["south"])
    refusals = await check(store, organisation_id, topic, NOW, ALMATY)
    assert [r.reason for r in refusals] == [
        Ineligible.TOPIC_NOT_OPEN,
        Ineligible.NO_FILING,
        Ineligible.REGION,
    ]


@pytest.mark.parametrize(
    ("now", "year"),
    [
        (datetime(2026, 3, 31, 18, 59, tzinfo=UTC), 2024),  # 23:59 on 31 March in Almaty
        (datetime(2026, 3, 31, 19, 0, tzinfo=UTC), 2025),  # 00:00 on 1 April in Almaty
        (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), 2025),
    ],
)
def test_the_required_filing_year_moves_after_31_march(now, year):
    assert required_filing_year(now, ALMATY, None) == year
    assert required_filing_year(now, ALMATY, 2019) == 2019


# The topic file


def test_a_topic_file_reads_regions_as_a_list_or_a_line():
    as_line = parse_topic(entry("south", regions="shymkent, turkistan"), NOW)
    as_list = parse_topic(entry("south", regions=["shymkent", "turkistan"]), NOW)
    assert as_line["regions"] == as_list["regions"] == ("shymkent", "turkistan")
    assert parse_topic(entry("everywhere"), NOW)["regions"] == ()


@pytest.mark.parametrize(
    "bad",
    [{"budget_min": True}, {"max_applications_per_ngo": True}, {"regions": "atlantis"}],
)
def test_a_topic_file_refuses_what_is_not_a_number_or_a_region(bad):
    with pytest.raises(TopicFileError):
        parse_topic(entry("bad") | bad, NOW)


def test_a_topics_budget_lies_within_its_grant_types_at_its_years_mci():
    # Short-term: 500 to 3,000 MCI; 12,975,000 tenge at 2026's MCI, 11,796,000 at 2025's.
    file = yaml.safe_dump({"topics": [entry("short") | {"budget_max": 12_500_000}]})
    assert load_topics(file, NOW)[0]["budget_max"] == 12_500_000
    with pytest.raises(TopicFileError, match="short_term grant of 2025 is 1,966,000–11,796,000"):
        load_topics(file, NOW.replace(year=2025))
    with pytest.raises(TopicFileError, match="MCI 4,000"):
        load_topics(file, NOW, {2026: 4_000})
    too_small = yaml.safe_dump({"topics": [entry("small") | {"budget_min": 1_000_000}]})
    with pytest.raises(TopicFileError, match="budget_min and budget_max must lie within"):
        load_topics(too_small, NOW)


async def test_a_file_does_not_close_a_live_topic_before_its_deadline(store):
    await load(store, entry("live"))
    with pytest.raises(TopicFileError, match="close it early in the operator console"):
        await load(store, entry("live", status="closed"))
    with pytest.raises(TopicFileError, match="close it early"):
        await load(store, entry("live", closes="now-1d"))
    assert (await store.topics.by_code("live")).status == "open"
    await load(store, entry("live", closes="now+3d"))  # a new deadline ahead is an edit
