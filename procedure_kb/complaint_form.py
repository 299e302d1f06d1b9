"""The complaint form's state and rules, free of Rasa: what to ask next, how to read answers.

The dialogue adapter (actions/complaints.py) keeps one slot per field. Here a field is
None while unanswered, and "" for a contact detail the citizen chose not to give.
At any step a citizen may correct an earlier answer ("à nhầm, số điện thoại là …").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from typing import Dict, List, Optional

from procedure_kb import choices
from procedure_kb.complaints import (
    CATEGORIES,
    ComplaintError,
    category_from_answer,
    clean_content,
    clean_name,
    clean_phone,
    infer_category,
)
from procedure_kb.phones import find_phone
from procedure_kb.text import fold, folded_key

# Words of a request to complain that say nothing about what happened.
TRIGGER_WORDS = frozenset(
    "phan anh kien nghi gop y khieu nai to cao muon can xin gui lam toi em minh chau bac "
    "co viec ve mot y kien cho duoc a voi nhe".split()
)
CONTENT_ON_START_WORDS = 6
_NAME_CORRECTION = re.compile(r"\bten(?: (?:toi|cua toi|em|chau|bac|minh))? la\s+(.+)$")
_CONTENT_CORRECTION = re.compile(r"\bnoi dung(?: phan anh)?(?: la|:)\s+(.+)$")
_FIX_WORDS = {
    "content": ("noi dung",),
    "category": ("nhom", "loai"),
    "contact": ("lien he", "dien thoai", "ten", "so"),
}
CONTACT_FIELDS = ("anonymous", "name", "phone", "consent")


@dataclass
class ComplaintDraft:
    content: Optional[str] = None
    category: Optional[str] = None
    anonymous: Optional[bool] = None
    name: Optional[str] = None
    phone: Optional[str] = None
    consent: Optional[bool] = None
    confirmed: Optional[bool] = None
    notes: List[str] = field(default_factory=list, compare=False)

    @classmethod
    def field_names(cls) -> List[str]:
        return [f.name for f in fields(cls) if f.name != "notes"]

    def values(self) -> Dict[str, object]:
        return {name: getattr(self, name) for name in self.field_names()}

    def start(self, text: str) -> None:
        """The request that opened the form may already say what happened."""
        words = [w for w in folded_key(text).split() if w not in TRIGGER_WORDS]
        if len(words) >= CONTENT_ON_START_WORDS:
            self._set_content(text)

    def answer(self, asked: Optional[str], text: str) -> None:
        """Apply the citizen's reply to the question `asked`, plus any correction in it."""
        text = composed(text)  # corrections are found in folded text, offsets must agree
        if asked == "content":
            self._set_content(text)
        elif not self._apply_corrections(text, asked):
            handler = getattr(self, f"_answer_{asked}", None)
            if handler is not None:
                try:
                    handler(text)
                except ComplaintError as error:
                    self.notes.append(error.message)

    def next_question(self) -> Optional[str]:
        """The first field still to ask, or None when the form is complete."""
        return next((name for name in self.required() if getattr(self, name) is None), None)

    def required(self) -> List[str]:
        needed = ["content", "category", "anonymous"]
        if self.anonymous is False:
            needed += ["name", "phone"]
            if self.name or self.phone:
                needed.append("consent")
        return needed + ["confirmed"]

    def read_back(self) -> List[str]:
        """The lines the bot reads back before the citizen confirms."""
        lines = [f"Nhóm việc: {CATEGORIES.get(self.category or 'other', '')}",
                 f"Nội dung: “{self.content}”"]
        if self.keeps_contact():
            contact = ", ".join(part for part in (self.name, self.phone and spaced(self.phone)) if part)
            lines.append(f"Người gửi: {contact}")
        else:
            lines.append("Người gửi: ẩn danh")
        return lines

    def keeps_contact(self) -> bool:
        return bool(self.consent and (self.name or self.phone))

    # Answers to each question.

    def _answer_content(self, text: str) -> None:
        self._set_content(text)

    def _answer_category(self, text: str) -> None:
        self.category = category_from_answer(text)
        if self.category is None:
            self.notes.append("Dạ, Anh/Chị chọn giúp em một nhóm việc bên dưới ạ.")

    def _answer_anonymous(self, text: str) -> None:
        key = fold(text).lower()
        if choices.is_skip(text) or "an danh" in key:
            self.anonymous = True
        elif choices.is_yes(text) or "lien he" in key:
            self.anonymous = False
        else:
            self.notes.append("Dạ, Anh/Chị muốn để lại liên hệ hay gửi ẩn danh ạ?")

    def _answer_name(self, text: str) -> None:
        self.name = "" if choices.is_skip(text) else clean_name(_after_is(text))
        self._anonymous_if_nothing_given()

    def _answer_phone(self, text: str) -> None:
        self.phone = "" if choices.is_skip(text) else clean_phone(find_phone(text) or text)
        self._anonymous_if_nothing_given()

    def _answer_consent(self, text: str) -> None:
        if choices.is_yes(text):
            self.consent = True
        elif choices.is_no(text):
            self.consent, self.anonymous, self.name, self.phone = False, True, None, None
            self.notes.append("Dạ vâng ạ. Em sẽ gửi phản ánh ẩn danh, không lưu thông tin liên hệ ạ.")
        else:
            self.notes.append("Dạ, Anh/Chị đồng ý hay không đồng ý ạ?")

    def _answer_confirmed(self, text: str) -> None:
        key = fold(text).lower()
        fix = next((part for part, words in _FIX_WORDS.items() if "sua" in key.split()
                    and any(word in key for word in words)), None)
        if fix == "contact":
            self._forget(*CONTACT_FIELDS)
        elif fix:
            self._forget(fix)
        elif choices.is_yes(text):
            self.confirmed = True
        else:
            self.notes.append("Dạ, Anh/Chị chọn phần cần sửa, hoặc nói lại thông tin đúng giúp em ạ.")

    # Corrections and helpers.

    def _apply_corrections(self, text: str, asked: Optional[str]) -> bool:
        """'À nhầm, số điện thoại là …', 'tên tôi là …', 'nội dung là …'; True if one applied."""
        folded = fold(text).lower()
        content = _CONTENT_CORRECTION.search(folded)
        phone = find_phone(text)
        name = _NAME_CORRECTION.search(folded)
        if content:
            self._set_content(text[content.start(1):])
        if name:
            try:
                self.name, self.anonymous = clean_name(_until_comma(text[name.start(1):])), False
            except ComplaintError as error:
                self.notes.append(error.message)
        if phone:
            self.phone, self.anonymous = phone, False
        if (name or phone) and self.consent is False:
            self.consent = None  # new contact details: ask for consent again
        applied = bool(content or name or phone)
        if applied and asked not in ("anonymous", "name", "phone"):
            self.notes.append("Dạ, em đã sửa lại thông tin theo lời Anh/Chị ạ.")
        return applied

    def _set_content(self, text: str) -> None:
        try:
            self.content = clean_content(text)
        except ComplaintError as error:
            self.notes.append(error.message)
            return
        self.category = self.category or infer_category(self.content)

    def _anonymous_if_nothing_given(self) -> None:
        if self.name == "" and self.phone == "":
            self.anonymous, self.name, self.phone = True, None, None

    def _forget(self, *names: str) -> None:
        for name in names:
            setattr(self, name, None)


def composed(text: Optional[str]) -> str:
    """NFC: Vietnamese typed with combining marks (NFD) becomes one character per letter."""
    return unicodedata.normalize("NFC", text or "")


def spaced(phone: str) -> str:
    """0912345678 → '0912 345 678', easier to check by eye and by ear."""
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}"


def _after_is(text: str) -> str:
    """'Tôi tên là Lan' → 'Lan'; otherwise the text itself."""
    match = re.search(r"\bla\s+(.+)$", fold(text).lower())
    return text[match.start(1):] if match and match.start() < 20 else text


def _until_comma(text: str) -> str:
    """'Lan, số điện thoại …' → 'Lan'."""
    cut = re.search(r"[,;.]| so dien thoai| sdt| so dt", fold(text).lower())
    return text[:cut.start()] if cut else text
