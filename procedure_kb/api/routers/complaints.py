"""Complaints (phản ánh, kiến nghị) for staff: handlers work them, counter officers read them.

Contact data goes only to `complaints.CONTACT_ROLES`. Nothing here logs request bodies
or complaints: both may carry the citizen's name and phone number.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable, List, Optional

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from procedure_kb import accounts, complaints
from procedure_kb.api.deps import MAX_INT, get_session, get_write_session
from procedure_kb.api.security import require
from procedure_kb.models import Complaint, StaffUser

router = APIRouter(prefix="/api/complaints", tags=["complaints"])
reader = require(*complaints.READER_ROLES)
handler = require(*complaints.HANDLER_ROLES)


def _one_of(values: Iterable[str]) -> str:
    """A query pattern admitting one of `values`, or nothing (no filter)."""
    return f"^({'|'.join(values)})?$"


class ComplaintOut(BaseModel):
    code: str
    category: str
    category_label: str
    content: str = Field(..., description="the citizen's words, verbatim")
    channel: str
    state: str
    state_label: str
    assignee: Optional[str]
    answer: Optional[str]
    transferred_to: Optional[str]
    created_at: datetime
    updated_at: datetime
    consent: bool
    contact_name: Optional[str]
    contact_phone: Optional[str]
    contact_hidden: bool = Field(..., description="true when the caller may not see contact data")
    version: int


class VersionIn(BaseModel):
    version: Optional[int] = Field(None, ge=1, description="the version read; a stale one gets 409")


class AssignIn(VersionIn):
    assignee: str = Field(..., max_length=64, description="a staff username")


class AnswerIn(VersionIn):
    answer: str = Field(..., max_length=complaints.MAX_CONTENT)


class TransferIn(VersionIn):
    agency: str = Field(..., max_length=200)


def staff_view(complaint: Complaint, viewer: StaffUser) -> ComplaintOut:
    """The complaint as `viewer` may see it: without contact data unless their role allows."""
    hidden = not accounts.has_any_role(viewer, complaints.CONTACT_ROLES)
    return ComplaintOut(
        code=complaint.code, category=complaint.category,
        category_label=complaints.CATEGORIES[complaint.category], content=complaint.content,
        channel=complaint.channel, state=complaint.state,
        state_label=complaints.STATES[complaint.state], assignee=complaint.assignee,
        answer=complaint.answer, transferred_to=complaint.transferred_to,
        created_at=complaint.created_at, updated_at=complaint.updated_at, consent=complaint.consent,
        contact_name=None if hidden else complaint.contact_name,
        contact_phone=None if hidden else complaint.contact_phone,
        contact_hidden=hidden, version=complaint.version,
    )


@router.get("", response_model=List[ComplaintOut])
def list_complaints(
    state: str = Query("", regex=_one_of(complaints.STATES)),
    category: str = Query("", regex=_one_of(complaints.CATEGORIES)),
    assignee: str = Query("", max_length=64),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_INT),
    user: StaffUser = Depends(reader),
    session: Session = Depends(get_session),
) -> List[ComplaintOut]:
    """Newest first."""
    found = complaints.search(session, state, category, assignee, limit, offset)
    return [staff_view(complaint, user) for complaint in found]


@router.get("/{code}", response_model=ComplaintOut)
def read(code: str, user: StaffUser = Depends(reader),
         session: Session = Depends(get_session)) -> ComplaintOut:
    return staff_view(complaints.get(session, code), user)


# In the handlers below the write session comes first: FastAPI resolves dependencies in
# order, so the transaction starts with the write lock, before the login is looked up.

@router.post("/{code}/assign", response_model=ComplaintOut)
def assign(code: str, body: AssignIn, session: Session = Depends(get_write_session),
           user: StaffUser = Depends(handler)) -> ComplaintOut:
    def checked_assign() -> Complaint:
        complaints.check_assignee(session, body.assignee)
        return complaints.assign(session, code, body.assignee, user.username)

    return _change(session, user, code, body.version, checked_assign)


@router.post("/{code}/processing", response_model=ComplaintOut)
def start_processing(code: str, body: Optional[VersionIn] = None,
                     session: Session = Depends(get_write_session),
                     user: StaffUser = Depends(handler)) -> ComplaintOut:
    return _change(session, user, code, body.version if body else None,
                   lambda: complaints.start_processing(session, code, user.username))


@router.post("/{code}/answer", response_model=ComplaintOut)
def answer(code: str, body: AnswerIn, session: Session = Depends(get_write_session),
           user: StaffUser = Depends(handler)) -> ComplaintOut:
    """Close with the answer the citizen sees when they look the code up."""
    return _change(session, user, code, body.version,
                   lambda: complaints.answer(session, code, body.answer, user.username))


@router.post("/{code}/transfer", response_model=ComplaintOut)
def transfer(code: str, body: TransferIn, session: Session = Depends(get_write_session),
             user: StaffUser = Depends(handler)) -> ComplaintOut:
    """Close by sending it to the competent agency."""
    return _change(session, user, code, body.version,
                   lambda: complaints.transfer(session, code, body.agency, user.username))


def _change(session: Session, user: StaffUser, code: str, version: Optional[int],
            change: Callable[[], Complaint]) -> ComplaintOut:
    complaints.check_version(session, code, version)
    changed = change()
    session.commit()
    return staff_view(changed, user)
