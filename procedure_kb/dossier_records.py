"""The validated shape of a dossier record, shared by the file import, the staff API and the
HTTP adapter: Vietnamese state wordings, dd/mm/yyyy dates and local phone numbers accepted."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, List, Optional, Union

from pydantic import BaseModel, validator

from procedure_kb.dossiers import STATE_WORDINGS, DossierState, parse_dossier_code, parse_state
from procedure_kb.phones import normalize_phone

MAX_TEXT = 300
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
TIME_FORMATS = ("%H:%M:%S", "%H:%M")
_LIST_SEPARATORS = re.compile(r"[;\n]")


class DossierFields(BaseModel):
    """A dossier's status as staff give it; Vietnamese wordings and dd/mm/yyyy accepted."""

    procedure_name: str
    state: DossierState
    received_on: Optional[date] = None
    appointment_date: Optional[date] = None
    missing_documents: List[str] = []
    collect_at: Optional[str] = None
    phone: Optional[str] = None
    updated_at: Optional[datetime] = None

    @validator("*", pre=True)
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        return None if value == "" else value

    @validator("procedure_name", "collect_at")
    def _short_text(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and len(value) > MAX_TEXT:
            raise ValueError(f"dài quá {MAX_TEXT} ký tự")
        return value

    @validator("state", pre=True)
    def _state(cls, value: Any) -> Any:
        if value is None or isinstance(value, DossierState):
            return value
        state = parse_state(str(value))
        if state is None:
            known = ", ".join(wordings[0] for wordings in STATE_WORDINGS.values())
            raise ValueError(f"không rõ trạng thái '{value}' (dùng: {known})")
        return state

    @validator("received_on", "appointment_date", pre=True)
    def _date(cls, value: Any) -> Optional[date]:
        moment = _moment(value)
        return moment.date() if isinstance(moment, datetime) else moment

    @validator("updated_at", pre=True)
    def _datetime(cls, value: Any) -> Optional[datetime]:
        moment = _moment(value)
        if type(moment) is date:
            return datetime.combine(moment, datetime.min.time())
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment

    @validator("missing_documents", pre=True)
    def _documents(cls, value: Any) -> List[str]:
        items = _LIST_SEPARATORS.split(value) if isinstance(value, str) else value or []
        return [str(item).strip() for item in items if str(item).strip()]

    @validator("phone", pre=True)
    def _phone(cls, value: Any) -> Optional[str]:
        if value is None:
            return None
        text = str(int(value)) if isinstance(value, (int, float)) else str(value)
        # Spreadsheets often drop the leading 0 of a number typed into a cell.
        phone = normalize_phone(text) or normalize_phone(f"0{text}")
        if phone is None:
            raise ValueError(f"số điện thoại di động không hợp lệ '{value}'")
        return phone


class DossierRecord(DossierFields):
    code: str

    @validator("code", pre=True)
    def _code(cls, value: Any) -> str:
        code = parse_dossier_code(str(value or ""))
        if code is None:
            raise ValueError(f"mã hồ sơ không đúng dạng 000.00.15.H29-251020-0031: '{value}'")
        return code


def _moment(value: Any) -> Union[date, datetime, None]:
    """A date or datetime from a cell: dd/mm/yyyy (optionally with a time) or ISO."""
    if value is None or isinstance(value, (date, datetime)):
        return value
    text = str(value).strip()
    day, _, clock = text.replace("T", " ").partition(" ")
    for day_format in DATE_FORMATS:
        for clock_format in TIME_FORMATS if clock else ("",):
            try:
                return datetime.strptime(f"{day} {clock}".strip(), f"{day_format} {clock_format}".strip())
            except ValueError:
                continue
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"ngày không hợp lệ '{text}' (dùng dd/mm/yyyy)") from None
