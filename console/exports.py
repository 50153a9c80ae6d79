"""Exports for the office: organisations, activity filings, grant applications with
their scores, and award applications, as XLSX or CSV in the reader's language.

Column headers and region/area/status names come from the catalog, so an export
asked for in Kazakh reads in Kazakh. Every export is written to the audit log.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select

from console.audit import record
from console.roles import Actor
from core.i18n import Texts
from domain.application_status import ApplicationStatus
from domain.statuses import ReportStatus
from domain.text_input import InvalidNumber, read_year
from registry.activity import filing_deadline
from storage.models import ActivityReport, Application, GrantTopic, Organisation
from storage.repositories.organisations import organisation_view
from storage.store import Store

CSV_BOM = "\ufeff"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
# The longest text a spreadsheet cell holds.
CELL_LIMIT = 32767
SCORE_CRITERIA = ("relevance", "feasibility", "budget", "impact", "capacity")


class ExportKind(enum.StrEnum):
    ORGANISATIONS = "organisations"
    FILINGS = "filings"
    APPLICATIONS = "applications"
    AWARDS = "awards"


class ExportFormat(enum.StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class ExportProblem(enum.StrEnum):
    UNKNOWN_TOPIC = "unknown_topic"
    UNKNOWN_REGION = "unknown_region"
    BAD_YEAR = "bad_year"
    BAD_REQUEST = "bad_request"


class ExportError(ValueError):
    def __init__(self, problem: ExportProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem

    @property
    def code(self) -> str:
        return f"export.error.{self.problem.value}"


@dataclass(frozen=True, slots=True)
class ExportFilters:
    topic: str | None = None
    region: str | None = None
    year: int | None = None

    def check(self) -> None:
        from domain.regions import is_region

        if self.region is not None and not is_region(self.region):
            raise ExportError(ExportProblem.UNKNOWN_REGION)
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ExportError(ExportProblem.BAD_YEAR)


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ExportFile:
    file_name: str
    content: bytes
    mime_type: str
    row_count: int


COLUMNS: dict[ExportKind, tuple[str, ...]] = {
    ExportKind.ORGANISATIONS: (
        "bin", "name", "name_alt", "legal_form", "region", "areas", "phone", "email",
        "website", "founded_year", "staff_count", "volunteer_count", "registered_at",
        "last_filing_year",
    ),
    ExportKind.FILINGS: (
        "bin", "organisation", "region", "year", "status", "submitted_at",
        "total_beneficiaries", "income_state_order", "income_state_grants",
        "income_international", "income_donations", "income_own", "staff_count",
        "volunteer_count", "projects",
    ),
    ExportKind.APPLICATIONS: (
        "reference", "topic_code", "topic", "organisation", "bin", "region", "title",
        "status", "budget_total", "institutional_amount", "beneficiaries", "duration_months",
        "submitted_at", "score_count", "score_mean", "decision_note",
    ),
    ExportKind.AWARDS: (
        "round", "organisation", "bin", "region", "direction", "project_description",
        "results", "evidence_url", "submitted_at", "winner",
    ),
}  # fmt: skip


def headers(kind: ExportKind, t: Texts) -> tuple[str, ...]:
    return tuple(t.label(f"export.column.{name}") for name in COLUMNS[kind])


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _yes_no(value: bool, t: Texts) -> str:
    return t.label("common.yes" if value else "common.no")


async def _organisation_rows(
    store: Store, filters: ExportFilters, t: Texts, zone: ZoneInfo
) -> list[tuple]:
    last_filing = (
        select(ActivityReport.organisation_id, func.max(ActivityReport.year).label("year"))
        .where(ActivityReport.status == ReportStatus.SUBMITTED)
        .group_by(ActivityReport.organisation_id)
        .subquery()
    )
    filed: ColumnElement[int | None] = last_filing.c.year
    query = (
        select(Organisation, filed)
        .outerjoin(last_filing, last_filing.c.organisation_id == Organisation.id)
        .order_by(Organisation.name, Organisation.id)
    )
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    rows = []
    for row, filed_year in await store.session.execute(query):
        org = organisation_view(row)
        if filters.year is not None and org.created_at.astimezone(zone).year != filters.year:
            continue
        rows.append(
            (
                org.bin, org.name, org.name_alt or "", t.label(f"legal_form.{org.legal_form}"),
                t.label(f"region.{org.region}"),
                ", ".join(t.label(f"area.{area}") for area in org.areas),
                org.phone, org.email, org.website or "", org.founded_year, org.staff_count,
                org.volunteer_count, _local(org.created_at, zone), filed_year or "",
            )
        )  # fmt: skip
    return rows


async def _filing_rows(
    store: Store, filters: ExportFilters, t: Texts, zone: ZoneInfo
) -> list[tuple]:
    query = (
        select(ActivityReport, Organisation)
        .join(Organisation, Organisation.id == ActivityReport.organisation_id)
        .order_by(ActivityReport.year, Organisation.name, ActivityReport.id)
    )
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    if filters.year is not None:
        query = query.where(ActivityReport.year == filters.year)
    found = list(await store.session.execute(query))
    names = await store.activity_reports.names(report.submitted_by for report, _ in found)
    rows = []
    for report, org in found:
        rows.append(
            (
                org.bin, org.name, t.label(f"region.{org.region}"), report.year,
                _filing_state(report, names, t, zone),
                _local(report.submitted_at, zone), report.total_beneficiaries,
                report.income_state_order, report.income_state_grants,
                report.income_international, report.income_donations, report.income_own,
                report.staff_count, report.volunteer_count, len(report.projects),
            )
        )  # fmt: skip
    return rows


def _filing_state(
    report: ActivityReport, names: dict[int | None, str | None], t: Texts, zone: ZoneInfo
) -> str:
    """The sentence the filing screen shows, with its date and person filled in."""
    if report.status != ReportStatus.SUBMITTED or report.submitted_at is None:
        return t.label("filing.state.draft")
    late = report.submitted_at > filing_deadline(report.year, zone)
    return t.label(
        "filing.state.late" if late else "filing.state.submitted",
        when=_local(report.submitted_at, zone),
        who=names.get(report.submitted_by) or t.label("filing.someone"),
    )


async def scores_by_application(store: Store) -> dict[int, list[float]]:
    """Each application's per-expert mean score; empty while the scoring model is absent."""
    try:
        from storage.models import Score
    except ImportError:  # the expert console has not landed in this tree
        return {}
    found: dict[int, list[float]] = {}
    for score in await store.session.scalars(select(Score)):
        marks = [getattr(score, name) for name in SCORE_CRITERIA]
        found.setdefault(score.application_id, []).append(mean(marks))
    return found


async def _application_rows(
    store: Store, filters: ExportFilters, t: Texts, zone: ZoneInfo
) -> list[tuple]:
    query = (
        select(Application, GrantTopic, Organisation)
        .join(GrantTopic, GrantTopic.id == Application.topic_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.status != ApplicationStatus.DRAFT)
        .order_by(GrantTopic.code, Application.submitted_at, Application.id)
    )
    if filters.topic:
        query = query.where(GrantTopic.code == filters.topic)
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    scores = await scores_by_application(store)
    rows = []
    for application, topic, org in await store.session.execute(query):
        moment = application.submitted_at or application.created_at
        if filters.year is not None and moment.astimezone(zone).year != filters.year:
            continue
        marks = scores.get(application.id, [])
        title = getattr(topic, f"title_{t.locale}", None) or topic.title_ru
        rows.append(
            (
                application.reference or "", topic.code, title, org.name, org.bin,
                t.label(f"region.{org.region}"), application.title or "",
                t.label(f"application.status.{application.status}"),
                application.budget_total, application.institutional_amount,
                application.beneficiaries, application.duration_months,
                _local(application.submitted_at, zone), len(marks),
                round(mean(marks), 2) if marks else "", application.decision_note or "",
            )
        )  # fmt: skip
    return rows


async def _award_rows(
    store: Store, filters: ExportFilters, t: Texts, zone: ZoneInfo
) -> list[tuple]:
    awards = store.awards
    titles = {r.id: r.title(t.locale) for r in await awards.rounds()}
    rows = []
    for item in await awards.applications(region=filters.region, year=filters.year):
        rows.append(
            (
                titles.get(item.round_id, ""), item.organisation_name, item.organisation_bin,
                t.label(f"region.{item.organisation_region}"),
                t.label(f"area.{item.direction}") if item.direction else "",
                item.project_description, item.results, item.evidence_url,
                _local(item.submitted_at, zone), _yes_no(item.winner, t),
            )
        )  # fmt: skip
    return rows


_ROWS: dict[ExportKind, Callable[..., Any]] = {
    ExportKind.ORGANISATIONS: _organisation_rows,
    ExportKind.FILINGS: _filing_rows,
    ExportKind.APPLICATIONS: _application_rows,
    ExportKind.AWARDS: _award_rows,
}


async def build_table(
    store: Store, kind: ExportKind, filters: ExportFilters, t: Texts, zone: ZoneInfo
) -> Table:
    filters.check()
    if (
        filters.topic
        and await store.session.scalar(
            select(GrantTopic.id).where(GrantTopic.code == filters.topic)
        )
        is None
    ):
        raise ExportError(ExportProblem.UNKNOWN_TOPIC)
    rows = await _ROWS[kind](store, filters, t, zone)
    return Table(headers=headers(kind, t), rows=tuple(tuple(row) for row in rows))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        # A leading = + - @ would run as a formula in Excel: keep what people typed as text.
        number = value.lstrip("+-")
        if value[:1] in ("=", "+", "-", "@") and not (number.isascii() and number.isdigit()):
            value = "'" + value
        return value[:CELL_LIMIT]
    return value


def to_xlsx(table: Table, sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(max(12, len(header) + 2), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads Cyrillic as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    return (CSV_BOM + out.getvalue()).encode("utf-8")


def file_name(kind: ExportKind, fmt: ExportFormat, filters: ExportFilters, now: datetime) -> str:
    parts: Sequence[str] = [
        kind.value,
        *(p for p in (filters.topic, filters.region, filters.year and str(filters.year)) if p),
        now.strftime("%Y%m%d-%H%M"),
    ]
    return "-".join(parts) + f".{fmt.value}"


async def export(
    store: Store,
    *,
    kind: ExportKind,
    fmt: ExportFormat,
    filters: ExportFilters,
    t: Texts,
    zone: ZoneInfo,
    now: datetime,
    actor: Actor,
) -> ExportFile:
    """Build the file and write the export to the audit log; the caller commits."""
    table = await build_table(store, kind, filters, t, zone)
    if fmt == ExportFormat.XLSX:
        content = to_xlsx(table, t.label(f"export.kind.{kind.value}"))
    else:
        content = to_csv(table)
    await record(
        store,
        actor,
        "export.create",
        "export",
        kind.value,
        after={
            "format": fmt.value,
            "topic": filters.topic,
            "region": filters.region,
            "year": filters.year,
            "rows": len(table.rows),
            "language": t.locale,
        },
        when=now,
    )
    return ExportFile(
        file_name=file_name(kind, fmt, filters, now.astimezone(zone)),
        content=content,
        mime_type=XLSX_MIME if fmt == ExportFormat.XLSX else CSV_MIME,
        row_count=len(table.rows),
    )


def parse_request(words: Sequence[str]) -> tuple[ExportKind, ExportFormat, ExportFilters]:
    """`KIND [xlsx|csv] [topic=CODE] [region=CODE] [year=N]`, as typed after /export."""
    kind, fmt, options = None, ExportFormat.XLSX, {}
    for word in words:
        name, sep, value = word.partition("=")
        if sep:
            options[name.lower()] = value.strip()
        elif word.lower() in ExportFormat.__members__.values():
            fmt = ExportFormat(word.lower())
        elif word.lower() in ExportKind.__members__.values():
            kind = ExportKind(word.lower())
        else:
            raise ExportError(ExportProblem.BAD_REQUEST)
    if kind is None or set(options) - {"topic", "region", "year"}:
        raise ExportError(ExportProblem.BAD_REQUEST)
    filters = ExportFilters(
        topic=options.get("topic") or None,
        region=options.get("region") or None,
        year=_year(options.get("year")),
    )
    filters.check()
    return kind, fmt, filters


def _year(typed: str | None) -> int | None:
    if not typed:
        return None
    try:
        return read_year(typed)
    except InvalidNumber:
        raise ExportError(ExportProblem.BAD_YEAR) from None
