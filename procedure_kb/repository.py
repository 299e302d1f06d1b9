"""Reading and writing procedures in the database."""
from __future__ import annotations

import json
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from procedure_kb.models import KbRevision, Procedure, ProcedureAlias
from procedure_kb.schemas import ProcedureData, ProcedureOut
from procedure_kb.text import folded_key

_DATA_FIELDS = (
    "name", "field", "catalogue_code", "agency", "counter", "documents", "fee",
    "duration", "online", "steps", "legal_basis", "last_reviewed",
)


def kb_revision(session: Session) -> int:
    """The KB's change counter (0 for an empty KB)."""
    return session.execute(select(KbRevision.revision)).scalar() or 0


def bump_revision(session: Session) -> None:
    """Mark the KB as changed so cached indexes reload."""
    updated = session.execute(update(KbRevision).values(revision=KbRevision.revision + 1))
    if updated.rowcount == 0:
        session.add(KbRevision(id=1, revision=1))


def get_procedure(session: Session, procedure_id: str) -> Optional[ProcedureOut]:
    """One active procedure by canonical id, or None."""
    row = session.get(Procedure, procedure_id, options=[selectinload(Procedure.aliases)])
    if row is None or row.retired:
        return None
    return to_schema(row)


def list_procedures(session: Session) -> List[ProcedureOut]:
    """All active procedures, by name."""
    rows = session.execute(
        select(Procedure)
        .where(Procedure.retired.is_(False))
        .options(selectinload(Procedure.aliases))
        .order_by(Procedure.name)
    ).scalars()
    return [to_schema(row) for row in rows]


def procedure_exists(session: Session, procedure_id: str) -> bool:
    return session.get(Procedure, procedure_id) is not None


def add_procedure(session: Session, data: ProcedureData) -> None:
    """Insert a new procedure with its aliases and bump the KB revision."""
    row = Procedure(id=data.id, version=1, updated_at=datetime.utcnow())
    _copy_fields(row, data)
    session.add(row)
    bump_revision(session)


def name_and_alias_keys(session: Session) -> List[Tuple[str, str]]:
    """(folded key, procedure id) for every name and alias of active procedures."""
    names = session.execute(
        select(Procedure.name, Procedure.id).where(Procedure.retired.is_(False))
    ).all()
    aliases = session.execute(
        select(ProcedureAlias.key, ProcedureAlias.procedure_id)
        .join(Procedure)
        .where(Procedure.retired.is_(False))
    ).all()
    return [(folded_key(name), pid) for name, pid in names] + [
        (key, pid) for key, pid in aliases
    ]


def to_schema(row: Procedure) -> ProcedureOut:
    return ProcedureOut(
        id=row.id,
        aliases=[alias.alias for alias in row.aliases],
        version=row.version,
        retired=row.retired,
        **{name: getattr(row, name) for name in _DATA_FIELDS},
    )


def _copy_fields(row: Procedure, data: ProcedureData) -> None:
    plain = json.loads(data.json())  # enums, URLs and dates as JSON values
    for name in _DATA_FIELDS:
        setattr(row, name, plain[name])
    row.last_reviewed = data.last_reviewed
    row.aliases = _unique_aliases(data.aliases)


def _unique_aliases(aliases: List[str]) -> List[ProcedureAlias]:
    by_key = {}
    for alias in aliases:
        by_key.setdefault(folded_key(alias), alias)
    return [ProcedureAlias(alias=alias, key=key) for key, alias in by_key.items() if key]
