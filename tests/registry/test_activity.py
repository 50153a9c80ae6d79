"""The yearly activity filing: drafts, submission, the 31 March deadline and the lock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import RuleViolation
from domain.text_limits import InvalidText
from registry import activity
from registry.activity import FilingError, FilingProblem
from registry.staff import StaffError
from storage.models import MemberRole, ReportStatus
from storage.repositories.activity_reports import REPORT_NUMBER_FIELDS
from storage.store import Store
from tests import seeding

ALMATY = ZoneInfo("Asia/Almaty")
YEAR = 2025
IN_FEBRUARY = datetime(2026, 2, 10, 6, 0, tzinfo=UTC)
LAST_MINUTE = datetime(2026, 3, 31, 23, 59, tzinfo=ALMATY)
AFTER_DEADLINE = datetime(2026, 4, 1, 0, 0, 1, tzinfo=ALMATY)
OWNER_ID = 820001
MEMBER_ID = 820002
STRANGER_ID = 820003


async def make_organisation(store: Store, owner_telegram_id: int, name: str = "Қамқор"):
    seeded = await seeding.organisation(
        store, owner_telegram_id, IN_FEBRUARY, bin_=str(940140000000 + owner_telegram_id % 1000),
        name=name, areas=("education",), filed=False, owner_locale="kk", owner_name=None,
        public_listing=True,
    )  # fmt: skip
    owner = await store.people.get(owner_telegram_id)
    return owner, await store.organisations.get(seeded.organisation_id)


async def fill_everything(store, person, organisation_id, now=IN_FEBRUARY):
    for value, field in enumerate(REPORT_NUMBER_FIELDS, start=1):
        await activity.set_number(
            store, person, organisation_id, YEAR, field, value * 1000, now, ALMATY
        )
    await activity.add_project(
        store,
        person,
        organisation_id,
        YEAR,
        title="  Балаларға көмек ",
        area="children_and_youth",
        region="almaty",
        beneficiaries=120,
        now=now,
        zone=ALMATY,
    )


def test_deadline_is_the_end_of_31_march_of_the_next_year_in_almaty():
    deadline = activity.filing_deadline(YEAR, ALMATY)
    assert deadline.astimezone(ALMATY) == datetime(2026, 3, 31, 23, 59, 59, tzinfo=ALMATY)
    assert activity.current_year(IN_FEBRUARY, ALMATY) == YEAR
    # 1 January 2026 in Almaty is still 31 December 2025 in UTC.
    assert activity.current_year(datetime(2025, 12, 31, 20, 0, tzinfo=UTC), ALMATY) == YEAR


async def test_answers_are_kept_and_submission_records_who_and_when(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner, organisation = await make_organisation(store, OWNER_ID)
        await fill_everything(store, owner, organisation.id)
        submitted = await activity.submit(store, owner, organisation.id, YEAR, IN_FEBRUARY, ALMATY)
        await store.commit()

    async with session_factory() as session:
        store = Store(session)
        report = await store.activity_reports.get(organisation.id, YEAR)
        assert report == submitted
        assert report.status == ReportStatus.SUBMITTED
        assert report.submitted_by == owner.id
        assert report.submitted_at == IN_FEBRUARY
        assert report.updated_at == IN_FEBRUARY
        assert report.projects[0].title == "Балаларға көмек"
        assert report.total_income == sum(range(2, 7)) * 1000
        assert not activity.is_late(report, ALMATY)
        assert (await store.activity_reports.latest_submitted(organisation.id)) == report


async def test_incomplete_submission_is_refused_and_says_how_much_is_missing(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner, organisation = await make_organisation(store, OWNER_ID)
        await activity.set_number(
            store, owner, organisation.id, YEAR, "staff_count", 4, IN_FEBRUARY, ALMATY
        )
        with pytest.raises(FilingError) as refusal:
            await activity.submit(store, owner, organisation.id, YEAR, IN_FEBRUARY, ALMATY)
        assert refusal.value.problem == FilingProblem.INCOMPLETE
        # Seven numbers and the projects.
        assert refusal.value.params == {"count": 8}
        filing = await activity.status(store, owner, organisation.id, YEAR, IN_FEBRUARY, ALMATY)
        assert "projects" in filing.missing() and "staff_count" not in filing.missing()
        assert filing.report.status == ReportStatus.DRAFT


async def test_submitted_filing_is_editable_until_the_deadline_then_locked(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner, organisation = await make_organisation(store, OWNER_ID)
        await fill_everything(store, owner, organisation.id)
        await activity.submit(store, owner, organisation.id, YEAR, IN_FEBRUARY, ALMATY)
        await activity.set_number(
            store, owner, organisation.id, YEAR, "income_own", 5, LAST_MINUTE, ALMATY
        )
        with pytest.raises(FilingError) as refusal:
            await activity.set_number(
                store, owner, organisation.id, YEAR, "income_own", 6, AFTER_DEADLINE, ALMATY
            )
        assert refusal.value.problem == FilingProblem.LOCKED
        for late_change in (
            activity.submit(store, owner, organisation.id, YEAR, AFTER_DEADLINE, ALMATY),
            activity.remove_project(store, owner, organisation.id, YEAR, 1, AFTER_DEADLINE, ALMATY),
        ):
            with pytest.raises(FilingError):
                await late_change
        filing = await activity.status(store, owner, organisation.id, YEAR, AFTER_DEADLINE, ALMATY)
        assert filing.locked and filing.report.income_own == 5


async def test_a_draft_can_still_be_submitted_late_and_is_flagged(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner, organisation = await make_organisation(store, OWNER_ID)
        await fill_everything(store, owner, organisation.id, now=AFTER_DEADLINE)
        report = await activity.submit(store, owner, organisation.id, YEAR, AFTER_DEADLINE, ALMATY)
        assert activity.is_late(report, ALMATY)
        filing = await activity.status(store, owner, organisation.id, YEAR, AFTER_DEADLINE, ALMATY)
        assert filing.late and filing.locked


async def test_last_editor_is_recorded_and_strangers_are_refused(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner, organisation = await make_organisation(store, OWNER_ID)
        member = await store.people.add(MEMBER_ID, "ru")
        await store.memberships.add(organisation.id, member.id, MemberRole.MEMBER)
        stranger = await store.people.add(STRANGER_ID, "en")
        await activity.set_number(
            store, owner, organisation.id, YEAR, "staff_count", 4, IN_FEBRUARY, ALMATY
        )
        later = datetime(2026, 2, 11, tzinfo=UTC)
        await activity.set_number(
            store, member, organisation.id, YEAR, "volunteer_count", 9, later, ALMATY
        )
        report = await store.activity_reports.get(organisation.id, YEAR)
        assert (report.updated_by, report.updated_at) == (member.id, later)
        with pytest.raises(StaffError):
            await activity.set_number(
                store, stranger, organisation.id, YEAR, "staff_count", 1, later, ALMATY
            )
        with pytest.raises(StaffError):
            await activity.status(store, stranger, organisation.id, YEAR, later, ALMATY)


async def test_values_and_projects_are_checked(session_factory):
    async with session_factory() as session:
        store = Store(session)
        owner, organisation = await make_organisation(store, OWNER_ID)
        other_owner, other = await make_organisation(store, MEMBER_ID, name="Басқа")

        async def number(field, value):
            await activity.set_number(
                store, owner, organisation.id, YEAR, field, value, IN_FEBRUARY, ALMATY
            )

        with pytest.raises(FilingError):
            await number("income_own", -1)
        with pytest.raises(FilingError):
            await number("income_own", 10**13)
        with pytest.raises(RuleViolation):
            await number("staff_count", 1_000_000)
        with pytest.raises(FilingError):
            await number("total_beneficiaries", 30_000_000)

        async def project(**changes):
            answers = {
                "title": "Жоба",
                "area": "education",
                "region": "almaty",
                "beneficiaries": 5,
                **changes,
            }
            await activity.add_project(
                store,
                owner,
                organisation.id,
                YEAR,
                **answers,
                now=IN_FEBRUARY,
                zone=ALMATY,
            )

        with pytest.raises(InvalidText):
            await project(title="x" * 201)
        with pytest.raises(FilingError):
            await project(area="mars")
        await project()
        # A project of another organisation's filing cannot be removed through this one.
        await fill_everything(store, other_owner, other.id)
        foreign = (await store.activity_reports.get(other.id, YEAR)).projects[0]
        with pytest.raises(FilingError) as refusal:
            await activity.remove_project(
                store, owner, organisation.id, YEAR, foreign.id, IN_FEBRUARY, ALMATY
            )
        assert refusal.value.problem == FilingProblem.UNKNOWN_PROJECT
