"""Rendering staff pages: the templates and the context every page gets."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.api.pages.session import can_edit
from procedure_kb.models import StaffSession
from procedure_kb.queue import local_now

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def localtime(moment: datetime) -> str:
    """A stored time (UTC) as the centre's local 'HH:MM dd/mm/yyyy'."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return f"{local_now(aware):%H:%M %d/%m/%Y}"


templates.env.filters["localtime"] = localtime


def render(request: Request, template: str, staff_session: Optional[StaffSession] = None,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    user = staff_session.user if staff_session else None
    return templates.TemplateResponse(
        request, template,
        {"user": user, "csrf": staff_session.csrf_token if staff_session else "",
         "can_edit": bool(user and can_edit(user)),
         "is_admin": bool(user and accounts.has_any_role(user, [Role.admin])), **context},
        status_code=status_code,
    )


def refuse_unless(request: Request, staff_session: StaffSession, roles: Iterable[Role],
                  message: str) -> Optional[HTMLResponse]:
    """The 403 page saying `message` when the user holds none of `roles`, else None."""
    if accounts.has_any_role(staff_session.user, roles):
        return None
    return render(request, "message.html", staff_session, status_code=403, message=message)


def forbidden(request: Request, staff_session: StaffSession) -> HTMLResponse:
    """The page for a staff member whose roles do not allow this."""
    return render(request, "message.html", staff_session, status_code=403,
                  message="Tài khoản của bạn không có quyền sửa cơ sở dữ liệu thủ tục.")
