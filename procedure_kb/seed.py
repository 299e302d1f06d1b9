"""Seed the KB (data/procedures.json), queue setup (data/queue.json) and centre details.

Run `python -m procedure_kb.seed`: migrates the schema, then adds the procedures,
services and counters that are not in the database yet. What is already there (maybe
edited by staff) is kept.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import List

from sqlalchemy.orm import Session

from procedure_kb import centre, curation, repository
from procedure_kb.db import create_database_if_missing, session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.models import QueueService, ServiceCounter
from procedure_kb.schemas import ProcedureData
from procedure_kb.settings import get_settings

SEED_FILE = Path(__file__).parent / "data" / "procedures.json"
QUEUE_FILE = Path(__file__).parent / "data" / "queue.json"
CENTRE_FILE = Path(__file__).parent / "data" / "centre.json"
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


def seed_queue(session: Session, path: Path = QUEUE_FILE) -> int:
    """Add the services and counters of the queue file that are missing; returns how many."""
    with path.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    added = 0
    for service in raw["services"]:
        if session.get(QueueService, service["id"]) is None:
            session.add(QueueService(**service))
            added += 1
    for counter in raw["counters"]:
        if session.get(ServiceCounter, counter["number"]) is None:
            session.add(ServiceCounter(state="open", normal_streak=0, **counter))
            added += 1
    return added


def seed_centre(session: Session, path: Path = CENTRE_FILE) -> bool:
    """Store the example centre details when none exist (unconfirmed: staff must check them)."""
    if centre.load(session) is not None:
        return False
    with path.open(encoding="utf-8") as handle:
        centre.save(session, centre.CentreData.parse_obj(json.load(handle)), SEED_ACTOR)
    return True


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if create_database_if_missing(get_settings().database_url):
        log.info("Database created")
    upgrade()
    with session_scope() as session:
        added = seed(session, load_seed_file())
        queue_added = seed_queue(session)
        seed_centre(session)
    log.info("Knowledge base ready: %d procedure(s) added from %s", added, SEED_FILE.name)
    log.info("Queue ready: %d service(s)/counter(s) added from %s", queue_added, QUEUE_FILE.name)


if __name__ == "__main__":
    main()
