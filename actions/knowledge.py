"""Access to the knowledge base shared by the actions, and the buttons they offer."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from procedure_kb import repository, unanswered
from procedure_kb.catalogue import RevisionCache
from procedure_kb.db import session_scope
from procedure_kb.schemas import ProcedureOut
from procedure_kb.search import ProcedureIndex, Suggestion, index_from_db

HUMAN_BUTTON = {"title": "Gặp cán bộ hỗ trợ", "payload": "/request_human"}
log = logging.getLogger(__name__)

_index: RevisionCache[ProcedureIndex] = RevisionCache(index_from_db)


def procedure_index() -> ProcedureIndex:
    """The current search index (empty when the KB cannot be read)."""
    return _index.get() or ProcedureIndex([])


def load_procedure(procedure_id: str) -> Optional[ProcedureOut]:
    with session_scope() as session:
        return repository.get_procedure(session, procedure_id)


def remember_unanswered(tracker: Tracker, kind: str, guesses: List[str]) -> None:
    """Log the latest message for the staff list; never lets a logging failure stop a reply."""
    text = tracker.latest_message.get("text") or ""
    if not text.strip() or text.startswith("/"):
        return
    try:
        with session_scope() as session:
            unanswered.record(session, text, kind, tracker.get_latest_input_channel() or "", guesses)
    except Exception:  # the citizen still gets the answer
        log.exception("Could not log an unanswered question")


def procedure_buttons(suggestions: List[Suggestion]) -> List[Dict[str, Any]]:
    """One button a suggestion; pressing it sends the canonical id as the entity."""
    return [
        {
            "title": suggestion.name[:100],
            "payload": f'/inform{{"procedure":"{suggestion.procedure_id}"}}',
        }
        for suggestion in suggestions
    ]
