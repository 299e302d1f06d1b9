"""Queue numbers: the public ticket API (robot, chat, kiosk) and counter actions for staff."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import List, Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, root_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from procedure_kb import audit, queue, queue_stats, ticket_print
from procedure_kb.accounts import Role
from procedure_kb.api.deps import PositiveId, get_session, get_write_session
from procedure_kb.api.security import require
from procedure_kb.models import ServiceCounter, StaffUser, Ticket
from procedure_kb.queue import Channel, Priority

router = APIRouter(prefix="/api/queue", tags=["queue"])
officer = require(Role.counter_officer)


class TicketRequest(BaseModel):
    service: Optional[str] = Field(None, max_length=40)
    procedure: Optional[str] = Field(None, max_length=64)
    priority: Optional[Priority] = None
    channel: Channel = Channel.kiosk
    chat_user_id: Optional[str] = Field(None, max_length=100)

    @root_validator(skip_on_failure=True)
    def _service_or_procedure(cls, values: dict) -> dict:
        if not values.get("service") and not values.get("procedure"):
            raise ValueError("cần 'service' hoặc 'procedure'")
        return values


class CallOut(BaseModel):
    code: Optional[str]
    counter: int
    announcement: Optional[str]


class TransferIn(BaseModel):
    service: str = Field(..., max_length=40)


class CounterIn(BaseModel):
    name: str = Field(..., min_length=2, max_length=120)
    agency: str = Field("", max_length=200)
    services: List[str] = Field(..., min_items=1, max_items=10)


class CounterOut(CounterIn):
    number: int
    state: str
    pause_reason: Optional[str]

    class Config:
        orm_mode = True


class PauseIn(BaseModel):
    reason: str = Field("", max_length=300)


@router.post("/tickets", response_model=queue.TicketView, status_code=201)
def issue_ticket(body: TicketRequest, session: Session = Depends(get_write_session)) -> queue.TicketView:
    service = queue.find_service(session, body.service or "", body.procedure or "")
    ticket = queue.issue(session, service, body.priority, body.channel, body.chat_user_id)
    session.commit()
    return ticket


@router.get("/tickets/{code}", response_model=queue.TicketView)
def ticket_status(code: str, session: Session = Depends(get_session)) -> queue.TicketView:
    return queue.view(session, queue.find_ticket(session, code))


PRINT_FORMATS = {
    "png": (ticket_print.ticket_png, "image/png"),
    "pdf": (ticket_print.ticket_pdf, "application/pdf"),
    "escpos": (ticket_print.ticket_escpos, "application/octet-stream"),
}


@router.get("/tickets/{code}/print")
def print_ticket(
    code: str,
    format: str = Query("png", regex="^(png|pdf|escpos)$"),
    session: Session = Depends(get_session),
) -> Response:
    """The ticket to print: PNG or PDF, or ESC/POS bytes for a thermal printer."""
    render, media_type = PRINT_FORMATS[format]
    return Response(render(queue.view(session, queue.find_ticket(session, code))), media_type=media_type)


@router.get("/status", response_model=List[queue.ServiceStatus])
def status(session: Session = Depends(get_session)) -> List[queue.ServiceStatus]:
    return queue.queue_status(session)


class DailyStatsOut(BaseModel):
    day: date
    services: List[queue_stats.ServiceStats]
    counters: List[queue_stats.CounterStats]


@router.get("/stats", response_model=DailyStatsOut)
def daily_stats(
    day: Optional[date] = Query(None, description="local day, default today"),
    format: str = Query("json", regex="^(json|csv)$"),
    _: StaffUser = Depends(officer),
    session: Session = Depends(get_session),
) -> object:
    """Tickets, served, no-shows, median wait and service time per service (and counter)."""
    day = day or queue.local_now().date()
    services = queue_stats.by_service(session, day)
    if format == "csv":
        return Response(queue_stats.as_csv(services), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="hang-cho-{day}.csv"'})
    return {"day": day, "services": [asdict(s) for s in services],
            "counters": [asdict(c) for c in queue_stats.by_counter(session, day)]}


@router.post("/counters/{number}/call-next", response_model=CallOut)
def call_next(number: PositiveId, _: StaffUser = Depends(officer),
              session: Session = Depends(get_write_session)) -> CallOut:
    ticket = queue.call_next(session, number)
    session.commit()
    return _call(number, ticket)


@router.post("/counters/{number}/recall", response_model=CallOut)
def recall(number: PositiveId, _: StaffUser = Depends(officer),
           session: Session = Depends(get_write_session)) -> CallOut:
    ticket = queue.recall(session, number)
    session.commit()
    return _call(number, ticket)


@router.get("/counters", response_model=List[CounterOut])
def list_counters(session: Session = Depends(get_session)) -> list:
    return list(session.execute(select(ServiceCounter).order_by(ServiceCounter.number)).scalars())


@router.put("/counters/{number}", response_model=CounterOut)
def save_counter(number: PositiveId, body: CounterIn, admin: StaffUser = Depends(require(Role.admin)),
                 session: Session = Depends(get_write_session)) -> ServiceCounter:
    """Admins set up counters: name, agency and the services each one serves."""
    counter = queue.save_counter(session, number, body.name, body.agency, body.services)
    audit.record(session, admin.username, "counter.save", f"counter {number}", body.dict())
    session.commit()
    return counter


@router.post("/counters/{number}/pause", status_code=204)
def pause(number: PositiveId, body: PauseIn, _: StaffUser = Depends(officer),
          session: Session = Depends(get_write_session)) -> None:
    queue.set_counter_state(session, number, "paused", body.reason)
    session.commit()


@router.post("/counters/{number}/resume", status_code=204)
def resume(number: PositiveId, _: StaffUser = Depends(officer),
           session: Session = Depends(get_write_session)) -> None:
    queue.set_counter_state(session, number, "open")
    session.commit()


@router.post("/tickets/{code}/serve", response_model=queue.TicketView)
def serve(code: str, _: StaffUser = Depends(officer),
          session: Session = Depends(get_write_session)) -> queue.TicketView:
    return _changed(session, queue.serve(session, code))


@router.post("/tickets/{code}/done", response_model=queue.TicketView)
def done(code: str, _: StaffUser = Depends(officer),
         session: Session = Depends(get_write_session)) -> queue.TicketView:
    return _changed(session, queue.finish(session, code))


@router.post("/tickets/{code}/skip", response_model=queue.TicketView)
def skip(code: str, _: StaffUser = Depends(officer),
         session: Session = Depends(get_write_session)) -> queue.TicketView:
    return _changed(session, queue.skip(session, code))


@router.post("/tickets/{code}/transfer", response_model=queue.TicketView)
def transfer(code: str, body: TransferIn, _: StaffUser = Depends(officer),
             session: Session = Depends(get_write_session)) -> queue.TicketView:
    return _changed(session, queue.transfer(session, code, body.service))


def _call(number: PositiveId, ticket: Optional[Ticket]) -> CallOut:
    if ticket is None:
        return CallOut(code=None, counter=number, announcement=None)
    return CallOut(code=ticket.code, counter=number, announcement=queue.announcement(ticket))


def _changed(session: Session, ticket: Ticket) -> queue.TicketView:
    session.flush()
    result = queue.view(session, ticket)
    session.commit()
    return result
