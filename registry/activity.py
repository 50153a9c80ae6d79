"""Annual activity information for the state NGO database (due 31 March, for the year before).

A draft saves every answer at once, so it resumes after any interruption. A
submitted filing can be corrected until the deadline and is locked after it;
a filing that was never submitted can still be submitted late, and says so
(late filing is still required by law, and carries liability).

Every use case takes the organisation and the reporting year, checks that the
person is a member, and creates the draft on the first answer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.areas import is_area
from domain.deadlines import activity_report_deadline, reporting_year_due
from domain.lookup import found
from domain.money import MAX_AMOUNT_KZT
from domain.organisation import check_people_count
from domain.regions import is_region
from domain.statuses import ReportStatus
from domain.text_input import NumberKind, read_name, read_number
from registry.staff import require_member
from storage.repositories.activity_reports import REPORT_NUMBER_FIELDS, ReportView
from storage.repositories.people import PersonView
from storage.store import Store

MAX_PROJECTS = 30
PROJECT_TITLE_LIMIT = 200
# No NGO serves more people than live in Kazakhstan (about 20 million): the cap
# catches a pasted phone number or an amount typed into the wrong field.
MAX_BENEFICIARIES = 20_000_000

AMOUNT_FIELDS = tuple(name for name in REPORT_NUMBER_FIELDS if name.startswith("income_"))
PEOPLE_FIELDS = ("staff_count", "volunteer_count")


class FilingProblem(enum.StrEnum):
    LOCKED = "locked"
    INCOMPLETE = "incomplete"
    NO_PROJECTS = "no_projects"
    TOO_MANY_PROJECTS = "too_many_projects"
    UNKNOWN_PROJECT = "unknown_project"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    BAD_CHOICE = "bad_choice"


class FilingError(Exception):
    def __init__(self, problem: FilingProblem, **params: int | str) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.params = params

    @property
    def code(self) -> str:
        return f"filing.{self.problem.value}"


@dataclass(frozen=True, slots=True)
class FilingStatus:
    organisation_id: int
    year: int
    deadline: datetime
    report: ReportView | None
    locked: bool
    late: bool

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status == ReportStatus.SUBMITTED

    def missing(self) -> tuple[str, ...]:
        """What still stops submission: field names, and "projects" when there are none."""
        if self.report is None:
            return (*REPORT_NUMBER_FIELDS, "projects")
        return (*self.report.missing_fields(), *(() if self.report.projects else ("projects",)))


def reporting_year(today: date) -> int:
    """The year whose activity is being filed now: always the year before."""
    return reporting_year_due(today)


def current_year(now: datetime, zone: ZoneInfo) -> int:
    return reporting_year(now.astimezone(zone).date())


def filing_deadline(year: int, zone: ZoneInfo) -> datetime:
    """The last instant to file information on `year`: the end of 31 March of `year + 1`."""
    return activity_report_deadline(year + 1, zone)


def is_locked(report: ReportView, now: datetime, zone: ZoneInfo) -> bool:
    """A submitted filing is final once its deadline has passed; a draft never locks."""
    return report.status == ReportStatus.SUBMITTED and now > filing_deadline(report.year, zone)


def is_late(report: ReportView, zone: ZoneInfo) -> bool:
    return report.submitted_at is not None and report.submitted_at > filing_deadline(
        report.year, zone
    )


async def status(
    store: Store,
    person: PersonView,
    organisation_id: int,
    year: int,
    now: datetime,
    zone: ZoneInfo,
) -> FilingStatus:
    """The filing as it is in the database; only members may see it."""
    await require_member(store, person, organisation_id)
    report = await store.activity_reports.get(organisation_id, year)
    return FilingStatus(
        organisation_id=organisation_id,
        year=year,
        deadline=filing_deadline(year, zone),
        report=report,
        locked=report is not None and is_locked(report, now, zone),
        late=report is not None and is_late(report, zone),
    )


async def _editable(
    store: Store,
    person: PersonView,
    organisation_id: int,
    year: int,
    now: datetime,
    zone: ZoneInfo,
) -> ReportView:
    await require_member(store, person, organisation_id)
    report = await store.activity_reports.get_or_create(organisation_id, year, person.id, now)
    if is_locked(report, now, zone):
        raise FilingError(FilingProblem.LOCKED, year=year)
    return report


def read_report_number(field: str, raw: str) -> int:
    """Tenge or a head-count as people type it ("1 500 000 ₸", "150 адам"); raises
    InvalidNumber when it is no number, FilingError when it is out of bounds."""
    value = read_number(raw, NumberKind.MONEY if field in AMOUNT_FIELDS else NumberKind.COUNT)
    check_number(field, value)
    return value


def check_number(field: str, value: int) -> None:
    """Refuse negative and absurd values; the cap depends on what is counted."""
    if field in PEOPLE_FIELDS:
        check_people_count(value)
        return
    cap = MAX_AMOUNT_KZT if field in AMOUNT_FIELDS else MAX_BENEFICIARIES
    if value < 0:
        raise FilingError(FilingProblem.NEGATIVE)
    if value > cap:
        raise FilingError(FilingProblem.TOO_LARGE, max=cap)


async def set_number(
    store: Store,
    person: PersonView,
    organisation_id: int,
    year: int,
    field: str,
    value: int,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    if field not in REPORT_NUMBER_FIELDS:
        raise ValueError(field)
    check_number(field, value)
    report = await _editable(store, person, organisation_id, year, now, zone)
    await store.activity_reports.set_field(report.id, field, value, person.id, now)


def clean_project_title(raw: str) -> str:
    return read_name(raw, PROJECT_TITLE_LIMIT)


async def add_project(
    store: Store,
    person: PersonView,
    organisation_id: int,
    year: int,
    *,
    title: str,
    area: str,
    region: str,
    beneficiaries: int,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    title = clean_project_title(title)
    if not is_area(area) or not is_region(region):
        raise FilingError(FilingProblem.BAD_CHOICE)
    check_number("total_beneficiaries", beneficiaries)
    report = await _editable(store, person, organisation_id, year, now, zone)
    if len(report.projects) >= MAX_PROJECTS:
        raise FilingError(FilingProblem.TOO_MANY_PROJECTS, count=MAX_PROJECTS)
    await store.activity_reports.add_project(
        report.id,
        title=title,
        area=area,
        region=region,
        beneficiaries=beneficiaries,
        person_id=person.id,
        when=now,
    )


async def remove_project(
    store: Store,
    person: PersonView,
    organisation_id: int,
    year: int,
    project_id: int,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    report = await _editable(store, person, organisation_id, year, now, zone)
    if report.status == ReportStatus.SUBMITTED and len(report.projects) <= 1:
        # A submitted filing stays complete: replace the project before removing the last.
        raise FilingError(FilingProblem.NO_PROJECTS)
    # The repository checks the project belongs to this report: ids can be forged.
    if not await store.activity_reports.remove_project(report.id, project_id, person.id, now):
        raise FilingError(FilingProblem.UNKNOWN_PROJECT)


async def submit(
    store: Store,
    person: PersonView,
    organisation_id: int,
    year: int,
    now: datetime,
    zone: ZoneInfo,
) -> ReportView:
    """Record who submitted and when; a correction before the deadline submits again."""
    report = await _editable(store, person, organisation_id, year, now, zone)
    missing = (*report.missing_fields(), *(() if report.projects else ("projects",)))
    if missing:
        raise FilingError(FilingProblem.INCOMPLETE, count=len(missing))
    await store.activity_reports.mark_submitted(report.id, person.id, now)
    return found(await store.activity_reports.by_id(report.id), report.id)
