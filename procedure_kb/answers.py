"""Vietnamese answers about one aspect of a procedure, as the law stands on a given day.

Each answer has a short `speech` sentence that reads well aloud on the lobby robot,
and `details` lines (full lists, legal basis with the date it was checked, links) for
screens and chat. When the KB has no fact for an aspect, the answer says so instead of
guessing. A fact with dated versions is answered with the version in force on `on`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Callable, Dict, List, Optional, Sequence

from procedure_kb.facts import documents_in_force, in_force, next_version
from procedure_kb.schemas import Document, DocumentForm, Fee, OnlineLevel, ProcedureOut, Sourced
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
    deadline = "deadline"
    location = "location"
    online = "online"
    applicants = "applicants"
    overview = "overview"


ASPECT_LABELS = {
    Aspect.documents: "hồ sơ cần chuẩn bị",
    Aspect.fee: "lệ phí",
    Aspect.duration: "thời hạn giải quyết",
    Aspect.deadline: "thời hạn phải đăng ký",
    Aspect.location: "nơi nộp hồ sơ",
    Aspect.online: "việc làm trực tuyến",
    Aspect.applicants: "người được yêu cầu và việc ủy quyền",
    Aspect.overview: "các bước thực hiện",
}


@dataclass
class Answer:
    speech: str
    details: List[str] = field(default_factory=list)
    fact_missing: bool = False


def answer(procedure: ProcedureOut, aspect: Aspect, on: date) -> Answer:
    """The answer about `aspect` of `procedure` with the facts in force on `on`."""
    return _COMPOSERS[aspect](procedure, on)


def subject(procedure: ProcedureOut) -> str:
    """The procedure's name as it reads inside a sentence ('đăng ký khai sinh')."""
    return lower_first(procedure.name)


def _documents(procedure: ProcedureOut, on: date) -> Answer:
    documents = documents_in_force(procedure.documents, on)
    if not documents:
        return _missing(procedure, Aspect.documents)
    required = [_short(doc.name) for doc in documents if doc.required]
    optional = len(documents) - len(required)
    speech = f"Dạ, để {subject(procedure)}, Anh/Chị cần chuẩn bị"
    if required:
        speech += f" {len(required)} loại giấy tờ: {_join(required)}"
    if optional:
        speech += f"{'; ngoài ra' if required else ''}, tùy trường hợp có thể cần thêm {optional} loại giấy tờ khác"
    speech += " ạ."
    details = [f"{i}. {_document_line(doc)}" for i, doc in enumerate(documents, 1)]
    return Answer(speech, details + _basis_lines(documents))


def _fee(procedure: ProcedureOut, on: date) -> Answer:
    fee = in_force(procedure.fee, on)
    if fee is None:
        return _missing(procedure, Aspect.fee)
    speech = f"Dạ, về lệ phí {subject(procedure)}: {_sentence(fee.summary)}"
    if fee.set_by_province:
        speech += " " + _local_fee(procedure, fee)
    details = [f"Trường hợp được miễn, giảm: {'; '.join(fee.exemptions)}."] if fee.exemptions else []
    details += _validity_lines(procedure.fee, fee, "Mức thu")
    return Answer(speech, details + _basis_lines([fee]))


def _local_fee(procedure: ProcedureOut, fee: Fee) -> str:
    if fee.local_amount_vnd is None:
        return (f"Mức thu cụ thể tại địa phương, Anh/Chị vui lòng hỏi cán bộ tại "
                f"{procedure.counter} ạ.")
    amount = "miễn thu" if fee.local_amount_vnd == 0 else f"{money(fee.local_amount_vnd)}"
    source = f" theo {fee.local_basis}" if fee.local_basis else ""
    return f"Tại địa phương mình, mức thu là {amount}{source} ạ."


def _duration(procedure: ProcedureOut, on: date) -> Answer:
    duration = in_force(procedure.duration, on)
    if duration is None:
        return _missing(procedure, Aspect.duration)
    return Answer(
        f"Dạ, về thời hạn giải quyết {subject(procedure)}: {_sentence(duration.summary)}",
        _validity_lines(procedure.duration, duration, "Thời hạn") + _basis_lines([duration]),
    )


def _deadline(procedure: ProcedureOut, on: date) -> Answer:
    deadline = in_force(procedure.deadline, on)
    if deadline is None:
        speech = (f"Dạ, em chưa có thông tin về thời hạn bắt buộc phải làm thủ tục "
                  f"{subject(procedure)}.")
        duration = in_force(procedure.duration, on)
        if duration is not None:
            speech += f" Về thời gian giải quyết: {_sentence(duration.summary)}"
        else:
            speech += f" Anh/Chị vui lòng hỏi cán bộ tại {procedure.counter} ạ."
        return Answer(speech, fact_missing=True)
    return Answer(
        f"Dạ, về thời hạn phải {subject(procedure)}: {_sentence(deadline.summary)}",
        _validity_lines(procedure.deadline, deadline, "Quy định") + _basis_lines([deadline]),
    )


def _location(procedure: ProcedureOut, on: date) -> Answer:
    agency = in_force(procedure.agency, on)
    speech = (f"Dạ, Anh/Chị nộp hồ sơ {subject(procedure)} tại {procedure.counter} "
              "của Trung tâm phục vụ hành chính công")
    if agency is None:
        return Answer(speech + " ạ.", [f"Lĩnh vực: {procedure.field}"])
    return Answer(f"{speech}; cơ quan giải quyết là {agency.name} ạ.",
                  [f"Lĩnh vực: {procedure.field}"] + _basis_lines([agency]))


def _online(procedure: ProcedureOut, on: date) -> Answer:
    online = in_force(procedure.online, on)
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
    return Answer(f"Dạ, thủ tục {subject(procedure)} {lead} ạ.", details + _basis_lines([online]))


def _applicants(procedure: ProcedureOut, on: date) -> Answer:
    applicants = in_force(procedure.applicants, on)
    if applicants is None:
        return _missing(procedure, Aspect.applicants)
    speech = (f"Dạ, người được yêu cầu {subject(procedure)}: {lower_first(_clause(applicants.who))}. "
              f"Về việc nhờ người khác làm thay: {_sentence(applicants.proxy)}")
    return Answer(speech, _basis_lines([applicants]))


def _overview(procedure: ProcedureOut, on: date) -> Answer:
    agency = in_force(procedure.agency, on)
    speech = f"Dạ, thủ tục {subject(procedure)}"
    if agency is not None:
        speech += f" do {agency.name} giải quyết,"
    speech += f" Anh/Chị nộp tại {procedure.counter}"
    duration = in_force(procedure.duration, on)
    if duration is not None:
        speech += f"; {lower_first(_clause(duration.summary))}"
    speech += f". Thủ tục gồm {len(procedure.steps)} bước, em gửi chi tiết bên dưới ạ."
    steps = [f"Bước {i}: {step}" for i, step in enumerate(procedure.steps, 1)]
    code = [f"Mã thủ tục hành chính: {procedure.catalogue_code}."] if procedure.catalogue_code else []
    return Answer(speech, steps + code + _general_basis(procedure))


def legal_basis(procedure: ProcedureOut, aspect: Aspect, on: date) -> Answer:
    """Where the law says what was answered about `aspect`, and when it was checked."""
    facts = _facts_of(procedure, aspect, on)
    if not facts:
        return Answer(
            f"Dạ, về {ASPECT_LABELS[aspect]} của thủ tục {subject(procedure)}, các văn bản "
            f"chính là: {'; '.join(procedure.legal_basis)} ạ.", _general_basis(procedure))
    bases = _distinct(fact.basis for fact in facts)
    oldest = min(fact.checked for fact in facts)
    speech = (f"Dạ, thông tin về {ASPECT_LABELS[aspect]} của thủ tục {subject(procedure)} "
              f"căn cứ {_join(bases[:2])}{' và một số văn bản khác' if len(bases) > 2 else ''}; "
              f"em đã đối chiếu ngày {oldest:%d/%m/%Y} ạ.")
    return Answer(speech, _basis_lines(facts))


def _facts_of(procedure: ProcedureOut, aspect: Aspect, on: date) -> List[Sourced]:
    if aspect == Aspect.documents:
        return list(documents_in_force(procedure.documents, on))
    if aspect == Aspect.overview:
        return []
    name = "agency" if aspect == Aspect.location else aspect.value
    fact = in_force(getattr(procedure, name), on)
    return [fact] if fact is not None else []


def _missing(procedure: ProcedureOut, aspect: Aspect) -> Answer:
    speech = (
        f"Dạ, em chưa có thông tin chính xác về {ASPECT_LABELS[aspect]} của thủ tục "
        f"{subject(procedure)}. Anh/Chị vui lòng hỏi cán bộ tại {procedure.counter} "
        "để được hướng dẫn ạ."
    )
    return Answer(speech, fact_missing=True)


_COMPOSERS: Dict[Aspect, Callable[[ProcedureOut, date], Answer]] = {
    Aspect.documents: _documents,
    Aspect.fee: _fee,
    Aspect.duration: _duration,
    Aspect.deadline: _deadline,
    Aspect.location: _location,
    Aspect.online: _online,
    Aspect.applicants: _applicants,
    Aspect.overview: _overview,
}


def money(amount_vnd: int) -> str:
    """'15.000 đồng' (Vietnamese thousands separator)."""
    return f"{amount_vnd:,}".replace(",", ".") + " đồng"


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


def _validity_lines(versions: Sequence[Sourced], current: Sourced, what: str) -> List[str]:
    """When the version in force ends, and what follows it when that is known."""
    if current.valid_until is None:
        return []
    line = f"{what} này áp dụng đến hết ngày {current.valid_until:%d/%m/%Y}"
    following = next_version(versions, current)
    summary = getattr(following, "summary", None)
    if summary:
        line += f"; từ ngày {following.valid_from:%d/%m/%Y}: {lower_first(_clause(summary))}"
    return [line + "."]


def _basis_lines(facts: Sequence[Sourced]) -> List[str]:
    """One line per distinct legal basis, with the day it was last checked."""
    checked: Dict[str, date] = {}
    for fact in facts:
        checked[fact.basis] = min(fact.checked, checked.get(fact.basis, fact.checked))
    return [f"Căn cứ: {basis} (đối chiếu ngày {day:%d/%m/%Y})." for basis, day in checked.items()]


def _general_basis(procedure: ProcedureOut) -> List[str]:
    line = f"Căn cứ pháp lý: {'; '.join(procedure.legal_basis)}"
    if procedure.last_reviewed:
        line += f" (rà soát ngày {procedure.last_reviewed:%d/%m/%Y})"
    return [line + "."]


def _distinct(items) -> List[str]:
    return list(dict.fromkeys(items))


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
