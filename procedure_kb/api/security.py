"""Who is calling: bearer tokens for the API, and role checks."""
from __future__ import annotations

from typing import Callable, Optional

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.models import StaffUser

bearer_scheme = HTTPBearer(auto_error=False)


def optional_user(
    credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer_scheme),
    session: Session = Depends(get_session),
) -> Optional[StaffUser]:
    """The user of a valid API token, or None when there is no token."""
    if credentials is None:
        return None
    found = accounts.session_for_token(session, credentials.credentials)
    if found is None or found.kind != "api":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found.user


def current_user(user: Optional[StaffUser] = Depends(optional_user)) -> StaffUser:
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Cần đăng nhập.", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


def require(*roles: Role) -> Callable[[StaffUser], StaffUser]:
    """A dependency admitting users who hold one of `roles` (admins always)."""
    allowed = {Role.admin, *roles}

    def check(user: StaffUser = Depends(current_user)) -> StaffUser:
        if not accounts.has_any_role(user, allowed):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Tài khoản không có quyền này.")
        return user

    return check
