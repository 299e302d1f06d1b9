"""Validated shapes of procedure data (seed file, import, API)."""
from __future__ import annotations

import json
import re
from datetime import date
from enum import Enum
from typing import List, Optional

from pydantic import BaseModel, Field, HttpUrl, validator

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


class DocumentForm(str, Enum):
    original = "original"  # bản chính
    copy = "copy"  # bản sao / bản chụp
    present = "present"  # chỉ xuất trình


class OnlineLevel(str, Enum):
    full = "toan_trinh"  # toàn trình (Nghị định 42/2022/NĐ-CP)
    partial = "mot_phan"  # một phần
    none = "none"


class Document(BaseModel):
    name: str = Field(..., min_length=3, max_length=500)
    copies: int = Field(1, ge=1, le=20)
    form: DocumentForm
    # False for documents needed only in some cases (the note says which).
    required: bool = True
    note: Optional[str] = Field(None, max_length=500)


class Fee(BaseModel):
    summary: str = Field(..., min_length=3, max_length=600)
    amount_vnd: Optional[int] = Field(None, ge=0)
    exemptions: List[str] = Field([], max_items=30)
    basis: str = Field(..., min_length=3)


class Duration(BaseModel):
    summary: str = Field(..., min_length=3, max_length=600)
    working_days: Optional[int] = Field(None, ge=0, le=365)
    basis: str = Field(..., min_length=3)


class Online(BaseModel):
    level: OnlineLevel
    url: Optional[HttpUrl] = None
    note: Optional[str] = Field(None, max_length=600)


class ProcedureData(BaseModel):
    """One procedure with all its fields, as stored in the seed file and the API."""

    id: str
    name: str = Field(..., min_length=3, max_length=300)
    aliases: List[str] = Field([], max_items=60)
    # Broader terms several procedures may share ('sổ đỏ'): the bot asks which one.
    topics: List[str] = Field([], max_items=20)
    field: str = Field(..., min_length=2, max_length=120)
    catalogue_code: Optional[str] = Field(None, max_length=40)
    agency: str = Field(..., min_length=2, max_length=200)
    counter: str
    documents: List[Document] = Field(..., min_items=1, max_items=40)
    fee: Optional[Fee] = None
    duration: Optional[Duration] = None
    online: Optional[Online] = None
    steps: List[str] = Field(..., min_items=1, max_items=30)
    legal_basis: List[str] = Field(..., min_items=1, max_items=30)
    last_reviewed: Optional[date] = None

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

    @validator("steps", "legal_basis", each_item=True)
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


class ProcedureOut(ProcedureData):
    version: int
    retired: bool = False


def json_values(procedure: ProcedureData) -> dict:
    """A procedure's own fields as JSON values (enums, URLs, dates as text; no version)."""
    return json.loads(ProcedureData(**procedure.dict()).json())


class ProcedureIn(ProcedureData):
    """What POST and PUT accept: a procedure as GET returns it (`retired` is ignored).

    `version` is the version the editor started from; PUT requires it.
    """

    version: Optional[int] = Field(None, ge=1)
