"""Personal data retention: closed complaints lose their contact data after a while.

A complaint answered or transferred more than `complaint_contact_retention_days` ago keeps
its content, category and answer but no longer the citizen's name and phone number.
Run daily (cron, systemd timer):

    python -m procedure_kb.retention            # or: make purge
    python -m procedure_kb.retention --days 30

Uses LETAN_DATABASE_URL (default: the embedded SQLite file).
"""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.complaints import CLOSED
from procedure_kb.db import session_scope
from procedure_kb.models import Complaint
from procedure_kb.settings import get_settings


def purge_complaint_contacts(session: Session, older_than_days: int,
                             now: Optional[datetime] = None) -> int:
    """Clear the contact data of complaints closed more than `older_than_days` ago.

    A closed complaint changes no more, so its last update (or its answer) is when it
    closed. Each one gets an audit entry without the data. Returns how many were cleared;
    the caller commits.
    """
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    moment = now or datetime.utcnow()
    cleared = _closed_with_contact(session, moment - timedelta(days=older_than_days))
    for complaint in cleared:
        complaint.contact_name = complaint.contact_phone = None
        complaint.contact_deleted_at = moment
        audit.record(session, "system", "complaint.contact_deleted", complaint.code,
                     {"retention_days": older_than_days})
    session.flush()
    return len(cleared)


def _closed_with_contact(session: Session, closed_before: datetime) -> List[Complaint]:
    closed_at = func.coalesce(Complaint.answered_at, Complaint.updated_at)
    return list(session.execute(
        select(Complaint)
        .where(Complaint.state.in_(CLOSED), closed_at < closed_before,
               or_(Complaint.contact_name.is_not(None), Complaint.contact_phone.is_not(None)))
        .order_by(Complaint.id)
    ).scalars())


def main(argv: Optional[List[str]] = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m procedure_kb.retention", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=settings.complaint_contact_retention_days,
                        help="retention after closing, in days (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must not be negative")
    with session_scope(settings.database_url, write_lock=True) as session:
        count = purge_complaint_contacts(session, args.days)
    print(f"Contact data cleared from {count} closed complaint(s) older than {args.days} days.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
