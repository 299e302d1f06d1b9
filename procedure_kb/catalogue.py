"""Caches of KB-derived indexes that rebuild when the KB revision changes."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Generic, Optional, TypeVar

from sqlalchemy.orm import Session

from procedure_kb import repository
from procedure_kb.db import session_scope
from procedure_kb.settings import get_settings

T = TypeVar("T")
log = logging.getLogger(__name__)


class RevisionCache(Generic[T]):
    """Holds `build(session)`'s result; rebuilds it when the KB revision moves.

    The revision is checked at most every `refresh_seconds`, so an edit made by staff
    reaches readers within that time without a restart. When the database cannot be
    read, the last good value is kept (or None before the first success).
    """

    def __init__(
        self,
        build: Callable[[Session], T],
        refresh_seconds: Optional[float] = None,
        database_url: str = "",
    ) -> None:
        self._build = build
        self._refresh = (
            get_settings().kb_refresh_seconds if refresh_seconds is None else refresh_seconds
        )
        self._url = database_url
        self._lock = threading.Lock()
        self._value: Optional[T] = None
        self._revision = -1
        self._checked_at = float("-inf")

    def get(self) -> Optional[T]:
        with self._lock:
            if time.monotonic() - self._checked_at >= self._refresh:
                self._reload_if_changed()
            return self._value

    def _reload_if_changed(self) -> None:
        self._checked_at = time.monotonic()
        try:
            with session_scope(self._url) as session:
                revision = repository.kb_revision(session)
                if revision != self._revision or self._value is None:
                    self._value = self._build(session)
                    self._revision = revision
        except Exception:  # the bot keeps answering from the last good index
            log.exception("Could not reload the procedure knowledge base")
