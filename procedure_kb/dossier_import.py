"""Filling the local dossier table from staff: a one-stop system export or one dossier.

The local table is filled from the CSV or Excel export of the one-stop system (columns
found by their Vietnamese headers, accents and case ignored) or one dossier at a time
through the staff API. An import is all-or-nothing: every row is checked first, and the
report names each bad row by its line in the file. Columns a file leaves out keep their
stored values; an empty cell clears one.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple
from zipfile import BadZipFile

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.db import begin_write
from procedure_kb.dossier_records import DossierRecord
from procedure_kb.dossiers import DossierState
from procedure_kb.models import Dossier
from procedure_kb.text import folded_key
from procedure_kb.transfer import ImportRejected

MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10  # exports often start with a title block above the header row
# Headers of each field in one-stop system exports; the first is the one reports name.
HEADERS = {
    "code": ["Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ"],
    "procedure_name": ["Tên thủ tục", "Thủ tục", "Tên thủ tục hành chính", "Thủ tục hành chính"],
    "state": ["Trạng thái", "Tình trạng", "Trạng thái hồ sơ", "Tình trạng hồ sơ", "Trạng thái xử lý"],
    "received_on": ["Ngày tiếp nhận", "Ngày nhận", "Ngày nộp"],
    "appointment_date": ["Ngày hẹn trả", "Ngày hẹn trả kết quả", "Ngày hẹn"],
    "missing_documents": ["Giấy tờ cần bổ sung", "Giấy tờ bổ sung", "Nội dung yêu cầu bổ sung",
                          "Nội dung bổ sung"],
    "collect_at": ["Nơi trả kết quả", "Nơi nhận kết quả", "Địa điểm trả kết quả"],
    "phone": ["Số điện thoại", "Điện thoại", "SĐT", "Số điện thoại người nộp"],
    "updated_at": ["Ngày cập nhật", "Cập nhật lúc", "Thời gian cập nhật"],
}
REQUIRED = ("code", "procedure_name", "state")
STORED = ("procedure_name", "state", "received_on", "appointment_date", "missing_documents",
          "collect_at", "phone")
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_HEADER_NOTES = re.compile(r"\(.*?\)|\*")
_HEADER_KEYS = {folded_key(name): f for f, names in HEADERS.items() for name in [f, *names]}


@dataclass
class DossierImportReport:
    created: List[str] = field(default_factory=list)
    updated: Dict[str, List[str]] = field(default_factory=dict)  # code -> changed fields
    unchanged: List[str] = field(default_factory=list)
    dry_run: bool = True


def import_dossiers(session: Session, content: bytes, actor: str, dry_run: bool) -> DossierImportReport:
    """Create and update dossiers from a CSV or XLSX export; all or nothing.

    The caller commits; a dry run writes nothing. The write lock is taken only after
    the file is parsed, so a large file does not hold up other writers.
    """
    records = parse_dossier_file(content)
    if not dry_run:
        begin_write(session)
    existing = _rows_by_code(session, [record.code for record in records])
    report = DossierImportReport(dry_run=dry_run)
    now = datetime.utcnow()
    for record in records:
        row = existing.get(record.code)
        changed = _changes(row, record)
        if row is None:
            report.created.append(record.code)
        elif changed:
            report.updated[record.code] = changed
        else:
            report.unchanged.append(record.code)
        if not dry_run:
            _write(session, row, record, changed, now)
    if not dry_run:
        audit.record(session, actor, "dossier_import", "dossiers", {
            "created": len(report.created), "updated": len(report.updated),
            "unchanged": len(report.unchanged)})
    return report


def save_dossier(session: Session, record: DossierRecord, actor: str) -> bool:
    """Create or update one dossier (the caller commits); True when it was created."""
    row = _rows_by_code(session, [record.code]).get(record.code)
    changed = _changes(row, record)
    _write(session, row, record, changed, datetime.utcnow())
    audit.record(session, actor, "dossier_save", record.code, {"changed": changed})
    return row is None


def parse_dossier_file(content: bytes) -> List[DossierRecord]:
    """The validated rows of an export; raises ImportRejected naming every bad row."""
    rows = _file_rows(content)
    header_index, columns = _find_header(rows)
    if len(rows) - header_index - 1 > MAX_ROWS:
        raise ImportRejected(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).", [])
    records: List[DossierRecord] = []
    problems: List[str] = []
    seen: Dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        values = {columns[i]: cell for i, cell in enumerate(rows[index]) if i in columns}
        if all(value in (None, "") for value in values.values()):
            continue
        line = index + 1
        try:
            record = DossierRecord.parse_obj(values)
        except ValidationError as error:
            problems.append(f"Dòng {line}: " + "; ".join(_problem(e) for e in error.errors()))
            continue
        if record.code in seen:
            problems.append(f"Dòng {line}: mã hồ sơ {record.code} trùng với dòng {seen[record.code]}")
        seen[record.code] = line
        records.append(record)
    if problems:
        raise ImportRejected("Tệp có dòng không hợp lệ; chưa nhập gì.", problems)
    return records


def _rows_by_code(session: Session, codes: List[str]) -> Dict[str, Dossier]:
    rows: Dict[str, Dossier] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        rows.update((row.code, row) for row in
                    session.execute(select(Dossier).where(Dossier.code.in_(chunk))).scalars())
    return rows


def _changes(row: Optional[Dossier], record: DossierRecord) -> List[str]:
    """The stored fields the record sets to a new value (only fields it was given)."""
    given = [name for name in STORED if name in record.__fields_set__]
    if row is None:
        return given
    return [name for name in given if getattr(row, name) != _stored(record, name)]


def _stored(record: DossierRecord, name: str) -> Any:
    value = getattr(record, name)
    return value.value if isinstance(value, DossierState) else value


def _write(session: Session, row: Optional[Dossier], record: DossierRecord,
           changed: List[str], now: datetime) -> None:
    if row is None:
        row = Dossier(code=record.code, missing_documents=[])
        session.add(row)
    for name in changed:
        setattr(row, name, _stored(record, name))
    if record.updated_at or changed or row.updated_at is None:
        row.updated_at = record.updated_at or now
    row.imported_at = now


def _problem(error: Dict[str, Any]) -> str:
    name = str(error["loc"][0])
    missing = error["type"] in ("value_error.missing", "type_error.none.not_allowed")
    return f"{HEADERS[name][0]}: {'thiếu giá trị' if missing else error['msg']}"


def _file_rows(content: bytes) -> List[List[Any]]:
    """The cells of a CSV (UTF-8, comma, semicolon or tab) or XLSX file, row by row."""
    if content.startswith(XLS_MAGIC):
        raise ImportRejected("Tệp .xls (Excel cũ) chưa được hỗ trợ: hãy lưu lại dạng .xlsx hoặc CSV.", [])
    try:
        if content.startswith(b"PK"):
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        text = content.decode("utf-8-sig")
        sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
        delimiter = max(",;\t", key=sample.count)
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except UnicodeDecodeError as error:
        raise ImportRejected("Tệp CSV cần mã hóa UTF-8 (Excel: Lưu dạng CSV UTF-8).", []) from error
    except (ValueError, KeyError, OSError, BadZipFile, csv.Error) as error:
        raise ImportRejected("Không đọc được tệp: cần CSV hoặc Excel (.xlsx).", [str(error)[:300]]) from error


def _find_header(rows: List[List[Any]]) -> Tuple[int, Dict[int, str]]:
    """The header row (among the first few) and its column index -> field."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for position, cell in enumerate(row):
            name = _HEADER_KEYS.get(folded_key(_HEADER_NOTES.sub("", str(cell or ""))))
            if name and name not in columns.values():
                columns[position] = name
        if set(REQUIRED) <= set(columns.values()):
            return index, columns
    wanted = ", ".join(HEADERS[name][0] for name in REQUIRED)
    raise ImportRejected(f"Không thấy dòng tiêu đề có các cột: {wanted}.", [])
