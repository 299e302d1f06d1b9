"""Several processes issuing at once never get the same number and leave no gap."""
import multiprocessing

from sqlalchemy import select

from procedure_kb import queue
from procedure_kb.db import get_engine, session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.models import Ticket
from procedure_kb.queue import Channel
from procedure_kb.seed import seed_queue
from tests.conftest import seeded_database

PROCESSES = 4
TICKETS_EACH = 15


def issue_many(url: str, count: int) -> None:
    get_engine.cache_clear()  # a fresh pool in this process
    for _ in range(count):
        with session_scope(url, write_lock=True) as session:
            service = queue.find_service(session, service_id="ho_tich_chung_thuc")
            queue.issue(session, service, channel=Channel.kiosk)


def issue_concurrently(url: str) -> list:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=issue_many, args=(url, TICKETS_EACH)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with session_scope(url) as session:
        return list(session.execute(select(Ticket.number).where(Ticket.prefix == "A")).scalars())


def assert_no_duplicate_and_no_gap(numbers: list) -> None:
    assert sorted(numbers) == list(range(1, PROCESSES * TICKETS_EACH + 1))


def test_concurrent_issuing_on_sqlite(tmp_path):
    assert_no_duplicate_and_no_gap(issue_concurrently(seeded_database(tmp_path)))


def test_concurrent_issuing_on_postgresql(postgres_url):
    upgrade(postgres_url)
    with session_scope(postgres_url) as session:
        seed_queue(session)
    assert_no_duplicate_and_no_gap(issue_concurrently(postgres_url))
