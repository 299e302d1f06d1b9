"""Complaints: the form's rules, tracking codes, storage and the handling workflow."""
from datetime import datetime, timezone

import pytest

from procedure_kb import audit, choices, complaints
from procedure_kb.complaint_form import ComplaintDraft
from procedure_kb.complaints import ComplaintError, Contact
from procedure_kb.db import session_scope
from tests.conftest import seeded_database

FEE_STORY = "Cán bộ quầy số 3 thu thêm của tôi 200 nghìn đồng ngoài lệ phí khi làm khai sinh cho con"


@pytest.fixture()
def url(tmp_path):
    return seeded_database(tmp_path)


def filled(*replies):
    """A draft after answering each (asked, text) pair in turn."""
    draft = ComplaintDraft()
    for asked, text in replies:
        draft.answer(asked, text)
    return draft


@pytest.mark.parametrize("text, category", [
    ("cán bộ thu thêm tiền ngoài quy định", "wrong_fee"),
    ("quá hẹn 5 ngày rồi chưa trả kết quả", "late"),
    ("thái độ cán bộ quầy 2 rất hách dịch, quát tôi", "staff_attitude"),
    ("nha ve sinh ban qua, may lanh hong", "facilities"),
    ("thủ tục rườm rà, phải đi lại nhiều lần", "red_tape"),
    ("tôi muốn góp ý chung", None),
])
def test_category_is_inferred_from_the_citizens_words(text, category):
    assert complaints.infer_category(text) == category


@pytest.mark.parametrize("text, code", [
    ("tra cứu phản ánh PA-20261122-0001", "PA-20261122-0001"),
    ("pa 20261122 0001", "PA-20261122-0001"),
    ("mã PA202611220001 nhé", "PA-20261122-0001"),
    ("PA-2026112-0001", None),
    ("phản ánh của tôi", None),
])
def test_tracking_codes_are_read_in_any_spelling(text, code):
    assert complaints.parse_code(text) == code


@pytest.mark.parametrize("text, yes, no, skip, cancel", [
    ("Đồng ý", True, False, False, False),
    ("ko", False, True, True, False),
    ("bỏ qua", False, False, True, False),
    ("thôi hủy đi", False, False, False, True),
    ("Hủy phản ánh", False, False, False, True),
    ("cán bộ hủy hồ sơ của tôi mà không nói lý do gì cả, rất bực mình", False, False, False, False),
])
def test_short_answers(text, yes, no, skip, cancel):
    assert (choices.is_yes(text), choices.is_no(text), choices.is_skip(text),
            choices.wants_to_cancel(text)) == (yes, no, skip, cancel)


def test_the_opening_request_can_carry_the_content():
    draft = ComplaintDraft()
    draft.start(f"tôi muốn phản ánh: {FEE_STORY}")
    assert draft.content.endswith(FEE_STORY) and draft.category == "wrong_fee"
    assert draft.next_question() == "anonymous"
    bare = ComplaintDraft()
    bare.start("cho tôi gửi phản ánh")
    assert bare.content is None and bare.next_question() == "content"


def test_full_form_with_contact_and_a_correction_at_the_read_back():
    draft = filled(("content", FEE_STORY), ("anonymous", "Để lại liên hệ"),
                   ("name", "Tôi tên là Nguyễn Thị Lan"), ("phone", "0912 345 678"),
                   ("consent", "Đồng ý"))
    assert draft.next_question() == "confirmed"
    assert draft.read_back()[-1] == "Người gửi: Nguyễn Thị Lan, 0912 345 678"
    draft.answer("confirmed", "à nhầm, số điện thoại là +84 987 654 321")
    assert draft.phone == "0987654321" and draft.next_question() == "confirmed"
    assert draft.notes == ["Dạ, em đã sửa lại thông tin theo lời Anh/Chị ạ."]
    draft.answer("confirmed", "Gửi phản ánh")
    assert draft.confirmed and draft.keeps_contact() and draft.next_question() is None


def test_refusing_consent_sends_it_anonymously():
    draft = filled(("content", FEE_STORY), ("anonymous", "để lại liên hệ"), ("name", "Lan"),
                   ("phone", "bỏ qua"), ("consent", "không đồng ý"))
    assert draft.anonymous and draft.name is None and not draft.keeps_contact()
    assert draft.read_back()[-1] == "Người gửi: ẩn danh"
    assert draft.next_question() == "confirmed"


def test_skipping_both_name_and_phone_means_anonymous():
    draft = filled(("content", FEE_STORY), ("anonymous", "có"), ("name", "bỏ qua"), ("phone", "không"))
    assert draft.anonymous is True and draft.next_question() == "confirmed"


@pytest.mark.parametrize("phone", ["0123456789", "091234567", "09123456789", "+84 12 345 678", "abc"])
def test_a_malformed_phone_is_asked_again_with_the_rule(phone):
    draft = filled(("content", FEE_STORY), ("anonymous", "để lại liên hệ"), ("name", "Lan"), ("phone", phone))
    assert draft.phone is None and draft.next_question() == "phone"
    assert "10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09" in draft.notes[-1]


@pytest.mark.parametrize("content, message", [
    ("", "chưa đọc được nội dung"),
    ("😡😡😡👎", "chưa đọc được nội dung"),
    ("x" * 20_000, "dài 20.000 ký tự, quá giới hạn 5.000 ký tự"),
])
def test_unusable_content_is_explained_and_asked_again(content, message):
    draft = filled(("content", content))
    assert draft.content is None and draft.next_question() == "content"
    assert message in draft.notes[-1]


def test_fixing_the_content_from_the_read_back():
    draft = filled(("content", FEE_STORY), ("anonymous", "ẩn danh"), ("confirmed", "Sửa nội dung"))
    assert draft.next_question() == "content"
    draft.answer("content", "Nhà vệ sinh tầng 1 bị hỏng vòi nước")
    assert draft.category == "wrong_fee"  # a chosen category stays until the citizen changes it
    assert draft.next_question() == "confirmed"


def test_codes_count_per_day_and_content_is_kept_verbatim(url):
    hostile = "<script>alert(1)</script>'; DROP TABLE complaints; --"
    morning = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    with session_scope(url) as session:
        first = complaints.submit(session, "other", hostile, "rest", "s1", now=morning)
        second = complaints.submit(session, "late", FEE_STORY, "zalo", "s2", now=morning)
        next_day = complaints.submit(session, "late", FEE_STORY, "zalo", "s2",
                                     now=datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc))
    assert (first.code, second.code) == ("PA-20261122-0001", "PA-20261122-0002")
    assert next_day.code == "PA-20261123-0001"  # 01:00 on the 23rd in Hà Nội
    with session_scope(url) as session:
        assert complaints.get(session, "pa 20261122 0001").content == hostile


def test_contact_is_stored_only_with_consent_and_never_in_the_audit_log(url):
    contact = Contact("Nguyễn Thị Lan", "0912345678")
    with session_scope(url) as session:
        without = complaints.submit(session, "late", FEE_STORY, "rest", contact=contact, consent=False)
        agreed = complaints.submit(session, "late", FEE_STORY, "rest", contact=contact, consent=True)
    assert (without.contact_phone, without.consent) == (None, False)
    assert (agreed.contact_name, agreed.contact_phone, agreed.consent) == ("Nguyễn Thị Lan", "0912345678", True)
    with session_scope(url) as session:
        logged = " ".join(str(entry.detail) for entry in audit.recent(session))
    assert "0912345678" not in logged and "Lan" not in logged


def test_handling_workflow_and_what_the_citizen_sees(url):
    with session_scope(url) as session:
        code = complaints.submit(session, "late", FEE_STORY, "rest").code
    with session_scope(url) as session:
        assert complaints.citizen_status(complaints.get(session, code))[0] == (
            f"Dạ, phản ánh {code} của Anh/Chị đã được Trung tâm tiếp nhận và đang chờ phân công xử lý ạ.")
        assert complaints.assign(session, code, "handler1", "admin").state == "processing"
    with session_scope(url) as session:
        complaints.answer(session, code, "Trung tâm đã hoàn trả 200.000 đồng và nhắc nhở cán bộ.", "handler1")
    with session_scope(url) as session:
        complaint = complaints.get(session, code)
        speech, details = complaints.citizen_status(complaint)
        assert speech.endswith("đã có câu trả lời ạ.")
        assert "Trả lời của Trung tâm: Trung tâm đã hoàn trả 200.000 đồng" in details[-1]
        with pytest.raises(complaints.DomainError, match="đã đóng"):
            complaints.transfer(session, code, "Thanh tra tỉnh", "handler1")


def test_empty_answer_and_unknown_code_are_refused(url):
    with session_scope(url) as session:
        code = complaints.submit(session, "late", FEE_STORY, "rest").code
        with pytest.raises(complaints.DomainError, match="nội dung trả lời"):
            complaints.answer(session, code, "   ", "handler1")
        with pytest.raises(complaints.ComplaintNotFound):
            complaints.get(session, "PA-20200101-0001")
        with pytest.raises(ComplaintError):
            complaints.submit(session, "no_such_category", FEE_STORY, "rest")


def test_line_breaks_in_a_complaint_are_kept(url):
    story = "Sáng 20/11:\n- chờ 3 tiếng\n- cán bộ quát"
    with session_scope(url) as session:
        assert complaints.submit(session, "other", story, "zalo").content == story
