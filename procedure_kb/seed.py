"""Seed the KB (data/procedures.json), queue setup (data/queue.json) and centre details.

Run `python -m procedure_kb.seed`: migrates the schema, then adds the procedures,
services and counters that are not in the database yet. A seeded procedure that no
person has edited is brought up to the reviewed seed file; one that staff edited is
kept as they left it and flagged for review when the seed file says something else.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb import centre, curation, repository
from procedure_kb.db import create_database_if_missing, session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.models import ProcedureVersion, QueueService, ReviewFlag, ServiceCounter
from procedure_kb.schemas import ProcedureData, json_values
from procedure_kb.settings import get_settings

SEED_FILE = Path(__file__).parent / "data" / "procedures.json"
QUEUE_FILE = Path(__file__).parent / "data" / "queue.json"
CENTRE_FILE = Path(__file__).parent / "data" / "centre.json"
SEED_ACTOR = "seed"
SEED_NOTE = "Dữ liệu mẫu, đối chiếu văn bản pháp luật ngày {day:%d/%m/%Y}."
SEED_DIFFERS = ("Dữ liệu mẫu đã được rà soát lại (ngày {day:%d/%m/%Y}) và khác nội dung đang dùng; "
                "hãy so sánh với tệp mẫu và cập nhật nếu cần.")
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
            curation.create(session, data, SEED_ACTOR, _seed_note(data))
            added += 1
    return added


def refresh_seeded(session: Session, procedures: List[ProcedureData]) -> int:
    """Update untouched seeded procedures that differ from the seed; returns how many.

    A procedure some person edited is not overwritten: it gets one open review flag.
    """
    updated = 0
    for data in procedures:
        row = repository.find_row(session, data.id)
        if row is None or json_values(repository.to_schema(row)) == json_values(data):
            continue
        if _edited_by_people(session, data.id):
            _flag_once(session, data)
            continue
        curation.update(session, data.id, data, row.version, SEED_ACTOR, _seed_note(data))
        _resolve_migration_flags(session, data.id)
        updated += 1
    return updated


def _seed_note(data: ProcedureData) -> str:
    return SEED_NOTE.format(day=data.last_reviewed) if data.last_reviewed else "Dữ liệu mẫu."


def _edited_by_people(session: Session, procedure_id: str) -> bool:
    authors = session.execute(
        select(ProcedureVersion.changed_by).where(ProcedureVersion.procedure_id == procedure_id)
    ).scalars()
    return any(author != SEED_ACTOR for author in authors)


def _flag_once(session: Session, data: ProcedureData) -> None:
    open_flag = session.execute(select(ReviewFlag.id).where(
        ReviewFlag.procedure_id == data.id, ReviewFlag.flagged_by == SEED_ACTOR,
        ReviewFlag.resolved_at.is_(None))).first()
    if open_flag is None and data.last_reviewed:
        session.add(ReviewFlag(procedure_id=data.id, flagged_by=SEED_ACTOR,
                               note=SEED_DIFFERS.format(day=data.last_reviewed)))


def _resolve_migration_flags(session: Session, procedure_id: str) -> None:
    for flag in session.execute(select(ReviewFlag).where(
            ReviewFlag.procedure_id == procedure_id, ReviewFlag.flagged_by == "migration",
            ReviewFlag.resolved_at.is_(None))).scalars():
        flag.resolved_at = datetime.utcnow()


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
        procedures = load_seed_file()
        added = seed(session, procedures)
        refreshed = refresh_seeded(session, procedures)
        queue_added = seed_queue(session)
        seed_centre(session)
    log.info("Knowledge base ready: %d procedure(s) added, %d brought up to date from %s",
             added, refreshed, SEED_FILE.name)
    log.info("Queue ready: %d service(s)/counter(s) added from %s", queue_added, QUEUE_FILE.name)


if __name__ == "__main__":
    main()
