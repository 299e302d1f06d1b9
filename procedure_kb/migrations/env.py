"""Alembic environment: runs migrations online against the configured URL."""
from alembic import context

from procedure_kb.db import make_engine
from procedure_kb.models import Base

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url"))


def _sqlite_foreign_keys(connection, on: bool) -> None:  # type: ignore[no-untyped-def]
    """SQLite alters a table by rebuilding it (batch mode): with foreign keys on, dropping
    the old table would cascade-delete every row that refers to it (aliases, flags).
    The pragma only works outside a transaction, so it goes to the driver directly."""
    connection.connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
    if sqlite:
        _sqlite_foreign_keys(connection, on=True)
engine.dispose()
