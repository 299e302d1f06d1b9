"""Admin pages: staff accounts and the audit log."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from procedure_kb import accounts, audit
from procedure_kb.accounts import AccountError, Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.pages.session import checked_form, page_session
from procedure_kb.api.pages.templating import render
from procedure_kb.models import StaffSession

router = APIRouter(prefix="/staff", include_in_schema=False)
ROLE_LABELS = {
    Role.admin: "Quản trị",
    Role.kb_editor: "Biên tập thủ tục",
    Role.counter_officer: "Cán bộ quầy",
    Role.complaint_handler: "Xử lý phản ánh",
}


def _is_admin(staff_session: StaffSession) -> bool:
    return accounts.has_any_role(staff_session.user, [Role.admin])


def _users_page(request: Request, staff_session: StaffSession, session: Session,
                status_code: int = 200, problem: str = "") -> HTMLResponse:
    return render(request, "users.html", staff_session, status_code=status_code,
                  users=accounts.list_users(session), roles=ROLE_LABELS, problem=problem)


def _not_admin(request: Request, staff_session: StaffSession) -> HTMLResponse:
    return render(request, "message.html", staff_session, status_code=403,
                  message="Chỉ quản trị viên được quản lý tài khoản và xem nhật ký.")


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, staff_session: StaffSession = Depends(page_session),
               session: Session = Depends(get_session)) -> Response:
    if not _is_admin(staff_session):
        return _not_admin(request, staff_session)
    return _users_page(request, staff_session, session)


@router.post("/users")
def save_user(request: Request, form: dict = Depends(checked_form),
              staff_session: StaffSession = Depends(page_session),
              session: Session = Depends(get_session)) -> Response:
    """Create an account, or change one (roles, active, new password) when it exists."""
    if not _is_admin(staff_session):
        return _not_admin(request, staff_session)
    roles = [role for role in Role if form.get(f"role_{role.value}")]
    username = str(form.get("username", ""))
    password = str(form.get("password", "")) or None
    existing = accounts.find_user(session, username)
    try:
        if existing is None:
            accounts.create_user(session, username, password or "", roles,
                                 str(form.get("full_name", "")), actor=staff_session.user.username)
        else:
            accounts.update_user(session, existing, staff_session.user.username, roles=roles,
                                 active=form.get("active") == "1", password=password)
    except AccountError as error:
        return _users_page(request, staff_session, session, 422, error.message)
    session.commit()
    return RedirectResponse("/staff/users", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, staff_session: StaffSession = Depends(page_session),
               session: Session = Depends(get_session)) -> Response:
    if not _is_admin(staff_session):
        return _not_admin(request, staff_session)
    return render(request, "audit.html", staff_session, entries=audit.recent(session, 300))
