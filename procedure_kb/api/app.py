"""FastAPI application: `uvicorn procedure_kb.api.app:app --port 8000`."""
from __future__ import annotations

from fastapi import FastAPI

from procedure_kb.api.routers import health, procedures


def create_app() -> FastAPI:
    app = FastAPI(title="Lễ tân số — staff API", version="0.1.0")
    app.include_router(health.router)
    app.include_router(procedures.router)
    return app


app = create_app()
