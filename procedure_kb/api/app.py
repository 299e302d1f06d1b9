"""FastAPI application: `uvicorn procedure_kb.api.app:app --port 8000`."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from procedure_kb.accounts import LoginThrottled
from procedure_kb.api.routers import audit, auth, health, procedures, review, transfer, users
from procedure_kb.curation import Conflict, NotFound
from procedure_kb.errors import DomainError
from procedure_kb.settings import get_settings

ERROR_STATUS = {NotFound: 404, Conflict: 409, LoginThrottled: 429}
IMPORT_PATH = "/api/kb/import"


def create_app() -> FastAPI:
    app = FastAPI(title="Lễ tân số — staff API", version="0.2.0")
    for router in (health.router, auth.router, users.router, procedures.router, review.router,
                   transfer.router, audit.router):
        app.include_router(router)
    app.add_exception_handler(DomainError, _domain_error)
    app.middleware("http")(_limit_body_size)
    return app


async def _domain_error(_: Request, error: DomainError) -> JSONResponse:
    status = next((code for kind, code in ERROR_STATUS.items() if isinstance(error, kind)), 400)
    return JSONResponse({"detail": error.message}, status_code=status)


async def _limit_body_size(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Refuse bodies over the limit before reading them (413)."""
    settings = get_settings()
    limit = settings.max_import_bytes if request.url.path == IMPORT_PATH else settings.max_request_bytes
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        return JSONResponse({"detail": f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024} KB)."}, 413)
    return await call_next(request)


app = create_app()
