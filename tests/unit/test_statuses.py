"""Statuses as StrEnums: the stored text is what it always was, and reads back as a member."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from domain import statuses
from domain.application_status import ApplicationStatus
from domain.lookup import found
from storage import models
from storage.types import EnumText

# The values in the databases before the statuses became enums: a change here
# would need a migration of the rows.
STORED = {
    ApplicationStatus: {
        "draft", "submitted", "incomplete", "under_review", "approved", "rejected", "withdrawn",
    },
    statuses.JoinStatus: {"pending", "approved", "declined"},
    statuses.ReportStatus: {"draft", "submitted"},
    statuses.TopicStatus: {"draft", "open", "closed", "archived"},
    statuses.DeliveryStatus: {
        "pending", "sending", "sent", "failed", "blocked", "cancelled", "paused",
    },
    statuses.AssignmentStatus: {"active", "conflict"},
    statuses.DecisionOutcome: {"approve", "reject"},
    statuses.AwardRoundStatus: {"open", "decided"},
    statuses.UpdateStatus: {"processing", "done"},
    statuses.BroadcastStatus: {"draft", "running", "paused", "cancelled", "done"},
}  # fmt: skip


@pytest.mark.parametrize("kind", list(STORED), ids=lambda kind: kind.__name__)
def test_the_stored_values_are_unchanged(kind):
    assert {member.value for member in kind} == STORED[kind]
    # At most 16 characters: the width of every status column.
    assert all(len(member.value) <= 16 for member in kind)


def test_the_models_use_the_domain_enums():
    assert models.JoinStatus is statuses.JoinStatus
    assert models.DeliveryStatus is statuses.DeliveryStatus
    status_type = models.Application.__table__.c.status.type
    assert isinstance(status_type, EnumText) and status_type.kind is ApplicationStatus


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
def test_enum_text_stores_the_value_and_reads_back_a_member(dialect):
    column = EnumText(ApplicationStatus, 16)
    assert column.process_bind_param(ApplicationStatus.UNDER_REVIEW, dialect) == "under_review"
    assert column.process_bind_param("submitted", dialect) == "submitted"
    assert column.process_bind_param(None, dialect) is None
    read = column.process_result_value("under_review", dialect)
    assert read is ApplicationStatus.UNDER_REVIEW
    assert column.process_result_value(None, dialect) is None


def test_enum_text_refuses_a_value_outside_the_enum():
    with pytest.raises(ValueError):
        EnumText(ApplicationStatus, 16).process_bind_param("lost", sqlite.dialect())


def test_found_passes_a_value_through_and_refuses_none():
    assert found(0, "zero") == 0
    with pytest.raises(LookupError, match="application 7"):
        found(None, "application 7")
