"""The OA's access token, shared by every process, and its single-use refresh.

Only one refresh runs at a time: it holds the database write lock (SQLite BEGIN
IMMEDIATE, PostgreSQL SELECT … FOR UPDATE) while it asks Zalo, and the new pair is
committed before anyone uses it. A process that finds the token already replaced uses
the new one instead of refreshing again.
"""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable, Tuple

from sqlalchemy import select

from procedure_kb.db import session_scope
from procedure_kb.models import ZaloToken
from procedure_kb.zalo.config import ZaloConfig

TOKEN_ROW = 1
# Asks Zalo for a new pair given the current refresh token: (access, refresh).
Refresher = Callable[[str], Tuple[str, str]]


class TokenStore:
    def __init__(self, config: ZaloConfig, database_url: str = "") -> None:
        self._config = config
        self._url = database_url
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with session_scope(self._url) as session:
            row = session.get(ZaloToken, TOKEN_ROW)
            if row is not None:
                return row.access_token
        with session_scope(self._url, write_lock=True) as session:
            return self._row(session).access_token

    def refresh(self, stale_access_token: str, ask_zalo: Refresher) -> str:
        """A fresh access token: the one another caller already got, or a new pair."""
        with self._lock, session_scope(self._url, write_lock=True) as session:
            row = session.execute(
                select(ZaloToken).where(ZaloToken.id == TOKEN_ROW).with_for_update()
            ).scalar() or self._row(session)
            if row.access_token != stale_access_token:
                return row.access_token
            row.access_token, row.refresh_token = ask_zalo(row.refresh_token)
            row.updated_at = datetime.utcnow()
            return row.access_token

    def _row(self, session) -> ZaloToken:  # type: ignore[no-untyped-def]
        """The stored pair, seeded from the configuration the first time."""
        row = session.get(ZaloToken, TOKEN_ROW)
        if row is None:
            row = ZaloToken(id=TOKEN_ROW, access_token=self._config.access_token,
                            refresh_token=self._config.refresh_token)
            session.add(row)
            session.flush()
        return row
