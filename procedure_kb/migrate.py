"""Alembic migrations, configured in code so no alembic.ini is needed.

`python -m procedure_kb.migrate` upgrades the configured database to the newest schema.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from procedure_kb.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def upgrade(url: str = "") -> None:
    """Bring the database at `url` (default: the configured one) to the newest schema."""
    command.upgrade(alembic_config(url), "head")


if __name__ == "__main__":
    upgrade()
