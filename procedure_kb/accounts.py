"""Staff accounts, roles, password hashing (argon2), logins and their throttling.

Tokens are random, shown once to the client and stored only as a SHA-256 hash.
Failed logins are counted per username and per client address; past the limit,
further tries are refused until the window has passed.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import Enum
from typing import Iterable, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.errors import DomainError
from procedure_kb.models import LoginAttempt, StaffSession, StaffUser
from procedure_kb.settings import get_settings

USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class Role(str, Enum):
    admin = "admin"
    kb_editor = "kb_editor"
    counter_officer = "counter_officer"
    complaint_handler = "complaint_handler"


class AccountError(DomainError):
    """A request about accounts that cannot be done."""


class LoginThrottled(AccountError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: Iterable[Role],
    full_name: str = "",
    actor: str = "system",
) -> StaffUser:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, . _ -")
    check_new_password(password)
    if find_user(session, username) is not None:
        raise AccountError(f"Tên đăng nhập '{username}' đã có.")
    user = StaffUser(
        username=username,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        roles=sorted({Role(role).value for role in roles}),
        active=True,
    )
    session.add(user)
    audit.record(session, actor, "user.create", username, {"roles": user.roles})
    return user


def update_user(
    session: Session,
    user: StaffUser,
    actor: str,
    roles: Optional[Iterable[Role]] = None,
    active: Optional[bool] = None,
    full_name: Optional[str] = None,
    password: Optional[str] = None,
) -> StaffUser:
    changed: List[str] = []
    if roles is not None:
        user.roles = sorted({Role(role).value for role in roles})
        changed.append("roles")
    if active is not None:
        user.active = active
        changed.append("active")
        if not active:
            end_sessions(session, user)
    if full_name is not None:
        user.full_name = full_name.strip()
        changed.append("full_name")
    if password is not None:
        check_new_password(password)
        user.password_hash = hash_password(password)
        end_sessions(session, user)
        changed.append("password")
    audit.record(session, actor, "user.update", user.username,
                 {"fields": changed, "roles": user.roles, "active": user.active})
    return user


def find_user(session: Session, username: str) -> Optional[StaffUser]:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).scalar()


def list_users(session: Session) -> List[StaffUser]:
    return list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())


def log_in(session: Session, username: str, password: str, client: str) -> StaffUser:
    """The active user with these credentials; records the attempt either way."""
    username = username.strip().lower()[:64]
    _refuse_if_throttled(session, username, client)
    user = find_user(session, username)
    ok = user is not None and user.active and password_matches(user.password_hash, password)
    session.add(LoginAttempt(username=username, client=client[:64], succeeded=ok))
    if not ok:
        raise AccountError("Sai tên đăng nhập hoặc mật khẩu.")
    return user  # type: ignore[return-value]


def start_session(session: Session, user: StaffUser, kind: str) -> str:
    """A new login token ('api' bearer or 'web' cookie); only its hash is stored."""
    settings = get_settings()
    lifetime = settings.api_token_minutes if kind == "api" else settings.web_session_minutes
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user.id,
            kind=kind,
            csrf_token=secrets.token_urlsafe(24) if kind == "web" else None,
            expires_at=datetime.utcnow() + timedelta(minutes=lifetime),
        )
    )
    audit.record(session, user.username, "auth.login", user.username, {"kind": kind})
    return token


def session_for_token(session: Session, token: str) -> Optional[StaffSession]:
    """The live session of an active user for this token, or None."""
    found = session.get(StaffSession, _digest(token))
    if found is None or found.expires_at <= datetime.utcnow() or not found.user.active:
        return None
    return found


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def end_sessions(session: Session, user: StaffUser) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def has_any_role(user: StaffUser, roles: Iterable[Role]) -> bool:
    return bool(set(user.roles) & {Role(role).value for role in roles})


def _refuse_if_throttled(session: Session, username: str, client: str) -> None:
    settings = get_settings()
    since = datetime.utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
    )
    by_user = session.execute(failures.where(LoginAttempt.username == username)).scalar()
    by_client = session.execute(failures.where(LoginAttempt.client == client[:64])).scalar()
    if by_user >= settings.login_max_failures or by_client >= 4 * settings.login_max_failures:
        raise LoginThrottled(
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {settings.login_window_minutes} phút."
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
