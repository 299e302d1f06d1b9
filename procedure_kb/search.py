"""Accent-insensitive fuzzy search over procedure names and aliases.

Keys and queries are compared as folded syllables ('khai sanh' ~ 'khai sinh'), each
key against windows of the query with about as many syllables, so a short alias does
not match inside an unrelated longer word.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from procedure_kb import repository
from procedure_kb.text import folded_key, terms

STRONG_MATCH = 90.0
WEAK_MATCH = 65.0
MAX_QUERY_TERMS = 60

# Folded words that carry no topic: question words, aspects, politeness, fillers.
FILLER_WORDS = frozenset(
    """
    a ah ai ak anh ay ba bac ban bao be ben bi biet bo buoc cach cai can cap cau cha
    chac chau chi cho chu chua chung co con cong cu cua cung da dang dau day de den
    di dieu do doi dong du dum duoc em gi gian giay gio gium giup ha hai han hay hen
    het ho hoac hoi hoso huong ich internet khi khoang khong kia ko ky la lai lam
    lau le lien luc luon mac mang mat may minh moi mot muon nao nay ne nen ngan ngay
    nghe nghin nha nhe nhen nhi nhieu nho nhu nhung nop nua o oi on online phai phi
    qua quay quy ra rang roi sang sao se so ta tai thang the thi thoi thu thuc tien
    tieu to toan toi trieu trinh truc tu tuan tuc tuyen u uh um va vang vay ve vi
    voi xem xin xong y ya
    """.split()
)


@dataclass(frozen=True)
class Suggestion:
    procedure_id: str
    name: str
    score: float


class ProcedureIndex:
    """Search index over procedures' names, aliases and shared topics (folded keys)."""

    def __init__(self, entries: Iterable[Tuple[str, str, Sequence[str], Sequence[str]]]) -> None:
        """`entries`: (procedure id, display name, name and alias keys, topic keys)."""
        self._names: Dict[str, str] = {}
        self._keys: List[Tuple[str, int, str]] = []
        self._topics: Dict[str, List[str]] = {}
        for procedure_id, name, keys, topics in entries:
            self._names[procedure_id] = name
            for key in keys:
                self._keys.append((key, len(key.split()), procedure_id))
            for topic in topics:
                self._topics.setdefault(topic, []).append(procedure_id)

    def __len__(self) -> int:
        return len(self._names)

    def named(self, procedure_ids: Iterable[str]) -> List[Suggestion]:
        """Suggestions for known ids, in the given order (unknown ids are skipped)."""
        return [
            Suggestion(pid, self._names[pid], 100.0) for pid in procedure_ids if pid in self._names
        ]

    def by_topic(self, query: str) -> List[Suggestion]:
        """Procedures sharing the longest topic named in `query` ('sổ đỏ' -> four)."""
        padded = f" {' '.join(term.text for term in terms(query))} "
        named = [topic for topic in self._topics if f" {topic} " in padded]
        if not named:
            return []
        return self.named(self._topics[max(named, key=len)])

    def search(self, query: str, limit: int = 3, min_score: float = WEAK_MATCH) -> List[Suggestion]:
        """Best-matching procedures for `query`, best first, at most `limit`."""
        words = [term.text for term in terms(query)][:MAX_QUERY_TERMS]
        if not words:
            return []
        present = set(words)
        best: Dict[str, float] = {}
        for key, length, procedure_id in self._keys:
            score = _best_window_score(key, length, words)
            if score >= STRONG_MATCH and not _all_syllables_present(key, present):
                score = STRONG_MATCH - 1  # close in spelling, but a word differs: only a suggestion
            if score > best.get(procedure_id, 0.0):
                best[procedure_id] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], self._names[item[0]]))
        return [
            Suggestion(pid, self._names[pid], round(score, 1))
            for pid, score in ranked[:limit]
            if score >= min_score
        ]


def _all_syllables_present(key: str, present: Set[str]) -> bool:
    """Every syllable of the key is in the query, allowing one typo in longer syllables
    ('truu' for 'tru') but not a different word ('nuoi' is not 'cuoi')."""
    return all(
        word in present
        or any(len(other) >= len(word) >= 3 and fuzz.ratio(word, other) >= 80 for other in present)
        for word in key.split()
    )


def _best_window_score(key: str, length: int, words: List[str]) -> float:
    best = 0.0
    for size in {max(1, length - 1), length, length + 1}:
        for start in range(0, max(1, len(words) - size + 1)):
            window = " ".join(words[start:start + size])
            best = max(best, fuzz.ratio(key, window))
            if best == 100.0:
                return best
    return best


def topic_words(text: str) -> List[str]:
    """The folded words of `text` that may name a procedure (fillers removed)."""
    return [term.text for term in terms(text) if term.text not in FILLER_WORDS and not term.text.isdigit()]


def index_from_db(session: Session) -> ProcedureIndex:
    """A search index over the active procedures in the database."""
    return ProcedureIndex(
        (
            p.id,
            p.name,
            [folded_key(p.name)] + [folded_key(a) for a in p.aliases],
            [folded_key(t) for t in p.topics],
        )
        for p in repository.list_procedures(session)
    )
