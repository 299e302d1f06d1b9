"""Curating procedures: versions, conflicts, history, diff, restore, audit."""
from datetime import date

import pytest

from procedure_kb import audit, curation, repository
from procedure_kb.db import session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.schemas import ProcedureData
from tests.samples import festival_procedure

BASE = ProcedureData(**festival_procedure(aliases=["xin phép lễ hội", "tổ chức lễ hội làng"]))


@pytest.fixture()
def url(tmp_path):
    database = f"sqlite:///{tmp_path / 'kb.db'}"
    upgrade(database)
    return database


def test_create_edit_and_read_back_with_versions(url):
    with session_scope(url) as session:
        created = curation.create(session, BASE, "bien_tap", "Thêm thủ tục")
    assert created.version == 1
    with session_scope(url) as session:
        edited = curation.update(session, "le_hoi", BASE.copy(update={"field": "Văn hóa – Thể thao"}), 1, "bien_tap", "Sửa lĩnh vực")
    assert edited.version == 2
    with session_scope(url) as session:
        assert repository.get_procedure(session, "le_hoi").field == "Văn hóa – Thể thao"
        assert [v.version for v in curation.history(session, "le_hoi")] == [2, 1]
        difference = curation.diff(session, "le_hoi", 1, 2)
        assert [c.field for c in difference.changes] == ["field"]
        assert difference.notes == ["Sửa lĩnh vực"]
        assert [v.note for v in curation.history(session, "le_hoi")] == ["Sửa lĩnh vực", "Thêm thủ tục"]


def test_stale_version_is_refused_and_nothing_is_lost(url):
    with session_scope(url) as session:
        curation.create(session, BASE, "a", "Thêm thủ tục")
    with session_scope(url) as session:
        curation.update(session, "le_hoi", BASE.copy(update={"field": "Lần một"}), 1, "a", "Sửa lĩnh vực")
    with pytest.raises(curation.Conflict, match="phiên bản hiện tại 2"):
        with session_scope(url) as session:
            curation.update(session, "le_hoi", BASE.copy(update={"field": "Lần hai"}), 1, "b", "Sửa lĩnh vực")
    with session_scope(url) as session:
        assert repository.get_procedure(session, "le_hoi").field == "Lần một"


def test_duplicate_id_and_alias_taken_by_another_procedure_are_refused(url):
    with session_scope(url) as session:
        curation.create(session, BASE, "a", "Thêm thủ tục")
    with pytest.raises(curation.Conflict, match="đã tồn tại"):
        with session_scope(url) as session:
            curation.create(session, BASE, "a", "Thêm thủ tục")
    other = BASE.copy(update={"id": "khac", "name": "Thủ tục khác", "aliases": ["XIN PHEP LE HOI"]})
    with pytest.raises(curation.Conflict, match="xin phép lễ hội|XIN PHEP LE HOI"):
        with session_scope(url) as session:
            curation.create(session, other, "a", "Thêm thủ tục")
    with session_scope(url) as session:
        assert repository.find_row(session, "khac") is None


def test_retire_reactivate_and_restore_an_old_version(url):
    with session_scope(url) as session:
        curation.create(session, BASE, "a", "Thêm thủ tục")
        curation.update(session, "le_hoi", BASE.copy(update={"aliases": ["lễ hội"]}), 1, "a", "Sửa lĩnh vực")
        curation.retire(session, "le_hoi", 2, "a")
    with session_scope(url) as session:
        assert repository.get_procedure(session, "le_hoi") is None
        curation.reactivate(session, "le_hoi", 3, "a")
        restored = curation.restore_version(session, "le_hoi", 1, 4, "a", "Khôi phục bản đầu")
    assert restored.version == 5 and restored.aliases == BASE.aliases
    with session_scope(url) as session:
        changes = [v.change for v in curation.history(session, "le_hoi")]
        assert changes == ["restore", "reactivate", "retire", "update", "create"]
        actions = [e.action for e in audit.recent(session, target="le_hoi")]
        assert actions[0] == "procedure.restore" and len(actions) == 5


def test_unknown_procedure_and_version(url):
    with pytest.raises(curation.NotFound):
        with session_scope(url) as session:
            curation.update(session, "khong_co", BASE.copy(update={"id": "khong_co"}), 1, "a", "Sửa lĩnh vực")
    with session_scope(url) as session:
        curation.create(session, BASE, "a", "Thêm thủ tục")
    with pytest.raises(curation.NotFound):
        with session_scope(url) as session:
            curation.diff(session, "le_hoi", 1, 9)


def test_a_change_without_a_note_is_refused_and_nothing_is_written(url):
    with pytest.raises(curation.NoteMissing, match="ghi chú"):
        with session_scope(url) as session:
            curation.create(session, BASE, "a", "  ")
    with session_scope(url) as session:
        assert repository.find_row(session, "le_hoi") is None


def test_restoring_an_old_version_keeps_its_original_checked_dates(url):
    with session_scope(url) as session:
        curation.create(session, BASE, "a", "Thêm thủ tục")
    rechecked = BASE.copy(update={"agency": [BASE.agency[0].copy(update={"checked": date(2026, 12, 7)})]})
    with session_scope(url) as session:
        curation.update(session, "le_hoi", rechecked, 1, "a", "Đối chiếu lại cơ quan")
        restored = curation.restore_version(session, "le_hoi", 1, 2, "a", "Khôi phục bản đầu")
    assert restored.agency[0].checked == BASE.agency[0].checked == date(2026, 12, 1)
    assert restored.documents[0].checked == BASE.documents[0].checked
