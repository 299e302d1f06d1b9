"""Staff pages for complaints: the filtered list, and one complaint with its handling forms.

Counter officers read; complaint handlers (and admins) also act and see contact data.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from procedure_kb import accounts, complaints
from procedure_kb.api.deps import MAX_INT, get_session, get_write_session
from procedure_kb.api.pages.ratings import CHANNEL_LABELS
from procedure_kb.api.pages.session import checked_form, page_session
from procedure_kb.api.pages.templating import refuse_unless, render
from procedure_kb.api.routers.complaints import staff_view
from procedure_kb.errors import DomainError
from procedure_kb.models import StaffSession

router = APIRouter(prefix="/staff/complaints", include_in_schema=False)
PAGE_SIZE = 50


def _refuse_unless_reader(request: Request, staff_session: StaffSession) -> Optional[Response]:
    return refuse_unless(request, staff_session, complaints.READER_ROLES,
                    "Chỉ cán bộ xử lý phản ánh và cán bộ quầy được xem phản ánh, kiến nghị.")


@router.get("", response_class=HTMLResponse)
def complaints_page(
    request: Request,
    state: str = Query("", max_length=20),
    category: str = Query("", max_length=30),
    assignee: str = Query("", max_length=64),
    offset: int = Query(0, ge=0, le=MAX_INT),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    refused = _refuse_unless_reader(request, staff_session)
    if refused:
        return refused
    found = complaints.search(session, state, category, assignee, PAGE_SIZE, offset)
    handlers = complaints.handler_names(session)
    return render(
        request, "complaints.html", staff_session,
        items=[staff_view(complaint, staff_session.user) for complaint in found],
        counts=complaints.state_counts(session), states=complaints.STATES,
        categories=complaints.CATEGORIES, assignees=sorted({*handlers, assignee} - {""}),
        state=state, category=category, assignee=assignee,
        more_url=_next_page_url(request, offset) if len(found) == PAGE_SIZE else "",
    )


def _next_page_url(request: Request, offset: int) -> str:
    """The list's next page, same filters."""
    return str(request.url.include_query_params(offset=offset + PAGE_SIZE))


@router.get("/{code}", response_class=HTMLResponse)
def complaint_page(
    code: str,
    request: Request,
    message: str = Query("", max_length=300),
    problem: str = Query("", max_length=300),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    """`message` / `problem`: what the last action did, shown once after its redirect."""
    refused = _refuse_unless_reader(request, staff_session)
    if refused:
        return refused
    try:
        complaint = complaints.get(session, code)
    except complaints.ComplaintNotFound as error:
        return render(request, "message.html", staff_session, status_code=404, message=error.message)
    return render(
        request, "complaint.html", staff_session,
        complaint=staff_view(complaint, staff_session.user), channels=CHANNEL_LABELS,
        can_handle=accounts.has_any_role(staff_session.user, complaints.HANDLER_ROLES),
        is_closed=complaint.state in complaints.CLOSED,
        handlers=complaints.handler_names(session), max_answer=complaints.MAX_CONTENT,
        message=message, problem=problem,
    )


@router.post("/{code}")
def act(
    code: str,
    request: Request,
    # First: dependencies resolve in order, so the transaction starts with the write lock.
    session: Session = Depends(get_write_session),
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
) -> Response:
    """One of the handling forms; back to the complaint with what happened."""
    refused = refuse_unless(request, staff_session, complaints.HANDLER_ROLES,
                       "Chỉ cán bộ xử lý phản ánh được thay đổi phản ánh, kiến nghị.")
    if refused:
        return refused
    action = _actions(session, code, form, staff_session.user.username).get(str(form.get("action", "")))
    outcome = {"problem": "Thao tác không hợp lệ."}
    if action is not None:
        try:
            complaints.check_version(session, code, _version(form))
            outcome = {"message": action()}
            session.commit()
        except DomainError as error:
            session.rollback()
            outcome = {"problem": error.message}
    return RedirectResponse(f"/staff/complaints/{quote(code, safe='')}?{urlencode(outcome)}",
                            status_code=303)


def _actions(session: Session, code: str, form: dict, actor: str) -> Dict[str, Callable[[], str]]:
    """Each form's change, returning what to tell the staff member."""
    assignee, agency = str(form.get("assignee", "")), str(form.get("agency", ""))

    def assign() -> str:
        complaints.check_assignee(session, assignee)
        complaints.assign(session, code, assignee, actor)
        return f"Đã phân công cho {assignee}."

    def start_processing() -> str:
        complaints.start_processing(session, code, actor)
        return "Đã chuyển sang “Đang xử lý”."

    def answer() -> str:
        complaints.answer(session, code, str(form.get("answer", "")), actor)
        return "Đã lưu câu trả lời. Công dân sẽ thấy khi tra cứu mã phản ánh."

    def transfer() -> str:
        return f"Đã chuyển phản ánh đến {complaints.transfer(session, code, agency, actor).transferred_to}."

    return {"assign": assign, "processing": start_processing, "answer": answer, "transfer": transfer}


def _version(form: dict) -> Optional[int]:
    """The version the form was rendered from (None when absent or garbled)."""
    value = str(form.get("version", ""))
    return int(value) if value.isdigit() else None
