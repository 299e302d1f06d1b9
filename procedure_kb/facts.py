"""Which version of a fact applies on a day, and which facts are due for a new check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator, List, Optional, Sequence, Tuple, TypeVar

from procedure_kb.schemas import DATED_FACTS, Document, ProcedureData, Sourced

FACT = TypeVar("FACT", bound=Sourced)
FACT_LABELS = {
    "agency": "Cơ quan giải quyết",
    "documents": "Thành phần hồ sơ",
    "fee": "Lệ phí",
    "duration": "Thời hạn giải quyết",
    "deadline": "Thời hạn phải đăng ký",
    "online": "Dịch vụ công trực tuyến",
    "applicants": "Người được yêu cầu, ủy quyền",
}
# A version whose validity ends within this many days is listed for review.
ENDING_SOON_DAYS = 30


def in_force(versions: Sequence[FACT], on: date) -> Optional[FACT]:
    """The version in force on `on` (versions never overlap), or None."""
    return next((version for version in versions if version.in_force(on)), None)


def next_version(versions: Sequence[FACT], after: FACT) -> Optional[FACT]:
    """The version that starts the day after `after` ends, if one is known."""
    if after.valid_until is None:
        return None
    return next((v for v in versions if v.valid_from == after.valid_until + timedelta(days=1)), None)


def documents_in_force(documents: Sequence[Document], on: date) -> List[Document]:
    return [document for document in documents if document.in_force(on)]


def each_fact(procedure: ProcedureData) -> Iterator[Tuple[str, Sourced]]:
    """(field name, fact) for every fact of a procedure, documents included."""
    for name in ("agency", "documents", *DATED_FACTS[1:]):
        for fact in getattr(procedure, name):
            yield name, fact


@dataclass
class DueFact:
    field: str
    label: str
    reason: str


def facts_due(procedure: ProcedureData, today: date, max_age_days: int) -> List[DueFact]:
    """Facts checked longer ago than `max_age_days`, and facts whose validity ends soon."""
    due: List[DueFact] = []
    for name, fact in each_fact(procedure):
        label = _fact_label(name, fact)
        if fact.valid_until is not None and fact.valid_until < today:
            continue  # an ended version is history, not a fact a citizen is told
        if (today - fact.checked).days > max_age_days:
            due.append(DueFact(name, label, f"{label}: kiểm tra lần cuối {fact.checked:%d/%m/%Y}, "
                                            f"quá {max_age_days} ngày."))
        if fact.valid_until is not None and (fact.valid_until - today).days <= ENDING_SOON_DAYS:
            due.append(DueFact(name, label, f"{label}: hết hiệu lực sau ngày "
                                            f"{fact.valid_until:%d/%m/%Y}; kiểm tra phiên bản thay thế."))
    return due


def _fact_label(name: str, fact: Sourced) -> str:
    label = FACT_LABELS[name]
    return f"{label} ({fact.name})" if isinstance(fact, Document) else label
