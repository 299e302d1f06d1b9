"""Finds procedure names and aliases in a message with spaCy's PhraseMatcher.

Matching runs on folded, shorthand-expanded syllables, so 'lam giay khai sanh',
'Làm giấy khai sanh' and 'dk tam tru' all match. The longest match wins; an alias
that several procedures share is reported as ambiguous instead of guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Set, Tuple

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from procedure_kb.text import terms


@dataclass(frozen=True)
class ProcedureMention:
    start: int
    end: int
    text: str
    procedure_ids: FrozenSet[str]

    @property
    def is_ambiguous(self) -> bool:
        return len(self.procedure_ids) > 1


class ProcedureMatcher:
    """Phrase index from folded keys (names and aliases) to procedure ids."""

    def __init__(self, keys: Iterable[Tuple[str, str]]) -> None:
        self._vocab = spacy.blank("xx").vocab
        self._matcher = PhraseMatcher(self._vocab)
        self._ids: Dict[str, Set[str]] = {}
        for key, procedure_id in keys:
            if key.strip():
                self._ids.setdefault(key, set()).add(procedure_id)
        for key in self._ids:
            self._matcher.add(key, [Doc(self._vocab, words=key.split())])

    def find(self, text: str) -> List[ProcedureMention]:
        """Non-overlapping mentions in `text`, longest first where they overlap."""
        found = terms(text)
        if not found:
            return []
        doc = Doc(self._vocab, words=[term.text for term in found])
        spans = filter_spans(self._matcher(doc, as_spans=True))
        mentions = []
        for span in spans:
            start, end = found[span.start].start, found[span.end - 1].end
            mentions.append(
                ProcedureMention(start, end, text[start:end], frozenset(self._ids[span.label_]))
            )
        return mentions
