"""The needs-review list: old reviews, flags, facts checked long ago, facts about to end."""
from datetime import date

import pytest

from procedure_kb import curation, repository, review
from procedure_kb.db import session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.schemas import ProcedureData
from procedure_kb.seed import refresh_seeded, seed
from tests.conftest import seeded_database
from tests.samples import festival_procedure, sourced


@pytest.fixture()
def url(tmp_path):
    database = f"sqlite:///{tmp_path / 'kb.db'}"
    upgrade(database)
    return database


def add(url, **changes):
    with session_scope(url) as session:
        curation.create(session, ProcedureData(**festival_procedure(**changes)), "a", "Thêm thủ tục")


def test_procedures_older_than_the_window_need_review(tmp_path):
    url = seeded_database(tmp_path)
    with session_scope(url) as session:
        stale = review.needs_review(session, months=6, fact_age_days=3650, today=date(2027, 7, 1))
    assert len(stale) >= 40
    assert "quá 6 tháng" in stale[0].reasons[0]


def test_a_fact_checked_longer_ago_than_the_age_is_listed_with_its_date(url):
    add(url, last_reviewed="2026-12-01",
        fee=[sourced(summary="Miễn phí.", amount_vnd=0, checked="2026-01-10")])
    with session_scope(url) as session:
        items = review.needs_review(session, months=12, fact_age_days=183, today=date(2026, 12, 7))
        assert review.needs_review(session, months=12, fact_age_days=400, today=date(2026, 12, 7)) == []
    assert items[0].reasons == ["Lệ phí: kiểm tra lần cuối 10/01/2026, quá 183 ngày."]


def test_a_fact_whose_validity_ends_within_thirty_days_is_listed(url):
    reduced = sourced(summary="Giảm một nửa.", amount_vnd=5000, valid_until="2026-12-31")
    full = sourced(summary="Mười nghìn đồng.", amount_vnd=10000, valid_from="2027-01-01")
    add(url, last_reviewed="2026-12-01", fee=[reduced, full])
    with session_scope(url) as session:
        soon = review.needs_review(session, months=12, fact_age_days=183, today=date(2026, 12, 7))
        early = review.needs_review(session, months=12, fact_age_days=183, today=date(2026, 11, 1))
        later = review.needs_review(session, months=12, fact_age_days=183, today=date(2027, 1, 5))
    assert soon[0].reasons == ["Lệ phí: hết hiệu lực sau ngày 31/12/2026; kiểm tra phiên bản thay thế."]
    assert early == [] and later == []


def test_marking_reviewed_keeps_each_facts_own_checked_date(url):
    add(url, fee=[sourced(summary="Miễn phí.", amount_vnd=0, checked="2026-01-10")])
    with session_scope(url) as session:
        reviewed = review.mark_reviewed(session, "le_hoi", 1, "a", today=date(2026, 12, 7))
    assert reviewed.last_reviewed == date(2026, 12, 7)
    assert reviewed.fee[0].checked == date(2026, 1, 10)


def test_a_newer_seed_updates_untouched_procedures_and_flags_edited_ones(url):
    old = ProcedureData(**festival_procedure(last_reviewed="2026-11-01"))
    other = ProcedureData(**festival_procedure(id="le_hoi_khac", name="Đăng ký lễ hội khác",
                                               aliases=["lễ hội khác", "hội làng", "lễ rước"],
                                               last_reviewed="2026-11-01"))
    with session_scope(url) as session:
        seed(session, [old, other])
        row = repository.get_procedure(session, other.id)
        curation.update(session, other.id, ProcedureData(**{**other.dict(), "steps": other.steps + ["Nhận kết quả"]}),
                        row.version, "bientap", "Thêm bước nhận kết quả")
    newer = [p.copy(update={"last_reviewed": date(2026, 12, 7), "name": p.name + " (rà soát)"})
             for p in (old, other)]
    with session_scope(url) as session:
        assert refresh_seeded(session, newer) == 1
        assert refresh_seeded(session, newer) == 0  # idempotent: one update, one flag
        assert repository.get_procedure(session, old.id).name.endswith("(rà soát)")
        assert not repository.get_procedure(session, other.id).name.endswith("(rà soát)")
        reasons = [r for item in review.needs_review(session, 12, 3650, date(2026, 12, 7))
                   if item.procedure_id == other.id for r in item.reasons]
        assert sum("Dữ liệu mẫu đã được rà soát lại" in r for r in reasons) == 1
