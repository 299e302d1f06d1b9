from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.augmentation import accentless, shorthand, variants
from bot.nlu.tokenizer import (
    EMPTY_TEXT_TOKEN,
    VietnameseTokenizer,
    augmented,
    word_tokens,
)


def lemmas(text):
    return [token.lemma for token in word_tokens(text)]


def test_words_keep_their_span_and_get_a_folded_lemma():
    text = "Làm giấy khai sinh cần gì ạ?"
    tokens = word_tokens(text)
    assert "khai_sinh" in [t.lemma for t in tokens]
    for token in tokens:
        assert text[token.start:token.end] == token.text
    assert "?" not in [t.text for t in tokens]


def test_shorthand_and_accents_reach_the_same_lemmas():
    assert "khong" in lemmas("ko biết") and "khong" in lemmas("không biết")
    assert "duoc" in lemmas("lam online dc ko")


def test_tokenizer_normalises_message_text_and_handles_empty_input():
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    decomposed = "  Thu\u031bo\u031b\u0300ng   tru\u0301 "  # "thường trú" typed in NFD
    message = Message(data={TEXT: decomposed})
    tokenizer.process([message])
    assert message.get(TEXT) == "Thường trú"
    assert [t.lemma for t in message.get("text_tokens")] == ["thuong_tru"]
    emoji = Message(data={TEXT: "😀😀"})
    tokenizer.process([emoji])
    assert [t.lemma for t in emoji.get("text_tokens")] == [EMPTY_TEXT_TOKEN]


def test_augmentation_adds_accentless_and_shorthand_twins():
    assert accentless("Cần giấy tờ gì?") == "can giay to gi?"
    assert shorthand("không được anh ơi") == "ko dc a ơi"
    assert variants("can giay to gi", has_entities=False) == []
    data = TrainingData([Message(data={TEXT: "Làm khai sinh cần gì", INTENT: "ask_procedure_documents"})])
    extra = augmented(data)
    assert [m.get(TEXT) for m in extra][0] == "lam khai sinh can gi"
    assert all(m.get(INTENT) == "ask_procedure_documents" for m in extra)
