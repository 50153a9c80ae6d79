"""Every status the bot keeps, each once, as a StrEnum whose values are the stored text.

The models store them by value ("draft"), so comparing with a member is typed
and the database holds what it always held. An application's status, with its
allowed transitions, is in `domain.application_status`.
"""

from __future__ import annotations

from enum import StrEnum


class JoinStatus(StrEnum):
    """A request to join an organisation's staff."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class ReportStatus(StrEnum):
    """A year's activity information (the filing) of an organisation."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class TopicStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class DeliveryStatus(StrEnum):
    """A message in the outbox."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"
    # A paused broadcast's rows: not claimed until resumed (back to pending).
    PAUSED = "paused"


class AssignmentStatus(StrEnum):
    """An application handed to an expert."""

    ACTIVE = "active"
    # The expert declared a conflict of interest: the application needs someone else.
    CONFLICT = "conflict"


class DecisionOutcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class AwardRoundStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class UpdateStatus(StrEnum):
    """A Telegram update claimed by a process (deduplication)."""

    PROCESSING = "processing"
    DONE = "done"


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"
