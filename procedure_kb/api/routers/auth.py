"""Logging in and out for API clients (bearer tokens)."""
from __future__ import annotations

from datetime import datetime
from typing import List

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import accounts
from procedure_kb.api.deps import get_session
from procedure_kb.api.security import bearer_scheme, current_user
from procedure_kb.models import StaffUser

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    username: str
    roles: List[str]


class UserOut(BaseModel):
    username: str
    full_name: str
    roles: List[str]
    active: bool
    created_at: datetime

    class Config:
        orm_mode = True


@router.post("/token", response_model=TokenOut)
def log_in(body: Credentials, request: Request, session: Session = Depends(get_session)) -> TokenOut:
    client = request.client.host if request.client else "unknown"
    try:
        user = accounts.log_in(session, body.username, body.password, client)
    finally:
        session.commit()  # keep the attempt even when the login fails
    token = accounts.start_session(session, user, "api")
    session.commit()
    return TokenOut(access_token=token, username=user.username, roles=user.roles)


@router.post("/logout", status_code=204)
def log_out(
    credentials: HTTPAuthorizationCredentials = Depends(bearer_scheme),
    user: StaffUser = Depends(current_user),
    session: Session = Depends(get_session),
) -> None:
    accounts.end_session(session, credentials.credentials)
    session.commit()


@router.get("/me", response_model=UserOut)
def me(user: StaffUser = Depends(current_user)) -> StaffUser:
    return user
