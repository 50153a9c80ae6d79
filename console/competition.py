"""The competition after the deadline: compliance check, expert assignment, scoring,
the summary and the committee's decision (revealed at once or at a set time).

Every function takes an `Actor` (roles checked already) and re-checks the object:
an expert only ever touches applications assigned to them. Each action is audited;
the caller commits once.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from console.audit import record
from console.notices import tell, tell_organisation, topic_title
from console.roles import Actor, Forbidden
from domain.application_status import ApplicationStatus as S
from domain.competition_rules import (
    RulesProblem,
    amount_problem,
    scores_problem,
    was_staff_within_a_year,
)
from domain.lookup import found
from domain.statuses import AssignmentStatus, DecisionOutcome
from domain.text_limits import clean_user_text
from grants.application_form import format_tenge
from storage.models import Role
from storage.repositories.applications import ApplicationView
from storage.repositories.console import CRITERIA, DecisionView, QueueItem, ScoreView
from storage.repositories.topics import TopicView
from storage.store import Store

MIN_EXPERTS = 2
MIN_MARK, MAX_MARK = 1, 5
REASON_LIMIT = 1000
COMMENT_LIMIT = 2000


class ConsoleError(Exception):
    """A refusal the person can act on; `code` is a message key, `params` its values."""

    # `code` positional-only: a message may have a parameter named code (a topic's).
    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# -- reading ---------------------------------------------------------------------------


async def application_for_operator(
    store: Store, actor: Actor, application_id: int
) -> tuple[ApplicationView, TopicView]:
    _operator(actor)
    application = await store.applications.get(application_id)
    if application is None or application.status == S.DRAFT:
        raise ConsoleError("console.application_not_found")
    return application, found(await store.topics.get(application.topic_id), "topic")


def _expert_id(actor: Actor) -> int:
    if actor.role != Role.EXPERT or actor.person_id is None:
        raise Forbidden()
    return actor.person_id


async def application_for_expert(
    store: Store, actor: Actor, application_id: int
) -> tuple[ApplicationView, TopicView]:
    """Only an application actively assigned to this expert; anything else is refused
    the same way, whether it exists or not."""
    status = await store.console.assignment_status(application_id, _expert_id(actor))
    application = await store.applications.get(application_id)
    if status != AssignmentStatus.ACTIVE or application is None:
        raise Forbidden()
    return application, found(await store.topics.get(application.topic_id), "topic")


async def my_assignments(store: Store, actor: Actor) -> list[tuple[QueueItem, bool]]:
    """The expert's applications, each with whether they scored it already."""
    if actor.role != Role.EXPERT or actor.person_id is None:
        raise Forbidden()
    items = await store.console.assigned_to(actor.person_id)
    return [
        (item, await store.console.score(item.application_id, actor.person_id) is not None)
        for item in items
    ]


# -- 1. compliance check -----------------------------------------------------------------


async def mark_complete(store: Store, actor: Actor, application_id: int, now: datetime) -> None:
    application, topic = await application_for_operator(store, actor, application_id)
    await _change(store, actor, application, S.SUBMITTED, S.UNDER_REVIEW, now)
    await record(
        store,
        actor,
        "application.mark_complete",
        "application",
        application_id,
        before={"status": S.SUBMITTED.value},
        after={"status": S.UNDER_REVIEW.value},
        when=now,
    )
    # Complete, not yet with the experts: the NGO hears that when one is assigned.
    await tell_organisation(
        store,
        application.organisation_id,
        "rules.notice.complete_awaiting_experts",
        _about(application, topic),
        now,
    )


async def mark_incomplete(
    store: Store, actor: Actor, application_id: int, reason: str, now: datetime
) -> None:
    reason = _text(reason, REASON_LIMIT, "console.reason_empty", "console.reason_too_long")
    application, topic = await application_for_operator(store, actor, application_id)
    await _change(store, actor, application, S.SUBMITTED, S.INCOMPLETE, now, note=reason)
    await record(
        store,
        actor,
        "application.mark_incomplete",
        "application",
        application_id,
        before={"status": S.SUBMITTED.value},
        after={"status": S.INCOMPLETE.value, "reason": reason},
        when=now,
    )
    await tell_organisation(
        store,
        application.organisation_id,
        "console.notice.incomplete",
        {**_about(application, topic), "reason": reason},
        now,
    )


# -- 2. assignment -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    # None until the expert consents to keeping their name (see registry.privacy).
    name: str | None
    assigned: bool
    # Declared a conflict with this organisation, or is or was in the past year on
    # its staff: cannot be assigned.
    conflicted: bool


async def was_staff(store: Store, person_id: int, organisation_id: int, now: datetime) -> bool:
    """Is on the organisation's staff (any role), or left it less than a year ago."""
    spells = await store.memberships.staff_spells(person_id, organisation_id)
    return was_staff_within_a_year(spells, now)


async def candidates(
    store: Store, actor: Actor, application_id: int, now: datetime
) -> list[Candidate]:
    application, _topic = await application_for_operator(store, actor, application_id)
    result = []
    for expert in await store.console.experts():
        status = await store.console.assignment_status(application_id, expert.person_id)
        conflicted = (
            status == AssignmentStatus.CONFLICT
            or await store.console.has_conflict(expert.person_id, application.organisation_id)
            or await was_staff(store, expert.person_id, application.organisation_id, now)
        )
        result.append(
            Candidate(
                person_id=expert.person_id,
                name=expert.name,
                assigned=status == AssignmentStatus.ACTIVE,
                conflicted=conflicted,
            )
        )
    return result


async def assign(
    store: Store, actor: Actor, application_id: int, expert_person_id: int, now: datetime
) -> None:
    application, topic = await application_for_operator(store, actor, application_id)
    if application.status != S.UNDER_REVIEW:
        raise ConsoleError("console.not_under_review")
    expert = next(
        (e for e in await store.console.experts() if e.person_id == expert_person_id), None
    )
    if expert is None:
        raise ConsoleError("console.not_an_expert")
    status = await store.console.assignment_status(application_id, expert_person_id)
    if status == AssignmentStatus.ACTIVE:
        raise ConsoleError("console.already_assigned")
    if status == AssignmentStatus.CONFLICT or await store.console.has_conflict(
        expert_person_id, application.organisation_id
    ):
        raise ConsoleError("console.expert_conflicted")
    if await was_staff(store, expert_person_id, application.organisation_id, now):
        await record(
            store,
            actor,
            "application.assign_refused",
            "application",
            application_id,
            after={"expert": expert_person_id, "reason": RulesProblem.EXPERT_WAS_STAFF.value},
            when=now,
        )
        raise ConsoleError(
            f"rules.{RulesProblem.EXPERT_WAS_STAFF.value}",
            organisation=application.organisation_name,
        )
    first = not await store.console.has_any_assignment(application_id)
    before = [e.person_id for e in await store.console.active_experts(application_id)]
    await store.console.assign(application_id, expert_person_id, actor.telegram_id, now)
    await record(
        store,
        actor,
        "application.assign_expert",
        "application",
        application_id,
        before={"experts": before},
        after={"experts": [*before, expert_person_id]},
        when=now,
    )
    await tell(
        store,
        expert.telegram_id,
        "console.notice.assigned",
        {"reference": application.reference or "—", "topic": topic_title(topic)},
        now,
    )
    if first:
        # Only now has the application truly gone to the experts.
        await tell_organisation(
            store,
            application.organisation_id,
            "console.notice.complete",
            _about(application, topic),
            now,
        )


async def unassign(
    store: Store, actor: Actor, application_id: int, expert_person_id: int, now: datetime
) -> None:
    await application_for_operator(store, actor, application_id)
    if await store.console.score(application_id, expert_person_id) is not None:
        raise ConsoleError("console.already_scored")
    before = [e.person_id for e in await store.console.active_experts(application_id)]
    if not await store.console.unassign(application_id, expert_person_id):
        raise ConsoleError("console.stale")
    await record(
        store,
        actor,
        "application.unassign_expert",
        "application",
        application_id,
        before={"experts": before},
        after={"experts": [p for p in before if p != expert_person_id]},
        when=now,
    )


# -- 3. scoring --------------------------------------------------------------------------


async def declare_conflict(store: Store, actor: Actor, application_id: int, now: datetime) -> None:
    """The expert steps aside; the application goes back to the operator for reassignment."""
    application, _topic = await application_for_expert(store, actor, application_id)
    expert_id = _expert_id(actor)
    if await store.console.score(application_id, expert_id) is not None:
        raise ConsoleError("console.already_scored")
    if not await store.console.mark_conflict(application_id, expert_id):
        raise Forbidden()
    await store.console.add_conflict(expert_id, application.organisation_id, application_id, now)
    await record(
        store,
        actor,
        "application.declare_conflict",
        "application",
        application_id,
        before={"assignment": AssignmentStatus.ACTIVE.value},
        after={
            "assignment": AssignmentStatus.CONFLICT.value,
            "organisation_id": application.organisation_id,
        },
        when=now,
    )


def check_mark(value: int) -> int:
    if not MIN_MARK <= value <= MAX_MARK:
        raise ConsoleError("console.mark_range", low=MIN_MARK, high=MAX_MARK)
    return value


def check_comment(text: str) -> str:
    return _text(text, COMMENT_LIMIT, "console.comment_empty", "console.comment_too_long")


async def submit_score(
    store: Store,
    actor: Actor,
    application_id: int,
    marks: dict[str, int],
    comment: str,
    now: datetime,
) -> ScoreView:
    application, _topic = await application_for_expert(store, actor, application_id)
    expert_id = _expert_id(actor)
    if application.status != S.UNDER_REVIEW or await store.console.decision(application_id):
        raise ConsoleError("console.scoring_closed")
    if set(marks) != set(CRITERIA):
        raise ConsoleError("console.marks_missing")
    marks = {name: check_mark(int(marks[name])) for name in CRITERIA}
    comment = check_comment(comment)
    previous = await store.console.score(application_id, expert_id)
    await store.console.save_score(application_id, expert_id, marks, comment, now)
    await record(
        store,
        actor,
        "application.score",
        "application",
        application_id,
        before=_score_values(previous) if previous else None,
        after={**marks, "comment": comment},
        when=now,
    )
    return found(await store.console.score(application_id, expert_id), "score")


def _score_values(score: ScoreView) -> dict:
    return {**dict(zip(CRITERIA, score.marks, strict=True)), "comment": score.comment}


# -- 4. summary --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryRow:
    item: QueueItem
    experts: int
    scores: int
    # The mean of each expert's average mark (1–5), and max minus min of those averages.
    mean: float | None
    spread: float | None
    criteria_means: tuple[float, ...]
    decision: DecisionView | None

    @property
    def unscored(self) -> bool:
        return self.scores < max(self.experts, MIN_EXPERTS)


def summarise(scores: list[ScoreView]) -> tuple[float | None, float | None, tuple[float, ...]]:
    if not scores:
        return None, None, ()
    averages = [statistics.fmean(s.marks) for s in scores]
    criteria = tuple(
        round(statistics.fmean(s.marks[i] for s in scores), 2) for i in range(len(CRITERIA))
    )
    return round(statistics.fmean(averages), 2), round(max(averages) - min(averages), 2), criteria


async def summary(store: Store, actor: Actor, topic_id: int) -> list[SummaryRow]:
    """Applications under review or decided on a topic, best mean first, unscored last."""
    _operator(actor)
    rows = []
    statuses = (S.UNDER_REVIEW, S.APPROVED, S.REJECTED)
    for item in await store.console.queue(topic_id, statuses):
        scores = await store.console.scores_of(item.application_id)
        mean, spread, criteria = summarise(scores)
        rows.append(
            SummaryRow(
                item=item,
                experts=len(await store.console.active_experts(item.application_id)),
                scores=len(scores),
                mean=mean,
                spread=spread,
                criteria_means=criteria,
                decision=await store.console.decision(item.application_id),
            )
        )
    return sorted(rows, key=lambda r: (r.unscored, -(r.mean or 0), r.item.application_id))


# -- 5. decision -------------------------------------------------------------------------


async def decide(
    store: Store,
    actor: Actor,
    application_id: int,
    *,
    approve: bool,
    amount: int | None,
    reason: str | None,
    reveal_at: datetime | None,
    required_scores: int,
    now: datetime,
) -> DecisionView:
    """Record the committee's decision; revealed now when `reveal_at` is None or past.
    Refused without `required_scores` sent scores or with an amount outside the
    topic's range, whoever asks; a refusal is audited too."""
    try:
        notice = await decision_notice(
            store,
            actor,
            application_id,
            approve=approve,
            amount=amount,
            reason=reason,
            required_scores=required_scores,
        )
    except ConsoleError as refusal:
        if refusal.code.startswith("rules."):
            await record(
                store,
                actor,
                "application.decide_refused",
                "application",
                application_id,
                after={"reason": refusal.code, "amount": amount, "approve": approve},
                when=now,
            )
        raise
    amount, reason = notice.amount, notice.reason
    if reveal_at is not None and reveal_at <= now:
        reveal_at = None
    outcome = DecisionOutcome.APPROVE if approve else DecisionOutcome.REJECT
    await store.console.add_decision(
        application_id,
        outcome=outcome,
        amount=amount,
        reason=reason,
        decided_by=actor.telegram_id,
        decided_at=now,
        reveal_at=reveal_at or now,
    )
    await record(
        store,
        actor,
        "application.decide",
        "application",
        application_id,
        before=None,
        after={
            "outcome": outcome.value,
            "amount": amount,
            "reason": reason,
            "reveal_at": (reveal_at or now).isoformat(),
        },
        when=now,
    )
    if reveal_at is None:
        await reveal(store, application_id, now)
    return found(await store.console.decision(application_id), "decision")


@dataclass(frozen=True, slots=True)
class DecisionNotice:
    """What the organisation will be told: the message key and its values, exactly as
    `reveal` queues them, with the decision's amount or reason."""

    key: str
    params: dict
    amount: int | None
    reason: str | None


async def check_ready(
    store: Store, actor: Actor, application_id: int, required_scores: int
) -> tuple[ApplicationView, TopicView]:
    """May a decision be taken now: under review, undecided, enough sent scores."""
    application, topic = await application_for_operator(store, actor, application_id)
    if application.status != S.UNDER_REVIEW:
        raise ConsoleError("console.not_under_review")
    if await store.console.decision(application_id) is not None:
        raise ConsoleError("console.already_decided")
    sent = len(await store.console.scores_of(application_id))
    problem = scores_problem(sent, required_scores)
    if problem is not None:
        raise ConsoleError(f"rules.{problem.value}", sent=sent, required=required_scores)
    return application, topic


async def decision_notice(
    store: Store,
    actor: Actor,
    application_id: int,
    *,
    approve: bool,
    amount: int | None,
    reason: str | None,
    required_scores: int,
) -> DecisionNotice:
    """Every check of a decision, and the notice it will send; changes nothing (the
    confirmation screen shows it before `decide`)."""
    application, topic = await check_ready(store, actor, application_id, required_scores)
    if approve:
        amount = check_amount(amount, application, topic)
        reason = None
    else:
        reason = _text(
            reason or "", REASON_LIMIT, "console.reason_empty", "console.reason_too_long"
        )
        amount = None
    key, params = _outcome_notice(application, topic, approve, amount, reason)
    return DecisionNotice(key=key, params=params, amount=amount, reason=reason)


def check_amount(amount: int | None, application: ApplicationView, topic: TopicView) -> int:
    if amount is None or amount <= 0:
        raise ConsoleError("console.amount_positive")
    problem = amount_problem(amount, topic.budget_min, topic.budget_max)
    if problem is not None:
        raise ConsoleError(
            f"rules.{problem.value}",
            low=format_tenge(topic.budget_min),
            high=format_tenge(topic.budget_max),
        )
    if application.budget_total is not None and amount > application.budget_total:
        raise ConsoleError(
            "console.amount_above_request", requested=format_tenge(application.budget_total)
        )
    return amount


def _outcome_notice(
    application: ApplicationView,
    topic: TopicView,
    approved: bool,
    amount: int | None,
    reason: str | None,
) -> tuple[str, dict]:
    params = _about(application, topic)
    if approved:
        params["amount"] = format_tenge(found(amount, "approved amount"))
        return "console.notice.approved", params
    params["reason"] = reason
    return "console.notice.rejected", params


async def reveal(store: Store, application_id: int, now: datetime) -> bool:
    """Apply a recorded decision to the application and tell the organisation.
    Idempotent: a decision is revealed once, whoever runs it."""
    decision = await store.console.decision(application_id)
    if decision is None or not await store.console.mark_revealed(application_id, now):
        return False
    application = found(await store.applications.get(application_id), application_id)
    topic = found(await store.topics.get(application.topic_id), "topic")
    approved = decision.outcome == DecisionOutcome.APPROVE
    target = S.APPROVED if approved else S.REJECTED
    note = format_tenge(found(decision.amount, "approved amount")) if approved else decision.reason
    if not await store.applications.change_status(
        application_id,
        expected=S.UNDER_REVIEW,
        target=target,
        person_id=None,
        when=now,
        note=note,
        decision_note=note,
    ):
        # Withdrawn meanwhile: nothing to announce.
        return False
    key, params = _outcome_notice(application, topic, approved, decision.amount, decision.reason)
    await tell_organisation(store, application.organisation_id, key, params, now)
    return True


async def reveal_due(store: Store, now: datetime) -> int:
    """Reveal every decision whose time has come (the scheduler's job). The caller commits."""
    revealed = 0
    for decision in await store.console.due_decisions(now):
        revealed += await reveal(store, decision.application_id, now)
    return revealed


# -- shared ------------------------------------------------------------------------------


def _operator(actor: Actor) -> None:
    if actor.role not in (Role.OPERATOR, Role.ADMIN):
        raise Forbidden()


async def _change(
    store: Store,
    actor: Actor,
    application: ApplicationView,
    expected: S,
    target: S,
    now: datetime,
    note: str | None = None,
) -> None:
    if application.status != expected:
        raise ConsoleError("console.stale")
    changed = await store.applications.change_status(
        application.id,
        expected=expected,
        target=target,
        person_id=actor.person_id,
        when=now,
        note=note,
        **({"decision_note": note} if note else {}),
    )
    if not changed:
        raise ConsoleError("console.stale")


def _about(application: ApplicationView, topic: TopicView) -> dict:
    return {
        "reference": application.reference or "—",
        "title": application.title or "—",
        "topic": topic_title(topic),
        "organisation": application.organisation_name,
    }


def _text(text: str, limit: int, empty: str, too_long: str) -> str:
    cleaned = clean_user_text(text or "").strip()
    if not cleaned:
        raise ConsoleError(empty)
    if len(cleaned) > limit:
        raise ConsoleError(too_long, limit=limit, count=len(cleaned))
    return cleaned
