"""Dossier status lookup (tra cứu hồ sơ): codes, statuses and what the bot says about them.

A dossier code in the national format, 000.00.15.H29-251020-0031, is the receiving
agency (3, 2 and 2 digits and a letter + 2 digits), the filing date YYMMDD and a
sequence number. Statuses come from a `DossierSource` (see dossier_sources.py): the
local table filled by staff imports, or a provincial one-stop system over HTTP.
The citizen-facing answers never repeat the filer's phone number.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Dict, List, Optional, Tuple

from procedure_kb.errors import DomainError
from procedure_kb.queue import local_now
from procedure_kb.text import folded_key, lower_first

# Between the parts of a code: a dot or dash, spaces, both, or nothing.
_GAP = r"\s*[.\-]?\s*"
_CODE = re.compile(
    rf"(?<![\w.\-])([0-9]{{3}}){_GAP}([0-9]{{2}}){_GAP}([0-9]{{2}}){_GAP}([A-Za-z][0-9]{{2}})"
    rf"{_GAP}([0-9]{{6}}){_GAP}([0-9]{{4}})(?!\w)"
)
# Letters and digits joined by separators: a code typed with parts missing or extra.
_CODE_ATTEMPT = re.compile(r"[0-9A-Za-z]+(?:[\s.\-]+[0-9A-Za-z]+)*")
# Fewer digits than a code (19) but more than a phone number (11).
MIN_ATTEMPT_DIGITS = 12
DATE_FORMAT = "%d/%m/%Y"
COLLECT_DEFAULT = "bộ phận trả kết quả"
ONE_STOP = "bộ phận một cửa"


class DossierState(str, Enum):
    received = "received"
    processing = "processing"
    returned_for_more = "returned_for_more"
    ready = "ready"
    delivered = "delivered"
    rejected = "rejected"


STATE_LABELS = {
    DossierState.received: "Đã tiếp nhận",
    DossierState.processing: "Đang giải quyết",
    DossierState.returned_for_more: "Cần bổ sung giấy tờ",
    DossierState.ready: "Đã có kết quả, chờ trả",
    DossierState.delivered: "Đã trả kết quả",
    DossierState.rejected: "Từ chối giải quyết",
}
# How one-stop systems word each state (besides our labels and the English names).
STATE_WORDINGS = {
    DossierState.received: ["Đã tiếp nhận", "Mới tiếp nhận", "Tiếp nhận", "Chờ xử lý"],
    DossierState.processing: ["Đang xử lý", "Đang giải quyết", "Đang thụ lý", "Đang thẩm định"],
    DossierState.returned_for_more: ["Yêu cầu bổ sung", "Yêu cầu bổ sung hồ sơ", "Chờ bổ sung",
                                     "Cần bổ sung", "Bổ sung hồ sơ"],
    DossierState.ready: ["Đã có kết quả", "Chờ trả kết quả", "Có kết quả"],
    DossierState.delivered: ["Đã trả kết quả", "Đã trả", "Đã trả kết quả cho công dân"],
    DossierState.rejected: ["Từ chối", "Từ chối giải quyết", "Không giải quyết"],
}
_STATE_KEYS: Dict[str, DossierState] = {
    folded_key(wording): state
    for state in DossierState
    for wording in [state.value, STATE_LABELS[state], *STATE_WORDINGS[state]]
}

UNAVAILABLE_MESSAGE = (
    "Dạ, hệ thống tra cứu hồ sơ đang tạm gián đoạn, Anh/Chị vui lòng thử lại sau ít phút ạ."
)


class DossierError(DomainError):
    """A dossier request that cannot be done; `code` is machine-readable, `status` its HTTP."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class DossierSourceUnavailable(DossierError):
    """The lookup system failed; the message is for the citizen, `reason` for the logs."""

    def __init__(self, reason: str = "") -> None:
        super().__init__("dossier_source_unavailable", UNAVAILABLE_MESSAGE, 503)
        self.reason = reason


@dataclass
class DossierStatus:
    code: str
    procedure_name: str
    state: DossierState
    received_on: Optional[date] = None
    appointment_date: Optional[date] = None
    missing_documents: List[str] = field(default_factory=list)
    collect_at: Optional[str] = None
    updated_at: Optional[datetime] = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


class DossierSource(ABC):
    """Where statuses come from; codes and phones are given in canonical form."""

    @abstractmethod
    def by_code(self, code: str) -> Optional[DossierStatus]:
        """The dossier with this code, or None when there is none."""

    @abstractmethod
    def by_phone(self, phone: str) -> List[DossierStatus]:
        """The dossiers filed with this phone number, newest first."""


def parse_dossier_code(text: str) -> Optional[str]:
    """The first well-formed dossier code in `text`, canonical, or None.

    Accepts spaces instead of dots and dashes, missing separators and lowercase letters;
    refuses wrong digit counts and impossible filing dates.
    """
    for match in _CODE.finditer(text or ""):
        agency, unit, office, province, filed, number = match.groups()
        if _filing_date(filed):
            return f"{agency}.{unit}.{office}.{province.upper()}-{filed}-{number}"
    return None


def looks_like_dossier_code(text: str) -> bool:
    """Whether `text` seems to hold a mistyped code (for the malformed-code answer).

    A heuristic for messages in which parse_dossier_code and find_phone found nothing.
    """
    return any(
        sum(char.isdigit() for char in run.group()) >= MIN_ATTEMPT_DIGITS
        for run in _CODE_ATTEMPT.finditer(text or "")
    )


def parse_state(text: str) -> Optional[DossierState]:
    """The state named by a one-stop system's wording ('Đang xử lý') or our name, or None."""
    return _STATE_KEYS.get(folded_key(str(text)))


def describe(status: DossierStatus, today: Optional[date] = None) -> Tuple[str, List[str]]:
    """The spoken sentence and the detail lines about one dossier."""
    sentence = _state_sentence(status, today or local_now().date())
    return f"Dạ, hồ sơ {lower_first(status.procedure_name)} của Anh/Chị {sentence}", _details(status)


def describe_all(statuses: List[DossierStatus], today: Optional[date] = None) -> Tuple[str, List[str]]:
    """The answer to a lookup by phone number: none, one or several dossiers."""
    if not statuses:
        return phone_not_found_message(), []
    if len(statuses) == 1:
        return describe(statuses[0], today)
    summaries = "; ".join(
        f"hồ sơ {lower_first(s.procedure_name)}: {s.state_label.lower()}" for s in statuses
    )
    speech = (f"Dạ, em tìm thấy {len(statuses)} hồ sơ gắn với số điện thoại Anh/Chị cung cấp: "
              f"{summaries} ạ.")
    return speech, [_summary_line(status) for status in statuses]


def not_found_message(code: str) -> str:
    return (f"Dạ, em chưa tìm thấy hồ sơ có mã {code}. "
            "Anh/Chị kiểm tra lại mã trên giấy biên nhận giúp em ạ.")


def malformed_code_message() -> str:
    return ("Dạ, mã hồ sơ Anh/Chị cung cấp có vẻ chưa đúng. Mã in trên giấy biên nhận có dạng "
            "000.00.15.H29-251020-0031, Anh/Chị kiểm tra lại giúp em ạ.")


def phone_not_found_message() -> str:
    return ("Dạ, em chưa tìm thấy hồ sơ nào gắn với số điện thoại Anh/Chị cung cấp. "
            "Anh/Chị cho em xin mã hồ sơ trên giấy biên nhận để em tra cứu giúp ạ.")


def format_date(day: date) -> str:
    return day.strftime(DATE_FORMAT)


def _filing_date(yymmdd: str) -> Optional[date]:
    try:
        return datetime.strptime(yymmdd, "%y%m%d").date()
    except ValueError:
        return None


def _state_sentence(status: DossierStatus, today: date) -> str:
    state = status.state
    if state in (DossierState.received, DossierState.processing):
        return _in_progress(status, today)
    if state == DossierState.returned_for_more:
        if status.missing_documents:
            documents = "; ".join(lower_first(d.rstrip(".")) for d in status.missing_documents)
            return (f"cần bổ sung: {documents}. Anh/Chị vui lòng mang giấy tờ bổ sung đến "
                    f"{ONE_STOP} giúp em ạ.")
        return (f"cần bổ sung thêm giấy tờ. Anh/Chị vui lòng liên hệ {ONE_STOP} để được "
                "hướng dẫn cụ thể ạ.")
    if state == DossierState.ready:
        where = lower_first(status.collect_at.rstrip(".")) if status.collect_at else COLLECT_DEFAULT
        return f"đã có kết quả. Anh/Chị vui lòng mang theo giấy biên nhận đến {where} để nhận kết quả ạ."
    if state == DossierState.delivered:
        return "đã được trả kết quả rồi ạ."
    return (f"đã bị từ chối giải quyết. Anh/Chị vui lòng liên hệ {ONE_STOP} để được giải thích "
            "lý do và hướng dẫn thêm ạ.")


def _in_progress(status: DossierStatus, today: date) -> str:
    verb = "đã được tiếp nhận" if status.state == DossierState.received else "đang được giải quyết"
    due = status.appointment_date
    if due is None:
        return f"{verb} ạ."
    if due < today:
        return (f"{verb} và đã quá ngày hẹn trả kết quả ({format_date(due)}). Em thành thật xin "
                f"lỗi Anh/Chị; Anh/Chị vui lòng liên hệ {ONE_STOP} để được báo ngày hẹn mới ạ.")
    return f"{verb}, ngày hẹn trả kết quả là {format_date(due)} ạ."


def _details(status: DossierStatus) -> List[str]:
    lines = [f"Mã hồ sơ: {status.code}", f"Thủ tục: {status.procedure_name}",
             f"Trạng thái: {status.state_label}"]
    if status.received_on:
        lines.append(f"Ngày tiếp nhận: {format_date(status.received_on)}")
    if status.appointment_date:
        lines.append(f"Ngày hẹn trả kết quả: {format_date(status.appointment_date)}")
    if status.state == DossierState.returned_for_more and status.missing_documents:
        lines.append("Giấy tờ cần bổ sung:")
        lines.extend(f"- {document}" for document in status.missing_documents)
    if status.collect_at and status.state not in (DossierState.delivered, DossierState.rejected):
        lines.append(f"Nơi nhận kết quả: {status.collect_at}")
    return lines


def _summary_line(status: DossierStatus) -> str:
    line = f"{status.code} – {status.procedure_name}: {status.state_label}"
    if status.appointment_date and status.state in (DossierState.received, DossierState.processing):
        line += f" (hẹn trả {format_date(status.appointment_date)})"
    return line
