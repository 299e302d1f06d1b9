"""The procedure edit form <-> ProcedureData.

Plain fields and one-per-line lists for the general part; each list of facts (agency,
documents, fee, duration, deadline, online, applicants) is a formset: one group of
inputs per version, named "<fact>-<n>-<field>", plus an empty group to add one. Every
group has the fact's legal basis, checked date and validity period. A group left empty
is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from pydantic import ValidationError

from procedure_kb.curation import MIN_NOTE
from procedure_kb.schemas import DocumentForm, OnlineLevel, ProcedureData, ProcedureOut

LABELS = {
    "id": "Mã thủ tục", "name": "Tên thủ tục", "aliases": "Tên gọi khác", "topics": "Chủ đề chung",
    "field": "Lĩnh vực", "catalogue_code": "Mã TTHC (quốc gia)", "agency": "Cơ quan giải quyết",
    "counter": "Quầy", "documents": "Thành phần hồ sơ", "fee": "Lệ phí",
    "duration": "Thời hạn giải quyết", "deadline": "Thời hạn phải đăng ký, khai báo",
    "online": "Trực tuyến", "applicants": "Người được yêu cầu, ủy quyền", "steps": "Các bước",
    "legal_basis": "Căn cứ pháp lý chung", "last_reviewed": "Ngày rà soát",
    "sources": "Nguồn đã đối chiếu", "change_note": "Ghi chú thay đổi",
}
DOCUMENT_FORMS = {"": "—", DocumentForm.original.value: "bản chính",
                  DocumentForm.copy.value: "bản sao", DocumentForm.present.value: "xuất trình"}
ONLINE_LEVELS = {"": "—", OnlineLevel.full.value: "Toàn trình",
                 OnlineLevel.partial.value: "Một phần", OnlineLevel.none.value: "Không trực tuyến"}


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"  # text, textarea, number, date, lines, check, select
    choices: Optional[Dict[str, str]] = None


SOURCED = (
    Input("basis", "Căn cứ (số văn bản, điều, khoản)"),
    Input("checked", "Ngày đối chiếu với văn bản", "date"),
    Input("valid_from", "Áp dụng từ ngày (để trống nếu không giới hạn)", "date"),
    Input("valid_until", "Áp dụng đến hết ngày (để trống nếu không giới hạn)", "date"),
)
FACT_INPUTS: Dict[str, Tuple[Input, ...]] = {
    "agency": (Input("name", "Tên cơ quan"),),
    "documents": (
        Input("name", "Tên giấy tờ"), Input("form", "Hình thức", "select", DOCUMENT_FORMS),
        Input("copies", "Số bản", "number"), Input("required", "Bắt buộc", "check"),
        Input("note", "Ghi chú (khi nào cần, được miễn)"),
    ),
    "fee": (
        Input("summary", "Nội dung đọc cho người dân", "textarea"),
        Input("amount_vnd", "Mức thu chung toàn quốc (đồng)", "number"),
        Input("exemptions", "Trường hợp miễn, giảm (mỗi dòng một trường hợp)", "lines"),
        Input("set_by_province", "Mức thu do HĐND tỉnh quy định", "check"),
        Input("local_amount_vnd", "Mức thu tại địa phương (đồng)", "number"),
        Input("local_basis", "Nghị quyết của tỉnh quy định mức thu"),
    ),
    "duration": (
        Input("summary", "Nội dung đọc cho người dân", "textarea"),
        Input("working_days", "Số ngày làm việc (0 = trong ngày)", "number"),
    ),
    "deadline": (
        Input("summary", "Nội dung đọc cho người dân", "textarea"),
        Input("days", "Số ngày", "number"),
    ),
    "online": (
        Input("level", "Mức độ", "select", ONLINE_LEVELS), Input("url", "Địa chỉ nộp trực tuyến"),
        Input("note", "Ghi chú", "textarea"),
    ),
    "applicants": (
        Input("who", "Người được yêu cầu", "textarea"),
        Input("proxy", "Ủy quyền, nhờ người khác làm thay", "textarea"),
    ),
}
FACT_INPUTS_WITH_SOURCE = {fact: inputs + SOURCED for fact, inputs in FACT_INPUTS.items()}
FIELD_NAME = re.compile(r"^(?P<fact>[a-z_]+)-(?P<index>\d{1,2})-(?P<field>[a-z_]+)$")
LIST_FIELDS = ("aliases", "topics", "steps", "legal_basis", "sources")


def inputs_of(fact: str) -> Tuple[Input, ...]:
    return FACT_INPUTS_WITH_SOURCE[fact]


def to_form(procedure: ProcedureOut) -> Dict[str, Any]:
    """Form values for an existing procedure."""
    values: Dict[str, Any] = {
        "id": procedure.id, "name": procedure.name, "field": procedure.field,
        "catalogue_code": procedure.catalogue_code or "", "counter": procedure.counter,
        "version": procedure.version,
        "last_reviewed": procedure.last_reviewed.isoformat() if procedure.last_reviewed else "",
        **{name: "\n".join(getattr(procedure, name)) for name in LIST_FIELDS},
    }
    for fact in FACT_INPUTS:
        versions = getattr(procedure, fact)
        values[f"{fact}-count"] = len(versions) + 1
        for index, version in enumerate(versions):
            for item in inputs_of(fact):
                values[f"{fact}-{index}-{item.name}"] = _shown(getattr(version, item.name), item)
    return values


def rows_of(values: Dict[str, Any], fact: str) -> int:
    """How many groups of inputs the form shows for `fact` (at least one, the empty one)."""
    count = str(values.get(f"{fact}-count") or "")
    return max(1, min(int(count) if count.isdigit() else 1, 40))


def from_form(form: Dict[str, str]) -> Tuple[Optional[ProcedureData], List[str]]:
    """The procedure a submitted form describes, or the messages saying what to fix."""
    raw: Dict[str, Any] = {
        "id": form.get("id", "").strip(), "name": form.get("name", "").strip(),
        "field": form.get("field", "").strip(), "counter": form.get("counter", ""),
        "catalogue_code": form.get("catalogue_code", "").strip() or None,
        "last_reviewed": form.get("last_reviewed") or None,
        **{name: _lines(form.get(name, "")) for name in LIST_FIELDS},
    }
    for fact in FACT_INPUTS:
        raw[fact] = _versions(form, fact)
    problems = _note_problems(form.get("change_note", ""))
    try:
        data = ProcedureData.parse_obj(raw)
    except ValidationError as error:
        return None, [_message(e) for e in error.errors()] + problems
    return (None, problems) if problems else (data, [])


def _note_problems(note: str) -> List[str]:
    """Every saved change carries a short note (shown in the history and the diff)."""
    if len(note.strip()) >= MIN_NOTE:
        return []
    return [f"{LABELS['change_note']}: cần ít nhất {MIN_NOTE} ký tự (sửa gì, theo văn bản nào)."]


def _versions(form: Dict[str, str], fact: str) -> List[Dict[str, Any]]:
    """The filled groups of one formset, in index order (empty groups dropped)."""
    groups: Dict[int, Dict[str, Any]] = {}
    known = {item.name: item for item in inputs_of(fact)}
    for key, value in form.items():
        match = FIELD_NAME.match(key)
        if match and match["fact"] == fact and match["field"] in known:
            groups.setdefault(int(match["index"]), {})[match["field"]] = str(value)
    versions = []
    for index in sorted(groups):
        group = groups[index]
        if not any(group.get(i.name, "").strip() for i in known.values() if i.kind != "check"):
            continue
        versions.append({name: _parsed(group.get(name, ""), item) for name, item in known.items()})
    return versions


def _parsed(value: str, item: Input) -> Any:
    if item.kind == "check":
        return value in ("on", "1", "true")
    if item.kind == "lines":
        return _lines(value)
    return value.strip() or None


def _shown(value: Any, item: Input) -> Any:
    if item.kind == "check":
        return bool(value)
    if item.kind == "lines":
        return "\n".join(value or [])
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return "" if value is None else str(value)


def _lines(text: str) -> List[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _message(error: Dict[str, Any]) -> str:
    location = error["loc"]
    label = LABELS.get(str(location[0]), str(location[0]))
    if len(location) > 1 and isinstance(location[1], int):
        label += f" (mục {int(location[1]) + 1})"
        if len(location) > 2 and str(location[0]) in FACT_INPUTS:
            names = {item.name: item.label for item in inputs_of(str(location[0]))}
            label += f" – {names.get(str(location[2]), str(location[2]))}"
    return f"{label}: {_vietnamese(error)}"


def _vietnamese(error: Dict[str, Any]) -> str:
    kind, context = error["type"], error.get("ctx", {})
    if kind in ("value_error.missing", "type_error.none.not_allowed"):
        return "cần nhập."
    if kind == "value_error.any_str.min_length":
        return f"cần ít nhất {context['limit_value']} ký tự."
    if kind == "value_error.any_str.max_length":
        return f"tối đa {context['limit_value']} ký tự."
    if kind == "value_error.list.min_items":
        return f"cần ít nhất {context['limit_value']} mục."
    if kind == "value_error.list.max_items":
        return f"tối đa {context['limit_value']} mục."
    if kind.startswith("type_error.integer") or kind.startswith("type_error.float") or kind.startswith("value_error.number"):
        return "phải là số không âm."
    if kind.startswith("value_error.date"):
        return "ngày không hợp lệ."
    if kind.startswith("value_error.url"):
        return "địa chỉ web không hợp lệ (bắt đầu bằng https://)."
    if kind == "type_error.enum":
        return "cần chọn một giá trị."
    return error["msg"]
