"""Page logins: a session cookie, CSRF tokens on every form, redirects to the login page."""
from __future__ import annotations

import secrets
from typing import Optional

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.models import StaffSession, StaffUser
from procedure_kb.settings import get_settings

SESSION_COOKIE = "letan_session"
LOGIN_CSRF_COOKIE = "letan_login_csrf"


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRejected(Exception):
    """A form came without the token of the session that rendered it."""


def page_session(request: Request, session: Session = Depends(get_session)) -> StaffSession:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = accounts.session_for_token(session, token) if token else None
    if found is None or found.kind != "web":
        raise LoginRequired(request.url.path)
    return found


async def checked_form(request: Request, staff_session: StaffSession = Depends(page_session)) -> dict:
    """The submitted form, after checking its CSRF token against the session's."""
    form = dict(await request.form())
    if not secrets.compare_digest(str(form.pop("csrf_token", "")), staff_session.csrf_token or ""):
        raise CsrfRejected()
    return form


def can_edit(user: StaffUser) -> bool:
    return accounts.has_any_role(user, [Role.admin, Role.kb_editor])


def set_session_cookie(response, token: str) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.web_session_minutes * 60, httponly=True,
        secure=settings.cookie_secure, samesite="strict", path="/",
    )


def login_csrf(request: Request) -> Optional[str]:
    return request.cookies.get(LOGIN_CSRF_COOKIE)
