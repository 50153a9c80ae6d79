"""erasure: pseudonymised people, archived organisations, revival requests

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-08 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", storage.types.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archived_at", storage.types.UtcDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "revival_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "declined",
                name="joinstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_revival_requests_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_revival_requests_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revival_requests")),
    )
    with op.batch_alter_table("revival_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_revival_requests_org_status", ["organisation_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_revival_requests_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("revival_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revival_requests_person_id"))
        batch_op.drop_index("ix_revival_requests_org_status")
    op.drop_table("revival_requests")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
