"""Queue numbers: issuing tickets, calling them at counters, and the waiting estimate.

Tickets are numbered per service prefix per local day (Asia/Ho_Chi_Minh) from 1.
Issuing is one atomic upsert of the day's sequence plus the ticket insert in the same
transaction (BEGIN IMMEDIATE on SQLite), so concurrent issuers never get the same
number and a failure leaves no gap. Calling a ticket is a conditional UPDATE
(state = 'waiting'), so two counters never take the same ticket.
"""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import List, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from procedure_kb import outbox, repository
from procedure_kb.errors import DomainError
from procedure_kb.models import QueueService, ServiceCounter, Ticket
from procedure_kb.sequences import next_daily_number
from procedure_kb.settings import get_settings
from procedure_kb.text import folded_key

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MIN_SAMPLES = 5  # done tickets needed before today's median replaces the default time
WAITING, CALLED, SERVING, DONE, NO_SHOW = "waiting", "called", "serving", "done", "no_show"
FINISHED = (DONE, NO_SHOW)
NEAR_TURN = 3  # chat citizens are told when this many people are ahead of them


class Priority(str, Enum):
    elderly = "nguoi_cao_tuoi"
    disabled = "nguoi_khuyet_tat"
    pregnant = "phu_nu_co_thai"
    small_child = "nguoi_be_con_nho"
    meritorious = "nguoi_co_cong"
    declared = "uu_tien"  # the citizen said so without a group; the officer checks it


class Channel(str, Enum):
    robot = "robot"
    chat = "chat"
    zalo = "zalo"  # chat that can be messaged first: told when the number is near and called
    kiosk = "kiosk"
    staff = "staff"


MESSAGED_CHANNELS = (Channel.zalo.value,)


class QueueError(DomainError):
    """A queue request that cannot be done; `code` is machine-readable, `status` its HTTP."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass
class TicketView:
    code: str
    service: str
    service_name: str
    state: str
    priority: Optional[str]
    counter: Optional[int]
    counters: List[int]
    ahead: int
    estimated_wait_minutes: int
    issued_at: datetime


@dataclass
class ServiceStatus:
    service: str
    name: str
    last_called: Optional[str]
    waiting: int
    counters: List[int]


def local_now(now: Optional[datetime] = None) -> datetime:
    """The centre's local time (aware); `now` may be given for tests."""
    return (now or datetime.now(timezone.utc)).astimezone(LOCAL_TZ)


def find_service(session: Session, service_id: str = "", procedure_id: str = "") -> QueueService:
    """The service by its id, or the one serving a procedure."""
    if service_id:
        service = session.get(QueueService, service_id)
        if service is None:
            raise QueueError("unknown_service", f"Không có dịch vụ '{service_id}'.", 404)
        return service
    procedure = repository.get_procedure(session, procedure_id) if procedure_id else None
    if procedure is None:
        raise QueueError("unknown_procedure", f"Không có thủ tục '{procedure_id}'.", 404)
    service = session.execute(
        select(QueueService).where(QueueService.procedure_counter == procedure.counter)
    ).scalar()
    if service is None:
        raise QueueError("unknown_service", f"Chưa có quầy phục vụ thủ tục '{procedure_id}'.", 404)
    return service


def issue(
    session: Session,
    service: QueueService,
    priority: Optional[Priority] = None,
    channel: Channel = Channel.kiosk,
    chat_user_id: Optional[str] = None,
    now: Optional[datetime] = None,
) -> TicketView:
    """A new ticket for `service`. The caller commits (the number is taken until then)."""
    moment = local_now(now)
    number = next_daily_number(session, service.id, moment.date())
    ticket = Ticket(
        day=moment.date(), prefix=service.prefix, number=number,
        code=ticket_code(service.prefix, number), service_id=service.id,
        priority=priority.value if priority else None, channel=channel.value,
        chat_user_id=chat_user_id, state=WAITING, calls=0, issued_at=_utc(moment),
    )
    session.add(ticket)
    session.flush()
    return view(session, ticket)


def service_named_in(session: Session, text: str) -> Optional[QueueService]:
    """The service whose name ('đất đai', 'căn cước', 'BHXH'...) the text mentions, if one."""
    padded = f" {folded_key(text)} "
    found = []
    for service in session.execute(select(QueueService).order_by(QueueService.prefix)).scalars():
        parts = re.split(r"[–(),]", service.name)
        if any(f" {folded_key(part)} " in padded for part in parts if folded_key(part)):
            found.append(service)
    return found[0] if len(found) == 1 else None


def all_services(session: Session) -> List[QueueService]:
    return list(session.execute(select(QueueService).order_by(QueueService.prefix)).scalars())


def mark_priority(session: Session, code: str, priority: Priority, now: Optional[datetime] = None) -> Ticket:
    """The citizen belongs to a priority group: same number, called earlier."""
    ticket = _active(session, code, now)
    ticket.priority = priority.value
    return ticket


def ticket_code(prefix: str, number: int) -> str:
    return f"{prefix}{number:03d}"


def find_ticket(session: Session, code: str, now: Optional[datetime] = None) -> Ticket:
    """Today's ticket with this code ('A015', 'a15' and 'A 015' all work)."""
    normalised = code.replace(" ", "").upper()
    if len(normalised) < 2 or not normalised[0].isalpha() or not normalised[1:].isdigit():
        raise QueueError("bad_code", "Số thứ tự phải có dạng chữ cái và số, ví dụ A015.", 400)
    prefix, number = normalised[0], int(normalised[1:])
    today = local_now(now).date()
    found = session.execute(
        select(Ticket).where(Ticket.prefix == prefix, Ticket.number == number)
        .order_by(Ticket.day.desc())
    ).scalars().first()
    if found is None:
        raise QueueError("ticket_not_found", f"Không có số thứ tự {ticket_code(prefix, number)}.", 404)
    if found.day != today:
        raise QueueError("ticket_not_today",
                         f"Số {found.code} là số của ngày {found.day:%d/%m/%Y}, không còn dùng hôm nay.", 410)
    return found


def view(session: Session, ticket: Ticket) -> TicketView:
    """The ticket with its counters, people ahead and estimated wait."""
    service = session.get(QueueService, ticket.service_id)
    counters = serving_counters(session, ticket.service_id)
    ahead = people_ahead(session, ticket) if ticket.state == WAITING else 0
    return TicketView(
        code=ticket.code, service=service.id, service_name=service.name, state=ticket.state,
        priority=ticket.priority, counter=ticket.counter_number,
        counters=[c.number for c in counters], ahead=ahead,
        estimated_wait_minutes=estimated_wait(session, service, ahead, ticket.day, counters),
        issued_at=ticket.issued_at,
    )


def people_ahead(session: Session, ticket: Ticket) -> int:
    """Waiting tickets of the same service that will be called first."""
    waiting = select(func.count()).select_from(Ticket).where(
        Ticket.day == ticket.day, Ticket.service_id == ticket.service_id,
        Ticket.state == WAITING, Ticket.id != ticket.id,
    )
    if ticket.priority:
        query = waiting.where(Ticket.priority.is_not(None), Ticket.id < ticket.id)
    else:
        query = waiting.where((Ticket.priority.is_not(None)) | (Ticket.id < ticket.id))
    return session.execute(query).scalar_one()


def estimated_wait(session: Session, service: QueueService, ahead: int, day: date,
                   counters: List[ServiceCounter]) -> int:
    """Minutes: people ahead / open counters (of `counters`, the service's) x median service time."""
    open_counters = sum(1 for c in counters if c.state == "open")
    return math.ceil(ahead / max(1, open_counters) * median_minutes(session, service, day))


def median_minutes(session: Session, service: QueueService, day: date) -> float:
    rows = session.execute(
        select(Ticket.called_at, Ticket.finished_at).where(
            Ticket.day == day, Ticket.service_id == service.id, Ticket.state == DONE,
            Ticket.called_at.is_not(None), Ticket.finished_at.is_not(None),
        )
    ).all()
    samples = [(end - start).total_seconds() / 60 for start, end in rows]
    return statistics.median(samples) if len(samples) >= MIN_SAMPLES else service.default_minutes


def serving_counters(session: Session, service_id: str) -> List[ServiceCounter]:
    counters = session.execute(select(ServiceCounter).order_by(ServiceCounter.number)).scalars()
    return [c for c in counters if service_id in c.services]


def queue_status(session: Session, now: Optional[datetime] = None) -> List[ServiceStatus]:
    today = local_now(now).date()
    result = []
    for service in session.execute(select(QueueService).order_by(QueueService.prefix)).scalars():
        tickets = select(Ticket).where(Ticket.day == today, Ticket.service_id == service.id)
        last = session.execute(
            tickets.where(Ticket.called_at.is_not(None)).order_by(Ticket.called_at.desc())
        ).scalars().first()
        waiting = session.execute(
            select(func.count()).select_from(tickets.where(Ticket.state == WAITING).subquery())
        ).scalar_one()
        result.append(ServiceStatus(service.id, service.name, last.code if last else None, waiting,
                                    [c.number for c in serving_counters(session, service.id)]))
    return result


def find_counter(session: Session, number: int) -> ServiceCounter:
    counter = session.get(ServiceCounter, number)
    if counter is None:
        raise QueueError("unknown_counter", f"Không có quầy số {number}.", 404)
    return counter


def call_next(session: Session, number: int, now: Optional[datetime] = None) -> Optional[Ticket]:
    """Call the next ticket to counter `number` (None when nobody is waiting)."""
    counter = find_counter(session, number)
    if counter.state != "open":
        raise QueueError("counter_not_open",
                         f"Quầy số {number} đang tạm dừng hoặc đóng; hãy mở lại quầy trước.", 409)
    moment = local_now(now)
    for _ in range(5):  # another counter may take the chosen ticket first
        candidate = _next_candidate(session, counter, moment.date())
        if candidate is None:
            return None
        taken = session.execute(
            update(Ticket)
            .where(Ticket.id == candidate.id, Ticket.state == WAITING)
            .values(state=CALLED, counter_number=number, called_at=_utc(moment),
                    calls=Ticket.calls + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            counter.normal_streak = 0 if candidate.priority else counter.normal_streak + 1
            session.refresh(candidate)
            _tell_chat_users(session, candidate)
            return candidate
    raise QueueError("busy", "Hàng chờ đang bận, vui lòng bấm gọi lại.", 409)


def _tell_chat_users(session: Session, called: Ticket) -> None:
    """Message the called ticket's holder, and whoever is now NEAR_TURN places away, when
    they took their number in a chat that can be messaged first (sent after commit)."""
    if called.channel in MESSAGED_CHANNELS and called.chat_user_id:
        outbox.add(session, called.channel, called.chat_user_id,
                   f"Dạ, mời Anh/Chị có số thứ tự {called.code} đến quầy số {called.counter_number} ạ.")
    chat_waiting = session.execute(select(Ticket).where(
        Ticket.day == called.day, Ticket.service_id == called.service_id, Ticket.state == WAITING,
        Ticket.channel.in_(MESSAGED_CHANNELS), Ticket.chat_user_id.is_not(None))).scalars()
    for ticket in chat_waiting:
        if people_ahead(session, ticket) == NEAR_TURN:
            outbox.add(session, ticket.channel, ticket.chat_user_id,
                       f"Dạ, còn {NEAR_TURN} người nữa là đến lượt số {ticket.code} của Anh/Chị. "
                       "Anh/Chị vui lòng đến gần quầy để không lỡ lượt ạ.")


def _next_candidate(session: Session, counter: ServiceCounter, day: date) -> Optional[Ticket]:
    waiting = select(Ticket).where(
        Ticket.day == day, Ticket.state == WAITING, Ticket.service_id.in_(counter.services)
    ).order_by(Ticket.issued_at, Ticket.id)
    priority = session.execute(waiting.where(Ticket.priority.is_not(None))).scalars().first()
    normal = session.execute(waiting.where(Ticket.priority.is_(None))).scalars().first()
    every = get_settings().queue_priority_every  # 0: priority tickets always go first
    if priority and (normal is None or every == 0 or counter.normal_streak >= every):
        return priority
    return normal or priority


def recall(session: Session, number: int, now: Optional[datetime] = None) -> Ticket:
    """Announce the counter's current ticket again."""
    ticket = current_ticket(session, number, now)
    ticket.calls += 1
    ticket.called_at = _utc(local_now(now))
    return ticket


def current_ticket(session: Session, number: int, now: Optional[datetime] = None) -> Ticket:
    ticket = session.execute(
        select(Ticket).where(
            Ticket.day == local_now(now).date(), Ticket.counter_number == number,
            Ticket.state.in_((CALLED, SERVING)),
        ).order_by(Ticket.called_at.desc())
    ).scalars().first()
    if ticket is None:
        raise QueueError("no_current_ticket", f"Quầy số {number} chưa gọi số nào.", 409)
    return ticket


def skip(session: Session, code: str, now: Optional[datetime] = None) -> Ticket:
    """Citizen absent: back to waiting, or no-show after the configured number of calls."""
    ticket = _active(session, code, now)
    if ticket.calls >= get_settings().queue_max_calls:
        ticket.state, ticket.finished_at = NO_SHOW, _utc(local_now(now))
    else:
        ticket.state, ticket.counter_number = WAITING, None
    return ticket


def serve(session: Session, code: str, now: Optional[datetime] = None) -> Ticket:
    ticket = _active(session, code, now)
    ticket.state, ticket.serving_at = SERVING, _utc(local_now(now))
    return ticket


def finish(session: Session, code: str, now: Optional[datetime] = None) -> Ticket:
    ticket = _active(session, code, now)
    if ticket.state == WAITING:
        raise QueueError("not_called", f"Số {ticket.code} chưa được gọi.", 409)
    ticket.state, ticket.finished_at = DONE, _utc(local_now(now))
    return ticket


def transfer(session: Session, code: str, service_id: str, now: Optional[datetime] = None) -> Ticket:
    """Send the citizen to another service's queue, keeping the original issue time."""
    ticket = _active(session, code, now)
    service = find_service(session, service_id=service_id)
    ticket.service_id, ticket.state, ticket.counter_number = service.id, WAITING, None
    return ticket


def save_counter(session: Session, number: int, name: str, agency: str, services: List[str]) -> ServiceCounter:
    """Create or change a counter and the services it serves."""
    for service_id in services:
        find_service(session, service_id=service_id)
    counter = session.get(ServiceCounter, number)
    if counter is None:
        counter = ServiceCounter(number=number, state="open", normal_streak=0)
        session.add(counter)
    counter.name, counter.agency, counter.services = name.strip(), agency.strip(), list(services)
    return counter


def set_counter_state(session: Session, number: int, state: str, reason: str = "") -> ServiceCounter:
    counter = find_counter(session, number)
    counter.state, counter.pause_reason = state, (reason.strip() or None) if state == "paused" else None
    return counter


@dataclass
class BoardCounter:
    number: int
    name: str
    state: str
    current: Optional[str]


@dataclass
class Board:
    counters: List[BoardCounter]
    waiting: List[str]
    last_call: Optional[str]  # "<code>@<counter>@<time>": changes with every call and recall
    announcement: Optional[str]


def board(session: Session, now: Optional[datetime] = None, waiting_shown: int = 8) -> Board:
    """What the lobby display shows: each counter's current number, the next ones waiting."""
    today = local_now(now).date()
    active = session.execute(
        select(Ticket).where(Ticket.day == today, Ticket.state.in_((CALLED, SERVING)))
        .order_by(Ticket.called_at)
    ).scalars().all()
    current = {ticket.counter_number: ticket for ticket in active}
    counters = [
        BoardCounter(c.number, c.name, c.state, current[c.number].code if c.number in current else None)
        for c in session.execute(select(ServiceCounter).order_by(ServiceCounter.number)).scalars()
    ]
    waiting = session.execute(
        select(Ticket.code).where(Ticket.day == today, Ticket.state == WAITING)
        .order_by(Ticket.priority.is_(None), Ticket.issued_at, Ticket.id).limit(waiting_shown)
    ).scalars().all()
    last = max(active, key=lambda t: t.called_at, default=None)
    return Board(
        counters, list(waiting),
        f"{last.code}@{last.counter_number}@{last.called_at.isoformat()}@{last.calls}" if last else None,
        announcement(last) if last else None,
    )


def announcement(ticket: Ticket) -> str:
    """What the lobby speakers and the robot say when a ticket is called."""
    return f"Mời công dân có số thứ tự {ticket.code} đến quầy số {ticket.counter_number}"


def _active(session: Session, code: str, now: Optional[datetime]) -> Ticket:
    ticket = find_ticket(session, code, now)
    if ticket.state in FINISHED:
        raise QueueError("already_finished", f"Số {ticket.code} đã xong hoặc đã bỏ qua.", 409)
    return ticket


def _utc(moment: datetime) -> datetime:
    """Naive UTC, as stored in the database."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
