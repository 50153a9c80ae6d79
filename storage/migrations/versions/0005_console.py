"""console: the audit log, expert assignments and conflicts, scores and decisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 02:31:12.487980
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entries_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("approve", "reject", name="decisionoutcome", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reveal_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revealed_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_decisions_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("application_id", name=op.f("uq_decisions_application_id")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_due", ["revealed_at", "reveal_at"], unique=False)

    op.create_table(
        "expert_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "conflict", name="assignmentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("assigned_by", sa.BigInteger(), nullable=True),
        sa.Column("assigned_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_expert_assignments_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["people.id"],
            name=op.f("fk_expert_assignments_expert_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_assignments")),
        sa.UniqueConstraint(
            "application_id", "expert_id", name=op.f("uq_expert_assignments_application_id")
        ),
    )
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expert_assignments_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_expert_assignments_expert_id"), ["expert_id"], unique=False
        )

    op.create_table(
        "expert_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_expert_conflicts_application_id_applications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["people.id"],
            name=op.f("fk_expert_conflicts_expert_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_expert_conflicts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_conflicts")),
        sa.UniqueConstraint(
            "expert_id", "organisation_id", name=op.f("uq_expert_conflicts_expert_id")
        ),
    )
    with op.batch_alter_table("expert_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expert_conflicts_expert_id"), ["expert_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_expert_conflicts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("relevance", sa.Integer(), nullable=False),
        sa.Column("feasibility", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("scored_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_scores_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["people.id"],
            name=op.f("fk_scores_expert_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
        sa.UniqueConstraint("application_id", "expert_id", name=op.f("uq_scores_application_id")),
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scores_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scores_expert_id"), ["expert_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scores_expert_id"))
        batch_op.drop_index(batch_op.f("ix_scores_application_id"))

    op.drop_table("scores")
    with op.batch_alter_table("expert_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_conflicts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_expert_conflicts_expert_id"))

    op.drop_table("expert_conflicts")
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_assignments_expert_id"))
        batch_op.drop_index(batch_op.f("ix_expert_assignments_application_id"))

    op.drop_table("expert_assignments")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_due")

    op.drop_table("decisions")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_object")
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_actor"))

    op.drop_table("audit_entries")
