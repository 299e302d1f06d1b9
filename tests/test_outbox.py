"""Messages staff actions cause for chat citizens: written with the change, claimed once."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from procedure_kb import complaints, outbox, queue
from procedure_kb.db import session_scope
from procedure_kb.models import OutboxMessage
from procedure_kb.queue import Channel
from tests.conftest import seeded_database

MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@pytest.fixture()
def url(tmp_path):
    return seeded_database(tmp_path)


def pending(url):
    with session_scope(url) as session:
        return [(m.user_id, m.text) for m in session.execute(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).scalars()]


def issue(url, channel, user=None):
    with session_scope(url, write_lock=True) as session:
        service = queue.find_service(session, service_id="ho_tich_chung_thuc")
        return queue.issue(session, service, None, channel, user, now=MORNING).code


def call(url, times=1):
    for _ in range(times):
        with session_scope(url, write_lock=True) as session:
            queue.call_next(session, 1, now=MORNING)


def test_zalo_citizens_hear_when_they_are_near_and_when_called(url):
    codes = [issue(url, Channel.robot) for _ in range(4)] + [issue(url, Channel.zalo, "zalo-user")]
    issue(url, Channel.chat, "web-user")  # the REST chat cannot be messaged first
    near = ("zalo-user", f"Dạ, còn 3 người nữa là đến lượt số {codes[4]} của Anh/Chị. "
                         "Anh/Chị vui lòng đến gần quầy để không lỡ lượt ạ.")
    called = ("zalo-user", f"Dạ, mời Anh/Chị có số thứ tự {codes[4]} đến quầy số 1 ạ.")
    call(url)
    assert pending(url) == [near]
    call(url, 3)
    assert pending(url) == [near]
    call(url)
    assert pending(url) == [near, called]


def test_a_rolled_back_change_sends_nothing(url):
    issue(url, Channel.zalo, "zalo-user")
    with pytest.raises(RuntimeError):
        with session_scope(url, write_lock=True) as session:
            queue.call_next(session, 1, now=MORNING)
            raise RuntimeError("the staff action failed after the call")
    assert pending(url) == []


def test_answering_a_zalo_complaint_tells_the_citizen(url):
    with session_scope(url) as session:
        code = complaints.submit(session, "late", "Trễ hẹn hai tuần chưa có kết quả", "zalo", "zalo-user").code
        web = complaints.submit(session, "late", "Trễ hẹn hai tuần chưa có kết quả", "rest", "web-user").code
    with session_scope(url) as session:
        complaints.answer(session, code, "Trung tâm đã trả kết quả, xin lỗi Anh/Chị.", "handler")
        complaints.answer(session, web, "Đã xử lý.", "handler")
    assert pending(url) == [("zalo-user", f"Dạ, phản ánh {code} của Anh/Chị đã có câu trả lời của "
                                          "Trung tâm ạ:\nTrung tâm đã trả kết quả, xin lỗi Anh/Chị.")]


def test_two_senders_never_claim_the_same_message(url):
    with session_scope(url) as session:
        for n in range(5):
            outbox.add(session, "zalo", f"u{n}", "Dạ, xin chào ạ.")
    with session_scope(url, write_lock=True) as session:
        first = [m.id for m in outbox.claim(session, "zalo", "worker-1")]
    with session_scope(url, write_lock=True) as session:
        second = [m.id for m in outbox.claim(session, "zalo", "worker-2")]
    assert len(first) == 5 and second == []


def test_failed_sends_are_retried_then_given_up(url):
    with session_scope(url) as session:
        outbox.add(session, "zalo", "u1", "Dạ, xin chào ạ.")
    for _ in range(outbox.MAX_ATTEMPTS):
        with session_scope(url, write_lock=True) as session:
            [message] = outbox.claim(session, "zalo", "worker")
            outbox.settle(message, sent=False)
    with session_scope(url, write_lock=True) as session:
        assert outbox.claim(session, "zalo", "worker") == []
        assert session.execute(select(OutboxMessage)).scalar_one().failed
