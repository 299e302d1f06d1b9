"""Rendering staff pages: the templates and the context every page gets."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.api.pages.session import can_edit
from procedure_kb.models import StaffSession

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


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


def forbidden(request: Request, staff_session: StaffSession) -> HTMLResponse:
    """The page for a staff member whose roles do not allow this."""
    return render(request, "message.html", staff_session, status_code=403,
                  message="Tài khoản của bạn không có quyền sửa cơ sở dữ liệu thủ tục.")
