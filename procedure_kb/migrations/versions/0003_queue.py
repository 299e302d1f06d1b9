"""Queue: services, counters, per-day ticket sequences, tickets.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_services",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("prefix", sa.String(1), nullable=False, unique=True),
        sa.Column("procedure_counter", sa.String(120), nullable=False, unique=True),
        sa.Column("default_minutes", sa.Float, nullable=False),
    )
    op.create_table(
        "service_counters",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("pause_reason", sa.String(300)),
        sa.Column("normal_streak", sa.Integer, nullable=False),
    )
    op.create_table(
        "ticket_sequences",
        sa.Column("service_id", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("prefix", sa.String(1), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("code", sa.String(8), nullable=False, index=True),
        sa.Column("service_id", sa.String(40), nullable=False, index=True),
        sa.Column("priority", sa.String(30)),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("chat_user_id", sa.String(100)),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("counter_number", sa.Integer),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("called_at", sa.DateTime),
        sa.Column("serving_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.UniqueConstraint("day", "prefix", "number"),
    )


def downgrade() -> None:
    for table in ("tickets", "ticket_sequences", "service_counters", "queue_services"):
        op.drop_table(table)
