"""Export and import of the whole KB as JSON, CSV or XLSX (round trip exact).

JSON is the seed-file shape {"procedures": [...]}. CSV and XLSX have one row per
procedure and one column per field; list and object fields are JSON in their cell.
An import is all-or-nothing: every row is validated and every change checked before
anything is written, and a dry run reports what would change without writing.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlalchemy.orm import Session

from procedure_kb import curation, repository
from procedure_kb.errors import DomainError
from procedure_kb.schemas import ProcedureData, json_values

COLUMNS = list(ProcedureData.__fields__)
STRUCTURED = {"aliases", "topics", "agency", "documents", "fee", "duration", "deadline", "online",
              "applicants", "steps", "legal_basis", "sources"}
MAX_ROWS = 5000


class Format(str, Enum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


MEDIA_TYPES = {
    Format.json: "application/json",
    Format.csv: "text/csv; charset=utf-8",
    Format.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportRejected(DomainError):
    """The file cannot be imported; `problems` lists each row's errors."""

    def __init__(self, message: str, problems: List[str]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class ImportReport:
    created: List[str] = field(default_factory=list)
    updated: Dict[str, List[str]] = field(default_factory=dict)  # id -> changed fields
    unchanged: List[str] = field(default_factory=list)
    dry_run: bool = True


def export(session: Session, kind: Format) -> bytes:
    """All active procedures in the chosen format."""
    records = [json_values(p) for p in repository.list_procedures(session)]
    if kind == Format.json:
        return json.dumps({"procedures": records}, ensure_ascii=False, indent=2).encode()
    rows = [[_cell(record[column]) if column in STRUCTURED else record[column] or ""
             for column in COLUMNS] for record in records]
    if kind == Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    sheet.title = "procedures"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_procedures(
    session: Session, content: bytes, kind: Format, actor: str, dry_run: bool, note: str
) -> ImportReport:
    """Create new and update changed procedures from a file; all or nothing.

    Procedures absent from the file are left as they are (nothing is retired); every
    version written carries `note`. The caller commits; on ImportRejected nothing has
    been written.
    """
    procedures = parse(content, kind)
    try:
        note = curation.checked_note(note)
    except curation.NoteMissing as missing:
        raise ImportRejected(missing.message, []) from missing
    report = ImportReport(dry_run=dry_run)
    for data in procedures:
        _apply(session, data, actor, note, report)
    if dry_run:
        session.rollback()
    return report


def parse(content: bytes, kind: Format) -> List[ProcedureData]:
    """Validated procedures of a file; raises ImportRejected listing every bad row."""
    try:
        records = _records(content, kind)
    except (ValueError, KeyError, TypeError, OSError, BadZipFile, IndexError) as error:
        raise ImportRejected("Không đọc được tệp: sai định dạng.", [str(error)[:300]]) from error
    if len(records) > MAX_ROWS:
        raise ImportRejected(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).", [])
    problems: List[str] = []
    parsed: List[ProcedureData] = []
    seen: Dict[str, int] = {}
    for number, record in enumerate(records, 1):
        try:
            data = ProcedureData.parse_obj(record)
        except ValidationError as error:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            problems.append(f"Dòng {number}: {fields}")
            continue
        if data.id in seen:
            problems.append(f"Dòng {number}: mã '{data.id}' trùng với dòng {seen[data.id]}")
        seen[data.id] = number
        parsed.append(data)
    if problems:
        raise ImportRejected("Tệp có dòng không hợp lệ; chưa nhập gì.", problems)
    return parsed


def _apply(
    session: Session, data: ProcedureData, actor: str, note: str, report: ImportReport
) -> None:
    row = repository.find_row(session, data.id)
    try:
        if row is None:
            curation.create(session, data, actor, note)
            report.created.append(data.id)
            return
        before = json_values(repository.to_schema(row))
        changed = [name for name, value in json_values(data).items() if before.get(name) != value]
        if not changed:
            report.unchanged.append(data.id)
            return
        curation.update(session, data.id, data, row.version, actor, note)
        report.updated[data.id] = changed
    except curation.CurationError as error:
        raise ImportRejected("Tệp xung đột với dữ liệu hiện có; chưa nhập gì.",
                             [f"Thủ tục {data.id}: {error.message}"]) from error


def _records(content: bytes, kind: Format) -> List[Dict[str, Any]]:
    if kind == Format.json:
        return list(json.loads(content.decode("utf-8-sig"))["procedures"])
    if kind == Format.csv:
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        header = [str(name) for name in values[0]]
        rows = [dict(zip(header, row)) for row in values[1:] if any(cell is not None for cell in row)]
    return [_from_cells(row) for row in rows]


def _from_cells(row: Dict[str, Any]) -> Dict[str, Any]:
    """A record from one row; empty cells are left out (the field's default applies)."""
    return {
        column: json.loads(value) if column in STRUCTURED else value
        for column, value in ((c, row.get(c)) for c in COLUMNS)
        if value not in (None, "")
    }


def _cell(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)
