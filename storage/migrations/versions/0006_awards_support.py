"""awards: rounds and applications; the support inbox: threads, messages and relays

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 02:32:44.811950
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "award_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_kk", sa.String(length=300), nullable=False),
        sa.Column("title_ru", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("directions", sa.String(length=800), nullable=False),
        sa.Column("opens_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "decided", name="awardroundstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["people.id"],
            name=op.f("fk_award_rounds_created_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_rounds")),
    )
    op.create_table(
        "support_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_support_threads_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_support_threads_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_threads")),
    )
    with op.batch_alter_table("support_threads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_threads_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "award_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=40), nullable=True),
        sa.Column("project_description", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("evidence_url", sa.String(length=2048), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("winner", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["people.id"],
            name=op.f("fk_award_applications_decided_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_award_applications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["award_rounds.id"],
            name=op.f("fk_award_applications_round_id_award_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["people.id"],
            name=op.f("fk_award_applications_submitted_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_applications")),
        sa.UniqueConstraint(
            "round_id", "organisation_id", name=op.f("uq_award_applications_round_id")
        ),
    )
    with op.batch_alter_table("award_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_award_applications_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_award_applications_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "support_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_support_messages_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["support_threads.id"],
            name=op.f("fk_support_messages_thread_id_support_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
    )
    with op.batch_alter_table("support_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_messages_thread_id"), ["thread_id"], unique=False
        )

    op.create_table(
        "support_relays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["support_threads.id"],
            name=op.f("fk_support_relays_thread_id_support_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_relays")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_support_relays_chat_id")),
    )
    with op.batch_alter_table("support_relays", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_relays_thread_id"), ["thread_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("support_relays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_relays_thread_id"))

    op.drop_table("support_relays")
    with op.batch_alter_table("support_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_messages_thread_id"))

    op.drop_table("support_messages")
    with op.batch_alter_table("award_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_applications_round_id"))
        batch_op.drop_index(batch_op.f("ix_award_applications_organisation_id"))

    op.drop_table("award_applications")
    with op.batch_alter_table("support_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_threads_person_id"))

    op.drop_table("support_threads")
    op.drop_table("award_rounds")
