"""The officers' inbox: conversations the bot handed over, read and answered from here."""
from __future__ import annotations

from typing import Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from procedure_kb import handover, handover_service
from procedure_kb.accounts import Role
from procedure_kb.api.deps import PositiveId, get_session
from procedure_kb.api.pages.session import checked_form, page_session
from procedure_kb.api.pages.templating import refuse_unless, render
from procedure_kb.errors import DomainError
from procedure_kb.models import StaffSession

router = APIRouter(prefix="/staff/inbox", include_in_schema=False)
OFFICER_ROLES = (Role.admin, Role.counter_officer, Role.complaint_handler)


def _refuse_unless_officer(request: Request, staff_session: StaffSession) -> Optional[Response]:
    return refuse_unless(request, staff_session, OFFICER_ROLES,
                         "Chỉ cán bộ quầy và cán bộ xử lý phản ánh được hỗ trợ công dân.")


@router.get("", response_class=HTMLResponse)
def inbox_page(request: Request, staff_session: StaffSession = Depends(page_session),
               session: Session = Depends(get_session)) -> Response:
    return _refuse_unless_officer(request, staff_session) or render(
        request, "inbox.html", staff_session, handovers=handover.open_handovers(session),
        labels=handover.STATE_LABELS)


@router.get("/{handover_id}", response_class=HTMLResponse)
def handover_page(handover_id: PositiveId, request: Request, message: str = Query("", max_length=300),
                  staff_session: StaffSession = Depends(page_session),
                  session: Session = Depends(get_session)) -> Response:
    refused = _refuse_unless_officer(request, staff_session)
    if refused:
        return refused
    try:
        found = handover_service.view(session, handover_id)
    except DomainError as error:
        return render(request, "message.html", staff_session, status_code=404, message=error.message)
    return render(request, "handover.html", staff_session, view=found, message=message,
                  labels=handover.STATE_LABELS, replies=handover.replies(session, handover_id))


@router.post("/{handover_id}")
def act(handover_id: PositiveId, request: Request, form: dict = Depends(checked_form),
        staff_session: StaffSession = Depends(page_session),
        session: Session = Depends(get_session)) -> Response:
    """Reply to the citizen, or give the conversation back to the bot."""
    refused = _refuse_unless_officer(request, staff_session)
    if refused:
        return refused
    user = staff_session.user.username
    try:
        if form.get("action") == "close":
            handover_service.give_back(session, handover_id, user)
            message = "Đã kết thúc hỗ trợ, trợ lý tiếp tục trả lời công dân."
        elif handover_service.send_reply(session, handover_id, user, str(form.get("text", ""))):
            message = "Đã gửi câu trả lời."
        else:
            message = "Đã lưu câu trả lời nhưng chưa gửi được: trợ lý đang không kết nối được."
    except DomainError as error:
        session.rollback()
        message = error.message
    return RedirectResponse(f"/staff/inbox/{handover_id}?message={quote(message)}", status_code=303)
