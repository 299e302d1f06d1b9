"""Complaints and suggestions (phản ánh, kiến nghị).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("sender_id", sa.String(100), index=True),
        sa.Column("contact_name", sa.String(120)),
        sa.Column("contact_phone", sa.String(20)),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(20), nullable=False, index=True),
        sa.Column("assignee", sa.String(64)),
        sa.Column("answer", sa.Text),
        sa.Column("transferred_to", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("answered_at", sa.DateTime),
        sa.Column("contact_deleted_at", sa.DateTime),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("complaints")
