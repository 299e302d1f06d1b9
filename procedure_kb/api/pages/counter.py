"""The counter page an officer keeps open all day: call, recall, serve, done, skip, transfer."""
from __future__ import annotations

from typing import Callable, Dict, Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb import accounts, queue
from procedure_kb.accounts import Role
from procedure_kb.api.deps import MAX_INT, PositiveId, get_session, get_write_session
from procedure_kb.api.pages.session import checked_form, page_session
from procedure_kb.api.pages.templating import render
from procedure_kb.models import ServiceCounter, StaffSession, Ticket

router = APIRouter(prefix="/staff/counter", include_in_schema=False)


def _is_officer(staff_session: StaffSession) -> bool:
    return accounts.has_any_role(staff_session.user, [Role.admin, Role.counter_officer])


@router.get("", response_class=HTMLResponse)
def counter_page(
    request: Request,
    number: Optional[int] = Query(None, ge=1, le=MAX_INT),
    message: str = Query("", max_length=300),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    counters = list(session.execute(select(ServiceCounter).order_by(ServiceCounter.number)).scalars())
    counter = next((c for c in counters if c.number == number), None)
    current = None
    if counter is not None:
        try:
            current = queue.current_ticket(session, counter.number)
        except queue.QueueError:
            current = None
    status = {s.service: s for s in queue.queue_status(session)}
    return render(request, "counter.html", staff_session, counters=counters, counter=counter,
                  current=current, status=status, services=queue.all_services(session),
                  message=message, can_operate=_is_officer(staff_session))


@router.post("/{number}")
def act(
    number: PositiveId,
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_write_session),
) -> Response:
    """One button press; the page comes back with what happened."""
    if not _is_officer(staff_session):
        return render(request, "message.html", staff_session, status_code=403,
                      message="Chỉ cán bộ quầy được thao tác gọi số.")
    code = str(form.get("code", ""))
    actions: Dict[str, Callable[[], str]] = {
        "call": lambda: _called(queue.call_next(session, number)),
        "recall": lambda: queue.announcement(queue.recall(session, number)),
        "serve": lambda: f"Đang phục vụ số {queue.serve(session, code).code}.",
        "done": lambda: f"Đã xong số {queue.finish(session, code).code}.",
        "skip": lambda: f"Số {code}: {_skipped(queue.skip(session, code).state)}.",
        "transfer": lambda: f"Đã chuyển số {queue.transfer(session, code, str(form.get('service', ''))).code}.",
        "pause": lambda: _paused(queue.set_counter_state(session, number, "paused", str(form.get("reason", "")))),
        "resume": lambda: _paused(queue.set_counter_state(session, number, "open")),
    }
    action = actions.get(str(form.get("action", "")))
    if action is None:
        message = "Thao tác không hợp lệ."
    else:
        try:
            message = action()
            session.commit()
        except queue.QueueError as error:
            session.rollback()
            message = error.message
    return RedirectResponse(f"/staff/counter?number={number}&message={quote(message)}", status_code=303)


def _called(ticket: Optional[Ticket]) -> str:
    return queue.announcement(ticket) if ticket is not None else "Không còn ai đang chờ."


def _skipped(state: str) -> str:
    return "không có mặt, đã bỏ qua" if state == queue.NO_SHOW else "chưa có mặt, xếp lại vào hàng chờ"


def _paused(counter: ServiceCounter) -> str:
    return "Quầy đã tạm dừng." if counter.state == "paused" else "Quầy đã mở lại."
