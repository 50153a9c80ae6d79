"""SQLAlchemy models. Instants are stored in UTC; see `storage.types.UtcDateTime`."""

from __future__ import annotations

import enum
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from domain.application_status import ApplicationStatus
from domain.statuses import (
    AssignmentStatus,
    AwardRoundStatus,
    BroadcastStatus,
    DecisionOutcome,
    DeliveryStatus,
    JoinStatus,
    ReportStatus,
    TopicStatus,
    UpdateStatus,
)
from storage.types import EnumText, UtcDateTime, utcnow

# Named constraints keep Alembic's batch migrations on SQLite deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_column(kind: type[enum.Enum]) -> Enum:
    """Stores an enum by its value ("draft"), the same text the code and exports use."""
    return Enum(
        kind,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    EXPERT = "expert"


class Person(Base):
    """Someone who has written to the bot."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consented_at: Mapped[datetime | None]
    blocked_bot_at: Mapped[datetime | None]
    # Personal data, kept only after consent and erased by /delete_me.
    full_name: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    active_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    # "Tell me about new topics in my areas" (the delivery engine sends them).
    notify_new_topics: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when an expert or operator erased their data: the row stays so their scores,
    # decisions and audit entries keep an author, shown as "Expert #<id>"; nothing in it
    # identifies them (telegram_id is then -id, no chat has it).
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)

    person: Mapped[Person] = relationship(back_populates="roles")


class FsmRecord(Base):
    """aiogram FSM state and data, including aiogram-dialog stacks and contexts."""

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class Organisation(Base):
    """An NGO as registered in the bot: the front door of the state NGO database."""

    __tablename__ = "organisations"
    # The directory searches search_text with LIKE '%…%': on PostgreSQL a trigram index
    # answers that (migration 0009); elsewhere it is a plain index of the same name, and
    # SQLite has an FTS5 trigram table beside it (0010, see include_name below).
    __table_args__ = (
        Index(
            "ix_organisations_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        # A region's page of the directory in its order, without sorting the region.
        Index("ix_organisations_region_listing", "region", "public_listing", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_alt: Mapped[str | None] = mapped_column(String(300))
    # casefolded name and second name, for search in Kazakh, Russian and Latin
    search_text: Mapped[str] = mapped_column(String(700))
    legal_form: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    founded_year: Mapped[int] = mapped_column(Integer)
    staff_count: Mapped[int] = mapped_column(Integer)
    volunteer_count: Mapped[int] = mapped_column(Integer)
    public_listing: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its last member left or erased their data: out of the directory, its records kept
    # for the operator until someone revives it (a revival request the operator confirms).
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    areas: Mapped[list[OrganisationArea]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrganisationArea.area"
    )


# SQLite's trigram index of organisations.search_text (migration 0010) is an FTS5
# virtual table with shadow tables of its own, all named organisations_fts*. It is kept
# out of the metadata (create_all would make plain tables of them), so Alembic's
# comparison with the models would take them for tables to drop: give it this filter
# as include_name.
def include_name(name: str | None, type_: str, parent_names: MutableMapping[Any, Any]) -> bool:
    return not (type_ == "table" and name is not None and name.startswith("organisations_fts"))


class OrganisationArea(Base):
    __tablename__ = "organisation_areas"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invite(Base):
    """A single-use deep link (t.me/<bot>?start=join_<token>) into an organisation."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(48), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]


class JoinRequest(Base):
    __tablename__ = "join_requests"
    __table_args__ = (Index("ix_join_requests_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[JoinStatus] = mapped_column(enum_column(JoinStatus), default=JoinStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class RevivalRequest(Base):
    """Someone registering an archived organisation's BIN asks to revive it with its
    history; an operator confirms (they become its owner) or declines."""

    __tablename__ = "revival_requests"
    __table_args__ = (Index("ix_revival_requests_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[JoinStatus] = mapped_column(enum_column(JoinStatus), default=JoinStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # The operator's Telegram id (pseudonymised like the audit log when they erase).
    decided_by: Mapped[int | None] = mapped_column(BigInteger)


class ActivityReport(Base):
    """Annual activity information for the state NGO database, one per organisation a year."""

    __tablename__ = "activity_reports"
    __table_args__ = (UniqueConstraint("organisation_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus), default=ReportStatus.DRAFT
    )
    total_beneficiaries: Mapped[int | None] = mapped_column(Integer)
    income_state_order: Mapped[int | None] = mapped_column(BigInteger)
    income_state_grants: Mapped[int | None] = mapped_column(BigInteger)
    income_international: Mapped[int | None] = mapped_column(BigInteger)
    income_donations: Mapped[int | None] = mapped_column(BigInteger)
    income_own: Mapped[int | None] = mapped_column(BigInteger)
    staff_count: Mapped[int | None] = mapped_column(Integer)
    volunteer_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Indexed so that erasing a person does not read every report (0009).
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )

    projects: Mapped[list[ActivityProject]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ActivityProject.position"
    )


class ActivityProject(Base):
    __tablename__ = "activity_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("activity_reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    area: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(40))
    beneficiaries: Mapped[int] = mapped_column(Integer)


class GrantTopic(Base):
    """A grant topic announced by the operator; an NGO proposes how to carry it out."""

    __tablename__ = "grant_topics"
    __table_args__ = (Index("ix_grant_topics_status_closes", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title_kk: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_kk: Mapped[str] = mapped_column(Text)
    description_ru: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(40), index=True)
    # Space-separated region codes; empty means every region is eligible.
    regions: Mapped[str] = mapped_column(String(800), default="")
    grant_type: Mapped[str] = mapped_column(String(16))
    budget_min: Mapped[int] = mapped_column(BigInteger)
    budget_max: Mapped[int] = mapped_column(BigInteger)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    status: Mapped[TopicStatus] = mapped_column(enum_column(TopicStatus), default=TopicStatus.DRAFT)
    # A draft topic opens by itself at opens_at only once the operator published it.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    max_applications_per_ngo: Mapped[int] = mapped_column(Integer, default=1)
    # "kk", "ru" or "kk ru": the languages the operator accepts applications in.
    application_languages: Mapped[str] = mapped_column(String(16), default="kk ru")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Application(Base):
    """An NGO's short application on a topic. It belongs to the organisation."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_org_topic", "organisation_id", "topic_id"),
        Index("ix_applications_topic_status", "topic_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("grant_topics.id", ondelete="RESTRICT"))
    status: Mapped[ApplicationStatus] = mapped_column(
        EnumText(ApplicationStatus, 16), default=ApplicationStatus.DRAFT
    )
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    title: Mapped[str | None] = mapped_column(String(150))
    problem: Mapped[str | None] = mapped_column(Text)
    activities: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    beneficiaries: Mapped[int | None] = mapped_column(Integer)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    budget_total: Mapped[int | None] = mapped_column(BigInteger)
    institutional_amount: Mapped[int | None] = mapped_column(BigInteger)
    # Space-separated region codes where the project will run.
    regions: Mapped[str | None] = mapped_column(String(800))
    language: Mapped[str | None] = mapped_column(String(2))
    attachment_file_id: Mapped[str | None] = mapped_column(String(256))
    attachment_name: Mapped[str | None] = mapped_column(String(256))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    attachment_mime: Mapped[str | None] = mapped_column(String(128))
    # Indexed so that erasing a person does not read every application (0009).
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class ApplicationEvent(Base):
    """Every status change of an application: who, when, from what to what, and why."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ApplicationStatus | None] = mapped_column(EnumText(ApplicationStatus, 16))
    to_status: Mapped[ApplicationStatus] = mapped_column(EnumText(ApplicationStatus, 16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(Text)


class ReferenceCounter(Base):
    """The last reference number handed out in a year (GR-2026-000123)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Delivery(Base):
    """One message in the outbox: everything the bot sends that is not a reply to an update.

    Either `text` is the rendered HTML, or `message_key` + `params` (JSON) are
    rendered at send time in the recipient's current language.
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    message_key: Mapped[str | None] = mapped_column(String(128))
    params: Mapped[str | None] = mapped_column(Text)
    reply_markup: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    document_file_id: Mapped[str | None] = mapped_column(String(256))
    # Planning the same reminder twice must create one row: NULLs never collide.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who holds a row in "sending" and until when; past the lease anyone may take it again.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)


class DeliveryOptOut(Base):
    """A category of messages a person turned off in /settings (no row: they get it)."""

    __tablename__ = "delivery_opt_outs"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One operator, expert or admin action: who, in which role, what, and the values
    before and after (JSON). Written in the same transaction as the action itself."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ExpertAssignment(Base):
    """An application handed to an expert for scoring."""

    __tablename__ = "expert_assignments"
    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus), default=AssignmentStatus.ACTIVE
    )
    assigned_by: Mapped[int | None] = mapped_column(BigInteger)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExpertConflict(Base):
    """An expert's declared conflict of interest with an organisation: never assigned to it."""

    __tablename__ = "expert_conflicts"
    __table_args__ = (UniqueConstraint("expert_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL")
    )
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class Score(Base):
    """An expert's marks for an application: five criteria from 1 to 5, and a comment."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    relevance: Mapped[int] = mapped_column(Integer)
    feasibility: Mapped[int] = mapped_column(Integer)
    budget: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """The committee's decision, recorded by the operator; applicants learn it at reveal_at."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_due", "revealed_at", "reveal_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_column(DecisionOutcome))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    reveal_at: Mapped[datetime]
    revealed_at: Mapped[datetime | None]


class AwardRound(Base):
    """A round of the Government award for NGOs whose social projects succeeded."""

    __tablename__ = "award_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_kk: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    # Space-separated area codes: the directions the round takes projects in.
    directions: Mapped[str] = mapped_column(String(800), default="")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    status: Mapped[AwardRoundStatus] = mapped_column(
        enum_column(AwardRoundStatus), default=AwardRoundStatus.OPEN
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AwardApplication(Base):
    """An organisation's application to an award round: one per organisation a round."""

    __tablename__ = "award_applications"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("award_rounds.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str | None] = mapped_column(String(40))
    project_description: Mapped[str] = mapped_column(Text)
    results: Mapped[str] = mapped_column(Text)
    evidence_url: Mapped[str] = mapped_column(String(2048))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    winner: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


class SupportThread(Base):
    """A question from NGO staff to the operator, and the conversation that follows."""

    __tablename__ = "support_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    question: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class SupportMessage(Base):
    """One message of a support thread, either way ("question" or "answer")."""

    __tablename__ = "support_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("support_threads.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportRelay(Base):
    """Where a question was shown to operators: replying to that message answers it."""

    __tablename__ = "support_relays"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("support_threads.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class ProcessedUpdate(Base):
    """Telegram update ids already taken, so a re-delivered update is handled once.

    Telegram re-sends an update when the bot crashed before confirming it, or
    when a webhook answer was slow; either way the second copy must not act again.
    """

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[UpdateStatus] = mapped_column(enum_column(UpdateStatus))
    # The process that claimed it: a claim from another, earlier process was
    # abandoned when that process died (polling has one process at a time).
    claimed_by: Mapped[str] = mapped_column(String(32), server_default="")
    claimed_at: Mapped[datetime] = mapped_column(index=True)


class Broadcast(Base):
    """An operator's announcement: its texts, its audience, and where its live progress is.

    The messages themselves are outbox rows with `deliveries.broadcast_id = outbox_id`.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger, index=True)
    text_kk: Mapped[str | None] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    document_file_id: Mapped[str | None] = mapped_column(String(256))
    segment: Mapped[str] = mapped_column(Text)  # JSON: {"kind": ..., "values": [...]}
    status: Mapped[BroadcastStatus] = mapped_column(
        enum_column(BroadcastStatus), default=BroadcastStatus.DRAFT, index=True
    )
    outbox_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class DeadLetter(Base):
    """An update the bot could not read, set aside so it stops nobody else.

    `payload` is the update's JSON with every personal value masked
    (domain.dead_letters.redact): enough to see why it failed, nothing anyone
    wrote. Kept for DEAD_LETTER_RETENTION_DAYS, then purged by the scheduler.
    """

    __tablename__ = "dead_letters"
    # One row per update: a copy Telegram sends again is recognised, not recorded twice.
    __table_args__ = (UniqueConstraint("bot_id", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    # None when the update had no readable update_id at all.
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    error: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # JSON, redacted
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MembershipHistory(Base):
    """A membership that ended: kept so that "was on its staff in the past year" can be
    answered (an expert who was may not score the organisation's applications)."""

    __tablename__ = "membership_history"
    __table_args__ = (Index("ix_membership_history_person_org", "person_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime]


class TopicEarlyClosing(Base):
    """A topic closed before its deadline, with the reason; `planned_closes_at` is what
    an undo restores, allowed while no application has been refused since."""

    __tablename__ = "topic_early_closings"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("grant_topics.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    planned_closes_at: Mapped[datetime]
    closed_at: Mapped[datetime]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    refused_at: Mapped[datetime | None]
    undone_at: Mapped[datetime | None]


class RegistrationDraft(Base):
    """The answers of a registration not yet saved, one per person, so that leaving it
    (Cancel, /start, another command) loses nothing typed. Deleted once the organisation
    is registered, when the person starts over, and with the person (/delete_me)."""

    __tablename__ = "registration_drafts"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    answers: Mapped[str] = mapped_column(Text)  # JSON: field name to checked value
    reviewing: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
