"""Keeping facts current: which procedures need review, flags, and marking as reviewed.

A procedure needs review when it was never reviewed or not within `months`, when staff
flagged it, when one of its facts was checked longer ago than `fact_age_days`, or when a
fact's validity ends within 30 days (a fee reduction ending, a rule being replaced).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import List

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from procedure_kb import audit, curation, repository
from procedure_kb.facts import facts_due
from procedure_kb.models import Procedure, ReviewFlag
from procedure_kb.schemas import ProcedureData, ProcedureOut


@dataclass
class ReviewItem:
    procedure_id: str
    name: str
    last_reviewed: date | None
    reasons: List[str]


def needs_review(
    session: Session, months: int, fact_age_days: int, today: date | None = None
) -> List[ReviewItem]:
    """Active procedures due for review (see the module docstring); oldest review first."""
    today = today or date.today()
    cutoff = today - timedelta(days=round(months * 30.44))
    flags = {}
    for flag in session.execute(select(ReviewFlag).where(ReviewFlag.resolved_at.is_(None))).scalars():
        flags.setdefault(flag.procedure_id, []).append(f"Được báo cần xem lại: {flag.note}")
    items = []
    for row in session.execute(select(Procedure).where(Procedure.retired.is_(False))).scalars():
        reasons = list(flags.get(row.id, []))
        if row.last_reviewed is None:
            reasons.insert(0, "Chưa từng được rà soát.")
        elif row.last_reviewed < cutoff:
            reasons.insert(0, f"Rà soát lần cuối {row.last_reviewed:%d/%m/%Y}, quá {months} tháng.")
        reasons += [due.reason for due in facts_due(repository.to_schema(row), today, fact_age_days)]
        if reasons:
            items.append(ReviewItem(row.id, row.name, row.last_reviewed, reasons))
    return sorted(items, key=lambda item: (item.last_reviewed or date.min, item.name))


def flag(session: Session, procedure_id: str, note: str, actor: str) -> None:
    """Record that a procedure may be out of date (e.g. its legal basis changed)."""
    if repository.find_row(session, procedure_id) is None:
        raise curation.NotFound(f"Không có thủ tục '{procedure_id}'.")
    session.add(ReviewFlag(procedure_id=procedure_id, note=note.strip(), flagged_by=actor))
    audit.record(session, actor, "procedure.flag", procedure_id, {"note": note.strip()})


def mark_reviewed(
    session: Session, procedure_id: str, expected_version: int, actor: str,
    note: str = "Đã rà soát toàn bộ thủ tục.", today: date | None = None,
) -> ProcedureOut:
    """Set today's review date (a new version) and resolve open flags.

    Facts keep their own checked dates: marking the procedure reviewed does not claim
    that each fact was checked again (the editor updates those with the facts).
    """
    row = repository.find_row(session, procedure_id)
    if row is None:
        raise curation.NotFound(f"Không có thủ tục '{procedure_id}'.")
    data = ProcedureData(**repository.to_schema(row).dict())
    reviewed = curation.update(
        session, procedure_id, data.copy(update={"last_reviewed": today or date.today()}),
        expected_version, actor, note,
    )
    session.execute(
        update(ReviewFlag)
        .where(ReviewFlag.procedure_id == procedure_id, ReviewFlag.resolved_at.is_(None))
        .values(resolved_at=datetime.utcnow())
    )
    return reviewed
