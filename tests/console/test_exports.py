"""Exports read back: the office opens the file and finds its rows, in its language."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from console.exports import (
    CSV_BOM,
    ExportError,
    ExportFilters,
    ExportFormat,
    ExportKind,
    ExportProblem,
    build_table,
    export,
    parse_request,
)
from console.roles import Actor
from core.i18n import Translator
from storage.models import ActivityReport, AuditEntry, Role, Score
from storage.store import Store
from tests import seeding
from tests.seeding import NOW, TOPIC, submitted

OPERATOR = Actor(telegram_id=700101, person_id=None, role=Role.OPERATOR.value)
OWNER_A, OWNER_B = 810001, 810002


@pytest.fixture
async def store(session_factory):
    async with session_factory() as session:
        store = Store(session)
        await seeding.topics(store, NOW)
        first = await submitted(
            store, OWNER_A, bin_="940140000385", name="«Қамқор» <ҚБ>", locale="kk", title="Көшбасшы"
        )
        await submitted(
            store, OWNER_B, bin_="990140004654", name="Daryn", locale="ru", title="=HYPERLINK()"
        )
        expert = await seeding.person(store, 700201, name="Expert")
        store.session.add(
            Score(application_id=first.application_id, expert_id=expert.id, relevance=5,
                  feasibility=4, budget=4, impact=5, capacity=4, comment="ok", scored_at=NOW)
        )  # fmt: skip
        await store.commit()
        yield store


NO_FILTERS = ExportFilters()


async def _xlsx_rows(store: Store, lang: str, filters=NO_FILTERS) -> list[tuple]:
    made = await export(
        store, kind=ExportKind.APPLICATIONS, fmt=ExportFormat.XLSX, filters=filters,
        t=Translator().for_locale(lang), zone=seeding.ZONE, now=NOW, actor=OPERATOR,
    )  # fmt: skip
    assert made.file_name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(made.content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("lang", "header", "region"),
    [("kk", "Грант тақырыбы", "Алматы"), ("ru", "Тема гранта", "Алматы")],
)
async def test_applications_export_opens_in_the_chosen_language(store, lang, header, region):
    rows = await _xlsx_rows(store, lang)
    headers, *data = rows
    assert header in headers and len(data) == 2
    by_name = {row[headers.index(Translator().get("export.column.organisation", lang))]: row
               for row in data}  # fmt: skip
    kamkor = by_name["«Қамқор» <ҚБ>"]
    assert kamkor[headers.index(Translator().get("export.column.score_mean", lang))] == 4.4
    assert kamkor[1] == TOPIC and region in kamkor
    assert Translator().get("application.status.submitted", lang, escape=False) in kamkor
    # A formula typed by an applicant stays text.
    assert "'=HYPERLINK()" in by_name["Daryn"]


async def test_filters_and_audit(store):
    rows = await _xlsx_rows(store, "ru", ExportFilters(topic=TOPIC, region="astana"))
    assert len(rows) == 1  # headers only: nobody in Astana
    audited = await store.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "export.create")
    )
    assert audited == 1
    with pytest.raises(ExportError):
        await build_table(store, ExportKind.APPLICATIONS, ExportFilters(topic="nope"),
                          Translator().for_locale("ru"), seeding.ZONE)  # fmt: skip


@pytest.mark.parametrize("kind", list(ExportKind))
async def test_csv_round_trip(store, kind):
    t = Translator().for_locale("kk")
    table = await build_table(store, kind, ExportFilters(), t, seeding.ZONE)
    made = await export(
        store, kind=kind, fmt=ExportFormat.CSV, filters=ExportFilters(), t=t,
        zone=seeding.ZONE, now=NOW, actor=OPERATOR,
    )  # fmt: skip
    assert made.content.startswith(CSV_BOM.encode("utf-8"))
    read = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))
    assert tuple(read[0]) == table.headers
    assert len(read) == len(table.rows) + 1
    for written, original in zip(read[1:], table.rows, strict=True):
        assert written[0] == ("" if original[0] is None else str(original[0]))


def test_export_requests_are_parsed():
    kind, fmt, filters = parse_request(["applications", "csv", "region=almaty", "year=2026"])
    assert (kind, fmt, filters) == (
        ExportKind.APPLICATIONS, ExportFormat.CSV, ExportFilters(region="almaty", year=2026)
    )  # fmt: skip
    for bad in (["nothing"], [], ["organisations", "year=20x6"], ["filings", "region=mars"]):
        with pytest.raises(ExportError):
            parse_request(bad)


@pytest.mark.parametrize("year", ["²", "²⁰²⁶", "٢٠٢٦", "-2026", "2026.5"])
def test_a_year_in_other_digits_is_a_bad_year_not_a_crash(year):
    with pytest.raises(ExportError) as refusal:
        parse_request(["applications", f"year={year}"])
    assert refusal.value.problem is ExportProblem.BAD_YEAR


FILING_STATUS = {
    "kk": (
        "⚠️ Мерзімнен кеш жіберілді: 2026-11-20 14:00, жіберген — Aigerim.",
        "✅ Жіберілді: 2026-11-20 14:00, жіберген — Aigerim.",
        "📝 Нобай: әлі жіберілмеген.",
    ),
    "ru": (
        "⚠️ Отправлено после срока: 2026-11-20 14:00, отправил(а): Aigerim.",
        "✅ Отправлено 2026-11-20 14:00, отправил(а): Aigerim.",
        "📝 Черновик: ещё не отправлено.",
    ),
    "en": (
        "⚠️ Submitted late, on 2026-11-20 14:00 by Aigerim.",
        "✅ Submitted on 2026-11-20 14:00 by Aigerim.",
        "📝 Draft: not submitted yet.",
    ),
}


@pytest.mark.parametrize("fmt", list(ExportFormat))
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_filings_status_reads_as_on_its_screen(store, lang, fmt, caplog):
    """Late, on time, draft: each with its date and who sent it, no placeholder left."""
    filed = list(await store.session.scalars(select(ActivityReport).order_by(ActivityReport.id)))
    first, second = filed
    on_time = await store.activity_reports.get_or_create(
        first.organisation_id, first.year + 1, first.submitted_by, NOW
    )
    await store.activity_reports.mark_submitted(on_time.id, first.submitted_by, NOW)
    await store.activity_reports.get_or_create(
        second.organisation_id, second.year + 1, second.submitted_by, NOW
    )
    await store.commit()
    t = Translator().for_locale(lang)
    made = await export(
        store, kind=ExportKind.FILINGS, fmt=fmt, filters=NO_FILTERS, t=t, zone=seeding.ZONE,
        now=NOW, actor=OPERATOR,
    )  # fmt: skip
    if fmt is ExportFormat.XLSX:
        rows = list(load_workbook(io.BytesIO(made.content)).active.iter_rows(values_only=True))
    else:
        rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))
    headers, *data = rows
    status = list(headers).index(t.label("export.column.status"))
    late, submitted, draft = FILING_STATUS[lang]
    assert sorted(row[status] for row in data) == sorted([late, late, submitted, draft])
    assert not [r for r in caplog.records if r.name == "core.i18n"]
