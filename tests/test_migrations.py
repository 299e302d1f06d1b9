"""An existing database upgrades in place: old single-object facts become sourced versions."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from procedure_kb import curation, repository, review
from procedure_kb.db import session_scope
from procedure_kb.migrate import alembic_config
from procedure_kb.text import fold

OLD_RECORD = {
    "id": "khai_tu", "name": "Đăng ký khai tử", "field": "Hộ tịch", "catalogue_code": None,
    "agency": "UBND cấp xã", "counter": "Quầy Hộ tịch – Chứng thực", "topics": [],
    "documents": [{"name": "Tờ khai đăng ký khai tử", "copies": 1, "form": "original",
                   "required": True, "note": None}],
    "fee": {"summary": "Miễn lệ phí nếu đăng ký đúng hạn.", "amount_vnd": 0, "exemptions": [],
            "basis": "Luật Hộ tịch 2014, Điều 11"},
    "duration": {"summary": "Trong ngày.", "working_days": 0, "basis": ""},
    "online": None,
    "steps": ["Nộp tờ khai", "Nhận trích lục"], "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
    "last_reviewed": "2025-11-03",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """A database at revision 0011 holding one procedure, its aliases and first snapshot."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    command.upgrade(alembic_config(url), "0011")
    engine = sa.create_engine(url)
    tables = sa.MetaData()
    tables.reflect(engine, only=["procedures", "procedure_aliases", "procedure_versions"])
    written = datetime(2025, 11, 3, 8, 0)
    with engine.begin() as connection:
        connection.execute(tables.tables["procedures"].insert().values(
            **{**OLD_RECORD, "last_reviewed": date(2025, 11, 3)}, retired=False, version=1,
            updated_at=written))
        connection.execute(tables.tables["procedure_aliases"].insert(), [
            {"procedure_id": "khai_tu", "alias": alias, "key": fold(alias)}
            for alias in ("khai tử", "báo tử", "làm giấy chứng tử")])
        connection.execute(tables.tables["procedure_versions"].insert().values(
            procedure_id="khai_tu", version=1, data={**OLD_RECORD, "aliases": ["khai tử"]},
            retired=False, change="create", changed_by="seed", changed_at=written))
    engine.dispose()
    return url


def test_old_facts_become_sourced_versions_and_the_procedure_is_flagged(old_database):
    command.upgrade(alembic_config(old_database), "head")
    with session_scope(old_database) as session:
        procedure = repository.get_procedure(session, "khai_tu")
        assert [a.name for a in procedure.agency] == ["UBND cấp xã"]
        assert procedure.fee[0].basis == "Luật Hộ tịch 2014, Điều 11"
        assert procedure.fee[0].checked == date(2025, 11, 3)
        assert procedure.duration[0].basis.startswith("Chưa ghi căn cứ riêng")
        assert procedure.documents[0].checked == date(2025, 11, 3)
        assert procedure.online == [] and procedure.deadline == [] and procedure.applicants == []
        flagged = review.needs_review(session, months=12, fact_age_days=10_000, today=date(2026, 12, 7))
        reasons = " ".join(r for item in flagged if item.procedure_id == "khai_tu" for r in item.reasons)
        assert "căn cứ pháp lý riêng" in reasons


def test_an_old_snapshot_can_still_be_restored_after_the_upgrade(old_database):
    command.upgrade(alembic_config(old_database), "head")
    with session_scope(old_database) as session:
        history = curation.history(session, "khai_tu")
        assert [v.version for v in history] == [1]
        restored = curation.restore_version(session, "khai_tu", 1, 1, "test", "Khôi phục bản cũ")
        assert restored.version == 2 and restored.fee[0].checked == date(2025, 11, 3)


def test_upgrade_keeps_aliases(old_database):
    command.upgrade(alembic_config(old_database), "head")
    with session_scope(old_database) as session:
        assert len(repository.get_procedure(session, "khai_tu").aliases) == 3
