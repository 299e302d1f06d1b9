"""Queue domain: numbering, day rollover, priority order, counter actions, wait estimate."""
from datetime import datetime, timedelta, timezone

import pytest

from procedure_kb import queue
from procedure_kb.db import session_scope
from procedure_kb.queue import Channel, Priority, QueueError
from tests.conftest import seeded_database

# 09:00 in Hà Nội on a weekday.
MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@pytest.fixture()
def url(tmp_path):
    return seeded_database(tmp_path)


def issue(url, service="ho_tich_chung_thuc", now=MORNING, priority=None, procedure=""):
    with session_scope(url, write_lock=True) as session:
        found = queue.find_service(session, service_id="" if procedure else service, procedure_id=procedure)
        return queue.issue(session, found, priority, Channel.robot, now=now)


def test_numbers_count_per_prefix_per_day_and_read_like_a015(url):
    codes = [issue(url).code for _ in range(3)] + [issue(url, "dat_dai_xay_dung").code]
    assert codes == ["A001", "A002", "A003", "B001"]


def test_numbering_restarts_at_local_midnight_not_utc(url):
    before_midnight = datetime(2026, 11, 23, 16, 59, tzinfo=timezone.utc)  # 23:59 local
    after_midnight = before_midnight + timedelta(minutes=2)  # 00:01 local, same UTC day
    assert issue(url, now=before_midnight).code == "A001"
    assert issue(url, now=before_midnight).code == "A002"
    assert issue(url, now=after_midnight).code == "A001"


def test_procedure_maps_to_its_service_and_counters(url):
    ticket = issue(url, procedure="khai_sinh")
    assert ticket.service == "ho_tich_chung_thuc" and ticket.counters == [1, 2]
    assert issue(url, procedure="tam_tru").counters == [4]


def test_priority_tickets_are_called_first_and_counted_ahead(url):
    normal = issue(url)
    elderly = issue(url, priority=Priority.elderly)
    assert elderly.ahead == 0
    later = issue(url)
    assert later.ahead == 2
    with session_scope(url) as session:
        assert queue.call_next(session, 1, now=MORNING).code == elderly.code
        assert queue.call_next(session, 1, now=MORNING).code == normal.code


def test_one_priority_per_n_normal_policy(url, monkeypatch):
    from procedure_kb.settings import get_settings

    monkeypatch.setattr(get_settings(), "queue_priority_every", 2)
    codes = [issue(url).code for _ in range(3)]
    vip = issue(url, priority=Priority.pregnant).code
    with session_scope(url) as session:
        called = [queue.call_next(session, 1, now=MORNING).code for _ in range(4)]
    assert called == [codes[0], codes[1], vip, codes[2]]


def test_counter_actions_keep_the_ticket_life_consistent(url):
    ticket = issue(url)
    with session_scope(url) as session:
        called = queue.call_next(session, 2, now=MORNING)
        assert queue.announcement(called) == f"Mời công dân có số thứ tự {ticket.code} đến quầy số 2"
        queue.recall(session, 2, now=MORNING)
        queue.serve(session, ticket.code, now=MORNING)
        queue.finish(session, ticket.code, now=MORNING + timedelta(minutes=7))
    with pytest.raises(QueueError) as again:
        with session_scope(url) as session:
            queue.finish(session, ticket.code, now=MORNING)
    assert again.value.code == "already_finished"


def test_skip_returns_to_waiting_then_no_show_after_max_calls(url):
    ticket = issue(url)
    with session_scope(url) as session:
        for _ in range(2):
            queue.call_next(session, 1, now=MORNING)
            assert queue.skip(session, ticket.code, now=MORNING).state == "waiting"
        queue.call_next(session, 1, now=MORNING)
        assert queue.skip(session, ticket.code, now=MORNING).state == "no_show"


def test_transfer_keeps_the_original_issue_time(url):
    first = issue(url, "dat_dai_xay_dung")
    issue(url, "cu_tru_can_cuoc", now=MORNING + timedelta(minutes=30))
    with session_scope(url) as session:
        moved = queue.transfer(session, first.code, "cu_tru_can_cuoc", now=MORNING)
        assert moved.issued_at == first.issued_at
        assert queue.call_next(session, 4, now=MORNING).code == first.code


def test_paused_counter_cannot_call_and_estimate_uses_open_counters(url):
    for _ in range(4):
        last = issue(url)
    assert last.estimated_wait_minutes == 3 * 8 / 2  # 3 ahead, 2 counters, 8 min default
    with session_scope(url) as session:
        queue.set_counter_state(session, 2, "paused", "Cán bộ đi họp")
    with pytest.raises(QueueError) as paused:
        with session_scope(url) as session:
            queue.call_next(session, 2, now=MORNING)
    assert paused.value.code == "counter_not_open"
    with session_scope(url) as session:
        again = queue.view(session, queue.find_ticket(session, last.code, now=MORNING))
    assert again.estimated_wait_minutes == 3 * 8


def test_bad_codes_and_yesterdays_ticket(url):
    old = issue(url, now=MORNING - timedelta(days=1))
    with session_scope(url) as session:
        for code, expected in (("A999", "ticket_not_found"), ("15", "bad_code"),
                               (old.code, "ticket_not_today")):
            with pytest.raises(QueueError) as error:
                queue.find_ticket(session, code, now=MORNING)
            assert error.value.code == expected
        with pytest.raises(QueueError) as unknown:
            queue.find_service(session, service_id="khong_co")
        assert unknown.value.code == "unknown_service"


def test_a_failure_after_taking_a_number_leaves_no_gap_and_no_half_ticket(url):
    with pytest.raises(RuntimeError):
        with session_scope(url, write_lock=True) as session:
            queue.issue(session, queue.find_service(session, service_id="ho_tich_chung_thuc"), now=MORNING)
            raise RuntimeError("the process died before committing")
    assert issue(url).code == "A001"
