"""Backups taken while the system writes, and restores that bring everything back."""
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from procedure_kb import complaints, queue
from procedure_kb.backup import BackupError, backup, restore
from procedure_kb.db import session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.models import Complaint, Ticket
from procedure_kb.queue import Channel
from procedure_kb.seed import load_seed_file, seed, seed_queue
from tests.conftest import seeded_database

STORY = "Hồ sơ của tôi trễ hẹn hai tuần mà cán bộ không giải thích"


def issue_tickets(url, count):
    for _ in range(count):
        with session_scope(url, write_lock=True) as session:
            service = queue.find_service(session, service_id="ho_tich_chung_thuc")
            queue.issue(session, service, None, Channel.kiosk)


def count(url, model):
    with session_scope(url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_sqlite_online_backup_while_tickets_are_issued_then_restore(tmp_path):
    url = seeded_database(tmp_path / "live")
    with session_scope(url) as session:
        code = complaints.submit(session, "late", STORY, "rest").code
    writer = threading.Thread(target=issue_tickets, args=(url, 200))
    writer.start()
    copy = backup(url, tmp_path / "backups" / "letan.db")
    writer.join()
    copied_url = f"sqlite:///{copy}"
    tickets_in_copy = count(copied_url, Ticket)
    assert 0 <= tickets_in_copy <= 200 and count(url, Ticket) == 200
    with session_scope(copied_url) as session:  # a consistent snapshot: numbering has no gaps
        numbers = sorted(session.execute(select(Ticket.number)).scalars())
        assert numbers == list(range(1, tickets_in_copy + 1))
    with session_scope(url) as session:
        session.delete(complaints.get(session, code))
    restore(url, copy)
    with session_scope(url) as session:
        assert complaints.get(session, code).content == STORY
    assert count(url, Ticket) == tickets_in_copy


def test_postgres_dump_and_restore(tmp_path, postgres_url):
    upgrade(postgres_url)
    with session_scope(postgres_url) as session:
        seed(session, load_seed_file())
        seed_queue(session)
        code = complaints.submit(session, "late", STORY, "zalo",
                                 now=datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)).code
    dump = backup(postgres_url, tmp_path / "letan.dump")
    with session_scope(postgres_url) as session:
        session.delete(complaints.get(session, code))
    assert count(postgres_url, Complaint) == 0
    restore(postgres_url, dump)
    with session_scope(postgres_url) as session:
        assert complaints.get(session, code).content == STORY


def test_missing_files_and_unknown_databases_are_explained(tmp_path):
    with pytest.raises(BackupError, match="No backup file"):
        restore(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "none.db")
    with pytest.raises(BackupError, match="No SQLite database"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "copy.db")
    with pytest.raises(BackupError, match="No backup method for mysql"):
        backup("mysql://root@127.0.0.1/test", tmp_path / "copy.sql")
