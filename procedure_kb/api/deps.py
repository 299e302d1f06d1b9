"""Request-scoped dependencies."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy.orm import Session

from procedure_kb.db import session_factory


def get_session() -> Iterator[Session]:
    session = session_factory()()
    try:
        yield session
    finally:
        session.close()
