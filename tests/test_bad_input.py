"""Bad input gets a polite Vietnamese answer, and the servers keep serving."""
import httpx
import pytest

from tests.conftest import Conversation

pytestmark = pytest.mark.stack

BAD_INPUTS = [
    "",
    "    \n\t ",
    "😀😀😀",
    "khai sinh " * 500,
    "x" * 5000,
    "How much is the fee for khai sinh please?",
    "<script>alert('x')</script> đăng ký tạm trú",
    "'; DROP TABLE procedures; --",
    "/inform{\"procedure\":\"khong_ton_tai\"}",
    "/ask_procedure_fee{\"procedure\": 123}",
    "\x00\x01 kết hôn",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_bad_input_gets_a_polite_answer(conversation, stack, text):
    messages = conversation.say(text)
    texts = [m["text"] for m in messages if m.get("text")]
    assert texts, f"no answer to {text[:40]!r}"
    assert all(t.startswith("Dạ") for t in texts[:1])
    assert "<script>" not in " ".join(texts)
    assert stack.all_alive()


def test_servers_still_answer_after_bad_input(conversation, stack):
    for text in BAD_INPUTS:
        conversation.say(text)
    # Two fallbacks in a row have handed this conversation to an officer; a new one is served.
    assert conversation.say("khai sinh cần gì") == []
    assert "đăng ký khai sinh" in Conversation(stack).say_text("khai sinh cần gì")
    assert httpx.get(f"{stack.api_url}/health", timeout=10).status_code == 200
