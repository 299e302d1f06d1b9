"""SQLAlchemy models of the knowledge base (SQLAlchemy 1.4, 2.0-style usage)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Procedure(Base):
    """One administrative procedure (thủ tục hành chính) as the centre serves it."""

    __tablename__ = "procedures"

    id: str = Column(String(64), primary_key=True)
    name: str = Column(String(300), nullable=False)
    field: str = Column(String(120), nullable=False)
    catalogue_code: Optional[str] = Column(String(40))
    counter: str = Column(String(120), nullable=False)
    topics: List[str] = Column(JSON, nullable=False, default=list)
    # Facts: lists of dated versions, each with its legal basis and checked date (schemas.py).
    agency: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    documents: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    fee: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    duration: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    deadline: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    online: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    applicants: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    steps: List[str] = Column(JSON, nullable=False, default=list)
    legal_basis: List[str] = Column(JSON, nullable=False, default=list)
    sources: List[str] = Column(JSON, nullable=False, default=list)
    last_reviewed: Optional[date] = Column(Date)
    retired: bool = Column(Boolean, nullable=False, default=False)
    version: int = Column(Integer, nullable=False, default=1)
    updated_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)

    aliases = relationship(
        "ProcedureAlias",
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureAlias.id",
    )

    # Optimistic locking: every UPDATE checks and bumps the version, so two staff
    # saving the same procedure cannot silently overwrite each other.
    __mapper_args__ = {"version_id_col": version}


class ProcedureAlias(Base):
    """Another way citizens name a procedure; `key` is its folded form, unique in the KB."""

    __tablename__ = "procedure_aliases"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id: str = Column(
        String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False
    )
    alias: str = Column(Text, nullable=False)
    key: str = Column(String(300), nullable=False, unique=True)

    procedure = relationship("Procedure", back_populates="aliases")


class KbRevision(Base):
    """A single-row counter bumped by every KB change, so readers can reload cheaply."""

    __tablename__ = "kb_revision"

    id: int = Column(Integer, primary_key=True)
    revision: int = Column(Integer, nullable=False, default=0)


class ProcedureVersion(Base):
    """A snapshot of a procedure after each change, for history, diff and restore."""

    __tablename__ = "procedure_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "version"),)

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id: str = Column(String(64), nullable=False, index=True)
    version: int = Column(Integer, nullable=False)
    data: Dict[str, Any] = Column(JSON, nullable=False)
    retired: bool = Column(Boolean, nullable=False, default=False)
    change: str = Column(String(20), nullable=False)
    # What changed and why, in the editor's words (None for versions before notes existed).
    note: Optional[str] = Column(Text)
    changed_by: str = Column(String(64), nullable=False)
    changed_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)


class ReviewFlag(Base):
    """A staff member's note that a procedure may be out of date (e.g. its law changed)."""

    __tablename__ = "review_flags"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id: str = Column(
        String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False, index=True
    )
    note: str = Column(Text, nullable=False)
    flagged_by: str = Column(String(64), nullable=False)
    flagged_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    resolved_at: Optional[datetime] = Column(DateTime)


class AuditEntry(Base):
    """One change made in the staff console or API: who, what, when."""

    __tablename__ = "audit_log"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)
    actor: str = Column(String(64), nullable=False)
    action: str = Column(String(40), nullable=False)
    target: str = Column(String(120), nullable=False)
    detail: Dict[str, Any] = Column(JSON, nullable=False, default=dict)


class StaffUser(Base):
    """A staff account; `roles` is a list of role names (see accounts.Role)."""

    __tablename__ = "staff_users"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    username: str = Column(String(64), nullable=False, unique=True)
    full_name: str = Column(String(200), nullable=False, default="")
    password_hash: str = Column(String(300), nullable=False)
    roles: List[str] = Column(JSON, nullable=False, default=list)
    active: bool = Column(Boolean, nullable=False, default=True)
    created_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)


class StaffSession(Base):
    """A login: an API bearer token or a page session; only the token's hash is kept."""

    __tablename__ = "staff_sessions"

    token_hash: str = Column(String(64), primary_key=True)
    user_id: int = Column(
        Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: str = Column(String(8), nullable=False)
    csrf_token: Optional[str] = Column(String(64))
    created_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    expires_at: datetime = Column(DateTime, nullable=False)

    user = relationship("StaffUser")


class LoginAttempt(Base):
    """A login try, kept to slow down password guessing."""

    __tablename__ = "login_attempts"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    username: str = Column(String(64), nullable=False, index=True)
    client: str = Column(String(64), nullable=False, index=True)
    succeeded: bool = Column(Boolean, nullable=False)
    at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)


class QueueService(Base):
    """A service with its own ticket numbers ('A' for Hộ tịch – Chứng thực, ...)."""

    __tablename__ = "queue_services"

    id: str = Column(String(40), primary_key=True)
    name: str = Column(String(120), nullable=False)
    prefix: str = Column(String(1), nullable=False, unique=True)
    # The procedure `counter` label this service serves (links procedures to services).
    procedure_counter: str = Column(String(120), nullable=False, unique=True)
    default_minutes: float = Column(Float, nullable=False, default=10.0)


class ServiceCounter(Base):
    """A counter (quầy) of the centre and the services it serves."""

    __tablename__ = "service_counters"

    number: int = Column(Integer, primary_key=True, autoincrement=False)
    name: str = Column(String(120), nullable=False)
    agency: str = Column(String(200), nullable=False, default="")
    services: List[str] = Column(JSON, nullable=False, default=list)
    state: str = Column(String(10), nullable=False, default="open")  # open, paused, closed
    pause_reason: Optional[str] = Column(String(300))
    # Normal tickets called since the last priority one (for the 1-in-N policy).
    normal_streak: int = Column(Integer, nullable=False, default=0)


class TicketSequence(Base):
    """The last ticket number issued per service per local day."""

    __tablename__ = "ticket_sequences"

    service_id: str = Column(String(40), primary_key=True)
    day: date = Column(Date, primary_key=True)
    last_number: int = Column(Integer, nullable=False)


class Ticket(Base):
    """A queue ticket and every moment of its life."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("day", "prefix", "number"),)

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    day: date = Column(Date, nullable=False, index=True)
    prefix: str = Column(String(1), nullable=False)
    number: int = Column(Integer, nullable=False)
    code: str = Column(String(8), nullable=False, index=True)
    service_id: str = Column(String(40), nullable=False, index=True)
    priority: Optional[str] = Column(String(30))
    channel: str = Column(String(10), nullable=False)
    chat_user_id: Optional[str] = Column(String(100))
    state: str = Column(String(12), nullable=False, default="waiting", index=True)
    counter_number: Optional[int] = Column(Integer)
    calls: int = Column(Integer, nullable=False, default=0)
    issued_at: datetime = Column(DateTime, nullable=False)
    called_at: Optional[datetime] = Column(DateTime)
    serving_at: Optional[datetime] = Column(DateTime)
    finished_at: Optional[datetime] = Column(DateTime)


class CentreInfo(Base):
    """The centre's own facts (one row): opening hours, holidays, amenities."""

    __tablename__ = "centre_info"

    id: int = Column(Integer, primary_key=True)
    data: Dict[str, Any] = Column(JSON, nullable=False)
    updated_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)


class UnansweredQuestion(Base):
    """A message the bot could not answer, kept for staff to improve the KB or training data."""

    __tablename__ = "unanswered_questions"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    text: str = Column(Text, nullable=False)
    group_key: str = Column(String(300), nullable=False, index=True)
    kind: str = Column(String(20), nullable=False)  # fallback, unknown_procedure, missing_fact
    channel: str = Column(String(20), nullable=False)
    guesses: List[str] = Column(JSON, nullable=False, default=list)
    at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    handled_at: Optional[datetime] = Column(DateTime)
    handled_by: Optional[str] = Column(String(64))


class Complaint(Base):
    """A complaint or suggestion (phản ánh, kiến nghị) and its handling.

    `content` is the citizen's own words, verbatim. Contact fields are filled only with
    the citizen's consent and are cleared after the retention period once it is closed.
    """

    __tablename__ = "complaints"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    code: str = Column(String(20), nullable=False, unique=True)
    category: str = Column(String(30), nullable=False)
    content: str = Column(Text, nullable=False)
    channel: str = Column(String(20), nullable=False)
    sender_id: Optional[str] = Column(String(100), index=True)
    contact_name: Optional[str] = Column(String(120))
    contact_phone: Optional[str] = Column(String(20))
    consent: bool = Column(Boolean, nullable=False, default=False)
    state: str = Column(String(20), nullable=False, default="received", index=True)
    assignee: Optional[str] = Column(String(64))
    answer: Optional[str] = Column(Text)
    transferred_to: Optional[str] = Column(String(200))
    created_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    updated_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    answered_at: Optional[datetime] = Column(DateTime)
    contact_deleted_at: Optional[datetime] = Column(DateTime)
    version: int = Column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Rating(Base):
    """A citizen's 1–5 satisfaction score after being served, with an optional comment.

    `service` says what the citizen was served for ("procedure_answer", "queue_ticket", ...);
    `comment` is the citizen's own words, verbatim.
    """

    __tablename__ = "ratings"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    score: int = Column(Integer, nullable=False)
    channel: str = Column(String(20), nullable=False)
    service: str = Column(String(40), nullable=False)
    sender_id: Optional[str] = Column(String(100))
    comment: Optional[str] = Column(Text)
    at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)


class Dossier(Base):
    """A dossier (hồ sơ) filed at the centre and its status, from the one-stop system's export.

    `phone` is the filer's number (canonical), used only to find their dossiers; it is
    never shown to citizens. `updated_at`: last status change; `imported_at`: last write.
    """

    __tablename__ = "dossiers"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    code: str = Column(String(40), nullable=False, unique=True)
    procedure_name: str = Column(String(300), nullable=False)
    state: str = Column(String(20), nullable=False)
    received_on: Optional[date] = Column(Date)
    appointment_date: Optional[date] = Column(Date)
    missing_documents: List[str] = Column(JSON, nullable=False, default=list)
    collect_at: Optional[str] = Column(String(300))
    phone: Optional[str] = Column(String(10), index=True)
    updated_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    imported_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)


class Handover(Base):
    """A conversation handed to a human officer, from the bot's handover to the officer's close.

    In chat channels the bot is paused for `sender_id` meanwhile; on the robot the citizen
    is sent to the reception desk and this row is the officer's notification.
    """

    __tablename__ = "handovers"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    sender_id: str = Column(String(100), nullable=False, index=True)
    channel: str = Column(String(20), nullable=False)
    reason: str = Column(String(20), nullable=False)  # asked, fallbacks
    last_message: str = Column(Text, nullable=False, default="")
    state: str = Column(String(10), nullable=False, default="waiting", index=True)
    taken_by: Optional[str] = Column(String(64))
    created_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    closed_at: Optional[datetime] = Column(DateTime)


class HandoverReply(Base):
    """What an officer wrote to the citizen during a handover."""

    __tablename__ = "handover_replies"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    handover_id: int = Column(Integer, ForeignKey("handovers.id"), nullable=False, index=True)
    author: str = Column(String(64), nullable=False)
    text: str = Column(Text, nullable=False)
    at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)
    delivered: bool = Column(Boolean, nullable=False, default=False)


class ZaloToken(Base):
    """The Official Account's current access/refresh pair (one row).

    Zalo refresh tokens are single-use: a refresh rewrites this row under the database
    write lock, and every process reads the pair from here.
    """

    __tablename__ = "zalo_tokens"

    id: int = Column(Integer, primary_key=True)
    access_token: str = Column(Text, nullable=False)
    refresh_token: str = Column(Text, nullable=False)
    updated_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)


class ZaloEvent(Base):
    """A webhook event received from Zalo, kept so a retried delivery is handled once."""

    __tablename__ = "zalo_events"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    event_key: str = Column(String(200), nullable=False, unique=True)
    event_name: str = Column(String(60), nullable=False)
    user_id: Optional[str] = Column(String(100), index=True)
    attachments: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    received_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow)


class OutboxMessage(Base):
    """A message to a citizen that a staff action caused (queue call, complaint answered).

    Written in the same transaction as the change, then delivered by a sender that claims
    it, so a message is neither lost nor sent twice by two workers.
    """

    __tablename__ = "outbox"

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    channel: str = Column(String(20), nullable=False)
    user_id: str = Column(String(100), nullable=False)
    text: str = Column(Text, nullable=False)
    created_at: datetime = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)
    claimed_by: Optional[str] = Column(String(64))
    claimed_at: Optional[datetime] = Column(DateTime)
    attempts: int = Column(Integer, nullable=False, default=0)
    sent_at: Optional[datetime] = Column(DateTime, index=True)
    failed: bool = Column(Boolean, nullable=False, default=False)


class MessageEvent(Base):
    """One citizen message as the bot understood it, from Rasa's event broker.

    Kept for statistics only: the intent, channel and time, never the text; the sender id
    is stored hashed. (sender, timestamp) is unique, so a redelivered event counts once.
    """

    __tablename__ = "message_events"
    __table_args__ = (UniqueConstraint("sender_hash", "timestamp"),)

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    sender_hash: str = Column(String(64), nullable=False)
    timestamp: float = Column(Float, nullable=False)
    day: date = Column(Date, nullable=False, index=True)
    intent: str = Column(String(60), nullable=False)
    channel: str = Column(String(20), nullable=False)
