"""delivery: the outbox and per-person opt-outs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 02:23:56.934435
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("message_key", sa.String(length=128), nullable=True),
        sa.Column("params", sa.Text(), nullable=True),
        sa.Column("reply_markup", sa.Text(), nullable=True),
        sa.Column("photo_file_id", sa.String(length=256), nullable=True),
        sa.Column("document_file_id", sa.String(length=256), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "blocked",
                "cancelled",
                name="deliverystatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_deliveries_dedupe_key")),
    )
    op.create_index(op.f("ix_deliveries_broadcast_id"), "deliveries", ["broadcast_id"])
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_deliveries_recipient"), "deliveries", ["recipient"])

    op.create_table(
        "delivery_opt_outs",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_delivery_opt_outs_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "category", name=op.f("pk_delivery_opt_outs")),
    )


def downgrade() -> None:
    op.drop_table("delivery_opt_outs")
    op.drop_index(op.f("ix_deliveries_recipient"), table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_broadcast_id"), table_name="deliveries")

    op.drop_table("deliveries")
