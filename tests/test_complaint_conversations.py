"""Complaints through the real bot: the form, corrections, cancelling, storage, status."""
import re

import pytest

from procedure_kb import complaints
from procedure_kb.db import session_scope

pytestmark = pytest.mark.stack

STORY = "Sáng nay cán bộ quầy số 3 thu thêm của tôi 200 nghìn ngoài lệ phí khai sinh"
CODE = re.compile(r"mã tra cứu là (PA-\d{8}-\d{4})")


def stored(stack, code):
    with session_scope(stack.database_url) as session:
        return complaints.get(session, code)


def test_anonymous_complaint_from_start_to_status(stack, conversation):
    assert "nội dung phản ánh" in conversation.say_text("tôi muốn gửi phản ánh")
    asked = conversation.say(STORY)
    assert "để lại họ tên và số điện thoại" in asked[-1]["text"]
    assert [b["title"] for b in asked[-1]["buttons"]] == ["Để lại liên hệ", "Gửi ẩn danh"]
    read_back = conversation.say("Gửi ẩn danh")
    text = "\n".join(m["text"] for m in read_back)
    assert "Nhóm việc: Thu tiền sai quy định" in text and f"Nội dung: “{STORY}”" in text
    assert "Người gửi: ẩn danh" in text
    assert [b["title"] for b in read_back[-1]["buttons"]][0] == "Gửi phản ánh"
    code = CODE.search(conversation.say_text("Gửi phản ánh")).group(1)
    complaint = stored(stack, code)
    assert (complaint.content, complaint.category, complaint.channel) == (STORY, "wrong_fee", "rest")
    assert complaint.contact_phone is None and complaint.sender_id == conversation.sender
    reply = conversation.say_text(f"tra cứu phản ánh {code.lower()}")
    assert reply.startswith(f"Dạ, phản ánh {code} của Anh/Chị đã được Trung tâm tiếp nhận")


def test_contact_with_consent_and_a_correction_mid_form(stack, conversation):
    conversation.say("cho tôi phản ánh")
    conversation.say("Nhà vệ sinh tầng một bị hỏng vòi nước mấy hôm nay chưa ai sửa")
    assert "họ tên" in conversation.say_text("để lại liên hệ")
    assert "số điện thoại" in conversation.say_text("Trần Văn Bình")
    assert "10 chữ số" in conversation.say_text("0123 456")  # malformed: asked again
    assert "đồng ý" in conversation.say_text("0912 345 678")
    read_back = conversation.say_text("đồng ý")
    assert "Người gửi: Trần Văn Bình, 0912 345 678" in read_back
    corrected = conversation.say_text("à nhầm, số điện thoại là +84 987 654 321")
    assert "đã sửa lại" in corrected and "0987 654 321" in corrected
    code = CODE.search(conversation.say_text("đúng rồi")).group(1)
    complaint = stored(stack, code)
    assert (complaint.contact_name, complaint.contact_phone) == ("Trần Văn Bình", "0987654321")
    assert complaint.category == "facilities" and complaint.consent


def test_cancelling_stores_nothing_and_the_bot_carries_on(stack, conversation):
    conversation.say("tôi muốn khiếu nại")
    conversation.say(STORY)
    assert "đã hủy" in conversation.say_text("thôi hủy đi")
    with session_scope(stack.database_url) as session:
        assert not [c for c in complaints.search(session) if c.sender_id == conversation.sender]
    assert "lệ phí" in conversation.say_text("làm khai sinh mất bao nhiêu tiền").lower()


def test_bad_content_is_explained_then_accepted(conversation):
    conversation.say("tôi muốn phản ánh")
    assert "chưa đọc được nội dung" in conversation.say_text("😡😡😡")
    assert "quá giới hạn 5.000 ký tự" in conversation.say_text("a " * 10_000)
    hostile = "<script>alert(1)</script> cán bộ'; DROP TABLE complaints; -- thái độ rất tệ"
    asked = conversation.say_text(hostile)
    assert "để lại họ tên" in asked


def test_unknown_and_malformed_codes(conversation):
    assert "chưa tìm thấy phản ánh mã PA-20200101-0009" in conversation.say_text(
        "tra cứu phản ánh PA-20200101-0009")
    assert "mã phản ánh" in conversation.say_text("phản ánh của tôi xử lý tới đâu rồi")
