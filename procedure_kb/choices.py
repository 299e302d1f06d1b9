"""Reading a citizen's short answers to the bot's questions: yes, no, skip, cancel.

Answers are compared folded (no accents, shorthand expanded), so "ko", "không" and
"khong" read the same. Only short answers count: a long sentence is content, not a choice.
"""
from __future__ import annotations

from typing import FrozenSet

from procedure_kb.text import folded_key

SHORT_ANSWER_WORDS = 6
YES: FrozenSet[str] = frozenset({
    "co", "dong y", "toi dong y", "vang", "da", "da vang", "u", "ok", "oke", "dung", "dung roi",
    "chinh xac", "gui", "gui di", "gui phan anh", "xac nhan", "duoc", "yes", "co a", "vang a",
    "da dung", "da dung roi", "dong y a", "de lai lien he",
})
NO: FrozenSet[str] = frozenset({
    "khong", "khong a", "khong dong y", "toi khong dong y", "sai", "chua dung", "khong phai",
    "khong dung", "no", "thoi khoi", "khoi",
})
SKIP: FrozenSet[str] = frozenset({
    "bo qua", "khong", "khong a", "khong can", "thoi", "khoi", "giau ten", "an danh",
    "gui an danh", "khong muon", "khong de lai",
})
CANCEL_PHRASES = (
    "huy", "huy bo", "huy phan anh", "thoi khong gui", "khong gui nua", "khong phan anh nua",
    "dung lai", "thoi bo di", "cancel", "khong muon phan anh", "thoi khong phan anh",
)


def _short(text: str) -> str:
    key = folded_key(text).strip(" .!?")
    return key if len(key.split()) <= SHORT_ANSWER_WORDS else ""


def is_yes(text: str) -> bool:
    return _short(text) in YES


def is_no(text: str) -> bool:
    return _short(text) in NO


def is_skip(text: str) -> bool:
    return _short(text) in SKIP


def wants_to_cancel(text: str) -> bool:
    """'Thôi hủy đi', 'không gửi nữa': a short message asking to stop the current form."""
    key = f" {_short(text)} "
    return any(f" {phrase} " in key for phrase in CANCEL_PHRASES)
