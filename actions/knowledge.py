"""Access to the knowledge base shared by the actions, and the buttons they offer."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from procedure_kb import repository
from procedure_kb.catalogue import RevisionCache
from procedure_kb.db import session_scope
from procedure_kb.schemas import ProcedureOut
from procedure_kb.search import ProcedureIndex, Suggestion, index_from_db

HUMAN_BUTTON = {"title": "Gặp cán bộ hỗ trợ", "payload": "/request_human"}

_index: RevisionCache[ProcedureIndex] = RevisionCache(index_from_db)


def procedure_index() -> ProcedureIndex:
    """The current search index (empty when the KB cannot be read)."""
    return _index.get() or ProcedureIndex([])


def load_procedure(procedure_id: str) -> Optional[ProcedureOut]:
    with session_scope() as session:
        return repository.get_procedure(session, procedure_id)


def procedure_buttons(suggestions: List[Suggestion]) -> List[Dict[str, Any]]:
    """One button a suggestion; pressing it sends the canonical id as the entity."""
    return [
        {
            "title": suggestion.name[:100],
            "payload": f'/inform{{"procedure":"{suggestion.procedure_id}"}}',
        }
        for suggestion in suggestions
    ]
