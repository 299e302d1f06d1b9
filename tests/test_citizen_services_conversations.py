"""Dossier status and satisfaction ratings through the real bot."""
import re

import pytest
from sqlalchemy import select

from procedure_kb.db import session_scope
from procedure_kb.dossier_import import save_dossier
from procedure_kb.dossier_records import DossierRecord
from procedure_kb.models import Rating

pytestmark = pytest.mark.stack
RETURNED = "000.00.15.H29-251020-0031"


@pytest.fixture(scope="module")
def dossier(stack):
    with session_scope(stack.database_url) as session:
        save_dossier(session, DossierRecord(
            code=RETURNED, procedure_name="Đăng ký khai sinh", state="returned_for_more",
            received_on="2025-10-20", appointment_date="2025-10-23",
            missing_documents=["Giấy chứng sinh (bản chính)"], phone="0912345678",
        ), "test")
    return RETURNED


def test_dossier_by_code_typed_loosely(dossier, conversation):
    messages = conversation.say("tra cứu hồ sơ 000 00 15 h29 251020 0031")
    assert messages[0]["text"].startswith("Dạ, hồ sơ đăng ký khai sinh của Anh/Chị")
    assert "Giấy chứng sinh (bản chính)" in messages[1]["text"]
    assert "0912345678" not in " ".join(m["text"] for m in messages)


def test_dossier_by_phone_and_unknown_or_malformed_codes(dossier, conversation):
    assert "đăng ký khai sinh" in conversation.say_text("tra hồ sơ theo số điện thoại +84 912 345 678")
    assert "chưa tìm thấy hồ sơ có mã 000.00.15.H29-251020-0099" in conversation.say_text(
        "hồ sơ 000.00.15.H29-251020-0099 xong chưa")
    assert "000.00.15.H29-251020-0031" in conversation.say_text("mã hồ sơ 000.00.15.H29-2510-31 xong chưa")
    assert "mã hồ sơ" in conversation.say_text("hồ sơ của tôi xong chưa")


def test_rating_after_being_served_with_a_comment(stack, conversation):
    conversation.say("làm khai sinh mất bao nhiêu tiền")
    thanked = conversation.say("cảm ơn em")
    buttons = thanked[-1]["buttons"]
    assert "chấm điểm mức độ hài lòng" in thanked[-1]["text"] and len(buttons) == 5
    assert "đánh giá 4 sao" in conversation.say_text(buttons[3]["payload"])
    assert "ghi nhận góp ý" in conversation.say_text("cán bộ hướng dẫn tận tình nhưng chờ hơi lâu")
    with session_scope(stack.database_url) as session:
        rating = session.execute(select(Rating).where(Rating.sender_id == conversation.sender)).scalar_one()
    assert (rating.score, rating.channel, rating.service) == (4, "rest", "procedure_answer")
    assert rating.comment == "cán bộ hướng dẫn tận tình nhưng chờ hơi lâu"
    assert "chấm điểm" not in conversation.say_text("cảm ơn nhé")  # asked once per service


def test_no_rating_question_before_anything_was_done(conversation):
    assert re.fullmatch(r"Dạ, không có gì ạ\..*", conversation.say_text("cảm ơn em"))
