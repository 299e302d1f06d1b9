"""Queue tickets through the bot, end to end (REST channel, actions, database)."""
import re

import pytest

pytestmark = pytest.mark.stack


def test_ticket_for_a_named_procedure_then_priority_then_status(conversation):
    messages = conversation.say("cho tôi lấy số làm giấy khai sinh")
    issued = messages[0]["text"]
    code = re.search(r"số thứ tự của Anh/Chị là (A\d{3})", issued).group(1)
    assert "quầy số 1 hoặc 2" in issued and issued.endswith("ạ.")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/declare_priority"]
    assert f"đã ghi số {code} vào diện ưu tiên" in conversation.say_text("/declare_priority")
    assert conversation.say_text("còn bao nhiêu người nữa hả em").startswith(f"Dạ, số {code}")


def test_service_named_directly(conversation):
    assert re.search(r"là B\d{3}, mời Anh/Chị đến quầy số 3", conversation.say_text("lấy số quầy đất đai"))


def test_unclear_service_asks_with_one_button_per_service(conversation):
    messages = conversation.say("cho tôi lấy số thứ tự")
    assert "lĩnh vực nào" in messages[0]["text"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/request_queue_number{"queue_service":"cu_tru_can_cuoc"}' in payloads
    reply = conversation.say_text('/request_queue_number{"queue_service":"cu_tru_can_cuoc"}')
    assert re.search(r"là C\d{3}, mời Anh/Chị đến quầy số 4", reply)


def test_status_of_an_unknown_ticket_is_answered_politely(conversation):
    reply = conversation.say_text("số Z987 đến lượt chưa em")
    assert reply.startswith("Dạ, không có số thứ tự Z987")
