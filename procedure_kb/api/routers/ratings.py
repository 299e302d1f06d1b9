"""Citizens' satisfaction by local day, for any staff member."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import List, Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from procedure_kb import ratings
from procedure_kb.api.deps import get_session
from procedure_kb.api.security import current_user
from procedure_kb.models import StaffUser

router = APIRouter(prefix="/api/ratings", tags=["ratings"])


@dataclass
class Filters:
    since: date
    until: date
    channel: Optional[str]
    service: Optional[str]


def filters(
    since: Optional[date] = Query(None, description="first local day, default 29 days before `until`"),
    until: Optional[date] = Query(None, description="last local day, default today"),
    channel: Optional[str] = Query(None, max_length=20, description="rest, zalo, robot, ..."),
    service: Optional[str] = Query(None, max_length=40, description="procedure_answer, queue_ticket, ..."),
) -> Filters:
    return Filters(*ratings.period(since, until), channel, service)


def _days(chosen: Filters, session: Session) -> List[ratings.DaySatisfaction]:
    return ratings.daily_satisfaction(session, chosen.since, chosen.until, chosen.channel,
                                      chosen.service)


@router.get("/daily", response_model=List[ratings.DaySatisfaction])
def daily(chosen: Filters = Depends(filters), _: StaffUser = Depends(current_user),
          session: Session = Depends(get_session)) -> List[ratings.DaySatisfaction]:
    """Per local day with ratings: count, average, share satisfied (score 4 or 5), scores 1–5."""
    return _days(chosen, session)


@router.get("/daily.csv")
def daily_csv(chosen: Filters = Depends(filters), _: StaffUser = Depends(current_user),
              session: Session = Depends(get_session)) -> Response:
    """The same figures as CSV (one column per score)."""
    filename = f"hai-long-{chosen.since}-{chosen.until}.csv"
    return Response(ratings.as_csv(_days(chosen, session)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
