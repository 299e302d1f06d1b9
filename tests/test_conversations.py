"""Whole conversations through the REST channel, with the real agent and actions."""
import pytest

pytestmark = pytest.mark.stack


def buttons(messages):
    return [b for m in messages for b in m.get("buttons", [])]


def test_follow_ups_keep_the_procedure(conversation):
    first = conversation.say_text("Làm khai sinh cần gì?")
    assert "đăng ký khai sinh" in first and "giấy chứng sinh" in first.lower()
    fee = conversation.say_text("còn lệ phí thì sao?")
    assert "lệ phí đăng ký khai sinh" in fee
    duration = conversation.say_text("mất bao lâu?")
    assert "thời hạn giải quyết đăng ký khai sinh" in duration


def test_a_new_procedure_replaces_the_old_one(conversation):
    conversation.say("đăng ký tạm trú cần giấy tờ gì")
    reply = conversation.say_text("thế còn kết hôn thì lệ phí bao nhiêu")
    assert "kết hôn" in reply and "tạm trú" not in reply


def test_unclear_procedure_asks_which_with_buttons_and_remembers_the_aspect(conversation):
    messages = conversation.say("thủ tục này lệ phí bao nhiêu vậy em")
    assert "thủ tục nào" in messages[0]["text"]
    choices = [b for b in buttons(messages) if b["payload"].startswith("/inform")]
    assert choices
    chosen = conversation.say_text(choices[0]["payload"])
    assert "lệ phí" in chosen


def test_ambiguous_alias_offers_the_candidates(conversation):
    messages = conversation.say("sổ đỏ cần giấy tờ gì")
    assert "thủ tục nào" in messages[0]["text"]
    payloads = " ".join(b["payload"] for b in buttons(messages))
    for candidate in ("cap_so_do_lan_dau", "sang_ten_dat", "cap_lai_so_do", "cap_doi_so_do"):
        assert candidate in payloads


def test_unknown_procedure_is_admitted_with_suggestions_and_a_human(conversation):
    messages = conversation.say("cho tôi hỏi thủ tục xin giấy phép nuôi chó cảnh cần gì")
    assert "chưa có thông tin" in messages[0]["text"]
    assert "/request_human" in [b["payload"] for b in buttons(messages)]


def test_fallback_is_honest_and_offers_a_human(conversation):
    messages = conversation.say("asdkjh qwe zzxq")
    text = " ".join(m.get("text", "") for m in messages)
    assert "chưa hiểu" in text
    assert "/request_human" in [b["payload"] for b in buttons(messages)]


def test_accentless_teencode_question_is_answered(conversation):
    reply = conversation.say_text("lam cccd can nhung giay to j a")
    assert "căn cước" in reply.lower()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("xin chào", "Dạ, em chào"),
        ("cảm ơn em nhiều", "không có gì"),
        ("bạn là người hay máy", "trợ lý tự động"),
        ("tạm biệt", "chào Anh/Chị"),
    ],
)
def test_small_talk(conversation, text, expected):
    assert expected in conversation.say_text(text)


def test_what_the_bot_could_not_answer_reaches_the_staff_list(stack, conversation):
    from procedure_kb import unanswered
    from procedure_kb.db import session_scope

    conversation.say("cho tôi hỏi thủ tục đăng ký nuôi gấu trúc cần gì")
    with session_scope(stack.database_url) as session:
        examples = [e for g in unanswered.open_groups(session) for e in g.examples]
    assert "cho tôi hỏi thủ tục đăng ký nuôi gấu trúc cần gì" in examples


def test_registration_deadline_is_not_the_processing_time(conversation):
    reply = conversation.say_text("sinh con bao lâu thì phải đi làm khai sinh")
    assert "60 ngày" in reply and "ngay trong ngày" not in reply


def test_legal_basis_follows_the_aspect_just_answered(conversation):
    fee = conversation.say_text("làm lý lịch tư pháp mất bao nhiêu tiền")
    assert "200.000 đồng" in fee
    basis = conversation.say_text("theo văn bản nào vậy")
    assert "lệ phí" in basis and "đối chiếu ngày" in basis
    assert "TT-BTC" in basis, basis


def test_who_may_apply_and_who_may_do_it_for_them(conversation):
    reply = conversation.say_text("làm lý lịch tư pháp có nhờ người khác làm thay được không")
    assert "ủy quyền" in reply.lower()
    assert "lý lịch tư pháp" in reply
