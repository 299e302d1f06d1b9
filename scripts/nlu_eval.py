"""Intent accuracy and macro-F1 of a parse function on a held-back NLU split."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Tuple

from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import f1_score

from procedure_kb.text import fold

HOLDOUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "nlu_holdout.yml"

Example = Tuple[str, str]  # (text, intent)


@dataclass
class Report:
    accuracy: float
    macro_f1: float
    errors: List[Tuple[str, str, str]]  # (text, expected, predicted)


def load_holdout(path: Path = HOLDOUT) -> List[Example]:
    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def without_diacritics(examples: List[Example]) -> List[Example]:
    """The same examples as typed without accents, in lowercase."""
    return [(fold(text), intent) for text, intent in examples]


def evaluate(parse_intent: Callable[[str], str], examples: List[Example]) -> Report:
    expected = [intent for _, intent in examples]
    predicted = [parse_intent(text) for text, _ in examples]
    errors = [(t, e, p) for (t, e), p in zip(examples, predicted) if e != p]
    accuracy = 1 - len(errors) / len(examples)
    macro = f1_score(expected, predicted, average="macro", labels=sorted(set(expected)), zero_division=0)
    return Report(accuracy, float(macro), errors)
