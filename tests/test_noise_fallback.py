from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.noise_fallback import NoiseFallbackClassifier


def classified(text, intent="greet"):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.98})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.98}])
    NoiseFallbackClassifier({}).process([message])
    return message


def test_noise_becomes_nlu_fallback_with_the_old_ranking_kept():
    message = classified("😀😀😀", intent="rate_service")
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["nlu_fallback", "rate_service"]


def test_vietnamese_keeps_its_intent():
    assert classified("xin chào em").get(INTENT)["name"] == "greet"
    assert classified("xin chao em").get(INTENT)["name"] == "greet"
