"""Topics to and from YAML: `ngo-bot topics import|export FILE.yaml`.

Times are ISO 8601 with an offset ("2026-12-01T18:00:00+05:00"), or relative to
the moment of import ("now+25d", "now-1d", "now+3h"), which keeps a demo file
open whenever it is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypeGuard

import yaml

from domain.areas import is_area
from domain.grants import MCI_KZT_BY_YEAR, GrantType, grant_amount_range, mci_for_year
from domain.regions import is_region
from domain.statuses import TopicStatus
from storage.repositories.topics import TopicView
from storage.store import Store

LOCALES = ("kk", "ru", "en")
APPLICATION_LANGUAGES = ("kk", "ru")
_RELATIVE = re.compile(r"^now\s*([+-])\s*([0-9]{1,6})\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class TopicFileError(ValueError):
    """A topic file that cannot be loaded; the text names the topic and the field."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _when(value: Any, now: datetime, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        relative = _RELATIVE.match(text)
        if relative:
            sign, amount, unit = relative.groups()
            delta = timedelta(**{_UNITS[unit]: int(amount)})
            return now + delta if sign == "+" else now - delta
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise TopicFileError(
                f"{where}: {text!r} is not a time like 2026-12-01T18:00:00+05:00"
            ) from None
    if moment.tzinfo is None:
        raise TopicFileError(f"{where}: give the time with its offset, e.g. +05:00")
    return moment


def _whole(value: Any) -> TypeGuard[int]:
    # YAML reads `yes` as True, and bool is an int to Python: not a number of tenge.
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(entry: dict, field: str, where: str) -> dict[str, str]:
    value = entry.get(field)
    if not isinstance(value, dict) or not all(str(value.get(loc, "")).strip() for loc in LOCALES):
        raise TopicFileError(f"{where}: {field} needs kk, ru and en texts")
    return {f"{field}_{loc}": str(value[loc]).strip() for loc in LOCALES}


def parse_topic(entry: dict, now: datetime) -> dict[str, Any]:
    code = str(entry.get("code", "")).strip()
    where = f"topic {code or '?'}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,63}", code):
        raise TopicFileError(f"{where}: code must be 2-64 lower-case letters, digits, - or _")
    area = entry.get("area")
    if not is_area(str(area)):
        raise TopicFileError(f"{where}: unknown area {area!r}")
    regions = entry.get("regions", "all")
    if isinstance(regions, str) and regions != "all":
        regions = regions.replace(",", " ").split()  # "shymkent turkistan" or "a, b"
    regions = () if regions in ("all", None, []) else tuple(regions)
    bad = [r for r in regions if not is_region(str(r))]
    if bad:
        raise TopicFileError(f"{where}: unknown regions {bad}")
    try:
        grant_type = GrantType(str(entry.get("grant_type")))
    except ValueError:
        raise TopicFileError(
            f"{where}: grant_type must be one of {', '.join(t.value for t in GrantType)}"
        ) from None
    budget_min, budget_max = entry.get("budget_min"), entry.get("budget_max")
    if not (_whole(budget_min) and _whole(budget_max) and 0 < budget_min <= budget_max):
        raise TopicFileError(f"{where}: budget_min and budget_max must be whole tenge, min <= max")
    opens_at = _when(entry.get("opens_at"), now, f"{where}: opens_at")
    closes_at = _when(entry.get("closes_at"), now, f"{where}: closes_at")
    if closes_at <= opens_at:
        raise TopicFileError(f"{where}: closes_at must be after opens_at")
    try:
        status = TopicStatus(entry.get("status", "draft"))
    except ValueError:
        raise TopicFileError(f"{where}: status must be draft, open, closed or archived") from None
    languages = tuple(entry.get("application_languages", APPLICATION_LANGUAGES))
    if not languages or any(lang not in APPLICATION_LANGUAGES for lang in languages):
        raise TopicFileError(f"{where}: application_languages must be kk and/or ru")
    limit = entry.get("max_applications_per_ngo", 1)
    if not _whole(limit) or limit < 1:
        raise TopicFileError(f"{where}: max_applications_per_ngo must be a positive number")
    return {
        "code": code,
        **_texts(entry, "title", where),
        **_texts(entry, "description", where),
        "area": area,
        "regions": tuple(str(r) for r in regions),
        "grant_type": grant_type.value,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "status": status,
        "published": bool(entry.get("published", status != TopicStatus.DRAFT)),
        "max_applications_per_ngo": limit,
        "languages": languages,
    }


def check_grant_type_budget(topic: dict[str, Any], mci_by_year: Mapping[int, int]) -> None:
    """A topic's budget bounds lie within its grant type's, in tenge at the MCI of
    the topic's year (the year it opens, in the zone of its times)."""
    year = topic["opens_at"].year
    mci = mci_for_year(year, mci_by_year)
    low, high = grant_amount_range(GrantType(topic["grant_type"]), mci)
    if topic["budget_min"] < low or (high is not None and topic["budget_max"] > high):
        bounds = f"{low:,}–{high:,}" if high is not None else f"from {low:,}"
        raise TopicFileError(
            f"topic {topic['code']}: a {topic['grant_type']} grant of {year} is {bounds} tenge"
            f" (MCI {mci:,}); budget_min and budget_max must lie within"
        )


def load_topics(
    text: str, now: datetime, mci_by_year: Mapping[int, int] = MCI_KZT_BY_YEAR
) -> list[dict[str, Any]]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TopicFileError(f"not valid YAML: {exc}") from None
    entries = document.get("topics") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise TopicFileError("the file must have a `topics:` list")
    topics = [parse_topic(entry, now) for entry in entries]
    for topic in topics:
        check_grant_type_budget(topic, mci_by_year)
    codes = [t["code"] for t in topics]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise TopicFileError(f"codes used twice: {duplicates}")
    return topics


async def import_topics(
    store: Store, text: str, now: datetime, mci_by_year: Mapping[int, int] = MCI_KZT_BY_YEAR
) -> ImportResult:
    """Create or update (by code) every topic in the file. The caller commits."""
    created = updated = 0
    topics = load_topics(text, now, mci_by_year)
    for topic in topics:
        _refuse_early_closing(await store.topics.by_code(topic["code"]), topic, now)
    for topic in topics:
        existed = await store.topics.by_code(topic["code"]) is not None
        await store.topics.upsert(**topic)
        updated += existed
        created += not existed
    return ImportResult(created=created, updated=updated)


def dump_topics(topics: list[TopicView], zone: tzinfo | None = None) -> str:
    """YAML for `topics`, with times shown in `zone` (they load back to the same instants)."""
    document = {
        "topics": [
            {
                "code": t.code,
                "title": {loc: t.title(loc) for loc in LOCALES},
                "description": {loc: t.description(loc) for loc in LOCALES},
                "area": t.area,
                "regions": list(t.regions) or "all",
                "grant_type": t.grant_type,
                "budget_min": t.budget_min,
                "budget_max": t.budget_max,
                "opens_at": t.opens_at.astimezone(zone).isoformat(timespec="seconds"),
                "closes_at": t.closes_at.astimezone(zone).isoformat(timespec="seconds"),
                "status": t.status.value,
                "published": t.published,
                "max_applications_per_ngo": t.max_applications_per_ngo,
                "application_languages": list(t.application_languages),
            }
            for t in topics
        ]
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _refuse_early_closing(current: TopicView | None, new: dict[str, Any], now: datetime) -> None:
    """A file may not end a live topic before its deadline: that takes a reason and a
    confirmation in the operator console, and tells the NGOs holding drafts."""
    if current is None or current.status != TopicStatus.OPEN or current.closes_at <= now:
        return
    if new["status"] != TopicStatus.OPEN or new["closes_at"] <= now:
        raise TopicFileError(
            f"topic {current.code}: it is open until its deadline; close it early in the "
            "operator console (/operator), which asks for a reason and tells the NGOs "
            "holding drafts"
        )
