"""Engine and session factory for the configured database URL."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from procedure_kb.settings import get_settings

# Execution option asking SQLite to take the write lock when the transaction begins.
WRITE_LOCK = {"sqlite_begin": "BEGIN IMMEDIATE"}


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and real BEGINs."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True, connect_args={"timeout": 30, "check_same_thread": False}
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def create_database_if_missing(url: str) -> bool:
    """Create a PostgreSQL database named by `url` (connecting to its server's `postgres`
    database); True when it was created. SQLite files are created on first connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return False
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": parsed.database}).scalar()
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(parsed.database)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
            return not exists
    finally:
        admin.dispose()


def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin
    # (the SQLAlchemy recipe), so BEGIN IMMEDIATE can be asked for.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection) -> None:  # type: ignore[no-untyped-def]
    """BEGIN, or BEGIN IMMEDIATE for writers that must not fail on lock upgrade."""
    connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


@lru_cache(maxsize=8)
def get_engine(url: str = "") -> Engine:
    """The shared engine for `url` (default: the configured database)."""
    return make_engine(url or get_settings().database_url)


def session_factory(url: str = "") -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start the session's next transaction holding the write lock (SQLite BEGIN IMMEDIATE)."""
    session.connection(execution_options=WRITE_LOCK)


@contextmanager
def session_scope(url: str = "", write_lock: bool = False) -> Iterator[Session]:
    """A session committed on success and rolled back on error.

    `write_lock`: take the database write lock when the transaction begins (SQLite
    BEGIN IMMEDIATE), for read-then-write work that must not fail half-way.
    """
    session = session_factory(url)()
    if write_lock:
        begin_write(session)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
