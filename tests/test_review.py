from datetime import date

from procedure_kb import review
from procedure_kb.db import session_scope
from tests.conftest import seeded_database


def test_procedures_older_than_the_window_need_review(tmp_path):
    url = seeded_database(tmp_path)
    with session_scope(url) as session:
        assert review.needs_review(session, months=12, today=date(2026, 12, 1)) == []
        stale = review.needs_review(session, months=6, today=date(2027, 7, 1))
    assert len(stale) >= 40
    assert "quá 6 tháng" in stale[0].reasons[0]
