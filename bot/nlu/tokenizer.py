"""Vietnamese word tokenizer on underthesea, with a normalised lemma per token.

Token text is the word as typed; its lemma is the folded, shorthand-expanded form
joined by underscores ('Khai sinh' -> 'khai_sinh', 'ko' -> 'khong'), so featurizers
run with `use_lemma: true` see the same features whatever the spelling.
The message text itself is first put in NFC with collapsed spaces.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from underthesea import word_tokenize

from bot.nlu.augmentation import variants
from bot.nlu.component import ConfigOnlyComponent
from procedure_kb.text import nfc, terms

EMPTY_TEXT_TOKEN = "__empty__"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class VietnameseTokenizer(ConfigOnlyComponent, Tokenizer):
    """Tokenizes Vietnamese with underthesea; augments training data with spellings."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "augment": True,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["vi"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        if self._config["augment"]:
            training_data = training_data.merge(TrainingData(augmented(training_data)))
        return super().process_training_data(training_data)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TEXT) is not None:
                message.set(TEXT, nfc(message.get(TEXT)))
        return super().process(messages)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        tokens = word_tokens(text)
        if not tokens:  # Rasa featurizers need at least one token
            return [Token(text, 0, lemma=EMPTY_TEXT_TOKEN)]
        return tokens


def word_tokens(text: str) -> List[Token]:
    """underthesea words of `text` as Rasa tokens with normalised lemmas."""
    tokens: List[Token] = []
    cursor = 0
    for word in word_tokenize(text):
        start = text.find(word, cursor)
        if start < 0:  # underthesea altered the word; skip rather than misplace it
            continue
        cursor = start + len(word)
        lemma = "_".join(term.text for term in terms(word))
        if lemma:  # punctuation and emoji carry no lemma and are left out
            tokens.append(Token(word, start, lemma=lemma))
    return tokens


def augmented(training_data: TrainingData) -> List[Message]:
    """New NLU examples: spelling variants of every intent example."""
    extra: List[Message] = []
    for example in training_data.intent_examples:
        text = example.get(TEXT)
        if not text:
            continue
        entities = example.get(ENTITIES) or []
        if entities and nfc(text) != text:
            continue  # offsets would not fit the normalised text
        for variant in variants(nfc(text), has_entities=bool(entities)):
            data = {INTENT: example.get(INTENT)}
            if entities:
                data[ENTITIES] = entities
            extra.append(Message(data={TEXT: variant, **data}))
    return extra
