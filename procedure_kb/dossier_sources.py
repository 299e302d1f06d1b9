"""Where dossier statuses come from: the local table (staff imports) or a one-stop system.

The local table is filled by staff (see dossier_import.py). `HttpDossierSource` asks a
provincial one-stop system's public lookup, with a bounded time (timeout per attempt, few
retries) and a short in-memory cache.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Dict, Hashable, Iterator, List, Mapping, Optional, Tuple, Union

import httpx
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from procedure_kb.db import session_scope
from procedure_kb.dossier_records import DossierRecord
from procedure_kb.dossiers import DossierSource, DossierSourceUnavailable, DossierState, DossierStatus
from procedure_kb.models import Dossier
from procedure_kb.settings import get_settings

log = logging.getLogger(__name__)

MAX_RESULTS = 5  # dossiers told for one phone number, newest first
# The HTTP lookup: fields read from each record, and the defaults of the mapping.
MAPPED_FIELDS = ("code", "procedure_name", "state", "received_on", "appointment_date",
                 "missing_documents", "collect_at", "updated_at")
DEFAULT_MAPPING: Dict[str, Any] = {
    "code_param": "code", "phone_param": "phone", "results": "", "states": {},
    **{name: name for name in MAPPED_FIELDS},
}
NOT_FOUND_SECONDS = 10.0  # a dossier just filed should not stay "not found" for long
BACKOFF_SECONDS = 0.2
MIN_ATTEMPT_SECONDS = 0.05


def to_status(row: Dossier) -> DossierStatus:
    return DossierStatus(
        code=row.code, procedure_name=row.procedure_name, state=DossierState(row.state),
        received_on=row.received_on, appointment_date=row.appointment_date,
        missing_documents=list(row.missing_documents or []), collect_at=row.collect_at,
        updated_at=row.updated_at,
    )


class LocalDossierSource(DossierSource):
    """Statuses from the `dossiers` table, through a given session or a database URL."""

    def __init__(self, session_or_url: Union[Session, str] = "") -> None:
        self._target = session_or_url

    def by_code(self, code: str) -> Optional[DossierStatus]:
        with self._reading() as session:
            row = session.execute(select(Dossier).where(Dossier.code == code)).scalar_one_or_none()
            return to_status(row) if row else None

    def by_phone(self, phone: str) -> List[DossierStatus]:
        query = (select(Dossier).where(Dossier.phone == phone)
                 .order_by(Dossier.received_on.desc().nulls_last(), Dossier.id.desc())
                 .limit(MAX_RESULTS))
        with self._reading() as session:
            return [to_status(row) for row in session.execute(query).scalars()]

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """The session to read with; a database failure makes the source unavailable."""
        try:
            if isinstance(self._target, Session):
                yield self._target
            else:
                with session_scope(self._target) as session:
                    yield session
        except SQLAlchemyError as error:
            raise DossierSourceUnavailable(str(error)[:300]) from error


class HttpDossierSource(DossierSource):
    """A one-stop system's public lookup: GET base_url?code=… or ?phone=… answering JSON.

    `field_mapping` (dict or JSON) overrides DEFAULT_MAPPING: the query parameter names,
    `results` (dotted path to the record or list of records, "" = the whole reply), the
    dotted path of each field in a record, and `states` (the system's own state values,
    e.g. {"3": "processing"}). A 404 or an empty reply is "not found"; network errors,
    5xx and unreadable replies are retried, then raise DossierSourceUnavailable. A call
    takes at most about timeout * (retries + 1) seconds.
    """

    def __init__(self, base_url: str, field_mapping: Union[Mapping[str, Any], str, None] = None,
                 timeout: float = 3.0, retries: int = 2, cache_seconds: float = 60.0) -> None:
        self.mapping = _mapping(field_mapping)
        self._url = base_url
        self._timeout = timeout
        self._retries = max(0, retries)
        self._cache_seconds = cache_seconds
        self._cache = _TtlCache()
        self._client = httpx.Client(timeout=timeout, follow_redirects=True,
                                    headers={"Accept": "application/json"})

    def by_code(self, code: str) -> Optional[DossierStatus]:
        found = [s for s in self._lookup(self.mapping["code_param"], code) if s.code == code]
        return found[0] if found else None

    def by_phone(self, phone: str) -> List[DossierStatus]:
        return self._lookup(self.mapping["phone_param"], phone)[:MAX_RESULTS]

    def _lookup(self, param: str, value: str) -> List[DossierStatus]:
        cached = self._cache.get((param, value))
        if cached is not None:
            return cached
        statuses = self._fetch(param, value)
        seconds = self._cache_seconds if statuses else min(self._cache_seconds, NOT_FOUND_SECONDS)
        self._cache.put((param, value), statuses, seconds)
        return statuses

    def _fetch(self, param: str, value: str) -> List[DossierStatus]:
        deadline = time.monotonic() + self._timeout * (self._retries + 1)
        code = value if param == self.mapping["code_param"] else ""
        reason = ""
        for attempt in range(self._retries + 1):
            remaining = max(deadline - time.monotonic(), MIN_ATTEMPT_SECONDS)
            try:
                response = self._client.get(self._url, params={param: value},
                                            timeout=min(self._timeout, remaining))
                if response.status_code == 404:
                    return []
                if 400 <= response.status_code < 500:  # refused: asking again will not help
                    raise DossierSourceUnavailable(f"HTTP {response.status_code}")
                response.raise_for_status()
                return self._statuses(response.json(), code)
            except (httpx.HTTPError, ValueError) as error:
                reason = f"{type(error).__name__}: {error}"[:300]
            log.warning("Dossier lookup at %s failed (attempt %d): %s", self._url, attempt + 1, reason)
            pause = BACKOFF_SECONDS * 2 ** attempt
            if attempt == self._retries or time.monotonic() + pause >= deadline:
                break
            time.sleep(pause)
        raise DossierSourceUnavailable(reason)

    def _statuses(self, body: Any, code: str) -> List[DossierStatus]:
        """The readable records of a reply; ValueError when it has records but none readable."""
        node = _dig(body, self.mapping["results"])
        items = node if isinstance(node, list) else [node] if node else []
        statuses = [status for status in (self._status(item, code) for item in items) if status]
        if items and not statuses:
            raise ValueError("no readable dossier in the reply")
        return statuses

    def _status(self, item: Any, code: str) -> Optional[DossierStatus]:
        if not isinstance(item, dict):
            return None
        values = {name: _dig(item, self.mapping[name]) for name in MAPPED_FIELDS}
        values["code"] = values["code"] or code
        states = self.mapping["states"]
        values["state"] = states.get(str(values["state"]), values["state"])
        try:
            record = DossierRecord.parse_obj({k: v for k, v in values.items() if v is not None})
        except ValidationError as error:
            log.warning("Unreadable dossier in lookup reply: %s", error.errors())
            return None
        return DossierStatus(**record.dict(exclude={"phone"}))


def dossier_source(session: Session) -> DossierSource:
    """The configured source: the local table (through `session`) or the HTTP lookup."""
    settings = get_settings()
    if settings.dossier_source != "http":
        return LocalDossierSource(session)
    if not settings.dossier_http_url:
        raise DossierSourceUnavailable("LETAN_DOSSIER_HTTP_URL is not set")
    return _shared_http_source(
        settings.dossier_http_url, json.dumps(settings.dossier_http_mapping, sort_keys=True),
        settings.dossier_http_timeout, settings.dossier_http_retries, settings.dossier_cache_seconds,
    )


@lru_cache(maxsize=4)
def _shared_http_source(url: str, mapping: str, timeout: float, retries: int,
                        cache_seconds: float) -> HttpDossierSource:
    """One adapter per configuration, so its cache and connections outlive a request."""
    return HttpDossierSource(url, mapping, timeout, retries, cache_seconds)


class _TtlCache:
    """A small thread-safe cache whose entries expire; the oldest go first when full."""

    def __init__(self, max_entries: int = 2000) -> None:
        self._entries: Dict[Hashable, Tuple[float, Any]] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            expires, value = self._entries.get(key, (0.0, None))
            return value if expires > time.monotonic() else None

    def put(self, key: Hashable, value: Any, seconds: float) -> None:
        if seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
            while len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (now + seconds, value)


def _mapping(given: Union[Mapping[str, Any], str, None]) -> Dict[str, Any]:
    overrides = json.loads(given) if isinstance(given, str) else dict(given or {})
    unknown = set(overrides) - set(DEFAULT_MAPPING)
    if unknown:
        raise ValueError(f"unknown dossier mapping keys: {', '.join(sorted(unknown))}")
    return {**DEFAULT_MAPPING, **overrides}


def _dig(node: Any, path: str) -> Any:
    """The value at a dotted path ('data.hoSo.trangThai'); the node itself for ''."""
    for part in filter(None, path.split(".")):
        node = node.get(part) if isinstance(node, dict) else None
    return node
