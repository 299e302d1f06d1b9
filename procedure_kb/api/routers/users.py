"""Staff account management (admins only)."""
from __future__ import annotations

from typing import List, Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.api.deps import get_session
from procedure_kb.api.routers.auth import UserOut
from procedure_kb.api.security import require
from procedure_kb.models import StaffUser

router = APIRouter(prefix="/api/users", tags=["users"])
admin_only = require(Role.admin)


class NewUser(BaseModel):
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=200)
    full_name: str = Field("", max_length=200)
    roles: List[Role] = Field(..., min_items=1)


class UserChange(BaseModel):
    full_name: Optional[str] = Field(None, max_length=200)
    roles: Optional[List[Role]] = None
    active: Optional[bool] = None
    password: Optional[str] = Field(None, max_length=200)


@router.get("", response_model=List[UserOut])
def list_users(
    _: StaffUser = Depends(admin_only), session: Session = Depends(get_session)
) -> List[StaffUser]:
    return accounts.list_users(session)


@router.post("", response_model=UserOut, status_code=201)
def create_user(
    body: NewUser, admin: StaffUser = Depends(admin_only), session: Session = Depends(get_session)
) -> StaffUser:
    user = accounts.create_user(
        session, body.username, body.password, body.roles, body.full_name, actor=admin.username
    )
    session.commit()
    return user


@router.patch("/{username}", response_model=UserOut)
def change_user(
    username: str,
    body: UserChange,
    admin: StaffUser = Depends(admin_only),
    session: Session = Depends(get_session),
) -> StaffUser:
    user = accounts.find_user(session, username)
    if user is None:
        raise HTTPException(404, f"Không có tài khoản '{username}'.")
    accounts.update_user(
        session, user, admin.username, roles=body.roles, active=body.active,
        full_name=body.full_name, password=body.password,
    )
    session.commit()
    return user
