"""Unanswered questions are grouped by wording and leave the list once handled."""
from procedure_kb import unanswered
from procedure_kb.db import session_scope
from tests.conftest import seeded_database


def test_similar_wordings_group_together_and_handled_groups_leave(tmp_path):
    url = seeded_database(tmp_path)
    with session_scope(url) as session:
        unanswered.record(session, "xin giấy phép nuôi chó cảnh", "unknown_procedure", "rest", ["giay_phep_xay_dung"])
        unanswered.record(session, "giay phep nuoi cho canh can gi", "unknown_procedure", "zalo", [])
        unanswered.record(session, "asdkjh qwe", "fallback", "robot", [])
    with session_scope(url) as session:
        groups = unanswered.open_groups(session)
        assert [g.count for g in groups] == [2, 1]
        assert sorted(groups[0].channels) == ["rest", "zalo"]
        assert groups[0].guesses == ["giay_phep_xay_dung"]
        assert unanswered.mark_handled(session, groups[0].key, "bientap") == 2
    with session_scope(url) as session:
        assert [g.count for g in unanswered.open_groups(session)] == [1]
