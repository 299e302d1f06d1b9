"""Every fact carries its legal basis, checked date and validity period; notes on versions.

Facts become lists of dated versions (agency, fee, duration, online; new: deadline,
applicants), each document gets its own basis and checked date, procedures list the
pages they were checked against, and each stored version keeps the editor's change note.
Existing rows and history snapshots are converted in place; a fact that had no basis of
its own gets one that says so, and its procedure is flagged for review.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
import json
from datetime import date, datetime
from typing import Any, Dict, Optional, Tuple

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NO_OWN_BASIS = "Chưa ghi căn cứ riêng cho mục này (dữ liệu trước khi rà soát từng mục)"
REVIEW_NOTE = ("Dữ liệu cũ: một số mục chưa có căn cứ pháp lý riêng; "
               "cần rà soát và ghi căn cứ, ngày kiểm tra cho từng mục.")

procedures = sa.table(
    "procedures", sa.column("id", sa.String), sa.column("agency", sa.String),
    sa.column("agency_facts", sa.JSON), sa.column("documents", sa.JSON),
    sa.column("fee", sa.JSON), sa.column("duration", sa.JSON), sa.column("online", sa.JSON),
    sa.column("legal_basis", sa.JSON), sa.column("last_reviewed", sa.Date),
    sa.column("updated_at", sa.DateTime), sa.column("deadline", sa.JSON),
    sa.column("applicants", sa.JSON), sa.column("sources", sa.JSON),
)
versions = sa.table("procedure_versions", sa.column("id", sa.Integer), sa.column("data", sa.JSON))
flags = sa.table(
    "review_flags", sa.column("procedure_id", sa.String), sa.column("note", sa.Text),
    sa.column("flagged_by", sa.String), sa.column("flagged_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.add_column(sa.Column("agency_facts", sa.JSON))
        for name in ("deadline", "applicants", "sources"):
            batch.add_column(sa.Column(name, sa.JSON))
    op.add_column("procedure_versions", sa.Column("note", sa.Text))
    connection = op.get_bind()
    for row in connection.execute(sa.select(procedures)).mappings().all():
        checked = _checked(row["last_reviewed"], row["updated_at"])
        converted, guessed = convert(dict(row), checked)
        connection.execute(procedures.update().where(procedures.c.id == row["id"]).values(
            agency_facts=converted["agency"], documents=converted["documents"],
            fee=converted["fee"], duration=converted["duration"], online=converted["online"],
        ))
        if guessed:
            connection.execute(flags.insert().values(
                procedure_id=row["id"], note=REVIEW_NOTE, flagged_by="migration",
                flagged_at=datetime.utcnow()))
    for snapshot in connection.execute(sa.select(versions)).mappings().all():
        data = _loaded(snapshot["data"])
        checked = _checked(data.get("last_reviewed"), None)
        converted, _ = convert(data, checked)
        connection.execute(versions.update().where(versions.c.id == snapshot["id"]).values(
            data={**data, **converted, "deadline": [], "applicants": [], "sources": []}))
    connection.execute(procedures.update().values(deadline=[], applicants=[], sources=[]))
    with op.batch_alter_table("procedures") as batch:
        batch.drop_column("agency")
        batch.alter_column("agency_facts", new_column_name="agency", nullable=False)
        for name in ("deadline", "applicants", "sources"):
            batch.alter_column(name, existing_type=sa.JSON, nullable=False)


def downgrade() -> None:
    raise NotImplementedError("Facts with their own legal basis cannot be folded back.")


def convert(record: Dict[str, Any], checked: str) -> Tuple[Dict[str, Any], bool]:
    """The old single-object facts of one record as lists of sourced versions.

    Returns the converted fields and whether any fact got the "no basis of its own" text.
    """
    guessed = False

    def sourced(fact: Dict[str, Any]) -> Dict[str, Any]:
        nonlocal guessed
        basis = (fact.get("basis") or "").strip()
        if len(basis) < 3:
            guessed = True
            basis = NO_OWN_BASIS
        return {**fact, "basis": basis, "checked": fact.get("checked") or checked}

    agency = record.get("agency")
    agency_facts = [sourced({"name": agency})] if isinstance(agency, str) else agency or []
    converted = {
        "agency": agency_facts,
        "documents": [sourced(doc) for doc in _loaded(record.get("documents")) or []],
    }
    for name in ("fee", "duration", "online"):
        value = _loaded(record.get(name))
        converted[name] = [sourced(value)] if isinstance(value, dict) else value or []
    return converted, guessed


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _checked(last_reviewed: Any, updated_at: Optional[datetime]) -> str:
    if isinstance(last_reviewed, date):
        return last_reviewed.isoformat()
    if isinstance(last_reviewed, str) and last_reviewed:
        return last_reviewed[:10]
    return (updated_at or datetime.utcnow()).date().isoformat()
