"""Import and export of the whole KB: round trip, dry run, all-or-nothing."""
import json

import pytest

from procedure_kb import repository, transfer
from procedure_kb.db import session_scope
from procedure_kb.transfer import Format, ImportRejected
from tests.conftest import seeded_database
from tests.samples import festival_procedure


@pytest.fixture()
def url(tmp_path):
    return seeded_database(tmp_path)


def snapshot(url):
    with session_scope(url) as session:
        return [p.dict() for p in repository.list_procedures(session)]


@pytest.mark.parametrize("kind", list(Format))
def test_export_then_import_is_an_exact_round_trip(url, kind):
    before = snapshot(url)
    with session_scope(url) as session:
        exported = transfer.export(session, kind)
    with session_scope(url) as session:
        report = transfer.import_procedures(session, exported, kind, "test", dry_run=False, note="Nhập thử")
    assert report.created == [] and report.updated == {}
    assert len(report.unchanged) == len(before)
    assert snapshot(url) == before
    with session_scope(url) as session:
        assert transfer.parse(exported, kind) == transfer.parse(transfer.export(session, kind), kind)


def test_dry_run_reports_changes_and_writes_nothing(url):
    with session_scope(url) as session:
        data = json.loads(transfer.export(session, Format.json))
    data["procedures"][0]["field"] = "Lĩnh vực mới"
    data["procedures"].append(festival_procedure())
    content = json.dumps(data, ensure_ascii=False).encode()
    before = snapshot(url)
    with session_scope(url) as session:
        report = transfer.import_procedures(session, content, Format.json, "test", dry_run=True, note="Chạy thử")
    assert report.created == ["le_hoi"]
    assert report.updated == {data["procedures"][0]["id"]: ["field"]}
    assert snapshot(url) == before


def test_partly_invalid_file_imports_nothing_and_names_the_rows(url):
    good = festival_procedure()
    bad = festival_procedure("SAI MA", documents=[])
    content = json.dumps({"procedures": [good, bad]}).encode()
    with pytest.raises(ImportRejected) as rejected:
        with session_scope(url) as session:
            transfer.import_procedures(session, content, Format.json, "test", dry_run=False, note="Nhập thử")
    problems = " ".join(rejected.value.problems)
    assert "Dòng 2" in problems and "documents" in problems and "id" in problems
    with session_scope(url) as session:
        assert repository.find_row(session, "le_hoi") is None


def test_conflict_with_existing_data_imports_nothing(url):
    clash = festival_procedure("moi_hoan_toan", aliases=["khai sinh"])
    content = json.dumps({"procedures": [festival_procedure(), clash]}).encode()
    with pytest.raises(ImportRejected, match="xung đột"):
        with session_scope(url) as session:
            transfer.import_procedures(session, content, Format.json, "test", dry_run=False, note="Nhập thử")
    with session_scope(url) as session:
        assert repository.find_row(session, "le_hoi") is None


@pytest.mark.parametrize(
    "content, kind",
    [(b"{not json", Format.json), (b'{"items": []}', Format.json), (b"\x00\x01garbage", Format.xlsx),
     (b"id,name\n1", Format.csv)],
)
def test_malformed_files_are_rejected_clearly(url, content, kind):
    with pytest.raises(ImportRejected):
        with session_scope(url) as session:
            transfer.import_procedures(session, content, kind, "test", dry_run=True, note="Chạy thử")


def test_overlapping_validity_of_one_fact_is_reported_per_row_and_nothing_imported(url):
    fee = {"summary": "Miễn phí.", "amount_vnd": 0, "basis": "Nghị định 110/2018/NĐ-CP, Điều 11",
           "checked": "2026-12-01"}
    overlapping = festival_procedure("hai_muc_phi", name="Đăng ký lễ hội lớn", aliases=["lễ hội lớn"],
                                     fee=[{**fee, "valid_until": "2026-12-31"},
                                          {**fee, "valid_from": "2026-12-01"}])
    content = json.dumps({"procedures": [festival_procedure(), overlapping]}).encode()
    with pytest.raises(ImportRejected) as rejected:
        with session_scope(url) as session:
            transfer.import_procedures(session, content, Format.json, "test", dry_run=False, note="Nhập")
    assert rejected.value.problems[0].startswith("Dòng 2: fee:")
    assert "cùng có hiệu lực" in rejected.value.problems[0]
    with session_scope(url) as session:
        assert repository.find_row(session, "le_hoi") is None


def test_a_fact_without_basis_or_checked_date_is_named_in_the_report(url):
    undated = festival_procedure(duration=[{"summary": "Ba ngày.", "basis": "Điều 1"}])
    content = json.dumps({"procedures": [undated]}).encode()
    with pytest.raises(ImportRejected) as rejected:
        with session_scope(url) as session:
            transfer.import_procedures(session, content, Format.json, "test", dry_run=True, note="x x")
    assert "duration.0.checked" in rejected.value.problems[0]


def test_import_without_a_change_note_is_refused(url):
    content = json.dumps({"procedures": [festival_procedure()]}).encode()
    with pytest.raises(ImportRejected, match="ghi chú"):
        with session_scope(url) as session:
            transfer.import_procedures(session, content, Format.json, "test", dry_run=False, note="")
