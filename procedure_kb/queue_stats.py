"""Daily queue statistics per service and per counter, with a CSV export."""
from __future__ import annotations

import csv
import io
import statistics
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Dict, Iterable, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb.models import QueueService, Ticket
from procedure_kb.queue import DONE, NO_SHOW, WAITING


@dataclass
class ServiceStats:
    service: str
    name: str
    issued: int
    served: int
    no_show: int
    waiting: int
    median_wait_minutes: Optional[float]
    median_service_minutes: Optional[float]


@dataclass
class CounterStats:
    counter: int
    served: int
    no_show: int
    median_service_minutes: Optional[float]


def by_service(session: Session, day: date) -> List[ServiceStats]:
    tickets = _tickets(session, day)
    result = []
    for service in session.execute(select(QueueService).order_by(QueueService.prefix)).scalars():
        mine = [t for t in tickets if t.service_id == service.id]
        result.append(ServiceStats(
            service.id, service.name, len(mine), _count(mine, DONE), _count(mine, NO_SHOW),
            _count(mine, WAITING),
            _median(_minutes(t.issued_at, t.called_at) for t in mine if t.called_at),
            _median(_minutes(t.called_at, t.finished_at) for t in mine if t.state == DONE),
        ))
    return result


def by_counter(session: Session, day: date) -> List[CounterStats]:
    groups: Dict[int, List[Ticket]] = {}
    for ticket in _tickets(session, day):
        if ticket.counter_number is not None:
            groups.setdefault(ticket.counter_number, []).append(ticket)
    return [
        CounterStats(number, _count(mine, DONE), _count(mine, NO_SHOW),
                     _median(_minutes(t.called_at, t.finished_at) for t in mine if t.state == DONE))
        for number, mine in sorted(groups.items())
    ]


def as_csv(rows: List[ServiceStats]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(ServiceStats)])
    writer.writeheader()
    writer.writerows(asdict(row) for row in rows)
    return buffer.getvalue()


def _tickets(session: Session, day: date) -> List[Ticket]:
    return list(session.execute(select(Ticket).where(Ticket.day == day)).scalars())


def _count(tickets: List[Ticket], state: str) -> int:
    return sum(1 for t in tickets if t.state == state)


def _minutes(start: Optional[datetime], end: Optional[datetime]) -> Optional[float]:
    return (end - start).total_seconds() / 60 if start and end else None


def _median(values: Iterable[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None
