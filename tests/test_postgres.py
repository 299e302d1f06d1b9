"""The KB schema, seed and search also run on PostgreSQL (one setting switches it)."""
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from procedure_kb import repository
from procedure_kb.db import get_engine, session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.search import index_from_db
from procedure_kb.seed import load_seed_file, seed

SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@pytest.fixture()
def postgres_url():
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
    name = f"letan_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {error}")
    try:
        yield f"{SERVER}/{name}"
    finally:
        get_engine(f"{SERVER}/{name}").dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrate_seed_and_search_on_postgresql(postgres_url):
    upgrade(postgres_url)
    procedures = load_seed_file()
    with session_scope(postgres_url) as session:
        assert seed(session, procedures) == len(procedures)
    with session_scope(postgres_url) as session:
        assert repository.kb_revision(session) == len(procedures)
        stored = repository.get_procedure(session, "thuong_tru")
        assert stored.dict(exclude={"version", "retired"}) == next(
            p for p in procedures if p.id == "thuong_tru"
        ).dict()
        assert index_from_db(session).search("nhap ho khau")[0].procedure_id == "thuong_tru"
