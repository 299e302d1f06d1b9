"""Citizen messages by intent, from Rasa's event broker (statistics).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("intent", sa.String(60), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.UniqueConstraint("sender_hash", "timestamp"),
    )


def downgrade() -> None:
    op.drop_table("message_events")
