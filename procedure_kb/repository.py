"""Reading and writing procedure rows."""
from __future__ import annotations

from datetime import datetime
from typing import Dict, Iterable, List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from procedure_kb.models import KbRevision, Procedure, ProcedureAlias
from procedure_kb.schemas import ProcedureData, ProcedureOut, json_values
from procedure_kb.text import folded_key

DATA_FIELDS = (
    "name", "topics", "field", "catalogue_code", "counter", "agency", "documents", "fee",
    "duration", "deadline", "online", "applicants", "steps", "legal_basis", "last_reviewed",
    "sources",
)


def kb_revision(session: Session) -> int:
    """The KB's change counter (0 for an empty KB)."""
    return session.execute(select(KbRevision.revision)).scalar() or 0


def bump_revision(session: Session) -> None:
    """Mark the KB as changed so cached indexes reload."""
    updated = session.execute(update(KbRevision).values(revision=KbRevision.revision + 1))
    if updated.rowcount == 0:
        session.add(KbRevision(id=1, revision=1))


def find_row(session: Session, procedure_id: str) -> Optional[Procedure]:
    """The procedure row (active or retired), or None."""
    return session.get(Procedure, procedure_id, options=[selectinload(Procedure.aliases)])


def get_procedure(session: Session, procedure_id: str) -> Optional[ProcedureOut]:
    """One active procedure by canonical id, or None."""
    row = find_row(session, procedure_id)
    if row is None or row.retired:
        return None
    return to_schema(row)


def list_procedures(session: Session, include_retired: bool = False) -> List[ProcedureOut]:
    """Procedures by name; active ones only unless `include_retired`."""
    query = select(Procedure).options(selectinload(Procedure.aliases)).order_by(Procedure.name)
    if not include_retired:
        query = query.where(Procedure.retired.is_(False))
    return [to_schema(row) for row in session.execute(query).scalars()]


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


def key_owners(session: Session, keys: Iterable[str], exclude_id: str) -> Dict[str, str]:
    """Which other procedure (active or retired) already uses each folded key."""
    wanted = set(keys)
    owners: Dict[str, str] = {}
    for name, pid in session.execute(select(Procedure.name, Procedure.id)).all():
        if pid != exclude_id and folded_key(name) in wanted:
            owners[folded_key(name)] = pid
    aliases = session.execute(
        select(ProcedureAlias.key, ProcedureAlias.procedure_id).where(
            ProcedureAlias.key.in_(wanted), ProcedureAlias.procedure_id != exclude_id
        )
    ).all()
    owners.update({key: pid for key, pid in aliases})
    return owners


def write_fields(row: Procedure, data: ProcedureData) -> None:
    """Copy every field of `data` onto `row` (aliases deduplicated by folded key)."""
    plain = json_values(data)
    for name in DATA_FIELDS:
        setattr(row, name, plain[name])
    row.last_reviewed = data.last_reviewed
    row.updated_at = datetime.utcnow()
    # Reuse rows of kept keys: deleting and re-inserting the same key in one flush
    # would trip the unique constraint (SQLAlchemy inserts before it deletes).
    existing = {alias.key: alias for alias in row.aliases}
    kept = []
    for key, spelling in unique_aliases(data.aliases).items():
        alias = existing.get(key) or ProcedureAlias(key=key)
        alias.alias = spelling
        kept.append(alias)
    row.aliases = kept


def unique_aliases(aliases: Iterable[str]) -> Dict[str, str]:
    """Folded key -> first spelling, for the aliases that have a key."""
    by_key: Dict[str, str] = {}
    for alias in aliases:
        key = folded_key(alias)
        if key:
            by_key.setdefault(key, alias)
    return by_key


def to_schema(row: Procedure) -> ProcedureOut:
    return ProcedureOut(
        id=row.id,
        aliases=[alias.alias for alias in row.aliases],
        version=row.version,
        retired=row.retired,
        **{name: getattr(row, name) for name in DATA_FIELDS},
    )
