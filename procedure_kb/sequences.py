"""Numbers that restart every local day: queue tickets (per service) and complaint codes.

One `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the caller's transaction, so two
writers never get the same number and a rolled-back write leaves no gap.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

# The table is `ticket_sequences` for history; its `service_id` column is the key.
_NEXT_NUMBER = text(
    "INSERT INTO ticket_sequences (service_id, day, last_number) VALUES (:key, :day, 1) "
    "ON CONFLICT (service_id, day) DO UPDATE SET last_number = ticket_sequences.last_number + 1 "
    "RETURNING last_number"
)


def next_daily_number(session: Session, key: str, day: date) -> int:
    """The next number for `key` on `day`, starting at 1."""
    return session.execute(_NEXT_NUMBER, {"key": key, "day": day}).scalar_one()
