"""Vietnamese answers about one aspect of a procedure.

Each answer has a short `speech` sentence that reads well aloud on the lobby robot,
and `details` lines (full lists, legal basis, links) for screens and chat.
When the KB has no fact for an aspect, the answer says so instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Dict, List, Optional

from procedure_kb.schemas import Document, DocumentForm, OnlineLevel, ProcedureOut
from procedure_kb.text import lower_first

FORM_LABELS = {
    DocumentForm.original: "bản chính",
    DocumentForm.copy: "bản sao",
    DocumentForm.present: "xuất trình bản chính",
}


class Aspect(str, Enum):
    documents = "documents"
    fee = "fee"
    duration = "duration"
    location = "location"
    online = "online"
    overview = "overview"


ASPECT_LABELS = {
    Aspect.documents: "hồ sơ cần chuẩn bị",
    Aspect.fee: "lệ phí",
    Aspect.duration: "thời hạn giải quyết",
    Aspect.location: "nơi nộp hồ sơ",
    Aspect.online: "việc làm trực tuyến",
    Aspect.overview: "các bước thực hiện",
}


@dataclass
class Answer:
    speech: str
    details: List[str] = field(default_factory=list)
    fact_missing: bool = False


def answer(procedure: ProcedureOut, aspect: Aspect) -> Answer:
    """The answer about `aspect` of `procedure`."""
    return _COMPOSERS[aspect](procedure)


def subject(procedure: ProcedureOut) -> str:
    """The procedure's name as it reads inside a sentence ('đăng ký khai sinh')."""
    return lower_first(procedure.name)


def _documents(procedure: ProcedureOut) -> Answer:
    required = [_short(doc.name) for doc in procedure.documents if doc.required]
    optional = len(procedure.documents) - len(required)
    speech = f"Dạ, để {subject(procedure)}, Anh/Chị cần chuẩn bị"
    if required:
        speech += f" {len(required)} loại giấy tờ: {_join(required)}"
    if optional:
        speech += f"{'; ngoài ra' if required else ''}, tùy trường hợp có thể cần thêm {optional} loại giấy tờ khác"
    speech += " ạ."
    details = [f"{i}. {_document_line(doc)}" for i, doc in enumerate(procedure.documents, 1)]
    return Answer(speech, details + _basis(procedure.legal_basis))


def _fee(procedure: ProcedureOut) -> Answer:
    fee = procedure.fee
    if fee is None:
        return _missing(procedure, Aspect.fee)
    details = [f"Trường hợp được miễn, giảm: {'; '.join(fee.exemptions)}."] if fee.exemptions else []
    details += _basis([fee.basis])
    return Answer(f"Dạ, về lệ phí {subject(procedure)}: {_sentence(fee.summary)}", details)


def _duration(procedure: ProcedureOut) -> Answer:
    duration = procedure.duration
    if duration is None:
        return _missing(procedure, Aspect.duration)
    return Answer(
        f"Dạ, về thời hạn {subject(procedure)}: {_sentence(duration.summary)}",
        _basis([duration.basis]),
    )


def _location(procedure: ProcedureOut) -> Answer:
    speech = (
        f"Dạ, Anh/Chị nộp hồ sơ {subject(procedure)} tại {procedure.counter} "
        f"của Trung tâm phục vụ hành chính công; cơ quan giải quyết là {procedure.agency} ạ."
    )
    return Answer(speech, [f"Lĩnh vực: {procedure.field}"])


def _online(procedure: ProcedureOut) -> Answer:
    online = procedure.online
    if online is None:
        return _missing(procedure, Aspect.online)
    lead = {
        OnlineLevel.full: "là dịch vụ công trực tuyến toàn trình, Anh/Chị có thể nộp hồ sơ "
        "và nhận kết quả qua mạng, không cần đến Trung tâm",
        OnlineLevel.partial: "là dịch vụ công trực tuyến một phần: Anh/Chị có thể nộp hồ sơ "
        "qua mạng nhưng vẫn cần đến Trung tâm cho một số bước",
        OnlineLevel.none: "hiện chưa thực hiện trực tuyến được, Anh/Chị vui lòng nộp trực tiếp "
        f"tại {procedure.counter}",
    }[online.level]
    details = [online.note] if online.note else []
    if online.url and online.level != OnlineLevel.none:
        details.append(f"Địa chỉ nộp trực tuyến: {online.url}")
    return Answer(f"Dạ, thủ tục {subject(procedure)} {lead} ạ.", details)


def _overview(procedure: ProcedureOut) -> Answer:
    speech = (
        f"Dạ, thủ tục {subject(procedure)} do {procedure.agency} giải quyết, "
        f"Anh/Chị nộp tại {procedure.counter}"
    )
    if procedure.duration is not None:
        speech += f"; {lower_first(_clause(procedure.duration.summary))}"
    speech += f". Thủ tục gồm {len(procedure.steps)} bước, em gửi chi tiết bên dưới ạ."
    steps = [f"Bước {i}: {step}" for i, step in enumerate(procedure.steps, 1)]
    return Answer(speech, steps + _basis(procedure.legal_basis))


def _missing(procedure: ProcedureOut, aspect: Aspect) -> Answer:
    speech = (
        f"Dạ, em chưa có thông tin chính xác về {ASPECT_LABELS[aspect]} của thủ tục "
        f"{subject(procedure)}. Anh/Chị vui lòng hỏi cán bộ tại {procedure.counter} "
        "để được hướng dẫn ạ."
    )
    return Answer(speech, fact_missing=True)


_COMPOSERS: Dict[Aspect, Callable[[ProcedureOut], Answer]] = {
    Aspect.documents: _documents,
    Aspect.fee: _fee,
    Aspect.duration: _duration,
    Aspect.location: _location,
    Aspect.online: _online,
    Aspect.overview: _overview,
}


def _document_line(doc: Document) -> str:
    copies = f"{doc.copies} bản" if doc.form != DocumentForm.present else ""
    parts = [doc.name, f"{FORM_LABELS[doc.form]}{', ' + copies if copies else ''}"]
    line = f"{parts[0]} — {parts[1]}{'' if doc.required else ', tùy trường hợp'}"
    return f"{line}; {doc.note}" if doc.note else line


def _short(document_name: str) -> str:
    """The document's name up to its first explanation ('; ...', ' (..)')."""
    for separator in (";", " (", ", nếu", " hoặc văn bản"):
        document_name = document_name.split(separator)[0]
    return lower_first(document_name.strip().rstrip("."))


def _basis(sources: List[Optional[str]]) -> List[str]:
    present = [source for source in sources if source]
    return [f"Căn cứ pháp lý: {'; '.join(present)}."] if present else []


def _join(items: List[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def _clause(text: str) -> str:
    return text.strip().rstrip(".")


def _sentence(text: str) -> str:
    """A fact's summary continuing a spoken sentence: lowercase start, polite ending."""
    return f"{lower_first(_clause(text))} ạ."


def which_procedure(aspect: Aspect) -> str:
    """Asks which procedure the citizen means."""
    return f"Dạ, Anh/Chị muốn hỏi về {ASPECT_LABELS[aspect]} của thủ tục nào ạ?"


def unknown_procedure(has_suggestions: bool) -> str:
    """Says honestly that the KB has nothing on what was asked."""
    text = "Dạ, hiện em chưa có thông tin về thủ tục này ạ."
    if has_suggestions:
        text += " Có phải Anh/Chị muốn hỏi một trong các thủ tục dưới đây không ạ?"
    return text + " Anh/Chị cũng có thể gặp cán bộ để được hướng dẫn ạ."


def not_understood(has_suggestions: bool) -> str:
    """The NLU could not tell what the citizen wants."""
    text = "Dạ, em chưa hiểu rõ ý Anh/Chị ạ."
    if has_suggestions:
        return text + " Có phải Anh/Chị muốn hỏi về một trong các thủ tục dưới đây không ạ?"
    return text + " Anh/Chị vui lòng nói ngắn gọn tên thủ tục cần hỏi, hoặc gặp cán bộ để được hỗ trợ ạ."
