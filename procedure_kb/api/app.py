"""FastAPI application: `uvicorn procedure_kb.api.app:app --port 8000`."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from procedure_kb.accounts import LoginThrottled
from procedure_kb.api.pages import admin as page_admin
from procedure_kb.api.pages import complaints as page_complaints
from procedure_kb.api.pages import counter as page_counter
from procedure_kb.api.pages import display
from procedure_kb.api.pages import inbox as page_inbox
from procedure_kb.api.pages import ratings as page_ratings
from procedure_kb.api.pages import routes as pages
from procedure_kb.api.pages import tools as page_tools
from procedure_kb.api.pages.session import CsrfRejected, LoginRequired
from procedure_kb.api.pages.templating import render
from procedure_kb.api.rate_limit import RateLimiter
from procedure_kb.api.routers import (
    audit,
    auth,
    centre,
    complaints,
    dossiers,
    handovers,
    health,
    procedures,
    queue,
    ratings,
    review,
    speech,
    transfer,
    unanswered,
    users,
)
from procedure_kb.curation import Conflict, NotFound
from procedure_kb.errors import DomainError
from procedure_kb.settings import get_settings
from procedure_kb.zalo.delivery import sender_from_settings

ERROR_STATUS = {NotFound: 404, Conflict: 409, LoginThrottled: 429}
# Paths that take files: the KB and dossier imports, and voice recordings.
IMPORT_PATHS = ("/api/kb/import", "/api/dossiers/import", "/api/speech/turn")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
}
# The interactive API docs load their assets from a CDN; they get no CSP.
DOCS_PATHS = ("/docs", "/redoc")


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Deliver staff-caused messages to Zalo citizens while the app runs."""
    sender = sender_from_settings()
    if sender is not None:
        sender.start()
    yield
    if sender is not None:
        sender.stop()


def create_app() -> FastAPI:
    app = FastAPI(title="Lễ tân số — staff API", version="0.3.0", lifespan=_lifespan)
    for router in (health.router, auth.router, users.router, procedures.router, review.router,
                   queue.router, centre.router, unanswered.router,
                   transfer.router, audit.router, pages.router, page_tools.router,
                   page_admin.router, page_counter.router, display.router,
                   ratings.router, page_ratings.router, dossiers.router,
                   handovers.router, page_inbox.router, complaints.router,
                   page_complaints.router, speech.router):
        app.include_router(router)
    static = Path(__file__).resolve().parent / "static"
    app.mount("/staff/static", StaticFiles(directory=str(static)), name="static")
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.middleware("http")(RateLimiter())
    app.middleware("http")(_limit_body_size)
    app.middleware("http")(_security_headers)
    return app


async def _domain_error(_: Request, error: DomainError) -> JSONResponse:
    """The Vietnamese message, plus a machine-readable `code` where the error has one."""
    status = getattr(error, "status", None) or next(
        (code for kind, code in ERROR_STATUS.items() if isinstance(error, kind)), 400
    )
    body = {"detail": error.message}
    if hasattr(error, "code"):
        body["code"] = error.code
    return JSONResponse(body, status_code=status)


async def _invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
    """422 with a Vietnamese summary naming the fields, a code, and the details."""
    fields = ", ".join(".".join(str(part) for part in e["loc"] if part != "body") for e in error.errors())
    return JSONResponse(
        {"detail": f"Dữ liệu gửi lên không hợp lệ ở: {fields}.", "code": "invalid_request",
         "errors": jsonable_encoder(error.errors())},
        status_code=422,
    )


async def _to_login(_: Request, error: LoginRequired) -> Response:
    return RedirectResponse(f"/staff/login?next={quote(error.next_url)}", status_code=303)


async def _csrf_rejected(request: Request, _: CsrfRejected) -> Response:
    return render(request, "message.html", status_code=400,
                  message="Biểu mẫu đã hết hạn. Vui lòng tải lại trang rồi thử lại.")


async def _limit_body_size(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Refuse bodies over the limit before reading them (413)."""
    settings = get_settings()
    limit = settings.max_import_bytes if request.url.path in IMPORT_PATHS else settings.max_request_bytes
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        return JSONResponse({"detail": f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024} KB)."}, 413)
    return await call_next(request)


async def _security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        if name == "Content-Security-Policy" and request.url.path.startswith(DOCS_PATHS):
            continue
        response.headers.setdefault(name, value)
    return response


app = create_app()
