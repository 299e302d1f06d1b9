"""Curating the knowledge base: create, edit, retire, reactivate, history and restore.

Every change bumps the procedure's version (optimistic locking), stores a snapshot
with the editor's change note for history, writes the audit log and bumps the KB
revision so the bot reloads. A restore copies the old facts as they were, checked
dates included: restoring is not re-checking.
Errors carry a Vietnamese message that tells staff what to fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from procedure_kb import audit, repository
from procedure_kb.errors import DomainError
from procedure_kb.models import Procedure, ProcedureVersion
from procedure_kb.schemas import ProcedureData, ProcedureOut, json_values
from procedure_kb.text import folded_key


class CurationError(DomainError):
    """A change to the KB that cannot be made."""


class NotFound(CurationError):
    pass


class Conflict(CurationError):
    """The id or an alias is taken, or the procedure changed since it was read."""


class NoteMissing(CurationError):
    """A change to the facts needs a short note saying what changed and why."""


MIN_NOTE = 3
MAX_NOTE = 1000


@dataclass
class VersionInfo:
    version: int
    change: str
    changed_by: str
    changed_at: datetime
    retired: bool
    note: Optional[str]


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class Diff:
    """What changed between two versions, and the notes of the versions in between."""

    old: int
    new: int
    notes: List[str]
    changes: List[FieldChange]


def create(session: Session, data: ProcedureData, actor: str, note: str) -> ProcedureOut:
    note = checked_note(note)
    if repository.find_row(session, data.id) is not None:
        raise Conflict(f"Mã thủ tục '{data.id}' đã tồn tại; hãy chọn mã khác.")
    _check_keys_free(session, data)
    row = Procedure(id=data.id, aliases=[])
    repository.write_fields(row, data)
    session.add(row)
    return _committed_change(session, row, "create", actor, note)


def update(
    session: Session, procedure_id: str, data: ProcedureData, expected_version: int, actor: str,
    note: str,
) -> ProcedureOut:
    note = checked_note(note)
    if data.id != procedure_id:
        raise CurationError("Không được đổi mã thủ tục; hãy tạo thủ tục mới nếu cần.")
    row = _current(session, procedure_id, expected_version)
    _check_keys_free(session, data)
    repository.write_fields(row, data)
    return _committed_change(session, row, "update", actor, note)


def retire(
    session: Session, procedure_id: str, expected_version: int, actor: str,
    note: str = "Ngừng áp dụng thủ tục.",
) -> ProcedureOut:
    return _set_retired(session, procedure_id, expected_version, actor, note, retired=True)


def reactivate(
    session: Session, procedure_id: str, expected_version: int, actor: str,
    note: str = "Áp dụng lại thủ tục.",
) -> ProcedureOut:
    return _set_retired(session, procedure_id, expected_version, actor, note, retired=False)


def _set_retired(
    session: Session, procedure_id: str, expected_version: int, actor: str, note: str,
    retired: bool,
) -> ProcedureOut:
    note = checked_note(note)
    row = _current(session, procedure_id, expected_version)
    if row.retired == retired:
        raise Conflict("Thủ tục này đã ngừng áp dụng từ trước." if retired
                       else "Thủ tục này đang được áp dụng.")
    if not retired:
        _check_keys_free(session, repository.to_schema(row))
    row.retired = retired
    return _committed_change(session, row, "retire" if retired else "reactivate", actor, note)


def restore_version(
    session: Session, procedure_id: str, version: int, expected_version: int, actor: str,
    note: str,
) -> ProcedureOut:
    """Make an old version's content current again (as a new version)."""
    note = checked_note(note)
    snapshot = _snapshot(session, procedure_id, version)
    row = _current(session, procedure_id, expected_version)
    data = ProcedureData.parse_obj(snapshot.data)
    _check_keys_free(session, data)
    repository.write_fields(row, data)
    return _committed_change(session, row, "restore", actor, note, {"from_version": version})


def history(session: Session, procedure_id: str) -> List[VersionInfo]:
    """Every version of a procedure, newest first."""
    rows = session.execute(
        select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure_id)
        .order_by(ProcedureVersion.version.desc())
    ).scalars()
    found = [
        VersionInfo(r.version, r.change, r.changed_by, r.changed_at, r.retired, r.note)
        for r in rows
    ]
    if not found:
        raise NotFound(f"Không có thủ tục '{procedure_id}'.")
    return found


def diff(session: Session, procedure_id: str, old: int, new: int) -> Diff:
    """The fields that differ between two versions, with the notes of the changes."""
    before = _snapshot(session, procedure_id, old).data
    after = _snapshot(session, procedure_id, new).data
    low, high = sorted((old, new))
    notes = session.execute(
        select(ProcedureVersion.note)
        .where(ProcedureVersion.procedure_id == procedure_id,
               ProcedureVersion.version > low, ProcedureVersion.version <= high,
               ProcedureVersion.note.is_not(None))
        .order_by(ProcedureVersion.version)
    ).scalars()
    changes = [
        FieldChange(name, before.get(name), after.get(name))
        for name in after
        if before.get(name) != after.get(name)
    ]
    return Diff(old, new, list(notes), changes)


def checked_note(note: str) -> str:
    """The change note, trimmed; refused when missing or too long."""
    note = (note or "").strip()
    if not MIN_NOTE <= len(note) <= MAX_NOTE:
        raise NoteMissing(
            f"Cần ghi chú ngắn về thay đổi (từ {MIN_NOTE} đến {MAX_NOTE} ký tự): "
            "sửa gì, theo văn bản nào."
        )
    return note


def _current(session: Session, procedure_id: str, expected_version: int) -> Procedure:
    row = repository.find_row(session, procedure_id)
    if row is None:
        raise NotFound(f"Không có thủ tục '{procedure_id}'.")
    if row.version != expected_version:
        raise Conflict(
            f"Thủ tục đã được người khác sửa (phiên bản hiện tại {row.version}, "
            f"bạn đang sửa phiên bản {expected_version}). Hãy tải lại rồi sửa lại."
        )
    return row


def _check_keys_free(session: Session, data: ProcedureData) -> None:
    keys = {folded_key(data.name): data.name, **{
        key: alias for key, alias in repository.unique_aliases(data.aliases).items()
    }}
    owners = repository.key_owners(session, keys, exclude_id=data.id)
    if owners:
        taken = "; ".join(f"'{keys[key]}' (thủ tục {pid})" for key, pid in owners.items())
        raise Conflict(f"Tên gọi đã dùng cho thủ tục khác: {taken}. Hãy bỏ hoặc đổi tên gọi này.")


def _snapshot(session: Session, procedure_id: str, version: int) -> ProcedureVersion:
    snapshot = session.execute(
        select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure_id, ProcedureVersion.version == version
        )
    ).scalar()
    if snapshot is None:
        raise NotFound(f"Thủ tục '{procedure_id}' không có phiên bản {version}.")
    return snapshot


def _committed_change(
    session: Session, row: Procedure, change: str, actor: str, note: str,
    detail: Optional[Dict[str, Any]] = None,
) -> ProcedureOut:
    """Flush the change, then record its snapshot, audit entry and KB revision."""
    try:
        session.flush()
    except StaleDataError as error:  # another save won the race since we read the row
        raise Conflict("Thủ tục vừa được người khác sửa. Hãy tải lại rồi sửa lại.") from error
    except IntegrityError as error:  # a concurrent save took the same id or alias
        raise Conflict("Mã hoặc tên gọi vừa được dùng cho thủ tục khác. Hãy tải lại.") from error
    current = repository.to_schema(row)
    data = json_values(current)
    session.add(
        ProcedureVersion(
            procedure_id=row.id, version=row.version, data=data, retired=row.retired,
            change=change, note=note, changed_by=actor,
        )
    )
    audit.record(session, actor, f"procedure.{change}", row.id,
                 {"version": row.version, "note": note, **(detail or {})})
    repository.bump_revision(session)
    return current
