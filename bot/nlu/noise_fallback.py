"""Marks messages with no Vietnamese in them (empty, emoji, gibberish, code) as nlu_fallback.

DIET gives such input a confident but meaningless intent (an all-unknown message
still lands near some class), so this check runs after the classifiers and the
FallbackClassifier, and overrides them only for noise.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import ConfigOnlyComponent
from procedure_kb.text import looks_like_vietnamese


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class NoiseFallbackClassifier(ConfigOnlyComponent, GraphComponent):
    """Sets `nlu_fallback` with full confidence when the text has no Vietnamese words."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(INTENT) is None or looks_like_vietnamese(message.get(TEXT) or ""):
                continue
            fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
            ranking = [fallback] + [
                ranked
                for ranked in message.get(INTENT_RANKING_KEY, [])
                if ranked.get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME
            ]
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
