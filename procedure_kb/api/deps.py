"""Request-scoped dependencies."""
from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Path
from sqlalchemy.orm import Session

from procedure_kb.db import begin_write, session_factory

# Ids, counter numbers and offsets in URLs stay within a 32-bit INTEGER (PostgreSQL's; SQLite's
# is 64-bit), so an absurd value is refused (422) before it reaches the database.
MAX_INT = 2**31 - 1
PositiveId = Annotated[int, Path(ge=1, le=MAX_INT)]


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
