"""Staff page: citizens' satisfaction by day, with the latest comments (any staff member)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from procedure_kb import ratings
from procedure_kb.api.deps import get_session
from procedure_kb.api.pages.session import page_session
from procedure_kb.api.pages.templating import render
from procedure_kb.errors import DomainError
from procedure_kb.models import StaffSession

router = APIRouter(prefix="/staff", include_in_schema=False)
CHANNEL_LABELS = {
    "rest": "Trò chuyện trên web",
    "zalo": "Zalo",
    "robot": "Robot tại sảnh",
    "kiosk": "Ki-ốt",
    "unknown": "Không rõ",
}
SERVICE_LABELS = {
    "procedure_answer": "Giải đáp thủ tục",
    "queue_ticket": "Lấy số thứ tự",
    "complaint": "Phản ánh, kiến nghị",
    "dossier_status": "Tra cứu hồ sơ",
    "centre_info": "Thông tin trung tâm",
    "handover": "Chuyển cán bộ hỗ trợ",
}


@router.get("/ratings", response_class=HTMLResponse)
def ratings_page(
    request: Request,
    since: str = "",
    until: str = "",
    channel: str = "",
    service: str = "",
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    first, last = ratings.period(_day(since), _day(until))
    channels, services = ratings.rated_channels_and_services(session)
    context = dict(since=first, until=last, channel=channel, service=service,
                   channels=_with_chosen(channels, channel), services=_with_chosen(services, service),
                   channel_labels=CHANNEL_LABELS, service_labels=SERVICE_LABELS)
    try:
        days = ratings.daily_satisfaction(session, first, last, channel or None, service or None)
        comments = ratings.latest_comments(session, first, last, channel or None, service or None)
    except DomainError as error:
        return render(request, "ratings.html", staff_session, status_code=422, problem=error.message,
                      days=[], comments=[], **context)
    return render(request, "ratings.html", staff_session, days=days, comments=comments, **context)


def _day(value: str) -> Optional[date]:
    """A day from the form; empty or malformed means the default."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _with_chosen(values: list, chosen: str) -> list:
    """The filter options, keeping the chosen one even when it has no ratings."""
    return values if not chosen or chosen in values else sorted([*values, chosen])
