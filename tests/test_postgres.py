"""The KB schema, seed and search also run on PostgreSQL (one setting switches it)."""
from procedure_kb import repository
from procedure_kb.db import session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.search import index_from_db
from procedure_kb.seed import load_seed_file, seed


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
