"""Dossier statuses for the citizens' lookup (tra cứu hồ sơ).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("procedure_name", sa.String(300), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date),
        sa.Column("appointment_date", sa.Date),
        sa.Column("missing_documents", sa.JSON, nullable=False),
        sa.Column("collect_at", sa.String(300)),
        sa.Column("phone", sa.String(10), index=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dossiers")
