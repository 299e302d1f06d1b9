"""Intent accuracy on the held-back split (tests/data/nlu_holdout.yml, never trained on)."""
import httpx
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from procedure_kb.text import fold
from scripts.nlu_eval import evaluate, load_holdout, without_diacritics

pytestmark = pytest.mark.stack

ACCURACY = 0.90
ACCURACY_WITHOUT_DIACRITICS = 0.85


def parser(stack):
    client = httpx.Client(timeout=30)

    def parse_intent(text):
        response = client.post(f"{stack.rasa_url}/model/parse", json={"text": text})
        response.raise_for_status()
        return response.json()["intent"]["name"]

    return parse_intent


def test_holdout_is_not_in_the_training_data():
    training = load_data("nlu_data/nlu")
    trained = {fold(m.get("text").strip()) for m in training.intent_examples}
    assert not [text for text, _ in load_holdout() if fold(text.strip()) in trained]


def test_intent_accuracy_on_holdout(stack):
    report = evaluate(parser(stack), load_holdout())
    assert report.accuracy >= ACCURACY, report.errors


def test_intent_accuracy_without_diacritics(stack):
    report = evaluate(parser(stack), without_diacritics(load_holdout()))
    assert report.accuracy >= ACCURACY_WITHOUT_DIACRITICS, report.errors
