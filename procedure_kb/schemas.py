"""Validated shapes of procedure data (seed file, import, API).

Every fact a citizen is told (a document, the fee, the processing time, the registration
deadline, the handling agency, the online level, who may apply) carries its own legal
basis, the date a person last checked it against the law, and optionally the period it
is in force. A fact that changes on a date is stored as several versions whose periods
do not overlap; answers pick the one in force on the day (procedure_kb/facts.py).
"""
from __future__ import annotations

import json
import re
from datetime import date
from enum import Enum
from typing import Any, Dict, List, Optional, Sequence

from pydantic import BaseModel, Field, HttpUrl, root_validator, validator

PROCEDURE_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

COUNTERS = (
    "Quầy Hộ tịch – Chứng thực",
    "Quầy Đất đai – Xây dựng",
    "Quầy Cư trú – Căn cước (Công an)",
    "Quầy Kinh doanh – Thuế",
    "Quầy BHXH – BHYT",
    "Quầy Chính sách xã hội",
    "Quầy Hướng dẫn chung",
)
# Aspects stored as a list of dated versions of one fact (at most one in force a day).
DATED_FACTS = ("agency", "fee", "duration", "deadline", "online", "applicants")


class DocumentForm(str, Enum):
    original = "original"  # bản chính
    copy = "copy"  # bản sao / bản chụp
    present = "present"  # chỉ xuất trình


class OnlineLevel(str, Enum):
    full = "toan_trinh"  # toàn trình (Nghị định 42/2022/NĐ-CP)
    partial = "mot_phan"  # một phần
    none = "none"


class Sourced(BaseModel):
    """Where the law says it, when it was checked, and when it applies."""

    # Document number and article, e.g. "Luật Hộ tịch số 60/2014/QH13, Điều 16".
    basis: str = Field(..., min_length=3, max_length=600)
    checked: date
    valid_from: Optional[date] = None
    valid_until: Optional[date] = None  # the last day it applies

    @root_validator(skip_on_failure=True)
    def _period_is_ordered(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        start, end = values.get("valid_from"), values.get("valid_until")
        if start and end and end < start:
            raise ValueError("ngày hết hiệu lực (valid_until) không được trước ngày bắt đầu (valid_from)")
        return values

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )

    def overlaps(self, other: "Sourced") -> bool:
        return (self.valid_from or date.min) <= (other.valid_until or date.max) and (
            other.valid_from or date.min
        ) <= (self.valid_until or date.max)


class Agency(Sourced):
    name: str = Field(..., min_length=2, max_length=200)


class Document(Sourced):
    name: str = Field(..., min_length=3, max_length=500)
    copies: int = Field(1, ge=1, le=20)
    form: DocumentForm
    # False for documents needed only in some cases (the note says which).
    required: bool = True
    note: Optional[str] = Field(None, max_length=500)


class Fee(Sourced):
    summary: str = Field(..., min_length=3, max_length=600)
    amount_vnd: Optional[int] = Field(None, ge=0)
    exemptions: List[str] = Field([], max_items=30)
    # The law leaves the amount to the province's People's Council (HĐND tỉnh): the
    # centre's staff set the local figure and the resolution that fixes it.
    set_by_province: bool = False
    local_amount_vnd: Optional[int] = Field(None, ge=0)
    local_basis: Optional[str] = Field(None, min_length=3, max_length=300)


class Duration(Sourced):
    summary: str = Field(..., min_length=3, max_length=600)
    # None when the time is not a number of working days, or the law sets none.
    working_days: Optional[float] = Field(None, ge=0, le=365)


class Deadline(Sourced):
    """By when a citizen must register or declare (not how long the office takes)."""

    summary: str = Field(..., min_length=3, max_length=600)
    days: Optional[int] = Field(None, ge=0, le=3650)


class Online(Sourced):
    level: OnlineLevel
    url: Optional[HttpUrl] = None
    note: Optional[str] = Field(None, max_length=600)


class Applicants(Sourced):
    """Who may apply, and who may apply on their behalf."""

    who: str = Field(..., min_length=3, max_length=600)
    proxy: str = Field(..., min_length=3, max_length=600)


class ProcedureData(BaseModel):
    """One procedure with all its fields, as stored in the seed file and the API."""

    id: str
    name: str = Field(..., min_length=3, max_length=300)
    aliases: List[str] = Field([], max_items=60)
    # Broader terms several procedures may share ('sổ đỏ'): the bot asks which one.
    topics: List[str] = Field([], max_items=20)
    field: str = Field(..., min_length=2, max_length=120)
    # The national procedure code (mã thủ tục hành chính), e.g. "1.001193".
    catalogue_code: Optional[str] = Field(None, max_length=40)
    counter: str
    agency: List[Agency] = Field(..., min_items=1, max_items=10)
    documents: List[Document] = Field(..., min_items=1, max_items=40)
    fee: List[Fee] = Field([], max_items=10)
    duration: List[Duration] = Field([], max_items=10)
    deadline: List[Deadline] = Field([], max_items=10)
    online: List[Online] = Field([], max_items=10)
    applicants: List[Applicants] = Field([], max_items=10)
    steps: List[str] = Field(..., min_items=1, max_items=30)
    legal_basis: List[str] = Field(..., min_items=1, max_items=30)
    last_reviewed: Optional[date] = None
    # The public pages the facts were checked against (title and address).
    sources: List[str] = Field([], max_items=40)

    @validator(*DATED_FACTS, pre=True)
    def _one_version_is_a_list(cls, value: Any) -> Any:
        """A single fact (the shape before dated versions) is one version of it."""
        if value is None:
            return []
        return [value] if isinstance(value, (dict, str)) else value

    @validator("agency", pre=True, each_item=True)
    def _agency_name_alone(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @validator(*DATED_FACTS)
    def _versions_do_not_overlap(cls, value: List[Sourced]) -> List[Sourced]:
        _refuse_overlaps(value, lambda _: "")
        return value

    @validator("documents")
    def _document_versions_do_not_overlap(cls, value: List[Document]) -> List[Document]:
        _refuse_overlaps(value, lambda doc: doc.name.strip().casefold())
        return value

    @validator("id")
    def _id_is_snake_case(cls, value: str) -> str:
        if not PROCEDURE_ID.match(value):
            raise ValueError("id must be lowercase ascii snake_case, e.g. khai_sinh")
        return value

    @validator("counter")
    def _counter_is_known(cls, value: str) -> str:
        if value not in COUNTERS:
            raise ValueError(f"counter must be one of: {', '.join(COUNTERS)}")
        return value

    @validator("steps", "legal_basis", "sources", each_item=True)
    def _line_is_sane(cls, value: str) -> str:
        value = value.strip()
        if not 2 <= len(value) <= 1000:
            raise ValueError("each line must have 2 to 1000 characters")
        return value

    @validator("aliases", "topics", each_item=True)
    def _alias_is_sane(cls, value: str) -> str:
        value = value.strip()
        if not 2 <= len(value) <= 120:
            raise ValueError("each alias must have 2 to 120 characters")
        return value


def _refuse_overlaps(facts: Sequence[Sourced], key) -> None:
    for i, fact in enumerate(facts):
        for j in range(i):
            if key(facts[j]) == key(fact) and facts[j].overlaps(fact):
                raise ValueError(
                    f"phiên bản {j + 1} và {i + 1} cùng có hiệu lực trong một số ngày: "
                    "hãy đặt thời gian hiệu lực (valid_from/valid_until) không chồng lên nhau"
                )


class ProcedureOut(ProcedureData):
    version: int
    retired: bool = False


def json_values(procedure: ProcedureData) -> dict:
    """A procedure's own fields as JSON values (enums, URLs, dates as text; no version)."""
    return json.loads(ProcedureData(**procedure.dict()).json())


class ProcedureIn(ProcedureData):
    """What POST and PUT accept: a procedure as GET returns it (`retired` is ignored).

    `version` is the version the editor started from; PUT requires it. `change_note`
    says what changed and why (shown in the history and the diff).
    """

    version: Optional[int] = Field(None, ge=1)
    change_note: str = Field(..., min_length=3, max_length=1000)
