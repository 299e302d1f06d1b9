"""Conversations handed over to a human officer.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(100), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("last_message", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False, index=True),
        sa.Column("taken_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("closed_at", sa.DateTime),
    )
    op.create_table(
        "handover_replies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id"), nullable=False,
                  index=True),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("delivered", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("handover_replies")
    op.drop_table("handovers")
