"""Grant topics written in the bot: created a field at a time (texts in three
languages), previewed, then edited, opened, closed and archived. YAML import and
export stay on the command line (grants/topic_files.py). Every change is audited."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from console.audit import record
from console.competition import REASON_LIMIT, ConsoleError
from console.notices import tell_organisation, topic_title
from console.roles import Actor, Forbidden
from domain.areas import AREAS
from domain.competition_rules import undo_problem
from domain.deadlines import at_local, end_of_local_day
from domain.grants import GrantType
from domain.lookup import found
from domain.statuses import TopicStatus
from domain.text_input import InvalidNumber, read_money
from domain.text_limits import clean_user_text
from domain.time_zone import load_zone
from storage.models import Role
from storage.repositories.topics import TopicView
from storage.store import Store

TEXT_FIELDS = tuple(
    f"{name}_{loc}" for name in ("title", "description") for loc in ("kk", "ru", "en")
)
# The order the creation dialog asks in.
FIELDS = (
    "code",
    *TEXT_FIELDS,
    "area",
    "grant_type",
    "budget_min",
    "budget_max",
    "opens_at",
    "closes_at",
)
CHOICES: dict[str, tuple[str, ...]] = {
    "area": AREAS,
    "grant_type": tuple(t.value for t in GrantType),
}
LIMITS = {"title": 300, "description": 3000}
CODE = re.compile(r"[a-z0-9][a-z0-9_-]{1,63}")
DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
OPENS_AT = time(0, 0)
# What may follow each status; a closed topic may reopen while its deadline is ahead.
TOPIC_TRANSITIONS: dict[TopicStatus, frozenset[TopicStatus]] = {
    TopicStatus.DRAFT: frozenset({TopicStatus.OPEN, TopicStatus.ARCHIVED}),
    TopicStatus.OPEN: frozenset({TopicStatus.CLOSED}),
    TopicStatus.CLOSED: frozenset({TopicStatus.OPEN, TopicStatus.ARCHIVED}),
    TopicStatus.ARCHIVED: frozenset(),
}


def _operator(actor: Actor) -> None:
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        raise Forbidden()


def parse_field(name: str, text: str, zone: ZoneInfo) -> Any:
    """A typed answer as a JSON-friendly value (dates as ISO text); ConsoleError if not."""
    text = clean_user_text(text or "").strip()
    if not text:
        raise ConsoleError("topic_admin.empty")
    if name == "code":
        if not CODE.fullmatch(text):
            raise ConsoleError("topic_admin.bad_code")
        return text
    if name in TEXT_FIELDS:
        limit = LIMITS[name.rsplit("_", 1)[0]]
        if len(text) > limit:
            raise ConsoleError("topic_admin.too_long", limit=limit, count=len(text))
        return text
    if name in CHOICES:
        if text not in CHOICES[name]:
            raise ConsoleError("topic_admin.choose")
        return text
    if name in ("budget_min", "budget_max"):
        try:
            amount = read_money(text)
        except InvalidNumber:
            amount = 0
        if not 0 < amount < 10**12:
            raise ConsoleError("topic_admin.bad_amount")
        return amount
    if name in ("opens_at", "closes_at"):
        match = DATE.fullmatch(text)
        try:
            day = date(int(match[3]), int(match[2]), int(match[1])) if match else None
        except ValueError:
            day = None
        if day is None:
            raise ConsoleError("topic_admin.bad_date")
        moment = (
            at_local(day, OPENS_AT, zone) if name == "opens_at" else end_of_local_day(day, zone)
        )
        return moment.isoformat()
    raise ConsoleError("topic_admin.unknown_field")


def check_topic(values: dict[str, Any]) -> None:
    """The rules across fields, checked at the preview and after every edit."""
    missing = [name for name in FIELDS if values.get(name) in (None, "")]
    if missing:
        raise ConsoleError("topic_admin.missing", fields=", ".join(missing))
    if values["budget_min"] > values["budget_max"]:
        raise ConsoleError("topic_admin.budget_order")
    if _instant(values["closes_at"]) <= _instant(values["opens_at"]):
        raise ConsoleError("topic_admin.dates_order")


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _values(topic: TopicView) -> dict[str, Any]:
    values = {name: getattr(topic, name) for name in FIELDS}
    values["opens_at"] = topic.opens_at.isoformat()
    values["closes_at"] = topic.closes_at.isoformat()
    values["status"] = topic.status.value
    values["published"] = topic.published
    return values


async def _save(store: Store, values: dict[str, Any], topic: TopicView | None) -> int:
    fields = {name: values[name] for name in FIELDS}
    fields["opens_at"] = _instant(values["opens_at"])
    fields["closes_at"] = _instant(values["closes_at"])
    fields["status"] = TopicStatus(values.get("status", TopicStatus.DRAFT))
    fields["published"] = bool(values.get("published", False))
    fields["max_applications_per_ngo"] = topic.max_applications_per_ngo if topic else 1
    return await store.topics.upsert(
        regions=topic.regions if topic else (),
        languages=topic.application_languages if topic else ("kk", "ru"),
        **fields,
    )


async def create(store: Store, actor: Actor, values: dict[str, Any], now: datetime) -> int:
    """A new draft topic from the dialog's answers."""
    _operator(actor)
    check_topic(values)
    if await store.topics.by_code(values["code"]) is not None:
        raise ConsoleError("topic_admin.code_taken", code=values["code"])
    draft = {
        **{name: values[name] for name in FIELDS},
        "status": TopicStatus.DRAFT.value,
        "published": False,
    }
    topic_id = await _save(store, draft, None)
    await record(store, actor, "topic.create", "topic", topic_id, after=draft, when=now)
    return topic_id


async def all_topics(store: Store, actor: Actor) -> list[TopicView]:
    _operator(actor)
    return await store.topics.all()


async def get(store: Store, actor: Actor, topic_id: int) -> TopicView:
    _operator(actor)
    topic = await store.topics.get(topic_id)
    if topic is None:
        raise ConsoleError("topic_admin.not_found")
    return topic


async def edit(
    store: Store, actor: Actor, topic_id: int, name: str, value: Any, now: datetime
) -> TopicView:
    topic = await get(store, actor, topic_id)
    if name not in FIELDS or name == "code":
        raise ConsoleError("topic_admin.unknown_field")
    if topic.status == TopicStatus.ARCHIVED:
        raise ConsoleError("topic_admin.archived")
    before = _values(topic)
    after = {**before, name: value}
    check_topic(after)
    await _save(store, after, topic)
    await record(
        store,
        actor,
        "topic.edit",
        "topic",
        topic_id,
        before={name: before[name]},
        after={name: value},
        when=now,
    )
    return found(await store.topics.get(topic_id), topic_id)


async def change_status(
    store: Store, actor: Actor, topic_id: int, target: TopicStatus, now: datetime
) -> TopicView:
    """Open (publishes it, from now if its start is later), close (at or after its
    deadline; before it, `close_early` with a reason), archive. Opening a topic closed
    early is undoing that closing."""
    topic = await get(store, actor, topic_id)
    if target not in TOPIC_TRANSITIONS[topic.status]:
        raise ConsoleError("topic_admin.bad_transition")
    if target == TopicStatus.CLOSED and topic.closes_at > now:
        raise ConsoleError("rules.close_early_needs_reason")
    if target == TopicStatus.OPEN and await store.early_closings.current(topic_id):
        return await undo_early_closing(store, actor, topic_id, now)
    before = _values(topic)
    after = {**before, "status": target.value}
    if target == TopicStatus.OPEN:
        if topic.closes_at <= now:
            raise ConsoleError("topic_admin.deadline_passed")
        after["published"] = True
        if topic.opens_at > now:
            after["opens_at"] = now.isoformat()
    if target == TopicStatus.CLOSED and topic.closes_at > now:
        after["closes_at"] = now.isoformat()
    await _save(store, after, topic)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    await record(
        store,
        actor,
        f"topic.{target.value}",
        "topic",
        topic_id,
        before={k: before[k] for k in changed},
        after=changed,
        when=now,
    )
    return found(await store.topics.get(topic_id), topic_id)


def check_close_reason(text: str) -> str:
    reason = clean_user_text(text or "").strip()
    if not reason:
        raise ConsoleError("rules.close_reason_empty")
    if len(reason) > REASON_LIMIT:
        raise ConsoleError("console.reason_too_long", limit=REASON_LIMIT, length=len(reason))
    return reason


async def close_early(
    store: Store, actor: Actor, topic_id: int, reason: str, now: datetime
) -> TopicView:
    """End an open topic before its deadline, for a reason: audited with it, and every
    organisation holding a draft on it is told (in the same transaction). The earlier
    deadline is kept so the closing can be undone."""
    topic = await get(store, actor, topic_id)
    if topic.status != TopicStatus.OPEN:
        raise ConsoleError("topic_admin.bad_transition")
    if topic.closes_at <= now:
        # Its deadline has passed already: closing it is no early closing.
        return await change_status(store, actor, topic_id, TopicStatus.CLOSED, now)
    reason = check_close_reason(reason)
    before = _values(topic)
    after = {**before, "status": TopicStatus.CLOSED.value, "closes_at": now.isoformat()}
    await _save(store, after, topic)
    await store.early_closings.add(
        topic_id,
        reason=reason,
        planned_closes_at=topic.closes_at,
        closed_at=now,
        closed_by=actor.telegram_id,
    )
    drafts = await store.early_closings.draft_holders(topic_id)
    await record(
        store,
        actor,
        "topic.close_early",
        "topic",
        topic_id,
        before={"status": before["status"], "closes_at": before["closes_at"]},
        after={
            "status": TopicStatus.CLOSED.value,
            "closes_at": now.isoformat(),
            "reason": reason,
            "drafts_told": len(drafts),
        },
        when=now,
    )
    for organisation_id in drafts:
        await tell_organisation(
            store,
            organisation_id,
            "rules.notice.topic_closed_early",
            {"topic": topic_title(topic), "reason": reason},
            now,
        )
    return found(await store.topics.get(topic_id), topic_id)


async def undo_early_closing(
    store: Store, actor: Actor, topic_id: int, now: datetime, zone: ZoneInfo | None = None
) -> TopicView:
    """Reopen a topic closed early, with its earlier deadline, while no application
    has been refused by the closing and that deadline is still ahead."""
    topic = await get(store, actor, topic_id)
    closing = await store.early_closings.current(topic_id)
    if topic.status != TopicStatus.CLOSED:
        closing = None
    problem = undo_problem(closing.rule if closing else None, now)
    if problem is not None or closing is None:
        raise ConsoleError(f"rules.{problem or 'not_closed_early'}")
    if not await store.early_closings.mark_undone(closing.id, now):
        raise ConsoleError("rules.refused_since")
    before = _values(topic)
    after = {
        **before,
        "status": TopicStatus.OPEN.value,
        "published": True,
        "closes_at": closing.planned_closes_at.isoformat(),
    }
    await _save(store, after, topic)
    drafts = await store.early_closings.draft_holders(topic_id)
    await record(
        store,
        actor,
        "topic.reopen",
        "topic",
        topic_id,
        before={"status": before["status"], "closes_at": before["closes_at"]},
        after={
            "status": TopicStatus.OPEN.value,
            "closes_at": after["closes_at"],
            "undoes": "topic.close_early",
            "drafts_told": len(drafts),
        },
        when=now,
    )
    for organisation_id in drafts:
        await tell_organisation(
            store,
            organisation_id,
            "rules.notice.topic_reopened",
            {
                "topic": topic_title(topic),
                "deadline": closing.planned_closes_at.astimezone(zone or load_zone()).strftime(
                    "%d.%m.%Y %H:%M"
                ),
            },
            now,
        )
    return found(await store.topics.get(topic_id), topic_id)


async def early_closing(store: Store, actor: Actor, topic_id: int):
    """The topic's early closing not undone, if any (for its card)."""
    await get(store, actor, topic_id)
    return await store.early_closings.current(topic_id)
