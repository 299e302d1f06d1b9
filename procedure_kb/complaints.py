"""Complaints and suggestions (phản ánh, kiến nghị): taking them in, tracking, handling.

A complaint is stored, with its tracking code `PA-YYYYMMDD-NNNN`, before the citizen is
told it was received. The content is kept verbatim. Contact data is kept only with the
citizen's consent, is never written to logs or the audit trail, and is shown only to
roles that handle complaints (`CONTACT_ROLES`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from procedure_kb import audit, outbox
from procedure_kb.accounts import Role, has_any_role
from procedure_kb.errors import DomainError
from procedure_kb.models import Complaint, StaffUser
from procedure_kb.phones import normalize_phone
from procedure_kb.queue import MESSAGED_CHANNELS, local_now
from procedure_kb.sequences import next_daily_number
from procedure_kb.text import folded_key, nfc

MAX_CONTENT = 5000
MIN_CONTENT_LETTERS = 3
MAX_NAME = 120
SEQUENCE_KEY = "complaint:PA"
CONTACT_ROLES = frozenset({Role.admin, Role.complaint_handler})
# Who may change complaints, and who may read them (contact data only with CONTACT_ROLES).
HANDLER_ROLES = frozenset({Role.admin, Role.complaint_handler})
READER_ROLES = HANDLER_ROLES | {Role.counter_officer}

CATEGORIES: Dict[str, str] = {
    "staff_attitude": "Thái độ cán bộ",
    "late": "Trễ hẹn trả kết quả",
    "wrong_fee": "Thu tiền sai quy định",
    "facilities": "Cơ sở vật chất",
    "red_tape": "Thủ tục rườm rà",
    "other": "Khác",
}
# Folded words that point to a category, most specific first.
CATEGORY_WORDS: List[Tuple[str, Tuple[str, ...]]] = [
    ("wrong_fee", ("thu tien", "thu phi", "thu them", "lay tien", "tien ngoai", "boi duong",
                   "phong bi", "sai quy dinh", "vong ngoai", "tien che")),
    ("late", ("tre hen", "qua hen", "cham tra", "tre han", "qua han", "lo hen", "hen lai",
              "chua tra ket qua", "chua co ket qua")),
    ("staff_attitude", ("thai do", "hach sach", "cau gat", "quat", "khong nhiet tinh",
                        "thieu ton trong", "to tieng", "gay kho", "nhung nhieu", "kho chiu")),
    ("facilities", ("may lanh", "dieu hoa", "nha ve sinh", "toilet", "ghe ngoi", "bai xe",
                    "cho de xe", "nong qua", "nuoc uong", "co so vat chat", "wifi", "may in",
                    "thang may", "loi di")),
    ("red_tape", ("ruom ra", "phuc tap", "nhieu giay to", "di lai nhieu lan", "nhieu lan",
                  "thu tuc", "giay to")),
]

RECEIVED, PROCESSING, ANSWERED, TRANSFERRED = "received", "processing", "answered", "transferred"
STATES: Dict[str, str] = {
    RECEIVED: "Đã tiếp nhận",
    PROCESSING: "Đang xử lý",
    ANSWERED: "Đã trả lời",
    TRANSFERRED: "Đã chuyển cơ quan có thẩm quyền",
}
# How the bot tells a citizen where their complaint is.
CITIZEN_STATES: Dict[str, str] = {
    RECEIVED: "đã được Trung tâm tiếp nhận và đang chờ phân công xử lý",
    PROCESSING: "đang được cán bộ xử lý",
    ANSWERED: "đã có câu trả lời",
    TRANSFERRED: "đã được chuyển đến cơ quan có thẩm quyền giải quyết",
}
CLOSED = (ANSWERED, TRANSFERRED)
_CODE = re.compile(r"\bP\s*A\s*[-_.\s]?\s*(\d{8})\s*[-_.\s]?\s*(\d{4})\b", re.IGNORECASE | re.ASCII)


class ComplaintError(DomainError):
    """Input the complaint form cannot accept; `field` says which answer to ask again."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class StaleComplaint(DomainError):
    """The complaint changed since the staff member read it."""

    status = 409


class ComplaintNotFound(DomainError):
    """No complaint has this code."""

    status = 404

    def __init__(self, code: str) -> None:
        super().__init__(f"Không có phản ánh mã {code}.")


@dataclass
class Contact:
    name: Optional[str] = None
    phone: Optional[str] = None


def infer_category(text: str) -> Optional[str]:
    """The category a complaint's words point to, or None when they don't."""
    folded = f" {folded_key(text)} "
    for category, words in CATEGORY_WORDS:
        if any(f" {word} " in folded for word in words):
            return category
    return None


def category_from_answer(text: str) -> Optional[str]:
    """The category a citizen picked: its id (button payload), its label, or words for it."""
    key = folded_key(text)
    for category, label in CATEGORIES.items():
        if key in (category, folded_key(label)):
            return category
    return "other" if key in ("khac", "cai khac", "viec khac") else infer_category(text)


def clean_content(text: str) -> str:
    """The citizen's words as given (NFC, trimmed), or a ComplaintError saying what is wrong."""
    content = verbatim(text)
    letters = sum(1 for char in content if unicodedata.category(char)[0] in "LN")
    if letters < MIN_CONTENT_LETTERS:
        raise ComplaintError("content", "Dạ, em chưa đọc được nội dung phản ánh. Anh/Chị vui lòng "
                                        "viết rõ sự việc bằng lời giúp em ạ.")
    if len(content) > MAX_CONTENT:
        raise ComplaintError("content", f"Dạ, nội dung dài {_thousands(len(content))} ký tự, quá "
                                        f"giới hạn {_thousands(MAX_CONTENT)} ký tự. Anh/Chị vui "
                                        "lòng viết ngắn gọn lại giúp em ạ.")
    return content


def verbatim(text: Optional[str]) -> str:
    """The citizen's or officer's text as typed: NFC, line breaks kept, ends trimmed."""
    return unicodedata.normalize("NFC", text or "").strip()


def _thousands(number: int) -> str:
    """5000 → '5.000', the Vietnamese way."""
    return f"{number:,}".replace(",", ".")


def clean_name(text: str) -> str:
    name = " ".join(nfc(text or "").split())
    if not name or len(name) > MAX_NAME or not any(char.isalpha() for char in name):
        raise ComplaintError("name", "Dạ, em chưa ghi được họ tên. Anh/Chị vui lòng nói lại họ "
                                     "tên, hoặc nói “không” nếu muốn giấu tên ạ.")
    return name


def clean_phone(text: str) -> str:
    phone = normalize_phone(text or "")
    if phone is None:
        raise ComplaintError("phone", "Dạ, số điện thoại chưa đúng. Số di động gồm 10 chữ số, "
                                      "bắt đầu bằng 03, 05, 07, 08 hoặc 09 (có thể viết +84) ạ.")
    return phone


def parse_code(text: str) -> Optional[str]:
    """A tracking code in free text, canonical (`PA-20261122-0001`), or None."""
    match = _CODE.search(text or "")
    return f"PA-{match.group(1)}-{match.group(2)}" if match else None


def submit(session: Session, category: str, content: str, channel: str, sender_id: str = "",
           contact: Optional[Contact] = None, consent: bool = False,
           now: Optional[datetime] = None) -> Complaint:
    """Store a complaint with a new tracking code; the caller commits before confirming."""
    if category not in CATEGORIES:
        raise ComplaintError("category", "Dạ, em chưa rõ phản ánh thuộc nhóm việc nào ạ.")
    contact = contact if consent and contact else Contact()
    moment = local_now(now)
    number = next_daily_number(session, SEQUENCE_KEY, moment.date())
    complaint = Complaint(
        code=f"PA-{moment:%Y%m%d}-{number:04d}", category=category,
        content=clean_content(content), channel=channel or "unknown", sender_id=sender_id or None,
        contact_name=contact.name, contact_phone=contact.phone,
        consent=bool(contact.name or contact.phone), state=RECEIVED,
    )
    session.add(complaint)
    session.flush()
    audit.record(session, "citizen", "complaint.received", complaint.code,
                 {"category": category, "channel": complaint.channel})
    return complaint


def find(session: Session, code: str) -> Optional[Complaint]:
    canonical = parse_code(code)
    if canonical is None:
        return None
    return session.execute(select(Complaint).where(Complaint.code == canonical)).scalar()


def get(session: Session, code: str) -> Complaint:
    complaint = find(session, code)
    if complaint is None:
        raise ComplaintNotFound(code)
    return complaint


def not_found_message(code: str) -> str:
    return (f"Dạ, em chưa tìm thấy phản ánh mã {code}. Anh/Chị kiểm tra lại mã trên tin nhắn "
            "xác nhận giúp em ạ.")


def citizen_status(complaint: Complaint) -> Tuple[str, List[str]]:
    """What the citizen hears (`speech`) and reads (`details`) about their complaint."""
    speech = f"Dạ, phản ánh {complaint.code} của Anh/Chị {CITIZEN_STATES[complaint.state]} ạ."
    received = local_now(complaint.created_at.replace(tzinfo=timezone.utc))
    details = [f"Tiếp nhận lúc {received:%H:%M} ngày {received:%d/%m/%Y}",
               f"Nhóm việc: {CATEGORIES[complaint.category]}"]
    if complaint.state == ANSWERED and complaint.answer:
        details.append(f"Trả lời của Trung tâm: {complaint.answer}")
    if complaint.state == TRANSFERRED and complaint.transferred_to:
        details.append(f"Đã chuyển đến: {complaint.transferred_to}")
    return speech, details


def search(session: Session, state: str = "", category: str = "", assignee: str = "",
           limit: int = 100, offset: int = 0) -> List[Complaint]:
    """Staff list, newest first, filtered by state, category and assignee."""
    query = select(Complaint).order_by(Complaint.id.desc()).limit(limit).offset(offset)
    for column, value in ((Complaint.state, state), (Complaint.category, category),
                          (Complaint.assignee, assignee)):
        if value:
            query = query.where(column == value)
    return list(session.execute(query).scalars())


def state_counts(session: Session) -> Dict[str, int]:
    """How many complaints are in each state, every state included."""
    rows = session.execute(select(Complaint.state, func.count()).group_by(Complaint.state))
    return {state: 0 for state in STATES} | {state: count for state, count in rows}


def handler_names(session: Session) -> List[str]:
    """Usernames of the active staff complaints can be assigned to."""
    users = session.execute(
        select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.username)).scalars()
    return [user.username for user in users if has_any_role(user, HANDLER_ROLES)]


def check_assignee(session: Session, username: str) -> None:
    """Complaints go only to active staff who handle them (`handler_names`)."""
    if not username:
        raise DomainError("Vui lòng chọn cán bộ được phân công.")
    if username not in handler_names(session):
        raise DomainError(f"Không phân công được cho “{username}”: cần tài khoản cán bộ xử lý "
                          "phản ánh đang hoạt động.")


def check_version(session: Session, code: str, version: Optional[int]) -> None:
    """Refuse a change made from a stale read; `version` None skips the check."""
    complaint = get(session, code)
    if version is not None and complaint.version != version:
        raise StaleComplaint(f"Phản ánh {complaint.code} vừa được người khác cập nhật (phiên bản "
                             f"hiện tại {complaint.version}, bạn đang xem phiên bản {version}). "
                             "Vui lòng tải lại trang rồi thao tác lại.")


def assign(session: Session, code: str, assignee: str, actor: str) -> Complaint:
    complaint = _open(session, code)
    complaint.assignee = assignee or None
    if complaint.state == RECEIVED and assignee:
        complaint.state = PROCESSING
    return _changed(session, complaint, actor, "complaint.assigned", {"assignee": assignee})


def start_processing(session: Session, code: str, actor: str) -> Complaint:
    complaint = _open(session, code)
    complaint.state = PROCESSING
    return _changed(session, complaint, actor, "complaint.processing", {})


def answer(session: Session, code: str, text: str, actor: str) -> Complaint:
    """Close with the answer the citizen will see when they look the code up."""
    reply = verbatim(text)
    if not reply:
        raise DomainError("Cần nhập nội dung trả lời cho công dân.")
    complaint = _open(session, code)
    complaint.answer, complaint.state = reply[:MAX_CONTENT], ANSWERED
    complaint.answered_at = datetime.utcnow()
    _tell_citizen(session, complaint, f"Dạ, phản ánh {complaint.code} của Anh/Chị đã có câu trả "
                                      f"lời của Trung tâm ạ:\n{complaint.answer}")
    return _changed(session, complaint, actor, "complaint.answered", {})


def transfer(session: Session, code: str, agency: str, actor: str) -> Complaint:
    """Close by sending it to the competent agency."""
    target = " ".join(nfc(agency or "").split())[:200]
    if not target:
        raise DomainError("Cần ghi tên cơ quan nhận chuyển phản ánh.")
    complaint = _open(session, code)
    complaint.transferred_to, complaint.state = target, TRANSFERRED
    _tell_citizen(session, complaint, f"Dạ, phản ánh {complaint.code} của Anh/Chị đã được chuyển "
                                      f"đến {target} để giải quyết ạ.")
    return _changed(session, complaint, actor, "complaint.transferred", {"to": target})


def _tell_citizen(session: Session, complaint: Complaint, text: str) -> None:
    """When the complaint came from a chat that can be messaged first (sent after commit)."""
    if complaint.channel in MESSAGED_CHANNELS and complaint.sender_id:
        outbox.add(session, complaint.channel, complaint.sender_id, text)


def _open(session: Session, code: str) -> Complaint:
    complaint = get(session, code)
    if complaint.state in CLOSED:
        raise DomainError(f"Phản ánh {complaint.code} đã đóng ({STATES[complaint.state]}).")
    return complaint


def _changed(session: Session, complaint: Complaint, actor: str, action: str,
             detail: dict) -> Complaint:
    complaint.updated_at = datetime.utcnow()
    try:
        session.flush()
    except StaleDataError as error:  # another handler saved it since this session read it
        raise StaleComplaint(f"Phản ánh {complaint.code} vừa được người khác cập nhật. "
                             "Vui lòng tải lại trang rồi thao tác lại.") from error
    audit.record(session, actor, action, complaint.code, detail)
    return complaint
