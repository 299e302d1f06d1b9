"""Seed the knowledge base from procedure_kb/data/procedures.json.

Run `python -m procedure_kb.seed`: migrates the schema, then adds the procedures that
are not in the database yet. Procedures already there (maybe edited by staff) are kept.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import List

from sqlalchemy.orm import Session

from procedure_kb import curation, repository
from procedure_kb.db import session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.schemas import ProcedureData

SEED_FILE = Path(__file__).parent / "data" / "procedures.json"
SEED_ACTOR = "seed"
log = logging.getLogger(__name__)


def load_seed_file(path: Path = SEED_FILE) -> List[ProcedureData]:
    """The validated procedures of a seed file."""
    with path.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    return [ProcedureData.parse_obj(item) for item in raw["procedures"]]


def seed(session: Session, procedures: List[ProcedureData]) -> int:
    """Add the procedures whose id is not in the database; returns how many."""
    added = 0
    for data in procedures:
        if repository.find_row(session, data.id) is None:
            curation.create(session, data, actor=SEED_ACTOR)
            added += 1
    return added


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    upgrade()
    with session_scope() as session:
        added = seed(session, load_seed_file())
    log.info("Knowledge base ready: %d procedure(s) added from %s", added, SEED_FILE.name)


if __name__ == "__main__":
    main()
