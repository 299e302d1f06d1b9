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
    agency: str = Column(String(200), nullable=False)
    counter: str = Column(String(120), nullable=False)
    documents: List[Dict[str, Any]] = Column(JSON, nullable=False, default=list)
    fee: Optional[Dict[str, Any]] = Column(JSON)
    duration: Optional[Dict[str, Any]] = Column(JSON)
    online: Optional[Dict[str, Any]] = Column(JSON)
    steps: List[str] = Column(JSON, nullable=False, default=list)
    legal_basis: List[str] = Column(JSON, nullable=False, default=list)
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


class ProcedureAlias(Base):
    """Another way citizens name a procedure; `key` is its folded form for matching."""

    __tablename__ = "procedure_aliases"
    __table_args__ = (UniqueConstraint("procedure_id", "key"),)

    id: int = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id: str = Column(
        String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False
    )
    alias: str = Column(Text, nullable=False)
    key: str = Column(String(300), nullable=False, index=True)

    procedure = relationship("Procedure", back_populates="aliases")


class KbRevision(Base):
    """A single-row counter bumped by every KB change, so readers can reload cheaply."""

    __tablename__ = "kb_revision"

    id: int = Column(Integer, primary_key=True)
    revision: int = Column(Integer, nullable=False, default=0)
