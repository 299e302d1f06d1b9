"""Rasa entity extractor for `procedure`, driven by the knowledge base.

The alias index is read from the KB database and rebuilt when the KB revision
changes, so a procedure or alias added by staff is recognised without retraining.
Entity values are canonical procedure ids. An ambiguous alias ('sổ đỏ') yields no
`procedure` entity; the answering action then offers the candidates.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import ConfigOnlyComponent
from bot.nlu.procedure_matcher import ProcedureMatcher, ProcedureMention
from procedure_kb import repository
from procedure_kb.catalogue import RevisionCache

ENTITY = "procedure"
log = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class KBProcedureExtractor(ConfigOnlyComponent, GraphComponent, EntityExtractorMixin):
    """Extracts the `procedure` entity with a PhraseMatcher over KB names and aliases."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # None: use the LETAN_KB_REFRESH_SECONDS setting.
        return {"refresh_seconds": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._matchers: RevisionCache[ProcedureMatcher] = RevisionCache(
            lambda session: ProcedureMatcher(repository.name_and_alias_keys(session)),
            refresh_seconds=config.get("refresh_seconds"),
        )

    def process(self, messages: List[Message]) -> List[Message]:
        matcher = self._matchers.get()
        for message in messages:
            text = message.get(TEXT)
            if matcher is None or not text:
                continue
            found = [
                self._entity(mention)
                for mention in matcher.find(text)
                if not mention.is_ambiguous
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def _entity(self, mention: ProcedureMention) -> Dict[Text, Any]:
        (procedure_id,) = mention.procedure_ids
        entity = {
            "entity": ENTITY,
            "start": mention.start,
            "end": mention.end,
            "value": procedure_id,
            "confidence_entity": 1.0,
        }
        return self.add_extractor_name([entity])[0]
