"""Staff pages: log in, search and list, view, create, edit, retire, history, diff, restore."""
from __future__ import annotations

import json
import secrets
from typing import Any, Callable, Dict, List, Optional

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from procedure_kb import accounts, bot_client, curation, queue, repository, review
from procedure_kb.api.deps import get_session
from procedure_kb.api.pages import forms
from procedure_kb.api.pages.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    can_edit,
    checked_form,
    login_csrf,
    page_session,
    set_session_cookie,
)
from procedure_kb.api.pages.templating import forbidden, render
from procedure_kb.models import StaffSession
from procedure_kb.schemas import COUNTERS, ProcedureData
from procedure_kb.search import index_from_db
from procedure_kb.settings import get_settings

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/staff") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", login_csrf=token, next=_safe_next(next))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/staff")
    return response


@router.post("/login")
def log_in(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=200),
    csrf_token: str = Form(""),
    next: str = Form("/staff"),
    session: Session = Depends(get_session),
) -> Response:
    expected = login_csrf(request) or ""
    if not expected or not secrets.compare_digest(csrf_token, expected):
        return render(request, "login.html", status_code=400, login_csrf=expected, next=next,
                      error="Phiên làm việc của trang đã hết hạn, vui lòng tải lại trang.")
    client = request.client.host if request.client else "unknown"
    try:
        user = accounts.log_in(session, username, password, client)
    except accounts.AccountError as error:
        session.commit()  # keep the failed attempt for throttling
        return render(request, "login.html", status_code=400, login_csrf=expected, next=next,
                      error=error.message, username=username)
    token = accounts.start_session(session, user, "web")
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
    return response


@router.post("/logout")
def log_out(request: Request, _: dict = Depends(checked_form),
            session: Session = Depends(get_session)) -> Response:
    accounts.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    session.commit()
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("", response_class=HTMLResponse)
def procedure_list(
    request: Request,
    q: str = Query("", max_length=200),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    if q.strip():
        matches = index_from_db(session).search(q, limit=20)
        procedures = [p for p in (repository.get_procedure(session, m.procedure_id) for m in matches) if p]
    else:
        procedures = repository.list_procedures(session, include_retired=can_edit(staff_session.user))
    due = {item.procedure_id for item in review.needs_review(
        session, months=12, fact_age_days=get_settings().fact_max_age_days,
        today=queue.local_now().date())}
    return render(request, "procedures.html", staff_session, procedures=procedures, q=q, due=due)


@router.get("/procedures/new", response_class=HTMLResponse)
def new_form(request: Request, staff_session: StaffSession = Depends(page_session)) -> Response:
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    return _edit_page(request, staff_session, {"counter": COUNTERS[0]}, creating=True)


@router.post("/procedures/new")
def create(
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    return _save_form(request, staff_session, session, form, creating=True,
                      change=lambda data: curation.create(session, data, staff_session.user.username,
                                                          _note(form)))


@router.get("/procedures/{procedure_id}", response_class=HTMLResponse)
def edit_form(
    procedure_id: str,
    request: Request,
    saved: bool = False,
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    row = repository.find_row(session, procedure_id)
    if row is None:
        return render(request, "message.html", staff_session, status_code=404,
                      message=f"Không có thủ tục '{procedure_id}'.")
    return _edit_page(request, staff_session, forms.to_form(repository.to_schema(row)),
                      retired=row.retired, saved=saved)


@router.post("/procedures/{procedure_id}")
def save(
    procedure_id: str,
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    form["id"] = procedure_id
    return _save_form(request, staff_session, session, form, creating=False,
                      change=lambda data: curation.update(
                          session, procedure_id, data, _number(form, "version"),
                          staff_session.user.username, _note(form)))


@router.post("/procedures/{procedure_id}/status")
def change_status(
    procedure_id: str,
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    """Retire ('ngừng áp dụng') or reactivate, depending on the button pressed."""
    retiring = form.get("action") == "retire"
    change = curation.retire if retiring else curation.reactivate
    note = _note(form) or ("Ngừng áp dụng thủ tục." if retiring else "Áp dụng lại thủ tục.")
    return _apply(request, staff_session, session, f"/staff/procedures/{procedure_id}?saved=1",
                  lambda: change(session, procedure_id, _number(form, "version"),
                                 staff_session.user.username, note))


@router.get("/procedures/{procedure_id}/history", response_class=HTMLResponse)
def history_page(
    procedure_id: str,
    request: Request,
    old: Optional[int] = Query(None, ge=1),
    new: Optional[int] = Query(None, ge=1),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    try:
        versions = curation.history(session, procedure_id)
        newest = versions[0].version
        old, new = old or max(1, newest - 1), new or newest
        difference = curation.diff(session, procedure_id, old, new)
    except curation.CurationError as error:
        return render(request, "message.html", staff_session, status_code=404, message=error.message)
    return render(request, "history.html", staff_session, procedure_id=procedure_id,
                  versions=versions, old=old, new=new, changes=_readable(difference.changes),
                  notes=difference.notes, newest=newest, labels=forms.LABELS)


@router.post("/procedures/{procedure_id}/restore")
def restore(
    procedure_id: str,
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
    session: Session = Depends(get_session),
) -> Response:
    return _apply(request, staff_session, session, f"/staff/procedures/{procedure_id}/history",
                  lambda: curation.restore_version(
                      session, procedure_id, _number(form, "restore_version"),
                      _number(form, "version"), staff_session.user.username, _note(form)))


@router.get("/preview", response_class=HTMLResponse)
def preview_page(request: Request, staff_session: StaffSession = Depends(page_session)) -> Response:
    return render(request, "preview.html", staff_session, exchanges=[])


@router.post("/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    form: dict = Depends(checked_form),
    staff_session: StaffSession = Depends(page_session),
) -> Response:
    """Ask the running bot, as a citizen would; 'continue' keeps one conversation going."""
    question = str(form.get("question", "")).strip()[:2000]
    keep = form.get("continue") == "1"
    conversation = str(form.get("conversation") or "") if keep else ""
    conversation = conversation or f"preview-{staff_session.user.username}-{secrets.token_hex(4)}"
    try:
        replies = bot_client.ask(conversation, question) if question else []
        error = ""
    except bot_client.BotUnavailable as unavailable:
        replies, error = [], unavailable.message
    return render(request, "preview.html", staff_session, question=question, replies=replies,
                  error=error, conversation=conversation, keep=keep)


def _save_form(request: Request, staff_session: StaffSession, session: Session,
               form: Dict[str, Any], creating: bool,
               change: Callable[[ProcedureData], object]) -> Response:
    """Validate the edit form and save it, or show the form again saying what to fix."""
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    data, problems = forms.from_form(form)
    if data is None:
        return _edit_page(request, staff_session, form, creating=creating, problems=problems)
    try:
        change(data)
    except curation.CurationError as error:
        return _edit_page(request, staff_session, form, creating=creating, problems=[error.message])
    session.commit()
    return RedirectResponse(f"/staff/procedures/{data.id}?saved=1", status_code=303)


def _apply(request: Request, staff_session: StaffSession, session: Session, success_url: str,
           change: Callable[[], object]) -> Response:
    """Run one KB change for an editor; commit and redirect, or show why it failed."""
    if not can_edit(staff_session.user):
        return forbidden(request, staff_session)
    try:
        change()
    except curation.CurationError as error:
        return render(request, "message.html", staff_session, status_code=409, message=error.message)
    session.commit()
    return RedirectResponse(success_url, status_code=303)


def _note(form: Dict[str, Any]) -> str:
    """The change note typed with a change (the form calls it change_note or note)."""
    return str(form.get("change_note") or form.get("note") or "").strip()


def _number(form: Dict[str, Any], name: str) -> int:
    """A whole number from a form field; 0 (never a valid version) when it is not one."""
    value = str(form.get(name) or "")
    return int(value) if value.isdigit() else 0


def _edit_page(request: Request, staff_session: StaffSession, values: Dict[str, Any],
               creating: bool = False, problems: Optional[List[str]] = None,
               retired: bool = False, saved: bool = False) -> HTMLResponse:
    return render(request, "procedure_form.html", staff_session,
                  status_code=422 if problems else 200, values=values, creating=creating,
                  problems=problems or [], retired=retired, saved=saved, counters=COUNTERS,
                  fact_inputs=forms.FACT_INPUTS_WITH_SOURCE, rows_of=forms.rows_of,
                  labels=forms.LABELS)


def _readable(changes: List[curation.FieldChange]) -> List[Dict[str, str]]:
    def show(value: Any) -> str:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, indent=1)
        return "" if value is None else str(value)

    return [{"field": c.field, "old": show(c.old), "new": show(c.new)} for c in changes]


def _safe_next(target: str) -> str:
    """Only local staff pages are allowed as the place to go after logging in."""
    return target if target.startswith("/staff") and "//" not in target else "/staff"
