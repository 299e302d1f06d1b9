"""Knowledge base: procedures, aliases, revision counter.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "procedures",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("field", sa.String(120), nullable=False),
        sa.Column("catalogue_code", sa.String(40)),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("counter", sa.String(120), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("fee", sa.JSON),
        sa.Column("duration", sa.JSON),
        sa.Column("online", sa.JSON),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("legal_basis", sa.JSON, nullable=False),
        sa.Column("last_reviewed", sa.Date),
        sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "procedure_aliases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "procedure_id",
            sa.String(64),
            sa.ForeignKey("procedures.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
    )
    op.create_table(
        "kb_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_revision")
    op.drop_table("procedure_aliases")
    op.drop_table("procedures")
