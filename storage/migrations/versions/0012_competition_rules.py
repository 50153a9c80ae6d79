"""competition rules: memberships that ended, and topics closed early

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "membership_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "member", name="memberrole", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("joined_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("left_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_membership_history_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_membership_history_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_history")),
    )
    with op.batch_alter_table("membership_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_membership_history_person_org", ["person_id", "organisation_id"], unique=False
        )
    op.create_table(
        "topic_early_closings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("planned_closes_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("refused_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("undone_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["grant_topics.id"],
            name=op.f("fk_topic_early_closings_topic_id_grant_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_early_closings")),
    )
    with op.batch_alter_table("topic_early_closings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_topic_early_closings_topic_id"), ["topic_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("topic_early_closings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_early_closings_topic_id"))
    op.drop_table("topic_early_closings")
    with op.batch_alter_table("membership_history", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_history_person_org")
    op.drop_table("membership_history")
