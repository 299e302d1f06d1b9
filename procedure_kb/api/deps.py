"""Request-scoped dependencies."""
from __future__ import annotations

from typing import Iterator

from fastapi import Depends
from sqlalchemy.orm import Session

from procedure_kb.db import begin_write, session_factory


def get_session() -> Iterator[Session]:
    session = session_factory()()
    try:
        yield session
    finally:
        session.close()


def get_write_session(session: Session = Depends(get_session)) -> Session:
    """A session whose transaction holds the write lock from its start (see db.WRITE_LOCK)."""
    begin_write(session)
    return session
