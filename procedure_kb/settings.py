"""All configuration read from the environment, in one place."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings with the embedded defaults (one SQLite file under var/)."""

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'letan.db'}"
    # How often the NLU entity extractor checks whether the KB changed.
    kb_refresh_seconds: float = 5.0
    # Public portal shown when a procedure has no link of its own.
    national_portal_url: str = "https://dichvucong.gov.vn"

    class Config:
        env_prefix = "LETAN_"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
