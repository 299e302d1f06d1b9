"""The procedure edit form: plain text fields and one-per-line lists <-> ProcedureData.

Documents are one per line: "Tên giấy tờ | bản chính | 1 | bắt buộc | ghi chú"
(form: bản chính / bản sao / xuất trình; "tùy trường hợp" for optional ones).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from pydantic import ValidationError

from procedure_kb.schemas import DocumentForm, ProcedureData, ProcedureOut

FORM_WORDS = {DocumentForm.original: "bản chính", DocumentForm.copy: "bản sao",
              DocumentForm.present: "xuất trình"}
OPTIONAL_WORD = "tùy trường hợp"
LABELS = {
    "id": "Mã thủ tục", "name": "Tên thủ tục", "aliases": "Tên gọi khác", "topics": "Chủ đề chung",
    "field": "Lĩnh vực", "catalogue_code": "Mã TTHC", "agency": "Cơ quan giải quyết",
    "counter": "Quầy", "documents": "Thành phần hồ sơ", "fee": "Lệ phí",
    "duration": "Thời hạn", "online": "Trực tuyến", "steps": "Các bước",
    "legal_basis": "Căn cứ pháp lý", "last_reviewed": "Ngày rà soát",
}


def to_form(procedure: ProcedureOut) -> Dict[str, Any]:
    """Form values for an existing procedure."""
    fee, duration, online = procedure.fee, procedure.duration, procedure.online
    return {
        "id": procedure.id, "name": procedure.name, "field": procedure.field,
        "catalogue_code": procedure.catalogue_code or "", "agency": procedure.agency,
        "counter": procedure.counter, "version": procedure.version,
        "last_reviewed": procedure.last_reviewed.isoformat() if procedure.last_reviewed else "",
        "aliases": "\n".join(procedure.aliases), "topics": "\n".join(procedure.topics),
        "steps": "\n".join(procedure.steps), "legal_basis": "\n".join(procedure.legal_basis),
        "documents": "\n".join(_document_line(doc.dict()) for doc in procedure.documents),
        "fee_summary": fee.summary if fee else "",
        "fee_amount": "" if not fee or fee.amount_vnd is None else str(fee.amount_vnd),
        "fee_exemptions": "\n".join(fee.exemptions) if fee else "",
        "fee_basis": fee.basis if fee else "",
        "duration_summary": duration.summary if duration else "",
        "duration_days": "" if not duration or duration.working_days is None else str(duration.working_days),
        "duration_basis": duration.basis if duration else "",
        "online_level": online.level.value if online else "",
        "online_url": str(online.url or "") if online else "",
        "online_note": (online.note or "") if online else "",
    }


def from_form(form: Dict[str, str]) -> Tuple[Optional[ProcedureData], List[str]]:
    """The procedure a submitted form describes, or the messages saying what to fix."""
    problems: List[str] = []
    documents = []
    for number, line in enumerate(_lines(form.get("documents", "")), 1):
        document, problem = _parse_document(line, number)
        if problem:
            problems.append(problem)
        else:
            documents.append(document)
    raw = {
        "id": form.get("id", "").strip(), "name": form.get("name", "").strip(),
        "field": form.get("field", "").strip(), "agency": form.get("agency", "").strip(),
        "counter": form.get("counter", ""),
        "catalogue_code": form.get("catalogue_code", "").strip() or None,
        "last_reviewed": form.get("last_reviewed") or None,
        "aliases": _lines(form.get("aliases", "")), "topics": _lines(form.get("topics", "")),
        "steps": _lines(form.get("steps", "")), "legal_basis": _lines(form.get("legal_basis", "")),
        "documents": documents,
        "fee": _section(form, {"summary": "fee_summary", "amount_vnd": "fee_amount",
                                       "basis": "fee_basis"}, lists={"exemptions": "fee_exemptions"}),
        "duration": _section(form, {"summary": "duration_summary",
                                                 "working_days": "duration_days",
                                                 "basis": "duration_basis"}),
        "online": _section(form, {"level": "online_level", "url": "online_url",
                                             "note": "online_note"}),
    }
    try:
        data = ProcedureData.parse_obj(raw)
    except ValidationError as error:
        problems += [_message(e) for e in error.errors()]
        return None, problems
    return (None, problems) if problems else (data, [])


def _section(form: Dict[str, str], fields: Dict[str, str],
             lists: Optional[Dict[str, str]] = None) -> Optional[Dict[str, Any]]:
    """An optional sub-object (fee, duration, online): None when all its inputs are empty."""
    values = {key: form.get(name, "").strip() or None for key, name in fields.items()}
    values.update({key: _lines(form.get(name, "")) for key, name in (lists or {}).items()})
    return values if any(values.values()) else None


def _parse_document(line: str, number: int) -> Tuple[Dict[str, Any], str]:
    parts = [part.strip() for part in line.split("|")]
    parts += [""] * (5 - len(parts))
    name, form_word, copies, required, note = parts[:5]
    forms = {word: form for form, word in FORM_WORDS.items()}
    if form_word.lower() not in forms:
        return {}, (f"Hồ sơ dòng {number}: ô thứ hai phải là "
                    f"'{', '.join(FORM_WORDS.values())}'.")
    if copies and not copies.isdigit():
        return {}, f"Hồ sơ dòng {number}: số bản phải là số."
    return {
        "name": name, "form": forms[form_word.lower()].value, "copies": int(copies or 1),
        "required": required.lower() != OPTIONAL_WORD, "note": note or None,
    }, ""


def _document_line(doc: Dict[str, Any]) -> str:
    parts = [doc["name"], FORM_WORDS[DocumentForm(doc["form"])], str(doc["copies"]),
             "bắt buộc" if doc["required"] else OPTIONAL_WORD]
    if doc.get("note"):
        parts.append(doc["note"])
    return " | ".join(parts)


def _lines(text: str) -> List[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _message(error: Dict[str, Any]) -> str:
    location = error["loc"]
    label = LABELS.get(str(location[0]), str(location[0]))
    where = f" (mục {int(location[1]) + 1})" if len(location) > 1 and isinstance(location[1], int) else ""
    return f"{label}{where}: {_vietnamese(error)}"


def _vietnamese(error: Dict[str, Any]) -> str:
    kind, context = error["type"], error.get("ctx", {})
    if kind == "value_error.missing":
        return "cần nhập."
    if kind == "value_error.any_str.min_length":
        return f"cần ít nhất {context['limit_value']} ký tự."
    if kind == "value_error.any_str.max_length":
        return f"tối đa {context['limit_value']} ký tự."
    if kind == "value_error.list.min_items":
        return f"cần ít nhất {context['limit_value']} dòng."
    if kind == "value_error.list.max_items":
        return f"tối đa {context['limit_value']} dòng."
    if kind.startswith("type_error.integer") or kind.startswith("value_error.number"):
        return "phải là số nguyên không âm."
    if kind.startswith("value_error.date"):
        return "ngày không hợp lệ."
    if kind.startswith("value_error.url"):
        return "địa chỉ web không hợp lệ (bắt đầu bằng https://)."
    return error["msg"]
